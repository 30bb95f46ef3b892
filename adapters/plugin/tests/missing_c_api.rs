//! Loaded into a process without the Nix C API (a Nix older than 2.35 with a
//! plugin built without `link-nix-expr-c`), the plugin registers nothing and
//! prints one clear warning instead of crashing or failing the load.
//!
//! This binary defines none of the `nix_*` functions. The check runs in a
//! child process (this same binary, re-executed) so stderr can be captured.

use std::process::Command;

const CHILD: &str = "CRATEPLAN_PLUGIN_MISSING_API_CHILD";

#[test]
fn without_the_c_api_nothing_is_registered_and_one_warning_is_printed() {
    if std::env::var_os(CHILD).is_some() {
        crateplan_plugin::nix_plugin_entry();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "without_the_c_api_nothing_is_registered_and_one_warning_is_printed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("crateplan plugin"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    let w = warnings[0];
    assert!(
        w.starts_with("warning: crateplan plugin: builtins.crateplan is not registered"),
        "{w}"
    );
    assert!(w.contains("`nix_c_context_create` is not available"), "{w}");
    assert!(w.contains("Nix >= 2.35"), "{w}");
    assert!(w.contains("link-nix-expr-c"), "{w}");
}
