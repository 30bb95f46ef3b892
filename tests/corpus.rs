//! The real-world corpus (issue 13): published binary crates, each as
//! published (its `.crate`, with the `Cargo.lock` it ships), listed and
//! pinned in `tests/corpus/crates.txt`. For each: `crateplan unit-graph`
//! must equal cargo's `--unit-graph` for Linux, macOS and Windows targets,
//! for `cargo build` and `cargo test`, and for the extra selections listed.
//!
//! Downloads go through cargo itself: a throwaway manifest depending on
//! `NAME = "=VERSION"` and `cargo fetch` puts the `.crate` into cargo's cache
//! (`$CARGO_HOME/registry/cache/*/`), from where it is unpacked into
//! `$CARGO_HOME/crateplan-corpus/NAME-VERSION/` (outside any workspace, and
//! kept between runs like the rest of cargo's cache); then `cargo fetch
//! --locked` there fetches its dependencies. With a warm cargo home nothing
//! is downloaded.
//!
//! The per-crate tests are `#[ignore]`d in a plain `cargo test`: a debug
//! build of the CLI inflates every `.crate` several times slower, so
//! `tests/corpus/run resolve` builds a release CLI and runs them with
//! `--ignored` (scripts/test's step `corpus`, in CI).
//!
//! Environment:
//! - `CRATEPLAN_CORPUS=ripgrep,bat` runs only crates whose name contains
//!   one of the words (the others pass with a note on stderr).
//! - `CRATEPLAN_CORPUS_TARGET=windows` runs only targets containing a word.
//! - `CRATEPLAN_CORPUS_DIR` unpacks somewhere else than
//!   `$CARGO_HOME/crateplan-corpus`.
//! - `CRATEPLAN_BIN=/path/to/crateplan` uses that binary.
//!
//! On a mismatch both raw JSON files are kept under
//! `target/tmp/corpus/<crate>/mismatches/`. Nothing is skipped silently:
//! without cargo or the network (and a cold cargo home) the tests fail.

#[path = "support/graph_runs.rs"]
mod graph_runs;
#[path = "support/unit_graph.rs"]
mod unit_graph;

use graph_runs::Mode;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// One line of `tests/corpus/crates.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    version: String,
    /// Selections besides the default one.
    extra_selections: Vec<Vec<String>>,
}

impl Entry {
    fn dir_name(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }
}

fn list_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/crates.txt")
}

/// `NAME VERSION [| SELECTION]...`, `#` starts a comment.
fn parse_list(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split('|');
        let head: Vec<&str> = parts.next().unwrap_or("").split_whitespace().collect();
        let [name, version] = head[..] else {
            return Err(format!(
                "crates.txt line {}: expected `NAME VERSION [| SELECTION]...`, got `{line}`",
                n + 1
            ));
        };
        if semver::Version::parse(version).is_err() {
            return Err(format!(
                "crates.txt line {}: `{version}` is not an exact version",
                n + 1
            ));
        }
        out.push(Entry {
            name: name.to_owned(),
            version: version.to_owned(),
            extra_selections: parts
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .collect(),
        });
    }
    Ok(out)
}

fn corpus() -> Vec<Entry> {
    let text = std::fs::read_to_string(list_path())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", list_path().display()));
    parse_list(&text).unwrap_or_else(|e| panic!("{e}"))
}

macro_rules! corpus_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            #[ignore = "the corpus runs through tests/corpus/run resolve (a release CLI; CI's scripts/test step `corpus`)"]
            fn $test() {
                run_entry($name);
            }
        )*
        const TESTED: &[&str] = &[$($name),*];
    };
}

corpus_tests! {
    corpus_ripgrep => "ripgrep",
    corpus_fd_find => "fd-find",
    corpus_bat => "bat",
    corpus_hyperfine => "hyperfine",
    corpus_tokei => "tokei",
    corpus_du_dust => "du-dust",
    corpus_bottom => "bottom",
    corpus_git_delta => "git-delta",
    corpus_sd => "sd",
    corpus_just => "just",
    corpus_watchexec_cli => "watchexec-cli",
    corpus_zoxide => "zoxide",
    corpus_hexyl => "hexyl",
    corpus_xh => "xh",
    corpus_difftastic => "difftastic",
    corpus_typos_cli => "typos-cli",
    corpus_eza => "eza",
    corpus_procs => "procs",
}

