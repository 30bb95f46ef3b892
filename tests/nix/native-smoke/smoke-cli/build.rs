//! Only a link argument for the `smoke` binary, checked in its rpath.
fn main() {
    println!("cargo::rustc-link-arg-bin=smoke=-Wl,-rpath,/crateplan-smoke-rpath");
}
