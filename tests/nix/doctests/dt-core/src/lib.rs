//! Doc tests of every kind that `cargo test` runs (tests/nix/doctests.sh).
//!
//! A plain doc test, wrapped in `fn main` by rustdoc, with hidden lines:
//!
//! ```
//! # use dt_core::add;
//! assert_eq!(add(2, 3), 5);
//! ```
//!
//! Text blocks are not tests:
//!
//! ```text
//! this is not Rust
//! ```

/// Adds two numbers.
///
/// ```
/// assert_eq!(dt_core::add(40, 2), 42);
/// ```
///
/// `ignore`: counted as ignored, never compiled.
///
/// ```ignore
/// this does not compile
/// ```
///
/// `should_panic`:
///
/// ```should_panic
/// dt_core::checked_div(1, 0);
/// ```
///
/// `no_run`: compiled, not run.
///
/// ```no_run
/// loop {
///     std::thread::park();
/// }
/// ```
///
/// `compile_fail`:
///
/// ```compile_fail
/// let x: u32 = "not a number";
/// ```
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// Panics on a zero divisor.
///
/// An explicit `fn main` and the 2015 edition (`async` is a plain
/// identifier there):
///
/// ```edition2015
/// fn main() {
///     let async = dt_core::checked_div(6, 3);
///     assert_eq!(async, 2);
/// }
/// ```
///
/// `test_harness`: the block's `#[test]` functions run under libtest.
///
/// ```test_harness
/// #[test]
/// fn divides() {
///     assert_eq!(dt_core::checked_div(9, 3), 3);
/// }
/// ```
pub fn checked_div(a: u32, b: u32) -> u32 {
    if b == 0 {
        panic!("division by zero");
    }
    a / b
}

/// What the build script, the features, the dev-dependencies, the config's
/// rustdocflags and the working directory give doc tests:
///
/// ```
/// assert!(cfg!(dt_built));
/// assert!(cfg!(dt_rustdocflags));
/// assert!(cfg!(feature = "std"));
/// assert!(!cfg!(feature = "extra"));
/// assert_eq!(dt_core::greeting(), "hello from the build script");
/// assert_eq!(env!("CARGO_PKG_NAME"), "dt-core");
/// assert_eq!(env!("CARGO_CRATE_NAME"), "dt_core");
/// assert_eq!(dt_helper::twice(21), 42);
/// let text = std::fs::read_to_string("data/greeting.txt").unwrap();
/// assert_eq!(text.trim(), "greetings from data/");
/// ```
pub fn greeting() -> &'static str {
    env!("DT_GREETING")
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::add(1, 1), 2);
    }

    #[test]
    fn sees_the_build_script() {
        assert!(cfg!(dt_built));
        // rustdocflags are for rustdoc only.
        assert!(!cfg!(dt_rustdocflags));
    }

    #[test]
    #[ignore]
    fn slow() {}
}
