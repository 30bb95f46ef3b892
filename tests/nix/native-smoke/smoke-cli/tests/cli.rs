//! Runs the built binary, as cargo lets integration tests do.
use std::process::Command;

#[test]
fn prints_the_smoke_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_smoke")).output().unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.starts_with("smoke: sys=42 mid=47 "), "{line}");
}

#[test]
fn dev_dependency_is_linked() {
    assert_eq!(smoke_util::rust_const("X", 1), "pub const X: i64 = 1;\n");
}
