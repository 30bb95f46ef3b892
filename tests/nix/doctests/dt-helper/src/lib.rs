/// Doubles a number.
///
/// ```
/// panic!("doctest = false: this must not run");
/// ```
pub fn twice(x: u32) -> u32 {
    x * 2
}

#[cfg(test)]
mod tests {
    #[test]
    fn not_run() {
        panic!("test = false: this must not run");
    }
}
