//! One doc test fails: tests.dt-broken must fail and name it.

/// ```
/// assert_eq!(dt_broken::one(), 1);
/// ```
pub fn one() -> u32 {
    1
}

/// ```
/// assert_eq!(dt_broken::two(), 3, "dt-broken fails on purpose");
/// ```
pub fn two() -> u32 {
    2
}
