//! Running the two sides of a unit-graph comparison: cargo's
//! `--unit-graph` and `crateplan unit-graph`, on any manifest, for the corpus
//! suite (`tests/corpus.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Mode {
    Build,
    Tests,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Build => "build",
            Mode::Tests => "tests",
        }
    }
}

/// Comma-separated words of an environment variable, if any.
pub fn filter_words(var: &str) -> Option<Vec<String>> {
    let v = std::env::var(var).ok()?;
    let words: Vec<String> = v
        .split(',')
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then_some(words)
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("cargo"))
}

/// A cargo command in `dir` that does not inherit the outer `cargo test`'s
/// per-crate settings.
pub fn cargo_cmd(dir: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(cargo_bin());
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        let leaks = [
            "CARGO_PKG_",
            "CARGO_BUILD_",
            "CARGO_FEATURE_",
            "CARGO_CFG_",
            "CARGO_UNSTABLE_",
            "CARGO_RESOLVER_",
            "__CARGO",
        ]
        .iter()
        .any(|p| k.starts_with(p))
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_BIN_NAME",
                "CARGO_TARGET_DIR",
                "CARGO_ENCODED_RUSTFLAGS",
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

pub fn check_cargo_available() {
    static CHECK: OnceLock<Result<(), String>> = OnceLock::new();
    let r = CHECK.get_or_init(
        || match Command::new(cargo_bin()).arg("--version").output() {
            Ok(o) if o.status.success() => Ok(()),
            Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
            Err(e) => Err(e.to_string()),
        },
    );
    if let Err(e) = r {
        panic!(
            "this suite needs cargo (on PATH or in $CARGO): `{} --version`: {e}",
            cargo_bin().display()
        );
    }
}

fn output_of(mut cmd: Command, shown: &str) -> Result<String, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{shown}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{shown}` printed invalid UTF-8: {e}"))
}

/// `RUSTC_BOOTSTRAP=1 cargo build|test --unit-graph --locked` in `dir`.
pub fn cargo_unit_graph(
    dir: &Path,
    target_dir: &Path,
    target: &str,
    sel: &[String],
    mode: Mode,
) -> Result<String, String> {
    let sub = match mode {
        Mode::Build => "build",
        Mode::Tests => "test",
    };
    let mut cmd = cargo_cmd(dir, target_dir);
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .args([sub, "--unit-graph", "-Z", "unstable-options"])
        .args(["--target", target, "--locked"])
        .args(sel);
    let shown = format!(
        "RUSTC_BOOTSTRAP=1 cargo {sub} --unit-graph -Z unstable-options --target {target} --locked {}` in `{}",
        sel.join(" "),
        dir.display()
    );
    output_of(cmd, &shown)
}

fn crateplan_bin() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("CRATEPLAN_BIN") {
        return Ok(PathBuf::from(p));
    }
    option_env!("CARGO_BIN_EXE_crateplan")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "the crateplan binary was not built for this test (feature `cli` off?); \
             build with default features or set CRATEPLAN_BIN"
                .to_owned()
        })
}

/// `crateplan unit-graph --manifest-path M --target T [sel] [--tests]`.
pub fn crateplan_unit_graph(
    manifest: &Path,
    target: &str,
    sel: &[String],
    mode: Mode,
) -> Result<String, String> {
    let mut cmd = Command::new(crateplan_bin()?);
    cmd.arg("unit-graph")
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--target", target])
        .args(sel);
    if mode == Mode::Tests {
        cmd.arg("--tests");
    }
    for k in [
        "CARGO_TARGET_DIR",
        "CARGO_MANIFEST_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        cmd.env_remove(k);
    }
    let shown = format!(
        "crateplan unit-graph --manifest-path {} --target {target} {}{}",
        manifest.display(),
        sel.join(" "),
        if mode == Mode::Tests { " --tests" } else { "" }
    );
    output_of(cmd, &shown)
}

/// Keeps both raw outputs of a mismatch under `work/mismatches/`; says where.
pub fn keep_mismatch(work: &Path, stem: &str, cargo: &str, other: &str) -> String {
    let dir = work.join("mismatches");
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (a, b) = (
        dir.join(format!("{stem}.cargo.json")),
        dir.join(format!("{stem}.crateplan.json")),
    );
    let ok = std::fs::create_dir_all(&dir).is_ok()
        && std::fs::write(&a, cargo).is_ok()
        && std::fs::write(&b, other).is_ok();
    if ok {
        format!("raw output kept: {} and {}\n", a.display(), b.display())
    } else {
        String::new()
    }
}

pub fn truncate_lines(s: &str, max: usize) -> String {
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
