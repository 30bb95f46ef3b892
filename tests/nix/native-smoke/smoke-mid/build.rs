//! Reads smoke-sys's `links` metadata (DEP_SMOKEC_*) and generates code with
//! a build-dependency.
use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let include = env::var("DEP_SMOKEC_INCLUDE").expect("DEP_SMOKEC_INCLUDE from cargo::metadata");
    assert!(PathBuf::from(&include).join("smoke.h").exists(), "{include}/smoke.h");
    let answer: i64 = env::var("DEP_SMOKEC_ANSWER")
        .expect("DEP_SMOKEC_ANSWER from the legacy cargo:answer=40")
        .parse()
        .unwrap();
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out.join("generated.rs"), smoke_util::rust_const("ANSWER", answer + 2)).unwrap();
}
