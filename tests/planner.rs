//! The planner through its one boundary, `plan_json`, on workspaces written
//! by the tests: the fetch rounds, the plan's shape, and every error path.
//! Registry crates are made here (offline), with checksums in the lock.

#[path = "support/workspace_builder.rs"]
mod workspace_builder;

use crateplan::fs::RealFs;
use serde_json::{json, Value};
use workspace_builder::{crate_file, fixed_output_path, sha256, TestDir};

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

fn ask(request: Value) -> Value {
    let out = crateplan::plan_json(&RealFs, request.to_string().as_bytes());
    serde_json::from_slice(&out).unwrap()
}

fn error_of(answer: &Value) -> String {
    assert_eq!(answer["ok"], false, "expected an error, got {answer:#}");
    answer["error"].as_str().unwrap().to_string()
}

/// A workspace `app` -> `helper` (registry) -> `leaf` (registry, `std` feature),
/// plus `winonly` only on windows. Returns the dir and the three .crate files.
fn small_workspace(name: &str) -> (TestDir, Vec<(String, Vec<u8>)>) {
    let dir = TestDir::new(name);
    dir.write(
        "Cargo.toml",
        r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
helper = "1"
"#,
    );
    dir.write("src/main.rs", "fn main() {}");
    let leaf = crate_file(
        "leaf",
        "0.2.0",
        &[
            ("Cargo.toml", "[package]\nname = \"leaf\"\nversion = \"0.2.0\"\nedition = \"2021\"\n[features]\nstd = []\ndefault = []\n"),
            ("src/lib.rs", ""),
        ],
    );
    let winonly = crate_file(
        "winonly",
        "0.1.0",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"winonly\"\nversion = \"0.1.0\"\n",
            ),
            ("src/lib.rs", ""),
        ],
    );
    let helper = crate_file(
        "helper",
        "1.0.0",
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"helper\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\
                 [dependencies]\nleaf = { version = \"0.2\", features = [\"std\"] }\n\
                 [target.'cfg(windows)'.dependencies]\nwinonly = \"0.1\"\n",
            ),
            ("src/lib.rs", ""),
            ("build.rs", "fn main() {}"),
        ],
    );
    let lock = format!(
        r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["helper"]

[[package]]
name = "helper"
version = "1.0.0"
source = "{CRATES_IO}"
checksum = "{}"
dependencies = ["leaf", "winonly"]

[[package]]
name = "leaf"
version = "0.2.0"
source = "{CRATES_IO}"
checksum = "{}"

[[package]]
name = "winonly"
version = "0.1.0"
source = "{CRATES_IO}"
checksum = "{}"
"#,
        sha256(&helper),
        sha256(&leaf),
        sha256(&winonly)
    );
    dir.write("Cargo.lock", lock);
    let crates = vec![
        ("helper".to_string(), helper),
        ("leaf".to_string(), leaf),
        ("winonly".to_string(), winonly),
    ];
    (dir, crates)
}

fn store_crates(dir: &TestDir, crates: &[(String, Vec<u8>)]) -> serde_json::Map<String, Value> {
    let mut sources = serde_json::Map::new();
    for (name, bytes) in crates {
        let version = match name.as_str() {
            "helper" => "1.0.0",
            "leaf" => "0.2.0",
            _ => "0.1.0",
        };
        let path = dir.write(&format!("store/{name}-{version}.crate"), bytes);
        sources.insert(
            format!("{CRATES_IO}#{name}@{version}"),
            json!(path.to_string_lossy()),
        );
    }
    sources
}

