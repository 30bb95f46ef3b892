fn greeting(name: &str) -> String {
    format!("hello, {name}, from a crate built by crateplan")
}

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "world".to_string());
    println!("{}", greeting(&name));
}

#[cfg(test)]
mod tests {
    #[test]
    fn greets() {
        assert_eq!(
            super::greeting("nix"),
            "hello, nix, from a crate built by crateplan"
        );
    }
}
