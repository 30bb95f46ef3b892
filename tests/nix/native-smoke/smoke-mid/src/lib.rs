//! Uses code generated from a dependency's links metadata.

include!(concat!(env!("OUT_DIR"), "/generated.rs"));

/// 42 from the build script plus 5 from C.
pub fn mid() -> i64 {
    ANSWER + i64::from(sys::add(2, 3))
}

#[cfg(test)]
mod tests {
    #[test]
    fn answer_is_42() {
        assert_eq!(super::ANSWER, 42);
    }

    /// The end-to-end test sets SMOKE_FAIL to check that a failing test
    /// fails the test derivation.
    #[test]
    fn fails_when_asked() {
        assert!(std::env::var_os("SMOKE_FAIL").is_none(), "SMOKE_FAIL is set: failing on purpose");
    }
}
