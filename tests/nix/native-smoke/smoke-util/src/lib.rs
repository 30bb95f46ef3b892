//! A helper used as a build-dependency and as a dev-dependency.

/// Rust source for a constant.
pub fn rust_const(name: &str, value: i64) -> String {
    format!("pub const {name}: i64 = {value};\n")
}
