//! Safe wrappers around the C code the build script compiled.

extern "C" {
    fn smoke_add(a: i32, b: i32) -> i32;
}

/// Adds in C.
pub fn add(a: i32, b: i32) -> i32 {
    // SAFETY: smoke_add is a pure function of two ints.
    unsafe { smoke_add(a, b) }
}

/// Set by the build script through `cargo::rustc-cfg`.
pub const HAS_C: bool = cfg!(smoke_has_c);

/// Set by the build script through `cargo::rustc-env`.
pub const BUILT_BY: &str = env!("SMOKE_BUILT_BY");

#[cfg(test)]
mod tests {
    #[test]
    fn adds_in_c() {
        assert_eq!(super::add(2, 3), 5);
    }
}
