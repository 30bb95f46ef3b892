//! A `builtins.wasm` host in Rust (wasmtime), implementing the "env"
//! interface the way Nix does (DeterminateSystems/nix-src
//! `src/libexpr/primops/wasm.cc`, reference notes section 3): a per-call
//! value table with id 0 reserved, a fresh instance per call,
//! `nix_wasm_init_v1` before the entry point, strings/paths/attrsets/lists/
//! functions as values, `read_file` reading real files, binary-safe.
//!
//! It loads the committed `nix/crateplan.wasm` and checks that calling
//! `plan` answers exactly what `crateplan::plan_json(&RealFs, request)`
//! answers natively, byte for byte, whatever the planner currently answers.

use crateplan::fs::{EntryKind, Fs, RealFs};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::OnceLock;
use wasmtime::{Caller, Engine, Error, Extern, Linker, Module, Store, ValType};

include!("support/nix_host.rs");

/// The argument lib.nix passes.
fn plan_arg(request: &[u8]) -> V {
    // Deliberately not in sorted order, as Nix's attrsets are not.
    attrs(vec![
        ("readDir", read_dir_builtin()),
        ("request", s(request)),
        ("root", path("/")),
        ("pathExists", path_exists_builtin()),
    ])
}

fn wasm_plan(request: &[u8]) -> (Vec<u8>, Vec<String>) {
    let out = host().call("plan", plan_arg(request));
    let v = out
        .result
        .unwrap_or_else(|e| panic!("builtins.wasm call failed: {e}"));
    match &*v {
        Val::Str(b) => (b.clone(), out.reads),
        other => panic!("plan returned {}, not a string", type_name(other)),
    }
}

/// Where two answers first differ, with some context, for failure messages
/// (whole plans are far too long to print).
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let show = |x: &[u8]| {
        let from = at.saturating_sub(80);
        let to = (at + 160).min(x.len());
        String::from_utf8_lossy(&x[from..to]).into_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} and {}):\n  native: ...{}\n  wasm:   ...{}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

/// The check every request goes through: the wasm route answers exactly the
/// native bytes.
fn assert_same_answer(request: &[u8]) -> Vec<u8> {
    assert_same_answer_reads(request).0
}

/// [`assert_same_answer`], also returning the files the module read.
fn assert_same_answer_reads(request: &[u8]) -> (Vec<u8>, Vec<String>) {
    let native = crateplan::plan_json(&RealFs, request);
    let (wasm, reads) = wasm_plan(request);
    assert!(
        wasm == native,
        "nix/crateplan.wasm and the native planner answer differently ({REGENERATE})\n\
         request: {}\n{}",
        String::from_utf8_lossy(request),
        first_difference(&native, &wasm)
    );
    (native, reads)
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("crateplan-wasm-host-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Local `.crate` files the planner may ask for: cargo's download cache.
fn cargo_cache_crates() -> BTreeMap<String, PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut out = BTreeMap::new();
    let Some(cache) = home.map(|h| h.join("registry/cache")) else {
        return out;
    };
    for registry in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(registry.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.ends_with(".crate") {
                out.entry(name).or_insert(file.path());
            }
        }
    }
    out
}

/// Runs `request` (a JSON object) through both routes, and while the native
/// answer asks to fetch crates we have locally (`crates`: file name ->
/// path), adds them as `sources` and asks again, comparing every round.
/// Returns how many `.crate` files the module read through `read_file`.
fn compare_rounds(mut request: serde_json::Value, crates: &BTreeMap<String, PathBuf>) -> usize {
    let mut crate_reads = 0;
    for _round in 0..6 {
        let bytes = serde_json::to_vec(&request).unwrap();
        let (answer, reads) = assert_same_answer_reads(&bytes);
        crate_reads += reads.iter().filter(|r| r.ends_with(".crate")).count();
        let answer: serde_json::Value = serde_json::from_slice(&answer).expect("answers are JSON");
        let Some(fetch) = answer.get("fetch").and_then(|f| f.as_array()) else {
            return crate_reads;
        };
        let sources = request
            .as_object_mut()
            .unwrap()
            .entry("sources")
            .or_insert_with(|| serde_json::json!({}))
            .as_object_mut()
            .unwrap();
        let before = sources.len();
        for f in fetch {
            let (Some(key), Some(name), Some(version)) = (
                f.get("key").and_then(|k| k.as_str()),
                f.get("name").and_then(|k| k.as_str()),
                f.get("version").and_then(|k| k.as_str()),
            ) else {
                continue;
            };
            if let Some(p) = crates.get(&format!("{name}-{version}.crate")) {
                sources.insert(key.to_string(), p.to_string_lossy().into_owned().into());
            }
        }
        if sources.len() == before {
            return crate_reads;
        }
    }
    crate_reads
}

