pub const NAME: &str = "x86_64";
