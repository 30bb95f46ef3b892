//! `crateplan why` and `crateplan diff` on small workspaces (offline, made
//! here) and their error paths. `why` against `cargo tree` on the oracle
//! fixtures: tests/oracle_why.rs.

#[path = "support/cli_run.rs"]
mod cli_run;
#[path = "support/workspace_builder.rs"]
mod workspace_builder;

use cli_run::crateplan;
use serde_json::Value;
use std::collections::BTreeMap;
use workspace_builder::{crate_file, sha256, TestDir};

fn ok(args: &[&str]) -> String {
    let (ok, out, err) = crateplan(args);
    assert!(ok, "crateplan {}: {err}", args.join(" "));
    out
}

const LINUX: &str = "x86_64-unknown-linux-gnu";

/// `app` uses the path crate `util` with feature `fast`, and again as a
/// build-dependency with `pretty`: a target and a host instance of `util`
/// with different features. `util`'s `fast` turns on `simd`; its
/// `pretty` turns on `leaf/std` of the registry crate `leaf`.
fn workspace(name: &str, leaf_version: &str) -> TestDir {
    let dir = TestDir::new(name);
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         [dependencies]\nutil = { path = \"util\", features = [\"fast\"] }\n\
         [build-dependencies]\nutil = { path = \"util\", features = [\"pretty\"] }\n\
         [workspace]\nresolver = \"2\"\n",
    );
    dir.write("src/main.rs", "fn main() {}");
    dir.write("build.rs", "fn main() {}");
    dir.write(
        "util/Cargo.toml",
        "[package]\nname = \"util\"\nversion = \"0.2.0\"\nedition = \"2021\"\n\
         [dependencies]\nleaf = { version = \"1\", default-features = false }\n\
         [features]\nfast = [\"simd\"]\nsimd = []\npretty = [\"leaf/std\"]\n",
    );
    dir.write("util/src/lib.rs", "");
    write_leaf(&dir, leaf_version);
    dir.write("Cargo.lock", lock(&dir, leaf_version));
    dir
}

fn write_leaf(dir: &TestDir, version: &str) {
    let leaf = crate_file(
        "leaf",
        version,
        &[
            (
                "Cargo.toml",
                &format!(
                    "[package]\nname = \"leaf\"\nversion = \"{version}\"\n\
                     [features]\ndefault = [\"std\"]\nstd = []\n"
                ),
            ),
            ("src/lib.rs", ""),
        ],
    );
    dir.write(&format!("crates/leaf-{version}.crate"), leaf);
}

fn lock(dir: &TestDir, leaf_version: &str) -> String {
    let leaf = std::fs::read(dir.path(&format!("crates/leaf-{leaf_version}.crate"))).unwrap();
    format!(
        "version = 4\n\
         [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"util\"]\n\n\
         [[package]]\nname = \"util\"\nversion = \"0.2.0\"\ndependencies = [\"leaf\"]\n\n\
         [[package]]\nname = \"leaf\"\nversion = \"{leaf_version}\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
        sha256(&leaf)
    )
}

fn plan_args<'a>(dir: &'a TestDir, manifest: &'a str, crates: &'a str) -> Vec<&'a str> {
    let _ = dir;
    vec![
        "--manifest-path",
        manifest,
        "--target",
        LINUX,
        "--host",
        LINUX,
        "--crate-dir",
        crates,
    ]
}

