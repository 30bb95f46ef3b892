//! Runs the `crateplan` binary as a user would, offline: cargo's cache is
//! pointed at a directory that does not exist, so only what a test hands in
//! is found. Shared by tests/cli.rs and tests/explain.rs.

use std::process::Command;

/// `crateplan ARGS...`: (success, stdout, stderr).
pub fn crateplan(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
        .args(args)
        .env("CARGO_HOME", "/nonexistent-cargo-home")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
