//! The bad-input matrix (issue 11): hostile and broken workspaces, locks and
//! `.crate` files through the CLI, both as `crateplan plan` (exit 1 and a
//! message) and as `crateplan answer --inline` (the exec route; the ifd route
//! runs `crateplan answer FILE`, the same code): exit status, no panic or
//! abort, a memory bound (the process runs under `RLIMIT_AS`, so using
//! gigabytes is an allocation failure, i.e. an abort, i.e. a failed test), a
//! time bound, and the message. docs/testing.md lists the cases.
//!
//! Where cargo refuses the same input, its own message (cargo 1.95) is quoted
//! in a comment: crateplan says the same thing.

#[path = "support/workspace_builder.rs"]
mod workspace_builder;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workspace_builder::{crate_file, sha256, TestDir};

/// Address space allowed to the CLI. Its normal runs stay far below (a plan
/// of a small workspace peaks under 20 MB resident); the hostile inputs
/// below used 0.7 to 8 GB before they were bounded.
const MAX_ADDRESS_SPACE: u64 = 256 << 20;
/// Wall time allowed to one run (generous: CI machines are shared; a hang
/// such as a FIFO read never ends).
const MAX_SECONDS: u64 = 60;

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

#[repr(C)]
struct Rlimit {
    cur: u64,
    max: u64,
}

extern "C" {
    fn setrlimit(resource: i32, limit: *const Rlimit) -> i32;
}

/// `RLIMIT_AS` on Linux.
const RLIMIT_AS: i32 = 9;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the CLI bounded in memory and time.
fn crateplan(args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crateplan"));
    cmd.args(args)
        .env("CARGO_HOME", "/nonexistent-cargo-home")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            let limit = Rlimit {
                cur: MAX_ADDRESS_SPACE,
                max: MAX_ADDRESS_SPACE,
            };
            if setrlimit(RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    // Read the pipes on threads, so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(MAX_SECONDS) {
            child.kill().unwrap();
            panic!("crateplan {args:?} ran longer than {MAX_SECONDS} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
    }
}

/// A workspace: an `app` with the given manifest tail, its lock tail, and
/// files. `leaf` (a registry crate) is provided by `with_leaf`.
struct Ws {
    dir: TestDir,
    crates: Vec<(String, String)>,
}

impl Ws {
    fn new(name: &str) -> Ws {
        Ws {
            dir: TestDir::new(&format!("bad-input-{name}")),
            crates: Vec::new(),
        }
    }

    fn file(&self, rel: &str, text: impl AsRef<[u8]>) -> &Ws {
        self.dir.write(rel, text);
        self
    }

    /// The app depending on registry crate `leaf 1.0.0` whose `.crate` is
    /// `bytes` (locked with their real checksum: the tarball itself is bad).
    fn app_with_leaf(mut self, bytes: &[u8]) -> Ws {
        self.file(
            "Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[dependencies]\nleaf = \"1\"\n",
        )
        .file("src/lib.rs", "")
        .file(
            "Cargo.lock",
            format!(
                "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"leaf\"]\n\n\
                 [[package]]\nname = \"leaf\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{}\"\n",
                sha256(bytes)
            ),
        )
        .file("crates/leaf-1.0.0.crate", bytes);
        self.crates.push((
            "leaf@1.0.0".into(),
            self.dir.path("crates/leaf-1.0.0.crate"),
        ));
        self
    }

    /// A path-only package `app` with this manifest body, locked as given.
    fn app(self, manifest_tail: &str, lock_tail: &str) -> Ws {
        self.file(
            "Cargo.toml",
            format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{manifest_tail}"),
        )
        .file("src/lib.rs", "")
        .file(
            "Cargo.lock",
            format!("version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n{lock_tail}"),
        );
        self
    }

    fn plan(&self, extra: &[&str]) -> Run {
        let manifest = self.dir.path("Cargo.toml");
        let crates = self.dir.path("crates");
        let mut args = vec![
            "plan",
            "--manifest-path",
            &manifest,
            "--target",
            "x86_64-unknown-linux-gnu",
            "--host",
            "x86_64-unknown-linux-gnu",
            "--crate-dir",
            &crates,
        ];
        args.extend(extra);
        crateplan(&args)
    }

    /// The same through the exec route's entry (`answer --nix --inline`).
    fn answer(&self, features: &[&str]) -> Run {
        let sources: serde_json::Map<String, serde_json::Value> = self
            .crates
            .iter()
            .map(|(k, p)| (format!("{CRATES_IO}#{k}"), p.clone().into()))
            .collect();
        let request = serde_json::json!({
            "workspace": self.dir.path(""),
            "target": "x86_64-unknown-linux-gnu",
            "sources": sources,
            "selection": { "features": features },
        });
        crateplan(&["answer", "--inline", &request.to_string()])
    }
}

/// What every run must satisfy, whatever the input: a normal exit (no
/// panic, no abort, no signal), and a short, printable message.
fn assert_sane(run: &Run, what: &str) {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{what}: exit {:?} (101 is a panic, None a signal):\n{}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(
        run.stderr.len() < 4096,
        "{what}: a {}-byte message",
        run.stderr.len()
    );
    assert!(
        !run.stderr
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{what}: control characters in {:?}",
        run.stderr
    );
}

/// The planner refuses the workspace with a message containing `expected`,
/// through `plan` (exit 1) and through `answer` (exit 0, `{"ok":false}`).
fn assert_refused(ws: &Ws, features: &[&str], expected: &str) {
    let mut extra = Vec::new();
    for f in features {
        extra.extend(["-F", f]);
    }
    let run = ws.plan(&extra);
    assert_sane(&run, expected);
    assert_eq!(run.code, Some(1), "plan should fail: {}", run.stdout);
    assert!(
        run.stderr.contains(expected),
        "expected `{expected}` in:\n{}",
        run.stderr
    );
    let run = ws.answer(features);
    assert_sane(&run, expected);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["ok"], false, "{}", run.stdout);
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains(expected),
        "expected `{expected}` in:\n{error}"
    );
    assert!(error.len() < 4096, "a {}-byte error", error.len());
}

