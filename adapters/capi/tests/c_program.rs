//! A C program (tests/c/capi_test.c) compiled against include/crateplan.h
//! and linked to the cdylib gets the CLI's answers byte for byte: on two
//! oracle fixtures, on bad requests, and through the fs callbacks from an
//! in-memory workspace.
//!
//! The oracle is the CLI binary (`crateplan answer FILE`): `$CRATEPLAN_BIN`,
//! or `target/<profile>/crateplan` when `cargo test --workspace` built it.
//! Without it, `crateplan::plan_json` on the real file system (what
//! `crateplan answer` prints, plus its newline) is compared instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Where cargo put the cdylib: `cargo test` leaves it in deps/, beside the
/// test executable; `cargo build` also copies it up to target/<profile>.
fn artifact_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    let profile = deps.parent().unwrap().to_path_buf();
    if deps.join(lib_file_name()).is_file() {
        deps
    } else {
        profile
    }
}

fn lib_file_name() -> String {
    format!(
        "{}crateplan_capi{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crateplan-capi-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// Compiles the C program once per test binary.
fn c_program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let lib_dir = artifact_dir();
        let lib = lib_dir.join(lib_file_name());
        assert!(
            lib.is_file(),
            "{} is missing; build it with `cargo build -p crateplan-capi`",
            lib.display()
        );
        let out = scratch("cc").join("capi_test");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let repo = repo();
        let status = Command::new(&cc)
            .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L"])
            .args(["-Wall", "-Wextra", "-Werror", "-pedantic"])
            .arg("-I")
            .arg(repo.join("include"))
            .arg(repo.join("tests/c/capi_test.c"))
            .arg("-L")
            .arg(&lib_dir)
            .arg("-lcrateplan_capi")
            .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
        assert!(status.success(), "compiling tests/c/capi_test.c failed");
        out
    })
}