/// `"prefetch": "needed"`: one round per level of the graph, and only the
/// sources the plan uses.
#[test]
fn resolution_asks_for_sources_in_rounds_and_never_for_other_platforms() {
    let (dir, crates) = small_workspace("rounds");
    let all = store_crates(&dir, &crates);
    let mut sources = serde_json::Map::new();
    let mut rounds = 0;
    let plan = loop {
        rounds += 1;
        assert!(rounds < 10, "too many rounds");
        let a = ask(
            json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources, "prefetch": "needed"}),
        );
        assert_eq!(a["ok"], true, "{a:#}");
        if let Some(fetch) = a.get("fetch") {
            for f in fetch.as_array().unwrap() {
                let key = f["key"].as_str().unwrap();
                assert!(
                    !key.contains("winonly"),
                    "a linux plan must not fetch windows crates"
                );
                assert_eq!(f["type"], "crate");
                assert!(f["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://static.crates.io/crates/"));
                sources.insert(key.to_string(), all[key].clone());
            }
            continue;
        }
        break a["plan"].clone();
    };
    assert_eq!(
        rounds, 3,
        "app -> helper -> leaf takes two fetch rounds, then the plan:\n{plan:#}"
    );
    let helper = &plan["instances"]["helper-1.0.0"];
    assert_eq!(helper["deps"][0]["extern"], "leaf");
    assert_eq!(
        plan["instances"]["leaf-0.2.0"]["features"],
        json!(["default", "std"])
    );
    assert_eq!(plan["packages"]["helper-1.0.0"]["build"], "build.rs");
    assert_eq!(plan["packages"]["app-0.1.0"]["source"]["type"], "path");
    assert_eq!(plan["instances"]["app-0.1.0"]["bins"], json!(["app"]));

    // On windows the platform-specific crate is part of the plan.
    let a =
        ask(json!({"workspace": dir.path(""), "target": "x86_64-pc-windows-msvc", "sources": all}));
    assert!(a["plan"]["instances"]["winonly-0.1.0"].is_object(), "{a:#}");
}

#[test]
fn tampered_crate_is_refused_by_name() {
    let (dir, mut crates) = small_workspace("tampered");
    crates[0].1[20] ^= 0xff;
    let sources = store_crates(&dir, &crates);
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources}),
    ));
    assert!(e.contains("checksum mismatch for `helper 1.0.0`"), "{e}");
}

/// A `.crate` at the store path Nix computes from the lock's sha256 (where
/// `builtins.fetchurl` puts it after checking its bytes against that sha256)
/// is not hashed again: even altered bytes are taken as they are there. At
/// any other path, the same bytes are refused.
#[test]
fn a_crate_at_its_fixed_output_path_is_not_hashed_again() {
    let (dir, mut crates) = small_workspace("fixed-output");
    let checksum = sha256(&crates[1].1);
    // Still a valid archive of leaf 0.2.0, but not the bytes the lock pins.
    crates[1].1 = crate_file(
        "leaf",
        "0.2.0",
        &[
            ("Cargo.toml", "[package]\nname = \"leaf\"\nversion = \"0.2.0\"\nedition = \"2021\"\n[features]\nstd = []\n"),
            ("src/lib.rs", "// altered"),
        ],
    );
    assert_ne!(sha256(&crates[1].1), checksum);
    let mut sources = store_crates(&dir, &crates);
    let key = format!("{CRATES_IO}#leaf@0.2.0");
    let request = |sources: &serde_json::Map<String, Value>| json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources});
    let e = error_of(&ask(request(&sources)));
    assert!(e.contains("checksum mismatch for `leaf 0.2.0`"), "{e}");

    let store = dir.path("nix-store");
    let fixed = fixed_output_path(&store, "leaf-0.2.0.crate", &checksum);
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(&fixed, &crates[1].1).unwrap();
    sources.insert(key.clone(), json!(fixed));
    let a = ask(request(&sources));
    assert_eq!(a["ok"], true, "{a:#}");
    assert!(a["plan"]["instances"]["leaf-0.2.0"].is_object(), "{a:#}");

    // The same file under another name in that directory is hashed.
    let renamed = format!("{store}/{}", &fixed[store.len() + 2..]);
    std::fs::write(&renamed, &crates[1].1).unwrap();
    sources.insert(key, json!(renamed));
    let e = error_of(&ask(request(&sources)));
    assert!(e.contains("checksum mismatch for `leaf 0.2.0`"), "{e}");
}

