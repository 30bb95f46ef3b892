// Hands what cargo told this build script to the binary (SEEN_*).
use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(from_rustflags)");
    for var in ["PROFILE", "OPT_LEVEL", "DEBUG"] {
        let value = env::var(var).unwrap_or_else(|_| "<unset>".to_string());
        println!("cargo:rustc-env=SEEN_{var}={value}");
    }
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let flags: Vec<&str> = flags.split('\x1f').filter(|f| !f.is_empty()).collect();
    println!("cargo:rustc-env=SEEN_RUSTFLAGS={}", flags.join(" "));
    let cfg = env::var("CARGO_CFG_FROM_RUSTFLAGS").is_ok();
    println!("cargo:rustc-env=SEEN_CFG_FROM_RUSTFLAGS={cfg}");
    let assertions = env::var("CARGO_CFG_DEBUG_ASSERTIONS").is_ok();
    println!("cargo:rustc-env=SEEN_DEBUG_ASSERTIONS={assertions}");
    let greeting = env::var("GREETING").unwrap_or_else(|_| "<unset>".to_string());
    println!("cargo:rustc-env=SEEN_GREETING={greeting}");
    println!("cargo:rerun-if-changed=build.rs");
}