/// Every crate in crates.txt has a test and every test a crate.
#[test]
fn corpus_list_and_tests_agree() {
    let mut listed: Vec<String> = corpus().into_iter().map(|e| e.name).collect();
    let mut tested: Vec<String> = TESTED.iter().map(|s| s.to_string()).collect();
    listed.sort();
    tested.sort();
    assert_eq!(
        listed, tested,
        "tests/corpus/crates.txt and corpus_tests! in tests/corpus.rs disagree"
    );
    assert!(
        listed.len() >= 15,
        "the corpus should hold at least 15 crates"
    );
}

#[test]
fn list_parser_rejects_bad_lines() {
    assert!(parse_list("ripgrep\n").unwrap_err().contains("line 1"));
    assert!(parse_list("ripgrep ^15\n")
        .unwrap_err()
        .contains("not an exact version"));
    let ok = parse_list("# c\nrg 1.0.0 | --features a | --all-features # x\n").unwrap();
    assert_eq!(
        ok,
        [Entry {
            name: "rg".into(),
            version: "1.0.0".into(),
            extra_selections: vec![
                vec!["--features".into(), "a".into()],
                vec!["--all-features".into()]
            ],
        }]
    );
}

// ---------------------------------------------------------------------------
// Getting a crate as published

fn cargo_home() -> PathBuf {
    if let Some(h) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME").expect("neither CARGO_HOME nor HOME is set");
    Path::new(&home).join(".cargo")
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("CRATEPLAN_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cargo_home().join("crateplan-corpus"))
}

/// The `.crate` in cargo's download cache, whichever registry directory.
fn cached_crate(e: &Entry) -> Option<PathBuf> {
    let file = format!("{}.crate", e.dir_name());
    let cache = cargo_home().join("registry").join("cache");
    std::fs::read_dir(cache)
        .ok()?
        .filter_map(|d| d.ok())
        .map(|d| d.path().join(&file))
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|err| format!("cannot run {what}: {err}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Has cargo download `NAME = "=VERSION"` through a throwaway manifest.
fn download(e: &Entry) -> Result<PathBuf, String> {
    let dir = corpus_dir().join(".fetch").join(e.dir_name());
    std::fs::create_dir_all(dir.join("src")).map_err(|err| format!("{}: {err}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"corpus-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\n{} = \"={}\"\n\n[workspace]\n",
        e.name, e.version
    );
    let write = |p: PathBuf, s: &str| {
        std::fs::write(&p, s).map_err(|err| format!("{}: {err}", p.display()))
    };
    write(dir.join("Cargo.toml"), &manifest)?;
    write(dir.join("src/lib.rs"), "")?;
    run(
        graph_runs::cargo_cmd(&dir, &dir.join("target")).arg("fetch"),
        &format!(
            "`cargo fetch` of {} {} (needs the registry, or a warm cargo home)",
            e.name, e.version
        ),
    )?;
    cached_crate(e).ok_or_else(|| {
        format!(
            "`cargo fetch` did not leave {}.crate in {}",
            e.dir_name(),
            cargo_home().join("registry/cache").display()
        )
    })
}

/// The crate unpacked as published, its dependencies fetched.
fn prepare(e: &Entry) -> Result<PathBuf, String> {
    let root = corpus_dir();
    let dir = root.join(e.dir_name());
    if !dir.join("Cargo.lock").is_file() {
        let krate = match cached_crate(e) {
            Some(p) => p,
            None => download(e)?,
        };
        // Unpack next to the final place, then rename: a killed run leaves
        // no half-unpacked crate behind that a later run would trust.
        let tmp = root.join(format!(".unpack-{}-{}", e.dir_name(), std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|err| format!("{}: {err}", tmp.display()))?;
        run(
            Command::new("tar")
                .arg("-xzf")
                .arg(&krate)
                .arg("-C")
                .arg(&tmp),
            &format!("tar -xzf {}", krate.display()),
        )?;
        let unpacked = tmp.join(e.dir_name());
        if !unpacked.join("Cargo.lock").is_file() {
            return Err(format!(
                "{} ships no Cargo.lock: it cannot be in the corpus",
                krate.display()
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&unpacked, &dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let target = work_dir(e).join("target");
    let offline = graph_runs::cargo_cmd(&dir, &target)
        .args(["fetch", "--locked", "--offline"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !offline {
        run(
            graph_runs::cargo_cmd(&dir, &target).args(["fetch", "--locked"]),
            &format!("`cargo fetch --locked` in {}", dir.display()),
        )?;
    }
    Ok(dir)
}

fn work_dir(e: &Entry) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("corpus")
        .join(&e.name)
}

// ---------------------------------------------------------------------------
// Comparing

fn selected(var: &str, name: &str) -> bool {
    match graph_runs::filter_words(var) {
        Some(words) => words.iter().any(|w| name.contains(w.as_str())),
        None => true,
    }
}

fn run_entry(name: &str) {
    if !selected("CRATEPLAN_CORPUS", name) {
        eprintln!("corpus {name}: not selected by CRATEPLAN_CORPUS");
        return;
    }
    let entry = corpus()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} is not in tests/corpus/crates.txt"));
    graph_runs::check_cargo_available();
    let dir = prepare(&entry).unwrap_or_else(|e| panic!("corpus {name}: {e}"));
    let manifest = dir.join("Cargo.toml");
    let targets: Vec<&str> = TARGETS
        .iter()
        .copied()
        .filter(|t| selected("CRATEPLAN_CORPUS_TARGET", t))
        .collect();
    assert!(
        !targets.is_empty(),
        "CRATEPLAN_CORPUS_TARGET selects none of {TARGETS:?}"
    );
    let mut selections = vec![vec![]];
    selections.extend(entry.extra_selections.iter().cloned());

    let started = Instant::now();
    let (mut cargo_time, mut checked, mut units) = (Duration::ZERO, 0, Vec::new());
    let mut failures = Vec::new();
    for target in &targets {
        for sel in &selections {
            for mode in [Mode::Build, Mode::Tests] {
                let label = format!(
                    "{} --target {target} {} [{}]",
                    entry.dir_name(),
                    sel.join(" "),
                    mode.label()
                );
                let t = Instant::now();
                let cargo = graph_runs::cargo_unit_graph(
                    &dir,
                    &work_dir(&entry).join("target"),
                    target,
                    sel,
                    mode,
                );
                cargo_time += t.elapsed();
                let ours = graph_runs::crateplan_unit_graph(&manifest, target, sel, mode);
                let (cargo_json, ours_json) = match (cargo, ours) {
                    (Ok(c), Ok(o)) => (c, o),
                    (Err(e), _) => {
                        failures.push(format!(
                            "=== {label}\ncargo failed (a corpus or harness problem):\n{e}"
                        ));
                        continue;
                    }
                    (_, Err(e)) => {
                        failures.push(format!("=== {label}\ncrateplan failed:\n{e}"));
                        continue;
                    }
                };
                checked += 1;
                let result = unit_graph::normalize(&cargo_json)
                    .map_err(|e| format!("cargo's output is not a unit graph: {e}"))
                    .and_then(|c| {
                        if mode == Mode::Build && sel.is_empty() {
                            units.push(format!("{target}: {}", c.len()));
                        }
                        let o = unit_graph::normalize(&ours_json)
                            .map_err(|e| format!("crateplan's output is not a unit graph: {e}"))?;
                        unit_graph::compare_named(&c, &o, "cargo", "crateplan")
                    });
                if let Err(report) = result {
                    let kept = graph_runs::keep_mismatch(
                        &work_dir(&entry),
                        &format!("{target}-{}-{}", mode.label(), sel.join("_")),
                        &cargo_json,
                        &ours_json,
                    );
                    failures.push(format!(
                        "=== {label}\n{}{kept}",
                        graph_runs::truncate_lines(&report, 150)
                    ));
                }
            }
        }
    }
    eprintln!(
        "corpus {}: {checked} comparisons ({}); cargo side {:.1}s, total {:.1}s",
        entry.dir_name(),
        units.join(", "),
        cargo_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        panic!(
            "corpus {}: {} of {} comparisons failed\n\n{}",
            entry.dir_name(),
            failures.len(),
            targets.len() * selections.len() * 2,
            failures.join("\n\n")
        );
    }
}