#[test]
fn why_tells_host_and_target_apart_with_what_each_edge_asks() {
    let dir = workspace("why-util", "1.0.0");
    let (manifest, crates) = (dir.path("Cargo.toml"), dir.path("crates"));
    let mut args = vec!["why", "util", "--json"];
    args.extend(plan_args(&dir, &manifest, &crates));
    let why: Value = serde_json::from_str(&ok(&args)).unwrap();
    let instances = why["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2, "{why:#}");
    let (target, host) = (&instances[0], &instances[1]);
    assert_eq!(target["platform"], "target");
    assert_eq!(host["platform"], "host");

    let features = |i: &Value| -> BTreeMap<String, Vec<Value>> {
        i["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["feature"].as_str().unwrap().to_string(),
                    f["enabledBy"].as_array().unwrap().clone(),
                )
            })
            .collect()
    };
    let t = features(target);
    assert_eq!(t.keys().collect::<Vec<_>>(), ["fast", "simd"], "{why:#}");
    assert_eq!(
        t["fast"],
        [
            serde_json::json!({"type": "dependent", "instance": "app-0.1.0", "kind": "normal", "via": null})
        ]
    );
    assert_eq!(
        t["simd"],
        [serde_json::json!({"type": "feature", "feature": "fast"})]
    );
    let h = features(host);
    assert_eq!(h.keys().collect::<Vec<_>>(), ["pretty"], "{why:#}");
    assert_eq!(h["pretty"][0]["kind"], "build");

    let row = &host["dependents"][0];
    assert_eq!(row["instance"], "app-0.1.0");
    assert_eq!(row["asks"], serde_json::json!(["pretty"]));
    assert_eq!(row["root"], true);

    // A feature turned on through the dependent's own feature (`leaf/std`
    // in util's `pretty`), only on the host instance of leaf.
    let mut args = vec!["why", "leaf"];
    args.extend(plan_args(&dir, &manifest, &crates));
    let text = ok(&args);
    assert!(
        text.contains("\"std\" ← util v0.2.0 (host) through its feature \"pretty\""),
        "{text}"
    );
    assert!(text.contains("leaf v1.0.0 (target: "), "{text}");
    assert!(text.contains("features: none"), "{text}");
    assert!(
        text.contains(
            "└── util v0.2.0 (target)\n        └── app v0.1.0 (target) asks for: fast (root)"
        ),
        "{text}"
    );
}

#[test]
fn why_an_unknown_crate_is_an_error_with_suggestions() {
    let dir = workspace("why-unknown", "1.0.0");
    let (manifest, crates) = (dir.path("Cargo.toml"), dir.path("crates"));
    let mut args = vec!["why", "utill"];
    args.extend(plan_args(&dir, &manifest, &crates));
    let (ok, out, err) = crateplan(&args);
    assert!(!ok && out.is_empty());
    assert_eq!(
        err.trim(),
        "crateplan: no crate named `utill` is built in this plan (for this target and selection); \
         did you mean `util`?"
    );
}

#[test]
fn why_reads_a_plan_file_and_refuses_what_is_not_one() {
    let dir = workspace("why-plan-file", "1.0.0");
    let (manifest, crates) = (dir.path("Cargo.toml"), dir.path("crates"));
    let mut args = vec!["plan"];
    args.extend(plan_args(&dir, &manifest, &crates));
    let plan = dir.write("plan.json", ok(&args));
    let plan = plan.to_str().unwrap();
    let text = ok(&["why", "util", "--plan", plan]);
    assert!(text.contains("util v0.2.0 (host: "), "{text}");
    assert!(
        text.contains("└── app v0.1.0 (target) [build-dependencies] (root)"),
        "{text}"
    );

    for (what, content, expected) in [
        ("not JSON", "[[package]]", "not JSON"),
        (
            "an old format",
            r#"{"version": 1}"#,
            "its format version is 1",
        ),
        (
            "no version",
            r#"{"roots": []}"#,
            "it has no `version` field",
        ),
        (
            "an error answer",
            r#"{"ok": false, "error": "crateplan: no"}"#,
            "it is an error answer (crateplan: no)",
        ),
        (
            "a broken plan",
            r#"{"version": 2, "roots": 3}"#,
            "invalid type",
        ),
    ] {
        let file = dir.write("bad.json", content);
        let (ok, _, err) = crateplan(&["why", "util", "--plan", file.to_str().unwrap()]);
        assert!(!ok, "{what}");
        assert!(
            err.contains("bad.json is not a crateplan plan") && err.contains(expected),
            "{what}: {err}"
        );
    }
    let (ok, _, err) = crateplan(&["why", "util", "--plan", "/nonexistent/plan.json"]);
    assert!(
        !ok && err.starts_with("crateplan: /nonexistent/plan.json: "),
        "{err}"
    );
}