/// A gzipped tarball shaped like a crates.io `.crate` (fixed mtimes, so the
/// bytes and their sha256 are stable).
fn make_crate_file(name: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (file, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("{name}-{version}/{file}"),
            &mut &contents[..],
        )
        .unwrap();
    }
    let tar = tar.into_inner().unwrap();
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

// ---------------------------------------------------------------- tests

#[test]
fn module_has_the_nix_wasm_shape() {
    let module = &host().module;
    let exports: BTreeMap<String, String> = module
        .exports()
        .map(|e| (e.name().to_string(), format!("{:?}", e.ty())))
        .collect();
    for name in ["memory", "nix_wasm_init_v1", "plan", "probe"] {
        assert!(
            exports.contains_key(name),
            "missing export {name}: {exports:?}"
        );
    }
    let entry = |name: &str| module.get_export(name).unwrap().func().unwrap().clone();
    let init = entry("nix_wasm_init_v1");
    assert_eq!(init.params().count(), 0);
    assert_eq!(init.results().count(), 0);
    for name in ["plan", "probe"] {
        let f = entry(name);
        let params: Vec<ValType> = f.params().collect();
        let results: Vec<ValType> = f.results().collect();
        assert!(
            params.len() == 1 && params[0].is_i32() && results.len() == 1 && results[0].is_i32(),
            "{name} must be (i32) -> i32"
        );
    }
    // Non-WASI: Nix would switch to WASI mode on any wasi_snapshot_preview1 import.
    for import in module.imports() {
        assert_eq!(
            import.module(),
            "env",
            "unexpected import {}.{}",
            import.module(),
            import.name()
        );
    }
}

/// Every Nix process compiles the module before it plans (Determinate Nix
/// has no cache of compiled modules), so its size is its fixed cost per
/// evaluation: 1.30 MB cost about 1.9 s there, 1.06 MB about 1.6 s
/// (docs/performance.md). Growing past the budget needs a reason, written
/// down there, not an accident such as a serde derive on a TOML type
/// (src/toml_read.rs says why the planner reads TOML by hand).
#[test]
fn the_committed_module_stays_within_its_size_budget() {
    const BUDGET: u64 = 1_150_000;
    let path = repo_root().join("nix/crateplan.wasm");
    let size = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len();
    assert!(
        size <= BUDGET,
        "nix/crateplan.wasm is {size} bytes, over its budget of {BUDGET}: every Nix \
         process compiles it before planning (docs/performance.md, \"A smaller module\")"
    );
}

#[test]
fn malformed_requests_answer_like_native() {
    for request in [
        &b""[..],
        b"{not json",
        b"[]",
        b"{}",
        b"{\"workspace\": 3}",
        b"{\"workspace\": \"/nonexistent\", \"target\": \"x86_64-unknown-linux-gnu\", \"bogus\": 1}",
        b"\xff\xfe not utf-8",
    ] {
        assert_same_answer(request);
    }
}