fn assert_plans(ws: &Ws, features: &[&str]) -> serde_json::Value {
    let mut extra = Vec::new();
    for f in features {
        extra.extend(["-F", f]);
    }
    let run = ws.plan(&extra);
    assert_sane(&run, "plan");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

// ---- .crate archives -------------------------------------------------

/// A 512-byte GNU tar header with a declared size that may lie.
fn header(name: &[u8], ty: u8, size: u64) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::new(ty));
    h.set_size(size);
    h.set_mode(0o644);
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_cksum();
    h.as_bytes().to_vec()
}

fn gz(raw: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(raw).unwrap();
    gz.finish().unwrap()
}

const LEAF_MANIFEST: &str = "[package]\nname = \"leaf\"\nversion = \"1.0.0\"\n";

fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(data.len().div_ceil(512) * 512, 0);
    v
}

#[test]
fn crate_with_a_900_mb_gnu_long_name() {
    // Was: 3.8 GB to fail, and the whole name in the message.
    let mut raw = header(b"././@LongLink", b'L', 900_000_000);
    raw.extend(vec![b'a'; 1 << 20]);
    let ws = Ws::new("longname").app_with_leaf(&gz(&raw));
    assert_refused(
        &ws,
        &[],
        "an entry name is 900000000 bytes long (at most 4096)",
    );
}

#[test]
fn crate_with_a_1_gb_pax_header() {
    let mut raw = header(b"PaxHeader", b'x', 1 << 30);
    raw.extend(vec![b'1'; 1 << 16]);
    let ws = Ws::new("pax").app_with_leaf(&gz(&raw));
    assert_refused(&ws, &[], "a PAX header is 1073741824 bytes long");
}

// A gzip bomb (a .crate unpacking to more than 512 MiB) is refused with
// "unpacks to more than 512 MiB": src/tarball.rs tests it with a small cap,
// since inflating 512 MiB unoptimised takes too long for this matrix.

