//! The oracle suite: `crateplan unit-graph` must agree with cargo's own
//! `--unit-graph` output, unit for unit, on every fixture under
//! `tests/fixtures/` (see its README.md), for three targets, for the `build`
//! selection and the `cargo test` selection, and for extra feature and
//! package selections where a fixture is about those.
//!
//! Per fixture (one `#[test]` each, so one failure hides no other):
//! 1. `cargo fetch --locked` (needs index.crates.io and static.crates.io, or a
//!    warm `$CARGO_HOME`); the git fixture first creates its local repository.
//! 2. For each target x selection x profile x {build, tests}, where the
//!    profiles are cargo's default (`dev`, `test` for `cargo test`),
//!    `--release`, and the fixture's custom ones (`--profile NAME`):
//!    `RUSTC_BOOTSTRAP=1 cargo build|test --unit-graph -Z unstable-options
//!    --target T --locked <selection>` and
//!    `crateplan unit-graph --manifest-path P --target T <selection> [--tests]`,
//!    both normalised by `support/unit_graph.rs` and compared.
//! 3. Every mismatch is collected; the test fails at the end with a report of
//!    all of them. Both raw JSON files of a mismatch are kept under
//!    `target/tmp/oracle/<fixture>/` for diffing by hand.
//!
//! Environment:
//! - `CRATEPLAN_ORACLE=tokio,git` runs only fixtures whose name contains one
//!   of the comma-separated words (the others pass with a note on stderr).
//! - `CRATEPLAN_ORACLE_TARGET=windows` runs only targets containing a word.
//! - `CRATEPLAN_ORACLE_SELF=1` compares cargo against a second, independent
//!   cargo run instead of crateplan: a check of the fixtures and the harness
//!   that needs no planner.
//! - `CRATEPLAN_BIN=/path/to/crateplan` uses that binary instead of the one
//!   cargo built for this test.
//!
//! Nothing is skipped silently: without cargo, git or the network the tests
//! fail and say why.

#[path = "support/unit_graph.rs"]
mod unit_graph;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use unit_graph::Graph;

const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// Where the git fixture's repository lives; its URL is in that fixture's
/// Cargo.lock, so it must not move.
const GIT_FIXTURE_ROOT: &str = "/tmp/crateplan-fixture-git";

type Setup = fn(&Path) -> Result<(), String>;

struct Fixture {
    name: &'static str,
    /// The targets it is checked for: TARGETS when empty.
    targets: &'static [&'static str],
    /// Selections besides the default one (no arguments), each run for
    /// `build` and for `--tests`.
    extra_selections: &'static [&'static [&'static str]],
    /// Profile selections besides [`PROFILES`] (custom profiles), each run
    /// with every selection.
    extra_profiles: &'static [&'static [&'static str]],
    /// Prepared before `cargo fetch`.
    setup: Option<Setup>,
}

/// Every selection runs with each of these: cargo's default profile (`dev`
/// for build, `test` for `cargo test`) and `--release`.
const PROFILES: &[&[&str]] = &[&[], &["--release"]];

const fn fx(name: &'static str) -> Fixture {
    Fixture {
        name,
        targets: &[],
        extra_selections: &[],
        extra_profiles: &[],
        setup: None,
    }
}

const fn fx_sel(
    name: &'static str,
    extra_selections: &'static [&'static [&'static str]],
) -> Fixture {
    Fixture {
        name,
        targets: &[],
        extra_selections,
        extra_profiles: &[],
        setup: None,
    }
}

const FIXTURES: &[Fixture] = &[
    fx("tokio-full"),
    fx("clap-derive"),
    fx("serde-derive-json"),
    fx("reqwest-rustls"),
    fx("native-links"),
    fx("rusqlite-bundled"),
    fx("ring-blake3"),
    fx_sel("proc-macro-ws", &[&["--workspace"], &["-p", "pm-macros"]]),
    fx_sel(
        "workspace-inherit",
        &[
            &["--workspace"],
            &["-p", "ws-core"],
            &["-p", "ws-core", "--features", "fmt"],
            &["-p", "ws-extra", "-p", "ws-core"],
        ],
    ),
    fx_sel(
        "renamed-deps",
        &[&["--all-features"], &["--features", "hashing"]],
    ),
    fx_sel(
        "optional-features",
        &[
            &["--all-features"],
            &["--no-default-features"],
            &["--no-default-features", "--features", "json"],
            &["--features", "search,logging"],
        ],
    ),
    fx("build-dep-features"),
    fx("resolver1-unify"),
    fx_sel(
        "resolver1-legacy",
        &[&["--workspace"], &["-p", "legacy-helper"]],
    ),
    fx("target-specific"),
    fx("patch-crates-io"),
    fx("replace-path"),
    fx_sel(
        "targets-layout",
        &[
            &["-p", "targets-layout", "--features", "cli"],
            &["--workspace", "--all-features"],
            &["-p", "targets-layout-util"],
        ],
    ),
    Fixture {
        name: "git-dep",
        targets: &[],
        extra_selections: &[],
        extra_profiles: &[],
        setup: Some(setup_git_fixture),
    },
    Fixture {
        name: "profiles",
        targets: &[],
        extra_selections: &[&["--workspace"]],
        extra_profiles: &[
            &["--profile", "wasm"],
            &["--profile", "wasm2"],
            &["--profile", "bench"],
        ],
        setup: None,
    },
    Fixture {
        name: "cargo-config",
        targets: &[],
        extra_selections: &[],
        extra_profiles: &[&["--profile", "fromconfig"]],
        setup: None,
    },
    // WebAssembly: its own targets, and Aura's `[profile.wasm]`.
    Fixture {
        name: "wasm-web",
        targets: &["wasm32-unknown-unknown", "wasm32-wasip1"],
        extra_selections: &[],
        extra_profiles: &[&["--profile", "wasm"]],
        setup: None,
    },
    Fixture {
        name: "git-ref-escaped",
        targets: &[],
        extra_selections: &[],
        extra_profiles: &[],
        setup: Some(setup_git_refs_fixture),
    },
];

macro_rules! oracle_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_fixture($name);
            }
        )*
        const TESTED: &[&str] = &[$($name),*];
    };
}

