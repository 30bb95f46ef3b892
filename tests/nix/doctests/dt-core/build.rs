// What doc tests must see from a build script: a cfg and an env variable.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(dt_built)");
    println!("cargo::rustc-check-cfg=cfg(dt_rustdocflags)");
    println!("cargo::rustc-cfg=dt_built");
    println!("cargo::rustc-env=DT_GREETING=hello from the build script");
}
