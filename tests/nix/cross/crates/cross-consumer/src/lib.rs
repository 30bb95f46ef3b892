/// From cross-sum's `links` metadata, through this crate's build script.
pub const ANSWER_FROM_LINKS: &str = env!("ANSWER_FROM_LINKS");
/// What this crate's build script saw as TARGET and CARGO_CFG_TARGET_ARCH.
pub const BUILD_SCRIPT_TARGET: &str = env!("BUILD_SCRIPT_TARGET");
pub const BUILD_SCRIPT_ARCH: &str = env!("BUILD_SCRIPT_ARCH");

pub fn c_sum(a: i32, b: i32) -> i32 {
    cross_sum::add(a, b)
}

pub fn c_arch() -> &'static str {
    cross_sum::arch()
}