#[test]
fn crate_with_two_manifests() {
    let bytes = crate_file(
        "leaf",
        "1.0.0",
        &[
            ("Cargo.toml", LEAF_MANIFEST),
            ("src/lib.rs", ""),
            (
                "Cargo.toml",
                "[package]\nname = \"leaf\"\nversion = \"1.0.0\"\nbuild = \"evil.rs\"\n",
            ),
        ],
    );
    let ws = Ws::new("two-manifests").app_with_leaf(&bytes);
    assert_refused(&ws, &[], "two `leaf-1.0.0/Cargo.toml` entries");
}

#[test]
fn crate_with_a_bad_entry_after_its_manifest() {
    let bytes = crate_file(
        "leaf",
        "1.0.0",
        &[("Cargo.toml", LEAF_MANIFEST), ("../../../etc/x", "")],
    );
    let ws = Ws::new("after-manifest").app_with_leaf(&bytes);
    assert_refused(&ws, &[], "escapes the package directory");
}

#[test]
fn crate_with_binary_garbage_names() {
    let mut raw = header(&[0xff, 0x1b, b'[', b'2', b'J', 0x07, 0x9b], b'0', 0);
    raw.extend([0u8; 1024]);
    let ws = Ws::new("garbage").app_with_leaf(&gz(&raw));
    // assert_sane checks that no control character reaches the message.
    assert_refused(&ws, &[], "is not UTF-8");
    let mut raw = vec![0x9bu8; 512];
    raw[0] = b'x';
    let ws = Ws::new("garbage-header").app_with_leaf(&gz(&raw));
    assert_refused(&ws, &[], "has a wrong checksum");
}

#[test]
fn crate_that_is_not_gzip() {
    let ws = Ws::new("not-gzip").app_with_leaf(&[0x1b, b'[', b'2', b'J', 0, 1, 2, 0xff]);
    assert_refused(&ws, &[], "is not a valid .crate archive");
}

#[test]
fn crate_with_a_long_manifest_in_a_pax_name() {
    let mut raw = Vec::new();
    let record = "30 path=leaf-1.0.0/Cargo.toml\n";
    assert_eq!(record.len(), 30);
    raw.extend(header(b"PaxHeader", b'x', record.len() as u64));
    raw.extend(padded(record.as_bytes()));
    raw.extend(header(b"short", b'0', LEAF_MANIFEST.len() as u64));
    raw.extend(padded(LEAF_MANIFEST.as_bytes()));
    raw.extend(header(b"leaf-1.0.0/src/lib.rs", b'0', 0));
    raw.extend([0u8; 1024]);
    let ws = Ws::new("pax-name").app_with_leaf(&gz(&raw));
    let plan = assert_plans(&ws, &[]);
    assert!(plan["packages"]["leaf-1.0.0"]["lib"].is_object(), "{plan}");
}

// ---- deep and cyclic graphs ----------------------------------------

