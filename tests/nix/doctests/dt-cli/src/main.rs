//! A bin-only package: no doc tests.
//!
//! ```
//! panic!("bins have no doc tests");
//! ```
fn main() {
    println!("dt-cli");
}

#[cfg(test)]
mod tests {
    #[test]
    fn bin_test() {}
}
