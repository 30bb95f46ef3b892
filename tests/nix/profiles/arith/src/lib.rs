//! Arithmetic compiled with this package's own profile: the test sets its
//! overflow checks apart from app's with `[profile.NAME.package.arith]`.

/// `a + b`, checked or wrapping as arith's profile says.
#[inline(never)]
pub fn add(a: u8, b: u8) -> u8 {
    a + b
}