oracle_tests! {
    oracle_tokio_full => "tokio-full",
    oracle_clap_derive => "clap-derive",
    oracle_serde_derive_json => "serde-derive-json",
    oracle_reqwest_rustls => "reqwest-rustls",
    oracle_native_links => "native-links",
    oracle_rusqlite_bundled => "rusqlite-bundled",
    oracle_ring_blake3 => "ring-blake3",
    oracle_proc_macro_ws => "proc-macro-ws",
    oracle_workspace_inherit => "workspace-inherit",
    oracle_renamed_deps => "renamed-deps",
    oracle_optional_features => "optional-features",
    oracle_build_dep_features => "build-dep-features",
    oracle_resolver1_unify => "resolver1-unify",
    oracle_resolver1_legacy => "resolver1-legacy",
    oracle_target_specific => "target-specific",
    oracle_patch_crates_io => "patch-crates-io",
    oracle_replace_path => "replace-path",
    oracle_targets_layout => "targets-layout",
    oracle_git_dep => "git-dep",
    oracle_profiles => "profiles",
    oracle_cargo_config => "cargo-config",
    oracle_wasm_web => "wasm-web",
    oracle_git_ref_escaped => "git-ref-escaped",
}

/// Every fixture directory has an entry, a test, a manifest and a lock.
#[test]
fn fixtures_are_all_listed() {
    let dir = fixtures_dir();
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|f| f.name.to_owned()).collect();
    listed.sort();
    let mut tested: Vec<String> = TESTED.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(
        on_disk, listed,
        "tests/fixtures/ and FIXTURES in tests/oracle.rs disagree"
    );
    assert_eq!(
        listed, tested,
        "FIXTURES and the oracle_tests! list disagree"
    );
    for name in &on_disk {
        for f in ["Cargo.toml", "Cargo.lock"] {
            assert!(
                dir.join(name).join(f).is_file(),
                "fixture {name} has no {f}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Running one fixture

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Mode {
    Build,
    Tests,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Build => "build",
            Mode::Tests => "tests",
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

fn work_dir(fixture: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("oracle")
        .join(fixture)
}

fn filter_words(var: &str) -> Option<Vec<String>> {
    let v = std::env::var(var).ok()?;
    let words: Vec<String> = v
        .split(',')
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words)
    }
}

fn self_check() -> bool {
    std::env::var("CRATEPLAN_ORACLE_SELF").is_ok_and(|v| !v.is_empty() && v != "0")
}

fn run_fixture(name: &str) {
    if let Some(words) = filter_words("CRATEPLAN_ORACLE") {
        if !words.iter().any(|w| name.contains(w.as_str())) {
            eprintln!(
                "oracle {name}: not selected by CRATEPLAN_ORACLE={}",
                words.join(",")
            );
            return;
        }
    }
    let fixture = FIXTURES
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name} in FIXTURES"));
    let dir = fixtures_dir().join(name);
    let manifest = dir.join("Cargo.toml");
    assert!(
        manifest.is_file(),
        "fixture {name}: {} is missing",
        manifest.display()
    );
    assert!(
        dir.join("Cargo.lock").is_file(),
        "fixture {name}: Cargo.lock is missing (run `cargo generate-lockfile` in {})",
        dir.display()
    );

    check_cargo_available();
    if let Some(setup) = fixture.setup {
        if let Err(e) = setup(&dir) {
            panic!("fixture {name}: setup failed:\n{e}");
        }
    }
    fetch(name, &dir);

    let fixture_targets = if fixture.targets.is_empty() {
        TARGETS
    } else {
        fixture.targets
    };
    let targets: Vec<&str> = match filter_words("CRATEPLAN_ORACLE_TARGET") {
        Some(words) => fixture_targets
            .iter()
            .copied()
            .filter(|t| words.iter().any(|w| t.contains(w.as_str())))
            .collect(),
        None => fixture_targets.to_vec(),
    };
    assert!(
        !targets.is_empty(),
        "CRATEPLAN_ORACLE_TARGET selects none of {fixture_targets:?}"
    );

    let mut base: Vec<Vec<String>> = vec![vec![]];
    base.extend(
        fixture
            .extra_selections
            .iter()
            .map(|s| s.iter().map(|a| a.to_string()).collect()),
    );
    let profiles: Vec<&[&str]> = PROFILES
        .iter()
        .chain(fixture.extra_profiles)
        .copied()
        .collect();
    let selections: Vec<Vec<String>> = base
        .iter()
        .flat_map(|sel| {
            profiles.iter().map(move |p| {
                let mut v = sel.clone();
                v.extend(p.iter().map(|a| a.to_string()));
                v
            })
        })
        .collect();

    let started = Instant::now();
    let mut cargo_time = Duration::ZERO;
    let mut failures = Vec::new();
    let mut checked = 0;
    for target in &targets {
        for sel in &selections {
            for mode in [Mode::Build, Mode::Tests] {
                let label = format!(
                    "{name} --target {target} {} [{}]",
                    sel_label(sel),
                    mode.label()
                );
                let t = Instant::now();
                let cargo = cargo_graph(name, &dir, target, sel, mode);
                cargo_time += t.elapsed();
                let cargo = match &*cargo {
                    Ok(g) => g,
                    Err(e) => {
                        failures.push(format!("=== {label}\ncargo side failed (this is a fixture or harness problem):\n{e}"));
                        continue;
                    }
                };
                checked += 1;
                let other = if self_check() {
                    let t = Instant::now();
                    let r = run_cargo_unit_graph(name, &dir, target, sel, mode, "self");
                    cargo_time += t.elapsed();
                    r
                } else {
                    run_crateplan(&manifest, target, sel, mode)
                };
                let other_name = if self_check() {
                    "cargo (2nd run)"
                } else {
                    "crateplan"
                };
                let (cargo_json, other_json) = match other {
                    Ok(json) => (cargo.1.clone(), json),
                    Err(e) => {
                        failures.push(format!("=== {label}\n{other_name} failed:\n{e}"));
                        continue;
                    }
                };
                let result = unit_graph::normalize(&other_json)
                    .map_err(|e| format!("{other_name}'s output is not a unit graph: {e}"))
                    .and_then(|g| unit_graph::compare_named(&cargo.0, &g, "cargo", other_name));
                if let Err(report) = result {
                    let kept = keep_mismatch(name, target, sel, mode, &cargo_json, &other_json);
                    failures.push(format!(
                        "=== {label}\n{}{kept}",
                        truncate_lines(&report, 150)
                    ));
                }
            }
        }
    }
    eprintln!(
        "oracle {name}: {checked} comparisons over {} target(s), {} selection(s) x build/tests; cargo side {:.1}s, total {:.1}s",
        targets.len(),
        selections.len(),
        cargo_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        panic!(
            "oracle {name}: {} of {} comparisons failed\n\n{}",
            failures.len(),
            targets.len() * selections.len() * 2,
            failures.join("\n\n")
        );
    }
}

fn sel_label(sel: &[String]) -> String {
    if sel.is_empty() {
        "(default selection)".to_owned()
    } else {
        sel.join(" ")
    }
}

fn truncate_lines(s: &str, max: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    if lines.len() <= max {
        return s.to_owned();
    }
    format!(
        "{}\n... {} more lines\n",
        lines[..max].join("\n"),
        lines.len() - max
    )
}

fn keep_mismatch(
    name: &str,
    target: &str,
    sel: &[String],
    mode: Mode,
    cargo: &str,
    other: &str,
) -> String {
    let dir = work_dir(name).join("mismatches");
    let stem: String = format!("{target}-{}-{}", mode.label(), sel.join("_"))
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let a = dir.join(format!("{stem}.cargo.json"));
    let b = dir.join(format!("{stem}.other.json"));
    let ok = std::fs::create_dir_all(&dir).is_ok()
        && std::fs::write(&a, cargo).is_ok()
        && std::fs::write(&b, other).is_ok();
    if ok {
        format!("raw output kept: {} and {}\n", a.display(), b.display())
    } else {
        String::new()
    }
}

// ---------------------------------------------------------------------------
// The cargo side

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// A cargo command for a fixture, with an environment that does not leak the
/// outer `cargo test`'s settings into it.
fn cargo_cmd(dir: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        let leaks = k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_BUILD_")
            || k.starts_with("CARGO_FEATURE_")
            || k.starts_with("CARGO_CFG_")
            || k.starts_with("CARGO_UNSTABLE_")
            || k.starts_with("CARGO_RESOLVER_")
            // Config from the environment, which crateplan never reads.
            || k.starts_with("CARGO_PROFILE_")
            || (k.starts_with("CARGO_TARGET_") && k != "CARGO_TARGET_DIR")
            || k.starts_with("__CARGO")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_BIN_NAME",
                "CARGO_TARGET_DIR",
                "CARGO_ENCODED_RUSTFLAGS",
                "RUSTFLAGS",
                "RUSTDOCFLAGS",
                "CARGO_ENCODED_RUSTDOCFLAGS",
                "CARGO_INCREMENTAL",
                // Cargo turns incremental off on CI.
                "CI",
                "TF_BUILD",
                "RUSTC_BOOTSTRAP",
            ]
            .contains(&k.as_ref());
        if leaks {
            cmd.env_remove(k.as_ref());
        }
    }
    cmd.env("CARGO_TARGET_DIR", target_dir);
    cmd.env("CARGO_TERM_COLOR", "never");
    cmd
}

