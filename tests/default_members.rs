//! `cargo build --release` in the repository must build the plugin (and the C ABI library), as
//! docs/routes.md says (issue 15): the workspace's default members are the
//! CLI and the plugin.

use std::process::Command;

#[test]
fn cargo_build_builds_the_cli_and_the_plugin() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let name_of = |id: &serde_json::Value| -> String {
        meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == *id)
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let mut defaults: Vec<String> = meta["workspace_default_members"]
        .as_array()
        .expect("cargo metadata has workspace_default_members (cargo >= 1.71)")
        .iter()
        .map(name_of)
        .collect();
    defaults.sort();
    assert_eq!(
        defaults,
        ["crateplan", "crateplan-capi", "crateplan-plugin"]
    );
}