#[test]
fn hostile_tarball_is_refused() {
    let (dir, mut crates) = small_workspace("hostile");
    // A crate whose entries escape its directory, with a matching lock checksum.
    let evil = crate_file(
        "helper",
        "1.0.0",
        &[
            ("Cargo.toml", "[package]\nname='helper'\nversion='1.0.0'\n"),
            ("../../escape", "x"),
        ],
    );
    let lock = std::fs::read_to_string(dir.path("Cargo.lock")).unwrap();
    dir.write(
        "Cargo.lock",
        lock.replace(&sha256(&crates[0].1), &sha256(&evil)),
    );
    crates[0].1 = evil;
    let sources = store_crates(&dir, &crates);
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources}),
    ));
    assert!(
        e.contains("not a valid .crate archive") && e.contains("helper"),
        "{e}"
    );
}

#[test]
fn stale_lock_names_package_and_fix() {
    let (dir, _) = small_workspace("stale");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nhelper = \"1\"\nnewdep = \"3\"\n",
    );
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("Cargo.lock is out of date")
            && e.contains("newdep")
            && e.contains("cargo update"),
        "{e}"
    );
}

#[test]
fn stale_lock_version_mismatch() {
    let (dir, _) = small_workspace("stale-version");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nhelper = \"2\"\n",
    );
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(e.contains("out of date") && e.contains("1.0.0"), "{e}");
}

#[test]
fn member_missing_from_lock() {
    let (dir, _) = small_workspace("member-not-locked");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2021\"\n[dependencies]\nhelper = \"1\"\n",
    );
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("`app 0.2.0`") && e.contains("cargo generate-lockfile"),
        "{e}"
    );
}

#[test]
fn missing_member_directory() {
    let dir = TestDir::new("missing-member");
    dir.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/a\", \"crates/gone\"]\n",
    );
    dir.write(
        "crates/a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\n",
    );
    dir.write("crates/a/src/lib.rs", "");
    dir.write(
        "Cargo.lock",
        "version = 4\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\n",
    );
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("crates/gone") && e.contains("does not exist"),
        "{e}"
    );
}

#[test]
fn malformed_manifest_names_file_and_line() {
    let dir = TestDir::new("bad-toml");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[dependencies\n",
    );
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(e.contains(&format!("{}:4:", dir.path("Cargo.toml"))), "{e}");
}

#[test]
fn malformed_and_missing_lock() {
    let (dir, _) = small_workspace("bad-lock");
    dir.write("Cargo.lock", "version = 4\n[[package]]\nname = 3\n");
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("Cargo.lock") && e.contains("failed to parse"),
        "{e}"
    );
    std::fs::remove_file(dir.path("Cargo.lock")).unwrap();
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("does not exist") && e.contains("cargo generate-lockfile"),
        "{e}"
    );
}

#[test]
fn unknown_registry_says_how_to_configure_it() {
    let (dir, _) = small_workspace("unknown-registry");
    let lock = std::fs::read_to_string(dir.path("Cargo.lock")).unwrap();
    let lock = lock.replacen(CRATES_IO, "sparse+https://corp.example/index/", 1);
    dir.write("Cargo.lock", lock);
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}),
    ));
    assert!(
        e.contains("https://corp.example/index/") && e.contains("registries"),
        "{e}"
    );
    // ...and with the mapping, the planner asks for the crate at the mapped URL.
    let a = ask(json!({
        "workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu",
        "registries": {"https://corp.example/index/": "https://corp.example/dl/{crate}/{version}"},
        "prefetch": "needed"
    }));
    assert_eq!(
        a["fetch"][0]["url"], "https://corp.example/dl/helper/1.0.0",
        "{a:#}"
    );
}

/// The default, `"prefetch": "lock-closure"`: the first round also asks for
/// everything the lock says the missing crates may need (here leaf, and
/// winonly, which only a Windows plan uses), so the plan comes in the second
/// round, and it is the plan the one-level-per-round requests give.
#[test]
fn lock_closure_prefetch_plans_in_two_rounds_with_the_same_plan() {
    let (dir, crates) = small_workspace("lock-closure");
    let all = store_crates(&dir, &crates);
    let first = ask(json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu"}));
    let keys: Vec<&str> = first["fetch"]
        .as_array()
        .unwrap_or_else(|| panic!("{first:#}"))
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            format!("{CRATES_IO}#helper@1.0.0"),
            format!("{CRATES_IO}#leaf@0.2.0"),
            format!("{CRATES_IO}#winonly@0.1.0"),
        ]
    );
    let second = ask(json!({
        "workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu",
        "sources": all, "learned": first["learned"]
    }));
    assert!(second.get("plan").is_some(), "{second:#}");
    let needed = ask(json!({
        "workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu",
        "sources": all, "prefetch": "needed"
    }));
    assert_eq!(second, needed);
    // An unknown value is a malformed request.
    let e = error_of(&ask(json!({
        "workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "prefetch": "all"
    })));
    assert!(
        e.contains("malformed request: unknown variant `all`, expected `lock-closure` or `needed`"),
        "{e}"
    );
}

