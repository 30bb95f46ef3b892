//! One line per check. Lines starting with `arch` name the platform; every
//! other line is the same whatever the platform (tests/nix/cross.sh).

#[cfg(target_arch = "aarch64")]
use arch_aarch64 as arch;
#[cfg(target_arch = "x86_64")]
use arch_x86_64 as arch;

cross_macros::make_greeting!(greeting);

fn main() {
    println!("proc-macro: {}", greeting());
    println!("shared: {}", cross_shared::shout("on the target too"));
    println!("c through cc: 40 + 2 = {}", cross_consumer::c_sum(40, 2));
    println!("links metadata: {}", cross_consumer::ANSWER_FROM_LINKS);
    println!("arch (rust): {}", std::env::consts::ARCH);
    println!("arch (c): {}", cross_consumer::c_arch());
    println!("arch (target-specific dependency): {}", arch::NAME);
    println!("arch (build script TARGET): {}", cross_consumer::BUILD_SCRIPT_TARGET);
    println!("arch (build script CARGO_CFG_TARGET_ARCH): {}", cross_consumer::BUILD_SCRIPT_ARCH);
}
