pub const NAME: &str = "aarch64";