struct Run {
    ok: bool,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(program: &Path, args: &[&str]) -> Run {
    let out = Command::new(program).args(args).output().unwrap();
    Run {
        ok: out.status.success(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn cli() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CRATEPLAN_BIN") {
        return Some(PathBuf::from(p));
    }
    let p = artifact_dir().join(format!("crateplan{}", std::env::consts::EXE_SUFFIX));
    p.is_file().then_some(p)
}

/// What `crateplan answer FILE` prints for the request in `file`.
fn cli_answer(file: &Path) -> Vec<u8> {
    match cli() {
        Some(bin) => {
            let out = Command::new(&bin).arg("answer").arg(file).output().unwrap();
            assert!(
                out.status.success(),
                "{} answer {}: {}",
                bin.display(),
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        }
        None => {
            eprintln!(
                "no crateplan binary (set CRATEPLAN_BIN): comparing with plan_json in-process"
            );
            let mut answer =
                crateplan::plan_json(&crateplan::fs::RealFs, &std::fs::read(file).unwrap());
            answer.push(b'\n');
            answer
        }
    }
}

fn write_request(dir: &Path, request: &serde_json::Value) -> PathBuf {
    let file = dir.join("request.json");
    std::fs::write(&file, serde_json::to_vec(request).unwrap()).unwrap();
    file
}

fn assert_same(c: &[u8], cli: &[u8], what: &str) {
    assert!(
        c == cli,
        "{what}: the C ABI and the CLI answer differently (a stale CRATEPLAN_BIN or \
         target/*/crateplan? rebuild it)\nC:   {}\nCLI: {}",
        String::from_utf8_lossy(c),
        String::from_utf8_lossy(cli)
    );
}

fn answer_of(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("an answer is JSON")
}

#[test]
fn answers_two_fixtures_like_the_cli() {
    let work = scratch("fixtures");
    for (fixture, tests) in [("proc-macro-ws", false), ("targets-layout", true)] {
        let ws = repo().join("tests/fixtures").join(fixture);
        let request = serde_json::json!({
            "workspace": ws.to_str().unwrap(),
            "target": "x86_64-unknown-linux-gnu",
            "selection": { "workspace": true, "tests": tests },
        });
        let file = write_request(&work, &request);
        let c = run(c_program(), &["answer", file.to_str().unwrap()]);
        assert!(c.ok, "{fixture}: {}", c.stderr);
        assert_same(&c.stdout, &cli_answer(&file), fixture);
        // Registry sources are not given, so the first round asks for them.
        let answer = answer_of(&c.stdout);
        assert_eq!(answer["ok"], true, "{fixture}: {answer}");
        assert!(answer["fetch"].as_array().is_some_and(|f| !f.is_empty()));
    }
}

#[test]
fn bad_requests_get_the_clis_error_answers() {
    let work = scratch("bad");
    for (what, request) in [
        ("a field of the wrong type", r#"{"workspace": 1}"#),
        (
            "a workspace that does not exist",
            r#"{"workspace": "/nonexistent/crateplan-ws", "target": "x86_64-unknown-linux-gnu"}"#,
        ),
    ] {
        let file = work.join("request.json");
        std::fs::write(&file, request).unwrap();
        let c = run(c_program(), &["answer", file.to_str().unwrap()]);
        assert!(c.ok, "{what}: {}", c.stderr);
        assert_same(&c.stdout, &cli_answer(&file), what);
        let answer = answer_of(&c.stdout);
        assert_eq!(answer["ok"], false, "{what}: {answer}");
        assert!(
            answer["error"].as_str().unwrap().starts_with("crateplan: "),
            "{answer}"
        );
    }
}

#[test]
fn fs_callbacks_serve_a_workspace_from_memory() {
    let work = scratch("memfs");
    let ws = work.join("ws");
    // The same files on disk, for the CLI; the C program never reads them.
    let dumped = run(c_program(), &["dump", ws.to_str().unwrap()]);
    assert!(dumped.ok, "{}", dumped.stderr);
    let request = serde_json::json!({
        "workspace": ws.to_str().unwrap(),
        "target": "x86_64-unknown-linux-gnu",
    });
    let file = write_request(&work, &request);

    // Served from memory under a directory that does not exist on disk:
    // the answer is a plan all the same, so the callbacks really were used.
    let ghost = work.join("not-on-disk");
    let ghost_request = serde_json::json!({
        "workspace": ghost.to_str().unwrap(),
        "target": "x86_64-unknown-linux-gnu",
    });
    let ghost_file = work.join("ghost.json");
    std::fs::write(&ghost_file, serde_json::to_vec(&ghost_request).unwrap()).unwrap();
    let c = run(
        c_program(),
        &[
            "memfs",
            ghost.to_str().unwrap(),
            ghost_file.to_str().unwrap(),
        ],
    );
    assert!(c.ok, "{}", c.stderr);
    let answer = answer_of(&c.stdout);
    assert_eq!(
        answer["plan"]["workspaceRoot"],
        ghost.to_str().unwrap(),
        "{answer}"
    );
    let counts: Vec<u32> = c
        .stderr
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        counts.len() == 3 && counts[0] > 0 && counts[1] > 0,
        "the callbacks were not called: {}",
        c.stderr
    );

    // From memory at the workspace's real place: the CLI's bytes exactly.
    let c = run(
        c_program(),
        &["memfs", ws.to_str().unwrap(), file.to_str().unwrap()],
    );
    assert!(c.ok, "{}", c.stderr);
    assert_same(&c.stdout, &cli_answer(&file), "the in-memory workspace");
    let answer = answer_of(&c.stdout);
    let instances = answer["plan"]["instances"].as_object().unwrap();
    let util = instances
        .values()
        .find(|i| i["package"].as_str().unwrap().starts_with("util"))
        .unwrap_or_else(|| panic!("no util instance: {answer}"));
    assert_eq!(util["features"], serde_json::json!(["loud"]), "{answer}");
}

#[test]
fn a_file_the_callbacks_do_not_have_is_the_clis_error() {
    let work = scratch("memfs-missing");
    let ws = work.join("ws");
    assert!(run(c_program(), &["dump", ws.to_str().unwrap()]).ok);
    let request = serde_json::json!({
        "workspace": ws.to_str().unwrap(),
        "lockFile": ws.join("Other.lock").to_str().unwrap(),
        "target": "x86_64-unknown-linux-gnu",
    });
    let file = write_request(&work, &request);
    let c = run(
        c_program(),
        &["memfs", ws.to_str().unwrap(), file.to_str().unwrap()],
    );
    assert!(c.ok, "{}", c.stderr);
    assert_same(&c.stdout, &cli_answer(&file), "a missing lock file");
    let answer = answer_of(&c.stdout);
    assert_eq!(answer["ok"], false);
    assert!(
        answer["error"].as_str().unwrap().contains("Other.lock"),
        "{answer}"
    );
}

#[test]
fn careless_calls_get_error_answers_not_crashes() {
    let c = run(c_program(), &["misuse"]);
    let out = String::from_utf8_lossy(&c.stdout);
    assert!(c.ok && !out.contains("FAILED"), "{out}{}", c.stderr);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        5,
        "{out}"
    );
}

#[test]
fn the_version_is_the_crates() {
    let c = run(c_program(), &["version"]);
    assert!(c.ok, "{}", c.stderr);
    assert_eq!(
        String::from_utf8_lossy(&c.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
}
