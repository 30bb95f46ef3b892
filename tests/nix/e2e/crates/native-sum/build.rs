fn main() {
    cc::Build::new().file("csrc/sum.c").compile("nativesum");
    println!("cargo::rerun-if-changed=csrc/sum.c");
    // Read by dependents' build scripts as DEP_NATIVESUM_ANSWER.
    println!("cargo::metadata=answer=42");
}
