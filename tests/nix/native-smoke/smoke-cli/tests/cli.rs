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

/// The binary beside the test executable's `deps/` directory, where cargo's
/// target directory has it: ripgrep's tests run `current_exe()/../rg`.
#[test]
fn finds_the_binary_beside_deps() {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    assert_eq!(deps.file_name().unwrap(), "deps", "{}", exe.display());
    let bin = deps.join(format!("../smoke{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new(&bin).output().unwrap();
    assert!(out.status.success(), "{}", bin.display());
}