#[test]
fn diff_of_two_plans_says_what_rebuilds_and_why() {
    let dir = workspace("diff-plans", "1.0.0");
    let (manifest, crates) = (dir.path("Cargo.toml"), dir.path("crates"));
    let mut args = vec!["plan"];
    args.extend(plan_args(&dir, &manifest, &crates));
    let old = dir.write("old.json", ok(&args));
    // The target util now asks for `pretty` too (so leaf/std there).
    dir.write(
        "Cargo.toml",
        std::fs::read_to_string(&manifest)
            .unwrap()
            .replace("features = [\"fast\"]", "features = [\"fast\", \"pretty\"]"),
    );
    let new = dir.write("new.json", ok(&args));
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());

    let same = ok(&["diff", old, old]);
    assert_eq!(
        same,
        "0 added, 0 removed, 0 replaced, 0 rebuilt, 5 unchanged\n"
    );

    let text = ok(&["diff", old, new]);
    assert_eq!(
        text,
        "* app-0.1.0 rebuilds: dependency util-0.2.0 rebuilds\n\
         * leaf-1.0.0 rebuilds: features +std\n\
         * util-0.2.0 rebuilds: features +pretty; dependency leaf-1.0.0 rebuilds\n\
         0 added, 0 removed, 0 replaced, 3 rebuilt, 2 unchanged\n"
    );
    // A plan-wide setting: every derivation rebuilds.
    let mut flags: Value = serde_json::from_str(&std::fs::read_to_string(new).unwrap()).unwrap();
    flags["platforms"]["target"]["rustflags"] = serde_json::json!(["--cfg", "nix"]);
    let flags = dir.write("flags.json", serde_json::to_vec(&flags).unwrap());
    let text = ok(&["diff", new, flags.to_str().unwrap()]);
    assert!(
        text.starts_with(
            "! every derivation rebuilds: the platforms (triples, cfg, rustflags or linker) changed\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("0 added, 0 removed, 0 replaced, 5 rebuilt, 0 unchanged\n"),
        "{text}"
    );

    let json: Value = serde_json::from_str(&ok(&["diff", old, new, "--json"])).unwrap();
    assert_eq!(json["unchanged"], 2);
    assert_eq!(
        json["rebuilt"][1]["reasons"][0],
        serde_json::json!({"type": "features", "added": ["std"], "removed": []})
    );
}

#[test]
fn diff_of_two_lock_files_plans_the_workspace_with_each() {
    let dir = workspace("diff-locks", "1.0.0");
    let old_lock = dir.write("old.lock", lock(&dir, "1.0.0"));
    write_leaf(&dir, "1.1.0");
    let new_lock = dir.write("new.lock", lock(&dir, "1.1.0"));
    let (manifest, crates) = (dir.path("Cargo.toml"), dir.path("crates"));
    let mut args = vec![
        "diff",
        old_lock.to_str().unwrap(),
        new_lock.to_str().unwrap(),
    ];
    args.extend(plan_args(&dir, &manifest, &crates));
    let text = ok(&args);
    assert!(
        text.starts_with(
            "~ leaf (target): 1.0.0 → 1.1.0 (leaf-1.0.0 → leaf-1.1.0)\n\
             ~ leaf (host): 1.0.0 → 1.1.0 (leaf-1.0.0@host → leaf-1.1.0@host)\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(
            "* app-0.1.0 rebuilds: dependency util-0.2.0, util-0.2.0@host rebuilds\n\
             * util-0.2.0 rebuilds: dependencies +leaf-1.1.0 as leaf -leaf-1.0.0 as leaf; \
             dependency leaf-1.1.0 rebuilds\n\
             * util-0.2.0@host rebuilds: dependencies +leaf-1.1.0@host as leaf -leaf-1.0.0@host \
             as leaf; dependency leaf-1.1.0@host rebuilds\n\
             0 added, 0 removed, 2 replaced, 3 rebuilt, 0 unchanged\n"
        ),
        "{text}"
    );

    // A lock file the workspace cannot use: the planner's error, naming the file.
    let bad = dir.write("bad.lock", "version = 4\n[[package]]\nname = \"app\"\n");
    let mut args = vec!["diff", old_lock.to_str().unwrap(), bad.to_str().unwrap()];
    args.extend(plan_args(&dir, &manifest, &crates));
    let (ok, _, err) = crateplan(&args);
    assert!(!ok, "{err}");
    assert!(err.contains("bad.lock"), "{err}");
}

#[test]
fn diff_refuses_a_bad_plan_file() {
    let dir = TestDir::new("diff-bad");
    let bad = dir.write("bad.json", "{\"version\": 2}");
    let (ok, _, err) = crateplan(&["diff", bad.to_str().unwrap(), bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("bad.json is not a crateplan plan"), "{err}");
    let (ok, _, err) = crateplan(&["diff", "/nonexistent/a.json", bad.to_str().unwrap()]);
    assert!(
        !ok && err.starts_with("crateplan: /nonexistent/a.json: "),
        "{err}"
    );
}