#[test]
fn a_chain_of_40k_features() {
    // Was: SIGABRT (stack overflow) at about 35k natively, 1-3k in wasm.
    let n = 40_000;
    let mut features = String::from("[features]\ndefault = [\"f0\"]\n");
    for i in 0..n {
        features.push_str(&format!("f{i} = [\"f{}\"]\n", i + 1));
    }
    features.push_str(&format!("f{n} = []\n"));
    let ws = Ws::new("feature-chain").app(&features, "");
    let plan = assert_plans(&ws, &[]);
    let enabled = plan["instances"]["app-0.1.0"]["features"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(enabled, n + 2);
}

#[test]
fn a_chain_of_500_path_dependencies() {
    // Deeper chains only cost time (workspace loading is quadratic, issue
    // 11 item 9); every walk is iterative or bounded.
    let n = 500;
    let ws = Ws::new("dep-chain").app(
        "[dependencies]\nc1 = { path = \"c/1\" }\n",
        "dependencies = [\"c1\"]\n",
    );
    let mut lock = String::new();
    for i in 1..=n {
        let dep = if i < n {
            format!(
                "[dependencies]\nc{} = {{ path = \"../{}\" }}\n",
                i + 1,
                i + 1
            )
        } else {
            String::new()
        };
        ws.file(
            &format!("c/{i}/Cargo.toml"),
            format!("[package]\nname = \"c{i}\"\nversion = \"0.1.0\"\n{dep}"),
        )
        .file(&format!("c/{i}/src/lib.rs"), "");
        lock.push_str(&format!(
            "\n[[package]]\nname = \"c{i}\"\nversion = \"0.1.0\"\n"
        ));
        if i < n {
            lock.push_str(&format!("dependencies = [\"c{}\"]\n", i + 1));
        }
    }
    ws.file(
        "Cargo.lock",
        format!("version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"c1\"]\n{lock}"),
    );
    let plan = assert_plans(&ws, &[]);
    assert_eq!(plan["instances"].as_object().unwrap().len(), n + 1);
    // The unit graph recurses through units, bounded (MAX_UNIT_DEPTH,
    // 2000): 500 deep fits in the stack even unoptimised.
    let manifest = ws.dir.path("Cargo.toml");
    let run = crateplan(&[
        "unit-graph",
        "--manifest-path",
        &manifest,
        "--target",
        "x86_64-unknown-linux-gnu",
    ]);
    assert_sane(&run, "unit-graph");
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn cyclic_path_dependencies() {
    // cargo: error: cyclic package dependency: package `a v0.1.0 (/ws/a)` depends on itself. Cycle:
    //        package `a v0.1.0 (/ws/a)`
    //            ... which satisfies path dependency `a` of package `b v0.1.0 (/ws/b)`
    //            ... which satisfies path dependency `b` of package `a v0.1.0 (/ws/a)`
    let ws = Ws::new("cycle").app(
        "[dependencies]\nb = { path = \"b\" }\n",
        "dependencies = [\"b\"]\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\ndependencies = [\"app\"]\n",
    );
    ws.file(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\n[dependencies]\napp = { path = \"..\" }\n",
    )
    .file("b/src/lib.rs", "");
    assert_refused(&ws, &[], "cyclic package dependency: package `app v0.1.0` depends on itself. Cycle: `app v0.1.0` -> `b v0.1.0` -> `app v0.1.0`");
}

// ---- names ----------------------------------------------------------

#[test]
fn a_non_ascii_registry_crate_name() {
    // Was: a panic (exit 101) slicing the name for `{prefix}`.
    let ws = Ws::new("non-ascii").app(
        "[dependencies]\n\"äöüß\" = { version = \"1\", registry-index = \"https://r.example/index\" }\n",
        "dependencies = [\"äöüß\"]\n\n[[package]]\nname = \"äöüß\"\nversion = \"1.0.0\"\nsource = \"registry+https://r.example/index\"\nchecksum = \"00\"\n",
    );
    let run = ws.plan(&[]);
    assert_sane(&run, "non-ascii");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("not a valid crate name") || run.stderr.contains("Cargo.lock"),
        "{}",
        run.stderr
    );
}

// ---- files that are not what they seem -----------------------------

#[test]
fn a_symlinked_lib_rs_is_a_library() {
    // cargo follows it; so does crateplan (was: no lib, the edge dropped).
    let ws = Ws::new("symlinked-lib").app(
        "[dependencies]\nb = { path = \"b\" }\n",
        "dependencies = [\"b\"]\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\n",
    );
    ws.file(
        "b/Cargo.toml",
        "[package]\nname = \"b\"\nversion = \"0.1.0\"\n",
    )
    .file("b/real.rs", "");
    std::os::unix::fs::symlink("../real.rs", ws.dir.root.join("b/src/lib.rs")).unwrap_or_else(
        |_| {
            std::fs::create_dir_all(ws.dir.root.join("b/src")).unwrap();
            std::os::unix::fs::symlink("../real.rs", ws.dir.root.join("b/src/lib.rs")).unwrap();
        },
    );
    let plan = assert_plans(&ws, &[]);
    let deps = plan["instances"]["app-0.1.0"]["deps"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "{plan}");
}

fn with_lock(name: &str, make: impl FnOnce(&std::path::Path)) -> Ws {
    let ws = Ws::new(name).app("", "");
    let lock = ws.dir.root.join("Cargo.lock");
    std::fs::remove_file(&lock).unwrap();
    make(&lock);
    ws
}

#[test]
fn a_lock_that_is_a_symlink_to_dev_zero() {
    // Was: read until memory ran out (8.4 GB).
    let ws = with_lock("lock-dev-zero", |p| {
        std::os::unix::fs::symlink("/dev/zero", p).unwrap()
    });
    assert_refused(
        &ws,
        &[],
        "a symbolic link to /dev/zero, outside the workspace",
    );
}

#[test]
fn a_lock_that_is_a_fifo() {
    // Was: hung forever.
    let ws = with_lock("lock-fifo", |p| {
        assert!(Command::new("mkfifo").arg(p).status().unwrap().success())
    });
    assert_refused(
        &ws,
        &[],
        "Cargo.lock: is a FIFO, a device or a socket, not a regular file",
    );
}

#[test]
fn a_lock_that_is_a_directory() {
    let ws = with_lock("lock-dir", |p| std::fs::create_dir(p).unwrap());
    assert_refused(&ws, &[], "Cargo.lock: is a directory, not a regular file");
}

#[test]
fn a_lock_of_100_mb() {
    let ws = with_lock("lock-huge", |p| {
        // Sparse: costs no disk.
        std::fs::File::create(p)
            .unwrap()
            .set_len(100 << 20)
            .unwrap()
    });
    assert_refused(&ws, &[], "larger than 64 MiB");
}

#[test]
fn a_member_manifest_that_is_a_fifo() {
    let ws = Ws::new("member-fifo");
    ws.file("Cargo.toml", "[workspace]\nmembers = [\"m\"]\n")
        .file("Cargo.lock", "version = 4\n")
        .file("m/src/lib.rs", "");
    assert!(Command::new("mkfifo")
        .arg(ws.dir.root.join("m/Cargo.toml"))
        .status()
        .unwrap()
        .success());
    // A FIFO is not a manifest: the member does not exist, as for cargo
    // (which says "failed to read"). Never a hang.
    let run = ws.plan(&[]);
    assert_sane(&run, "member fifo");
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_deeply_nested_manifest() {
    let depth = 100_000;
    let text = format!(
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[package.metadata]\nx = {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let ws = Ws::new("nested").app("", "");
    ws.file("Cargo.toml", text);
    let run = ws.plan(&[]);
    assert_sane(&run, "nested");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("Cargo.toml:5:"), "{}", run.stderr);
}

#[test]
fn a_binary_lock() {
    let ws = Ws::new("binary-lock").app("", "");
    ws.file("Cargo.lock", [0x1b, b'[', b'2', b'J', 0x07, 0, 0xff, b'\n']);
    let run = ws.plan(&[]);
    assert_sane(&run, "binary lock");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("Cargo.lock is not UTF-8"),
        "{}",
        run.stderr
    );
}

// ---- what cargo refuses ----------------------------------------------

#[test]
fn an_unknown_feature_in_features() {
    // cargo: error: failed to parse manifest at `/ws/Cargo.toml`
    //        Caused by: feature `a` includes `nope` which is neither a dependency nor another feature
    let ws = Ws::new("unknown-feature").app("[features]\na = [\"nope\"]\n", "");
    assert_refused(
        &ws,
        &[],
        "feature `a` includes `nope` which is neither a dependency nor another feature",
    );
}

#[test]
fn dep_colon_on_a_non_optional_dependency() {
    // cargo: feature `a` includes `dep:d`, but `d` is not an optional dependency
    //        A non-optional dependency of the same name is defined; consider adding `optional = true` to its definition.
    let ws = Ws::new("dep-not-optional").app(
        "[dependencies]\nd = { path = \"d\" }\n[features]\na = [\"dep:d\"]\n",
        "dependencies = [\"d\"]\n\n[[package]]\nname = \"d\"\nversion = \"0.1.0\"\n",
    );
    ws.file(
        "d/Cargo.toml",
        "[package]\nname = \"d\"\nversion = \"0.1.0\"\n",
    )
    .file("d/src/lib.rs", "");
    assert_refused(
        &ws,
        &[],
        "feature `a` includes `dep:d`, but `d` is not an optional dependency",
    );
}

#[test]
fn a_feature_of_an_unknown_dependency() {
    // cargo: error: feature `a` includes `nope/x`, but `nope` is not a dependency
    let ws = Ws::new("unknown-dep-feature").app("[features]\na = [\"nope/x\"]\n", "");
    assert_refused(
        &ws,
        &[],
        "feature `a` includes `nope/x`, but `nope` is not a dependency",
    );
    // cargo: feature `a` includes `dep:nope`, but `nope` is not listed as a dependency
    let ws = Ws::new("unknown-dep").app("[features]\na = [\"dep:nope\"]\n", "");
    assert_refused(
        &ws,
        &[],
        "feature `a` includes `dep:nope`, but `nope` is not listed as a dependency",
    );
}

#[test]
fn a_typo_in_the_selected_features() {
    // cargo: error: the package 'app' does not contain this feature: typo
    let ws = Ws::new("feature-typo").app("[features]\nx = []\n", "");
    assert_refused(
        &ws,
        &["typo"],
        "the package 'app' does not contain this feature: typo",
    );
    assert_refused(
        &ws,
        &["app/typo"],
        "the package 'app' does not contain this feature: app/typo",
    );
    assert_refused(
        &ws,
        &["dep/x"],
        "the package 'app' does not contain this feature: dep/x",
    );
    assert_refused(
        &ws,
        &["a/b/c"],
        "multiple slashes in feature `a/b/c` is not allowed",
    );
}

#[test]
fn a_package_twice_in_the_lock() {
    // cargo: error: failed to parse lock file at: /ws/Cargo.lock
    //        Caused by: package `app` is specified twice in the lockfile
    let ws = Ws::new("lock-twice").app("", "\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n");
    assert_refused(&ws, &[], "package `app` is specified twice in the lockfile");
}

#[test]
fn two_members_with_one_name() {
    // cargo: error: two packages named `x` in this workspace:
    //        - /ws/a/Cargo.toml
    //        - /ws/b/Cargo.toml
    let ws = Ws::new("two-names");
    ws.file("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n")
        .file(
            "Cargo.lock",
            "version = 4\n[[package]]\nname = \"x\"\nversion = \"0.1.0\"\n",
        )
        .file(
            "a/Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
        )
        .file("a/src/lib.rs", "")
        .file(
            "b/Cargo.toml",
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
        )
        .file("b/src/lib.rs", "");
    assert_refused(&ws, &[], "two packages named `x` in this workspace");
}

#[test]
fn an_empty_root_manifest() {
    // cargo: error: failed to parse manifest at `/ws/Cargo.toml`
    //        Caused by: manifest is missing either a `[package]` or a `[workspace]`
    let ws = Ws::new("empty-root");
    ws.file("Cargo.toml", "")
        .file("Cargo.lock", "version = 4\n");
    assert_refused(
        &ws,
        &[],
        "manifest is missing either a `[package]` or a `[workspace]`",
    );
}

#[test]
fn a_malformed_request() {
    let run = crateplan(&["answer", "--inline", "{\"workspace\": 1, \u{1b}[2J"]);
    assert_sane(&run, "request");
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("malformed request"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
}

#[test]
fn a_non_ascii_checksum_in_the_lock() {
    // Found by fuzz/fuzz_targets/lockfile.rs: cargo-lock panicked on it.
    let sum = format!("872831b64\u{39a}{}", "0".repeat(53));
    let ws = Ws::new("non-ascii-checksum").app(
        "",
        &format!(
            "\n[[package]]\nname = \"leaf\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO}\"\nchecksum = \"{sum}\"\n"
        ),
    );
    assert_refused(&ws, &[], "invalid checksum `872831b64Κ");
}