#[test]
fn selection_errors() {
    let (dir, _) = small_workspace("selection");
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "selection": {"packages": ["nope"]}}),
    ));
    assert!(e.contains("`nope` is not a member"), "{e}");
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "selection": {"features": ["turbo"]}}),
    ));
    assert!(e.contains("does not contain this feature: turbo"), "{e}");
    let e = error_of(&ask(
        json!({"workspace": dir.path(""), "target": "sparc-unknown-none"}),
    ));
    assert!(
        e.contains("no built-in cfg set") && e.contains("rustc --print cfg"),
        "{e}"
    );
}

#[test]
fn malformed_request() {
    let out = crateplan::plan_json(&RealFs, b"{\"workspace\": 3}");
    let a: Value = serde_json::from_slice(&out).unwrap();
    assert!(error_of(&a).contains("malformed request"));
    let out = crateplan::plan_json(&RealFs, b"\xff\xfe");
    let a: Value = serde_json::from_slice(&out).unwrap();
    assert!(error_of(&a).contains("malformed request"));
}

#[test]
fn explicit_cfg_set_for_an_unknown_triple() {
    let (dir, crates) = small_workspace("explicit-cfg");
    let sources = store_crates(&dir, &crates);
    let cfg = [
        "target_os=\"windows\"",
        "windows",
        "target_family=\"windows\"",
    ];
    let a = ask(
        json!({"workspace": dir.path(""), "target": {"triple": "x86_64-custom-windows", "cfg": cfg}, "host": "x86_64-unknown-linux-gnu", "sources": sources}),
    );
    assert_eq!(a["ok"], true, "{a:#}");
    assert!(a["plan"]["instances"]["winonly-0.1.0"].is_object());
    // The build script's host is linux: build deps would be evaluated there.
    assert_eq!(
        a["plan"]["platforms"]["host"]["triple"],
        "x86_64-unknown-linux-gnu"
    );
}

// ---------------------------------------------------------------------------
// Profiles and cargo config

const APP_MANIFEST: &str = r#"[package]
name = "app"
version = "0.1.0"
edition = "2021"

[dependencies]
helper = "1"
"#;

/// The small workspace with `extra` appended to its manifest.
fn profiled_workspace(name: &str, extra: &str) -> (TestDir, serde_json::Map<String, Value>) {
    let (dir, crates) = small_workspace(name);
    dir.write("Cargo.toml", format!("{APP_MANIFEST}\n{extra}"));
    let sources = store_crates(&dir, &crates);
    (dir, sources)
}

fn plan_with(dir: &TestDir, sources: &serde_json::Map<String, Value>, more: Value) -> Value {
    let mut req = json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources});
    for (k, v) in more.as_object().unwrap() {
        req[k] = v.clone();
    }
    ask(req)
}

