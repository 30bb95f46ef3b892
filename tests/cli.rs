//! The command line: offline sources from a directory of `.crate` files,
//! triples without a built-in cfg set, and errors as messages with a non-zero
//! exit (never a panic).

#[path = "support/cli_run.rs"]
mod cli_run;
#[path = "support/workspace_builder.rs"]
mod workspace_builder;

use cli_run::crateplan;
use workspace_builder::{crate_file, sha256, TestDir};

fn workspace(name: &str) -> TestDir {
    let dir = TestDir::new(name);
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nleaf = \"1\"\n",
    );
    dir.write("src/main.rs", "fn main() {}");
    let leaf = crate_file(
        "leaf",
        "1.0.0",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"leaf\"\nversion = \"1.0.0\"\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    dir.write(
        "Cargo.lock",
        format!(
            "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"leaf\"]\n\n\
             [[package]]\nname = \"leaf\"\nversion = \"1.0.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            sha256(&leaf)
        ),
    );
    dir.write("crates/leaf-1.0.0.crate", leaf);
    dir
}

#[test]
fn plans_offline_from_a_crate_dir() {
    let dir = workspace("cli-crate-dir");
    let manifest = dir.path("Cargo.toml");
    let crates = dir.path("crates");
    let (ok, out, err) = crateplan(&[
        "unit-graph",
        "--manifest-path",
        &manifest,
        "--target",
        "aarch64-apple-darwin",
        "--crate-dir",
        &crates,
    ]);
    assert!(ok, "{err}");
    let graph: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = graph["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["target"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"leaf") && names.contains(&"app"),
        "{names:?}"
    );
    assert!(graph["units"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["platform"] == "aarch64-apple-darwin"));
}

#[test]
fn missing_sources_say_to_fetch() {
    let dir = workspace("cli-missing");
    let (ok, _, err) = crateplan(&[
        "plan",
        "--manifest-path",
        &dir.path("Cargo.toml"),
        "--target",
        "x86_64-unknown-linux-gnu",
    ]);
    assert!(!ok);
    assert!(
        err.contains("cargo fetch") && err.contains("leaf@1.0.0"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_triples_go_through_rustc_or_fail_clearly() {
    let dir = workspace("cli-triples");
    let manifest = dir.path("Cargo.toml");
    let crates = dir.path("crates");
    let (ok, out, err) = crateplan(&[
        "plan",
        "--manifest-path",
        &manifest,
        "--target",
        "riscv64gc-unknown-linux-gnu",
        "--crate-dir",
        &crates,
    ]);
    assert!(ok, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cfg = plan["platforms"]["target"]["cfg"].as_array().unwrap();
    assert!(
        cfg.iter().any(|c| c == "target_arch=\"riscv64\""),
        "{cfg:?}"
    );
    let (ok, _, err) = crateplan(&[
        "plan",
        "--manifest-path",
        &manifest,
        "--target",
        "no-such-triple",
    ]);
    assert!(!ok);
    assert!(
        err.contains("no-such-triple") && err.contains("rustc --print cfg"),
        "{err}"
    );
}

#[test]
fn answer_prints_a_nix_string_literal_for_exec() {
    let dir = TestDir::new("cli-answer");
    let request = dir.write(
        "request.json",
        r#"{"workspace": "/nonexistent ${x}", "target": "x86_64-unknown-linux-gnu"}"#,
    );
    let (ok, out, _) = crateplan(&["answer", "--nix", &request.to_string_lossy()]);
    assert!(ok);
    let literal = out.trim_end();
    assert!(
        literal.starts_with('"') && literal.ends_with('"'),
        "{literal}"
    );
    // `${` is escaped so Nix does not interpolate; quotes are escaped.
    assert!(
        literal.contains("\\${x}") && literal.contains("\\\"ok\\\""),
        "{literal}"
    );
    let (ok, out, _) = crateplan(&["answer", &request.to_string_lossy()]);
    assert!(ok);
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["ok"], false);
}

#[test]
fn profile_flags_like_cargo() {
    let dir = workspace("cli-profiles");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nleaf = \"1\"\n\
         [profile.small]\ninherits = \"release\"\nopt-level = \"z\"\n",
    );
    let manifest = dir.path("Cargo.toml");
    let crates = dir.path("crates");
    let profile_of = |extra: &[&str]| {
        let mut args = vec![
            "unit-graph",
            "--manifest-path",
            &manifest,
            "--target",
            "x86_64-unknown-linux-gnu",
            "--crate-dir",
            &crates,
        ];
        args.extend_from_slice(extra);
        let (ok, out, err) = crateplan(&args);
        assert!(ok, "{err}");
        let graph: serde_json::Value = serde_json::from_str(&out).unwrap();
        let app = graph["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["target"]["name"] == "app")
            .unwrap()
            .clone();
        app["profile"].clone()
    };
    let dev = profile_of(&[]);
    assert_eq!(
        (dev["name"].as_str(), dev["debuginfo"].as_i64()),
        (Some("dev"), Some(2))
    );
    assert_eq!(profile_of(&["--release"])["opt_level"], "3");
    assert_eq!(profile_of(&["--profile", "small"])["opt_level"], "z");
    assert_eq!(profile_of(&["--tests"])["name"], "test");
    let cfg = profile_of(&["--release", "--config", "profile.release.opt-level = 1"]);
    assert_eq!(cfg["opt_level"], "1");
    // As cargo: --release and another --profile conflict; unknown profiles fail.
    let (ok, _, err) = crateplan(&[
        "unit-graph",
        "--manifest-path",
        &manifest,
        "--release",
        "--profile",
        "small",
    ]);
    assert!(!ok && err.contains("--profile"), "{err}");
    let (ok, _, err) = crateplan(&[
        "unit-graph",
        "--manifest-path",
        &manifest,
        "--crate-dir",
        &crates,
        "--profile",
        "nope",
    ]);
    assert!(
        !ok && err.contains("profile `nope` is not defined"),
        "{err}"
    );
}