#[test]
fn missing_workspace_answers_like_native() {
    let dir = scratch_dir("missing");
    let request = serde_json::json!({
        "workspace": dir.join("does-not-exist").to_string_lossy(),
        "target": "x86_64-unknown-linux-gnu",
    });
    assert_same_answer(&serde_json::to_vec(&request).unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn fixture_workspaces_answer_like_native() {
    let fixtures = repo_root().join("tests/fixtures");
    let crates = cargo_cache_crates();
    let mut seen = 0;
    let mut crate_reads = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let ws = dir.canonicalize().unwrap().to_string_lossy().into_owned();
        crate_reads += compare_rounds(
            serde_json::json!({ "workspace": ws, "target": "x86_64-unknown-linux-gnu" }),
            &crates,
        );
        crate_reads += compare_rounds(
            serde_json::json!({
                "workspace": ws,
                "target": "aarch64-apple-darwin",
                "host": "x86_64-unknown-linux-gnu",
                "selection": { "workspace": true, "tests": true, "allFeatures": true },
            }),
            &crates,
        );
        seen += 1;
    }
    eprintln!(
        "compared {seen} fixture workspaces; the module read {crate_reads} .crate files \
         from cargo's cache through read_file"
    );
}

#[test]
fn tiny_workspace_with_a_crate_file_answers_like_native() {
    let dir = scratch_dir("tiny");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::create_dir_all(ws.join("src/bin")).unwrap();
    let dep = make_crate_file(
        "tiny-dep",
        "0.1.0",
        &[
            (
                "Cargo.toml",
                b"[package]\nname = \"tiny-dep\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\ndefault = [\"std\"]\nstd = []\n",
            ),
            ("src/lib.rs", b"pub fn answer() -> u32 { 42 }\n"),
        ],
    );
    let crate_path = dir.join("tiny-dep-0.1.0.crate");
    std::fs::write(&crate_path, &dep).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntiny-dep = \"0.1\"\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "pub use tiny_dep::answer;\n").unwrap();
    std::fs::write(ws.join("src/bin/tool.rs"), "fn main() {}\n").unwrap();
    std::fs::write(
        ws.join("Cargo.lock"),
        format!(
            "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n\
             [[package]]\nname = \"tiny\"\nversion = \"0.1.0\"\ndependencies = [\n \"tiny-dep\",\n]\n\n\
             [[package]]\nname = \"tiny-dep\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            sha256_hex(&dep)
        ),
    )
    .unwrap();
    let crates = BTreeMap::from([("tiny-dep-0.1.0.crate".to_string(), crate_path)]);
    let ws_str = ws.to_string_lossy().into_owned();
    let crate_reads = compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-unknown-linux-gnu" }),
        &crates,
    );
    compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-pc-windows-msvc",
                            "selection": { "noDefaultFeatures": true } }),
        &crates,
    );
    // Passing the .crate up front too (whatever key the planner expects,
    // an unknown key must be handled the same way by both routes).
    compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-unknown-linux-gnu",
                            "sources": { "tiny-dep 0.1.0": dir.join("tiny-dep-0.1.0.crate").to_string_lossy() } }),
        &crates,
    );
    eprintln!("the module read tiny-dep-0.1.0.crate {crate_reads} times");
    let _ = std::fs::remove_dir_all(dir);
}

/// Calls `probe` as lib.nix would for debugging.
fn probe(op: &str, p: &str) -> Result<BTreeMap<String, V>, String> {
    let arg = attrs(vec![
        ("path", s(p)),
        ("op", s(op)),
        ("root", path("/")),
        ("readDir", read_dir_builtin()),
        ("pathExists", path_exists_builtin()),
    ]);
    let out = host().call("probe", arg);
    let v = out.result?;
    let Val::Attrs(a) = &*v else {
        panic!("probe returned {}", type_name(&v));
    };
    Ok(a.iter().cloned().collect())
}

fn str_of(v: &V) -> String {
    match &**v {
        Val::Str(b) => String::from_utf8(b.clone()).unwrap(),
        other => panic!("expected a string, got {}", type_name(other)),
    }
}