#[test]
fn plan_carries_profiles_flags_and_env() {
    let (dir, sources) = profiled_workspace(
        "profile-plan",
        r#"
[profile.release]
panic = "abort"
lto = true
codegen-units = 1
[profile.release.package.leaf]
opt-level = "s"
[profile.release.build-override]
opt-level = 2
[profile.wasm]
inherits = "release"
strip = "symbols"
"#,
    );
    dir.write(
        ".cargo/config.toml",
        r#"
[profile.release]
debug = "line-tables-only"
[build]
rustflags = ["--cfg", "from_build"]
[target.'cfg(unix)']
linker = "tools/cc"
[env]
PLAIN = "p"
DATA = { value = "assets", relative = true, force = true }
"#,
    );
    let a = plan_with(
        &dir,
        &sources,
        json!({"profile": "release", "config": ["build.rustdocflags = '--cfg docs'"]}),
    );
    assert_eq!(a["ok"], true, "{a:#}");
    let plan = &a["plan"];
    assert_eq!(plan["version"], 2);
    let app = &plan["instances"]["app-0.1.0"]["profile"];
    assert_eq!(app["name"], "release");
    assert_eq!(app["root"], "release");
    assert_eq!(app["optLevel"], "3");
    assert_eq!(app["panic"], "abort");
    assert_eq!(app["lto"], "fat");
    assert_eq!(app["codegenUnits"], 1);
    assert_eq!(app["debuginfo"], "line-tables-only");
    assert_eq!(plan["instances"]["leaf-0.2.0"]["profile"]["optLevel"], "s");
    // The build script: build-override, no codegen-units limit, unwinds.
    let bs = &plan["instances"]["helper-1.0.0"]["buildScriptProfile"];
    assert_eq!(
        (bs["optLevel"].as_str(), bs["panic"].as_str()),
        (Some("2"), Some("unwind"))
    );
    assert_eq!(bs["codegenUnits"], Value::Null);
    assert_eq!(
        plan["instances"]["app-0.1.0"]["buildScriptProfile"],
        Value::Null
    );
    assert_eq!(plan["instances"]["app-0.1.0"]["testProfile"], Value::Null);
    let target = &plan["platforms"]["target"];
    assert_eq!(target["rustflags"], json!(["--cfg", "from_build"]));
    assert_eq!(target["rustdocflags"], json!(["--cfg", "docs"]));
    assert!(target["cfg"]
        .as_array()
        .unwrap()
        .contains(&json!("from_build")));
    assert_eq!(target["linker"], json!(dir.path("tools/cc")));
    // With an explicit target, host units get no [build] rustflags (cargo).
    assert_eq!(plan["platforms"]["host"]["rustflags"], json!([]));
    assert_eq!(
        plan["env"]["PLAIN"],
        json!({"value": "p", "force": false, "relative": false})
    );
    assert_eq!(
        plan["env"]["DATA"],
        json!({"value": "assets", "force": true, "relative": true})
    );

    // A custom profile inherits, and its strip is its own.
    let a = plan_with(&dir, &sources, json!({"profile": "wasm"}));
    let app = &a["plan"]["instances"]["app-0.1.0"]["profile"];
    assert_eq!(
        (app["name"].as_str(), app["strip"].as_str()),
        (Some("wasm"), Some("symbols"))
    );
    assert_eq!(app["panic"], "abort");

    // dev by default; `cargo test` uses `test`, always unwinding.
    let a = plan_with(&dir, &sources, json!({"selection": {"tests": true}}));
    let inst = &a["plan"]["instances"]["app-0.1.0"];
    assert_eq!(inst["profile"]["name"], "dev");
    assert_eq!(inst["profile"]["debugAssertions"], true);
    assert_eq!(inst["testProfile"]["name"], "test");
    assert_eq!(
        a["plan"]["instances"]["leaf-0.2.0"]["testProfile"]["name"],
        "test"
    );
    // No debuginfo in the release leaf and its deps: strip settles to debuginfo.
    let (dir2, sources2) = profiled_workspace("profile-strip", "");
    let a = plan_with(&dir2, &sources2, json!({"profile": "release"}));
    assert_eq!(
        a["plan"]["instances"]["leaf-0.2.0"]["profile"]["strip"],
        "debuginfo"
    );
    assert_eq!(
        a["plan"]["instances"]["app-0.1.0"]["profile"]["strip"],
        "debuginfo"
    );
}

