//! An integration test: it runs the bin and uses its scratch directory.
use std::process::Command;

#[test]
fn runs_the_bin() {
    let out = Command::new(env!("CARGO_BIN_EXE_dt-tool")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "dt-tool: 4\n");
}

#[test]
fn has_a_scratch_directory() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("scratch"), "x").unwrap();
}

#[test]
fn sees_the_package_env() {
    assert_eq!(env!("CARGO_PKG_VERSION"), "0.3.1");
    assert!(std::path::Path::new("data/greeting.txt").exists());
}

#[test]
#[ignore]
fn ignored_one() {}