fn check_cargo_available() {
    static CHECK: OnceLock<Result<String, String>> = OnceLock::new();
    let r = CHECK.get_or_init(|| {
        let out = Command::new(cargo_bin()).arg("--version").output();
        match out {
            Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_owned()),
            Ok(o) => Err(format!(
                "`{} --version` failed: {}",
                cargo_bin().display(),
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => Err(format!("cannot run `{}`: {e}", cargo_bin().display())),
        }
    });
    if let Err(e) = r {
        panic!("the oracle suite needs cargo (on PATH or in $CARGO): {e}");
    }
}

fn fetch(name: &str, dir: &Path) {
    static FETCHED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let fetched = FETCHED.get_or_init(Default::default);
    if fetched.lock().unwrap().contains(name) {
        return;
    }
    let out = cargo_cmd(dir, &work_dir(name).join("target"))
        .args(["fetch", "--locked"])
        .output()
        .unwrap_or_else(|e| panic!("fixture {name}: cannot run cargo fetch: {e}"));
    if !out.status.success() {
        panic!(
            "fixture {name}: `cargo fetch --locked` failed in {} (the oracle suite needs the network: \
             index.crates.io and static.crates.io, or a $CARGO_HOME that already holds these crates; \
             a lock error means the fixture's Cargo.lock no longer matches its manifests):\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fetched.lock().unwrap().insert(name.to_owned());
}

type Cached = Arc<Result<(Graph, String), String>>;

/// Cargo's normalised unit graph (and its raw JSON), run once per fixture,
/// target, selection and mode within this test run.
fn cargo_graph(name: &str, dir: &Path, target: &str, sel: &[String], mode: Mode) -> Cached {
    static CACHE: OnceLock<Mutex<HashMap<String, Cached>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = format!("{name}\0{target}\0{}\0{:?}", sel.join("\0"), mode);
    if let Some(hit) = cache.lock().unwrap().get(&key) {
        return hit.clone();
    }
    let r = run_cargo_unit_graph(name, dir, target, sel, mode, "target").and_then(|json| {
        let g = unit_graph::normalize(&json)
            .map_err(|e| format!("cannot normalise cargo's unit graph: {e}"))?;
        if g.units.is_empty() || g.roots.is_empty() {
            return Err(format!(
                "cargo's unit graph has no units or no roots:\n{json}"
            ));
        }
        Ok((g, json))
    });
    let r = Arc::new(r);
    cache.lock().unwrap().insert(key, r.clone());
    r
}

fn run_cargo_unit_graph(
    name: &str,
    dir: &Path,
    target: &str,
    sel: &[String],
    mode: Mode,
    td: &str,
) -> Result<String, String> {
    let sub = match mode {
        Mode::Build => "build",
        Mode::Tests => "test",
    };
    let mut cmd = cargo_cmd(dir, &work_dir(name).join(td));
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .args([
            sub,
            "--unit-graph",
            "-Z",
            "unstable-options",
            "--target",
            target,
            "--locked",
        ])
        .args(sel);
    let shown = format!("RUSTC_BOOTSTRAP=1 cargo {sub} --unit-graph -Z unstable-options --target {target} --locked {}", sel.join(" "));
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{shown}` in {} failed ({}):\n{}",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{shown}` printed invalid UTF-8: {e}"))
}

// ---------------------------------------------------------------------------
// The crateplan side

fn crateplan_bin() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("CRATEPLAN_BIN") {
        return Ok(PathBuf::from(p));
    }
    option_env!("CARGO_BIN_EXE_crateplan").map(PathBuf::from).ok_or_else(|| {
        "the crateplan binary was not built for this test (its required feature `cli` is off?); \
         build with default features or set CRATEPLAN_BIN"
            .to_owned()
    })
}

fn run_crateplan(
    manifest: &Path,
    target: &str,
    sel: &[String],
    mode: Mode,
) -> Result<String, String> {
    let bin = crateplan_bin()?;
    let mut cmd = Command::new(&bin);
    cmd.arg("unit-graph")
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--target", target])
        .args(sel);
    if mode == Mode::Tests {
        cmd.arg("--tests");
    }
    let shown = format!(
        "crateplan unit-graph --manifest-path {} --target {target} {}{}",
        manifest.display(),
        sel.join(" "),
        if mode == Mode::Tests { " --tests" } else { "" }
    );
    for k in [
        "CARGO_TARGET_DIR",
        "CARGO_MANIFEST_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        cmd.env_remove(k);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `{shown}` ({}): {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`{shown}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{shown}` printed invalid UTF-8: {e}"))
}

// ---------------------------------------------------------------------------
// The git fixture: a local repository at a fixed path with a fixed history.

fn git(dir: &Path, home: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "core.autocrlf=false",
            "-c",
            "commit.gpgSign=false",
            "-c",
            "tag.gpgSign=false",
            "-c",
            "core.fileMode=true",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("GIT_AUTHOR_NAME", "crateplan fixtures")
        .env("GIT_AUTHOR_EMAIL", "fixtures@crateplan.invalid")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00+00:00")
        .env("GIT_COMMITTER_NAME", "crateplan fixtures")
        .env("GIT_COMMITTER_EMAIL", "fixtures@crateplan.invalid")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00+00:00")
        .output()
        .map_err(|e| format!("cannot run git (the git fixture needs it on PATH): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git {}` in {} failed: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .map_err(|e| format!("{}: {e}", from.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for e in entries {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            if e.file_name() != "target" {
                copy_tree(&src, &dst)?;
            }
        } else {
            // Content only (LF line endings, default mode), so the commit
            // hash does not depend on how the project was checked out.
            let text =
                std::fs::read_to_string(&src).map_err(|e| format!("{}: {e}", src.display()))?;
            std::fs::write(&dst, text.replace("\r\n", "\n"))
                .map_err(|e| format!("{}: {e}", dst.display()))?;
        }
    }
    Ok(())
}