#[test]
fn config_files_above_the_workspace_are_never_read() {
    let (dir, sources) = profiled_workspace("profile-pure", "");
    // The workspace is `ws/` inside the test dir; a config above it must not count.
    let inner = dir.path("ws");
    for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
        let text = std::fs::read(dir.path(f)).unwrap();
        dir.write(&format!("ws/{f}"), text);
    }
    dir.write(
        ".cargo/config.toml",
        "[build]\nrustflags = [\"--cfg\", \"outside\"]\n",
    );
    dir.write("ws/.cargo/config", "[env]\nINSIDE = \"yes\"\n");
    dir.write(
        "ws/.cargo/config.toml",
        "[env]\nIGNORED = \"config wins over config.toml\"\n",
    );
    let a =
        ask(json!({"workspace": inner, "target": "x86_64-unknown-linux-gnu", "sources": sources}));
    assert_eq!(a["ok"], true, "{a:#}");
    assert_eq!(a["plan"]["platforms"]["target"]["rustflags"], json!([]));
    assert_eq!(
        a["plan"]["env"],
        json!({"INSIDE": {"value": "yes", "force": false, "relative": false}})
    );
}

#[test]
fn profile_errors_name_the_file() {
    // cargo: `error: profile `nope` is not defined`
    let (dir, sources) = profiled_workspace("profile-unknown", "");
    let e = error_of(&plan_with(&dir, &sources, json!({"profile": "nope"})));
    assert!(e.contains("profile `nope` is not defined"), "{e}");

    // cargo: `error: profile inheritance loop detected with profile `b` inheriting `a``
    let (dir, sources) = profiled_workspace(
        "profile-cycle",
        "[profile.a]\ninherits = \"b\"\n[profile.b]\ninherits = \"a\"\n",
    );
    let e = error_of(&plan_with(&dir, &sources, json!({"profile": "release"})));
    assert!(
        e.contains("inheritance loop detected with profile `b` inheriting `a`"),
        "{e}"
    );
    assert!(e.contains(&dir.path("Cargo.toml")), "{e}");

    // cargo: `error: profile `a` inherits from `zzz`, but that profile is not defined`
    let (dir, sources) = profiled_workspace("profile-parent", "[profile.a]\ninherits = \"zzz\"\n");
    let e = error_of(&plan_with(&dir, &sources, json!({})));
    assert!(
        e.contains("profile `a` inherits from `zzz`, but that profile is not defined"),
        "{e}"
    );

    // cargo: `error: invalid value: integer `3`, expected a boolean, 0, 1, 2,
    // "none", "limited", "full", "line-tables-only", or "line-directives-only"`
    // pointing at Cargo.toml:7:9.
    let (dir, sources) = profiled_workspace("profile-invalid", "[profile.release]\ndebug = 3\n");
    let e = error_of(&plan_with(&dir, &sources, json!({})));
    assert!(
        e.contains(&dir.path("Cargo.toml")) && e.contains("profile.release.debug"),
        "{e}"
    );
    assert!(e.contains("the integer 3"), "{e}");

    // cargo: `` `panic` may not be specified in a `build-override` profile ``
    let (dir, sources) = profiled_workspace(
        "profile-override",
        "[profile.dev.build-override]\npanic = \"abort\"\n",
    );
    let e = error_of(&plan_with(&dir, &sources, json!({})));
    assert!(
        e.contains("may not be specified in a `build-override` profile"),
        "{e}"
    );

    // cargo only warns: `warning: profile package spec `nosuch` in profile
    // `release` did not match any packages`, and builds without it. A typo
    // there silently builds something else, so crateplan refuses.
    let (dir, sources) = profiled_workspace(
        "profile-nomatch",
        "[profile.release.package.nosuch]\nopt-level = 1\n",
    );
    let e = error_of(&plan_with(&dir, &sources, json!({"profile": "release"})));
    assert!(
        e.contains("profile package spec `nosuch` in profile `release` did not match any package"),
        "{e}"
    );
    assert!(e.contains(&dir.path("Cargo.toml")), "{e}");

    // An invalid config profile names the config file (cargo: "config
    // profile `release` is not valid (defined in `.../.cargo/config.toml`)").
    let (dir, sources) = profiled_workspace("profile-config-invalid", "");
    dir.write(".cargo/config.toml", "[profile.release]\nopt-level = 9\n");
    let e = error_of(&plan_with(&dir, &sources, json!({})));
    assert!(
        e.contains(&dir.path(".cargo/config.toml")) && e.contains("opt-level"),
        "{e}"
    );

    // A request config document that is not TOML.
    let (dir, sources) = profiled_workspace("profile-config-cli", "");
    let e = error_of(&plan_with(
        &dir,
        &sources,
        json!({"config": ["build.rustflags = ["]}),
    ));
    assert!(e.contains("--config"), "{e}");

    // cargo: "profile name `build` is reserved"
    let e = error_of(&plan_with(&dir, &sources, json!({"profile": "build"})));
    assert!(e.contains("reserved"), "{e}");
}

