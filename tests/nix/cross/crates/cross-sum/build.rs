fn main() {
    // The cc crate picks the target's C compiler from TARGET, CC_<target>,
    // TARGET_CC or CC, as cargo and crateplan set them.
    cc::Build::new().file("csrc/sum.c").compile("crosssum");
    println!("cargo::rerun-if-changed=csrc/sum.c");
    // Read by dependents' build scripts as DEP_CROSSSUM_ANSWER.
    println!("cargo::metadata=answer=42");
}