/// A repository made from a fixture's `git-src/`: one commit with fixed
/// author, committer, dates and message on `branch`, tagged `tag`.
struct GitRepo {
    /// Directory under [`GIT_FIXTURE_ROOT`]; the fixture's manifest names it.
    name: &'static str,
    branch: &'static str,
    tag: &'static str,
    /// What to `cargo update` after changing `git-src/`.
    packages: &'static [&'static str],
}

/// `/tmp/crateplan-fixture-git/gitws`, on `main`, tagged `v0.4.0`.
fn setup_git_fixture(fixture: &Path) -> Result<(), String> {
    make_git_repo(
        fixture,
        &GitRepo {
            name: "gitws",
            branch: "main",
            tag: "v0.4.0",
            packages: &["git-core", "git-extra"],
        },
    )
}

/// `/tmp/crateplan-fixture-git/gitrefs`: references with characters cargo
/// URL-encodes in package ids.
fn setup_git_refs_fixture(fixture: &Path) -> Result<(), String> {
    make_git_repo(
        fixture,
        &GitRepo {
            name: "gitrefs",
            branch: "team/slash",
            tag: "release/v0.2",
            packages: &["slash-core", "tagged"],
        },
    )
}

/// Creates the repository from `git-src/` and checks that its commit is the
/// one the fixture's Cargo.lock pins; reuses it when it is already there.
fn make_git_repo(fixture: &Path, spec: &GitRepo) -> Result<(), String> {
    let repo_name = spec.name;
    let url = format!("git+file://{GIT_FIXTURE_ROOT}/{repo_name}?");
    let lock = std::fs::read_to_string(fixture.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let revs: HashSet<&str> = lock
        .lines()
        .filter_map(|l| l.trim().strip_prefix("source = \""))
        .filter(|s| s.starts_with(&url))
        .filter_map(|s| s.trim_end_matches('"').rsplit_once('#').map(|(_, rev)| rev))
        .collect();
    let expected = match revs.len() {
        1 => revs.into_iter().next().unwrap().to_owned(),
        n => {
            return Err(format!(
                "Cargo.lock should pin exactly one revision of {url}, found {n}"
            ))
        }
    };
    let branch_ref = format!("refs/heads/{}", spec.branch);
    let tag_ref = format!("refs/tags/{}^{{commit}}", spec.tag);
    let root = Path::new(GIT_FIXTURE_ROOT);
    let repo = root.join(repo_name);
    std::fs::create_dir_all(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let current = |home: &Path| -> Option<(String, String)> {
        Some((
            git(&repo, home, &["rev-parse", &branch_ref]).ok()?,
            git(&repo, home, &["rev-parse", &tag_ref]).ok()?,
        ))
    };
    if repo.join(".git").is_dir() && current(root) == Some((expected.clone(), expected.clone())) {
        return Ok(());
    }

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = root.join(format!(".{repo_name}-{}-{nanos}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    copy_tree(&fixture.join("git-src"), &tmp)?;
    git(&tmp, root, &["init", "-q"])?;
    git(&tmp, root, &["symbolic-ref", "HEAD", &branch_ref])?;
    git(&tmp, root, &["add", "."])?;
    git(
        &tmp,
        root,
        &["commit", "-q", "-m", &format!("{repo_name} fixture")],
    )?;
    git(&tmp, root, &["tag", spec.tag])?;
    let rev = git(&tmp, root, &["rev-parse", "HEAD"])?;
    let _ = std::fs::remove_dir_all(&repo);
    if let Err(e) = std::fs::rename(&tmp, &repo) {
        // Another run may have put it there meanwhile.
        let _ = std::fs::remove_dir_all(&tmp);
        if current(root) != Some((rev.clone(), rev.clone())) {
            return Err(format!(
                "cannot move the git fixture into {}: {e}",
                repo.display()
            ));
        }
    }
    if rev != expected {
        let update: Vec<String> = spec.packages.iter().map(|p| format!("-p {p}")).collect();
        return Err(format!(
            "the repository built from {}/git-src has commit {rev}, but Cargo.lock pins {expected}.\n\
             If git-src/ was changed on purpose, the new repository is now at {}: run \
             `cargo update {}` in {} and commit the new Cargo.lock.",
            fixture.display(),
            repo.display(),
            update.join(" "),
            fixture.display()
        ));
    }
    Ok(())
}