/// The rounds loop of nix/route.nix: `learned` from each `fetch` answer is
/// handed back in the next request. Returns the answers in order.
fn rounds_with_learned(dir: &TestDir, all: &serde_json::Map<String, Value>) -> Vec<Value> {
    let mut sources = serde_json::Map::new();
    let mut learned: Option<Value> = None;
    let mut answers = Vec::new();
    loop {
        assert!(answers.len() < 10, "too many rounds");
        let mut request = json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": sources, "prefetch": "needed"});
        if let Some(l) = &learned {
            request["learned"] = l.clone();
        }
        let a = ask(request);
        assert_eq!(a["ok"], true, "{a:#}");
        answers.push(a.clone());
        let Some(fetch) = a.get("fetch") else {
            return answers;
        };
        learned = Some(a["learned"].clone());
        for f in fetch.as_array().unwrap() {
            let key = f["key"].as_str().unwrap();
            sources.insert(key.to_string(), all[key].clone());
        }
    }
}

/// Each `fetch` answer carries the manifests read so far; with them handed
/// back, the plan is the same as without, and no `.crate` is read twice:
/// once learned, a `.crate` that has since disappeared is not missed.
#[test]
fn learned_manifests_are_handed_back_and_change_nothing_planned() {
    let (dir, crates) = small_workspace("learned");
    let all = store_crates(&dir, &crates);
    let answers = rounds_with_learned(&dir, &all);
    assert_eq!(answers.len(), 3);
    // Round 1 read no .crate; round 2 read helper's.
    let learned_1: Value = serde_json::from_str(answers[0]["learned"].as_str().unwrap()).unwrap();
    assert_eq!(learned_1, json!({}));
    let learned_2: Value = serde_json::from_str(answers[1]["learned"].as_str().unwrap()).unwrap();
    let helper_sha = sha256(&crates[0].1);
    assert_eq!(learned_2.as_object().unwrap().len(), 1, "{learned_2:#}");
    assert_eq!(learned_2[&helper_sha]["name"], "helper");

    let plain = ask(
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": all}),
    );
    assert_eq!(answers[2], plain, "the plan with learned manifests differs");

    // helper's .crate is gone: its learned manifest stands in for it.
    let helper_path = all[&format!("{CRATES_IO}#helper@1.0.0")]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(&helper_path).unwrap();
    let mut request =
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": all});
    request["learned"] = answers[1]["learned"].clone();
    assert_eq!(ask(request.clone()), plain);
    // Without them, the missing file is an error.
    request.as_object_mut().unwrap().remove("learned");
    let e = error_of(&ask(request));
    assert!(e.contains("helper-1.0.0.crate does not exist"), "{e}");
}

/// A learned entry names its crate: one filed under the checksum of a
/// different package is not used (the `.crate` is read instead).
#[test]
fn learned_entry_of_another_package_is_ignored() {
    let (dir, crates) = small_workspace("learned-other");
    let all = store_crates(&dir, &crates);
    let answers = rounds_with_learned(&dir, &all);
    let learned_2: Value = serde_json::from_str(answers[1]["learned"].as_str().unwrap()).unwrap();
    let helper = learned_2[&sha256(&crates[0].1)].clone();
    // helper's manifest filed under leaf's checksum.
    let forged = json!({ sha256(&crates[1].1): helper }).to_string();
    let mut request =
        json!({"workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "sources": all});
    let plain = ask(request.clone());
    request["learned"] = json!(forged);
    assert_eq!(ask(request), plain);
}

#[test]
fn malformed_learned_text_is_an_error_naming_it() {
    let (dir, _) = small_workspace("learned-bad");
    let e = error_of(&ask(json!({
        "workspace": dir.path(""), "target": "x86_64-unknown-linux-gnu", "learned": "not json"
    })));
    assert!(e.contains("`learned`"), "{e}");
}