#[test]
fn binary_files_arrive_intact_through_read_file() {
    let dir = scratch_dir("binary");
    // Every byte value (NUL, invalid UTF-8), both below and above the
    // module's first read buffer (64 KiB), and a real gzip .crate.
    let mut big = Vec::new();
    for i in 0..300_000u32 {
        big.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
    }
    let small: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    let exact: Vec<u8> = vec![0u8; 64 * 1024];
    let krate = make_crate_file("bin-dep", "1.2.3", &[("src/lib.rs", &big[..70_000])]);
    let cases = [
        ("big.bin", big),
        ("small.bin", small),
        ("exact.bin", exact),
        ("empty.bin", Vec::new()),
        ("bin-dep-1.2.3.crate", krate),
    ];
    for (name, bytes) in &cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let got = probe("read", &p.to_string_lossy()).unwrap();
        assert!(
            matches!(&*got["ok"], Val::Bool(true)),
            "{name}: {:?}",
            got.get("error").map(str_of)
        );
        let Val::Int(size) = &*got["size"] else {
            panic!("size")
        };
        assert_eq!(*size as usize, bytes.len(), "{name}: size");
        assert_eq!(str_of(&got["sha256"]), sha256_hex(bytes), "{name}: sha256");
        // The same bytes the native file system gives.
        assert_eq!(
            RealFs.read(&p.to_string_lossy()).unwrap(),
            *bytes,
            "{name}: native"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn missing_files_and_directories_are_not_found_errors() {
    let dir = scratch_dir("missing-files");
    for op in ["read", "readDir"] {
        let p = dir.join("nope").to_string_lossy().into_owned();
        let got = probe(op, &p).unwrap();
        assert!(matches!(&*got["ok"], Val::Bool(false)));
        let native = match op {
            "read" => RealFs.read(&p).unwrap_err(),
            _ => RealFs.read_dir(&p).unwrap_err(),
        };
        assert_eq!(str_of(&got["error"]), native.to_string());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn directory_listings_match_the_native_file_system() {
    let dir = scratch_dir("listing");
    std::fs::create_dir_all(dir.join("sub/inner")).unwrap();
    std::fs::write(dir.join("file.rs"), "").unwrap();
    std::fs::write(dir.join("Cargo.toml"), "").unwrap();
    std::fs::write(dir.join("sub/x"), "").unwrap();
    std::os::unix::fs::symlink("file.rs", dir.join("link.rs")).unwrap();
    std::os::unix::fs::symlink("sub", dir.join("link-dir")).unwrap();
    std::os::unix::fs::symlink("dangling", dir.join("dangling")).unwrap();
    for d in [dir.clone(), dir.join("sub")] {
        let d = d.to_string_lossy().into_owned();
        let got = probe("readDir", &d).unwrap();
        assert!(matches!(&*got["ok"], Val::Bool(true)));
        let Val::Attrs(entries) = &*got["entries"] else {
            panic!("entries")
        };
        let wasm: BTreeMap<String, String> = entries
            .iter()
            .map(|(n, v)| (n.clone(), str_of(v)))
            .collect();
        let native: BTreeMap<String, String> = RealFs
            .read_dir(&d)
            .unwrap()
            .into_iter()
            .map(|(n, k)| {
                // Natively symlinks are followed (as cargo's target
                // discovery does); the module cannot see a link's target
                // through `readDir`, so it reports every link as "other".
                let link = std::fs::symlink_metadata(Path::new(&d).join(&n))
                    .unwrap()
                    .file_type()
                    .is_symlink();
                let k = match k {
                    _ if link => "other",
                    EntryKind::File => "file",
                    EntryKind::Dir => "dir",
                    EntryKind::Other => "other",
                };
                (n, k.to_string())
            })
            .collect();
        assert_eq!(wasm, native, "{d}");
    }
    // Reading through a symlink is refused (natively it is followed): the
    // module cannot check what the link leads to (a FIFO would hang Nix).
    let got = probe("read", &dir.join("link.rs").to_string_lossy()).unwrap();
    assert!(matches!(&*got["ok"], Val::Bool(false)));
    assert!(str_of(&got["error"]).contains("a symbolic link"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn other_roots_confine_reads() {
    let dir = scratch_dir("root");
    std::fs::write(dir.join("inside"), "x").unwrap();
    let call = |p: &str| {
        let arg = attrs(vec![
            ("op", s("read")),
            ("path", s(p)),
            ("root", path(&dir.to_string_lossy())),
            ("readDir", read_dir_builtin()),
            ("pathExists", path_exists_builtin()),
        ]);
        let out = host().call("probe", arg);
        let v = out.result.unwrap();
        let Val::Attrs(a) = &*v else { panic!() };
        let a: BTreeMap<String, V> = a.iter().cloned().collect();
        (a, out.reads)
    };
    let (ok, reads) = call(&dir.join("inside").to_string_lossy());
    assert!(matches!(&*ok["ok"], Val::Bool(true)));
    assert_eq!(
        reads,
        vec![dir.join("inside").to_string_lossy().into_owned()]
    );
    let (outside, reads) = call("/etc/hostname");
    assert!(matches!(&*outside["ok"], Val::Bool(false)));
    assert!(str_of(&outside["error"]).contains("outside the root path"));
    assert!(reads.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_arguments_are_clear_nix_errors() {
    let cases: Vec<(V, &str)> = vec![
        (s("{}"), "the argument is a string"),
        (
            attrs(vec![("request", s("{}"))]),
            "the attribute `root` is missing",
        ),
        (
            attrs(vec![
                ("request", s("{}")),
                ("root", s("/")),
                ("readDir", read_dir_builtin()),
                ("pathExists", path_exists_builtin()),
            ]),
            "`root` is a string, not a path",
        ),
        (
            attrs(vec![
                ("request", s("{}")),
                ("root", path("/")),
                ("readdir", read_dir_builtin()),
                ("pathExists", path_exists_builtin()),
            ]),
            "unknown attribute `readdir`",
        ),
    ];
    for (arg, want) in cases {
        let err = match host().call("plan", arg).result {
            Ok(_) => panic!("expected an error mentioning {want}"),
            Err(e) => e,
        };
        assert!(err.contains("Wasm panic: crateplan.wasm `plan`"), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(err.contains("the argument must be { request"), "{err}");
    }
}

#[test]
fn each_call_is_a_fresh_instance() {
    // Nix instantiates the module for every call; answers must not depend on
    // earlier calls (no state carried in the module).
    let a = wasm_plan(b"{not json").0;
    let b = wasm_plan(b"{\"workspace\":\"/x\"}").0;
    assert_eq!(wasm_plan(b"{not json").0, a);
    assert_eq!(wasm_plan(b"{\"workspace\":\"/x\"}").0, b);
}

/// Issue 11: a lock that is a FIFO is the planner's own error (an
/// `{"ok":false}` answer), not a host trap or a hang; natively likewise.
#[test]
fn a_fifo_lock_is_a_planner_error() {
    let dir = scratch_dir("fifo-lock");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"f\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(ws.join("Cargo.lock"))
        .status()
        .unwrap();
    assert!(status.success());
    let request = serde_json::json!({ "workspace": ws.to_string_lossy(), "target": "x86_64-unknown-linux-gnu" });
    let answer = assert_same_answer(request.to_string().as_bytes());
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["ok"], false);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{answer}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 11: 1-3k chained features overflowed the module's stack (a trap
/// that aborted evaluation); feature resolution no longer recurses.
#[test]
fn a_long_feature_chain_plans_in_the_module() {
    let dir = scratch_dir("feature-chain");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let n = 20_000;
    let mut manifest = String::from(
        "[package]\nname = \"chain\"\nversion = \"0.1.0\"\n[features]\ndefault = [\"f0\"]\n",
    );
    for i in 0..n {
        manifest.push_str(&format!("f{i} = [\"f{}\"]\n", i + 1));
    }
    manifest.push_str(&format!("f{n} = []\n"));
    std::fs::write(ws.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(
        ws.join("Cargo.lock"),
        "version = 4\n[[package]]\nname = \"chain\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let request = serde_json::json!({ "workspace": ws.to_string_lossy(), "target": "x86_64-unknown-linux-gnu" });
    let answer = assert_same_answer(request.to_string().as_bytes());
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["ok"], true, "{}", &answer.to_string()[..300]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn large_crate_files_are_read_once_each_after_the_first() {
    // `read_file` hands over a file only if it fits the buffer offered, and
    // Nix reads the file again for a second call. The module offers the
    // largest size it has seen, so of equally large `.crate` files only
    // the first is read twice.
    let dir = scratch_dir("large-crates");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    // Incompressible (xorshift), so that each `.crate` stays near 100 KB.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let noise: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    let names = ["big-a", "big-b", "big-c"];
    let mut crates = BTreeMap::new();
    let mut lock = String::from("version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"big-a\", \"big-b\", \"big-c\"]\n");
    for name in names {
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n");
        let bytes = make_crate_file(
            name,
            "1.0.0",
            &[("Cargo.toml", manifest.as_bytes()), ("src/lib.rs", &noise)],
        );
        assert!(bytes.len() > 64 * 1024, "{name}: {} bytes", bytes.len());
        let path = dir.join(format!("{name}-1.0.0.crate"));
        std::fs::write(&path, &bytes).unwrap();
        crates.insert(format!("{name}-1.0.0.crate"), path);
        lock.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n",
            sha256_hex(&bytes)
        ));
    }
    std::fs::write(ws.join("Cargo.lock"), lock).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nbig-a = \"1\"\nbig-b = \"1\"\nbig-c = \"1\"\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let ws_str = ws.to_string_lossy().into_owned();
    let crate_reads = compare_rounds(
        serde_json::json!({ "workspace": ws_str, "target": "x86_64-unknown-linux-gnu" }),
        &crates,
    );
    // One round reads all three (4 host reads); a first round that reads
    // none, or more rounds reading them again, would show here as well.
    assert_eq!(crate_reads, 4, "host reads of the three .crate files");
    let _ = std::fs::remove_dir_all(dir);
}
