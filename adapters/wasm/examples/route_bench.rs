//! The route benchmark's wasm leg (benches/routes.sh, docs/performance.md):
//! `plan` in nix/crateplan.wasm through a wasmtime `builtins.wasm` host,
//! with the request and sources Nix sent, timing one call and one full
//! planning (every round the planner asks for).
//!
//!   cargo run --release -p crateplan-wasm --example route_bench -- \
//!     FINAL-REQUEST.json [--prefix /nix/store=DIR] [--runs N]
//!
//! FINAL-REQUEST.json is the last request of a Nix evaluation
//! (`planner.request`); its `sources` are handed out round by round, as the
//! planner asks for them, starting from none. `--prefix /nix/store=DIR`
//! reads the store under DIR (e.g. /var/cache/crateplan-env/sid/nix/store,
//! the Nix test environment's store seen from the host) while the module
//! still sees `/nix/store` paths, as in a real Nix: rewriting the request's
//! paths instead would send every `.crate` read through a listing of the
//! whole store (the module lists a file's directory unless it is a
//! top-level store object), which once made this harness 2.5x slower than
//! what it measures. The host code (values, the "env" imports) is shared
//! with the tests: tests/support/nix_host.rs. CRATEPLAN_WASM_MODULE times
//! another build of the module, CRATEPLAN_WASM_PERFMAP=1 names its code for
//! `perf record`.
#![allow(dead_code, unused_imports)]

use crateplan::fs::{EntryKind, Fs, RealFs};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::OnceLock;
use wasmtime::{Caller, Engine, Error, Extern, Linker, Module, Store, ValType};

include!("../tests/support/nix_host.rs");

// ---------------------------------------------------------------- the bench

/// The argument lib.nix passes (nix/route.nix), not in sorted order.
fn plan_arg(request: &[u8]) -> V {
    attrs(vec![
        ("readDir", read_dir_builtin()),
        ("request", s(request)),
        ("root", path("/")),
        ("pathExists", path_exists_builtin()),
    ])
}

fn wasm_call(request: &[u8]) -> Vec<u8> {
    let out = host().call("plan", plan_arg(request));
    let v = out
        .result
        .unwrap_or_else(|e| panic!("builtins.wasm call failed: {e}"));
    match &*v {
        Val::Str(b) => b.clone(),
        other => panic!("plan returned {}, not a string", type_name(other)),
    }
}

/// The rounds loop of nix/route.nix: ask, add the sources asked for (from
/// `all`, what Nix fetched), ask again, until a plan. Returns the requests
/// sent (the last one is the final round's) and the last answer.
fn rounds(
    first: &serde_json::Value,
    all: &serde_json::Map<String, serde_json::Value>,
    ask: &dyn Fn(&[u8]) -> Vec<u8>,
) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut request = first.clone();
    let mut sent = Vec::new();
    loop {
        let bytes = serde_json::to_vec(&request).unwrap();
        let answer = ask(&bytes);
        sent.push(bytes);
        let decoded: serde_json::Value = serde_json::from_slice(&answer).expect("JSON answer");
        if decoded.get("plan").is_some() {
            return (sent, answer);
        }
        let fetch = decoded
            .get("fetch")
            .and_then(|f| f.as_array())
            .unwrap_or_else(|| {
                panic!(
                    "neither a plan nor a fetch: {}",
                    String::from_utf8_lossy(&answer)
                )
            });
        // Hand back what the planner learned, as nix/route.nix does.
        match decoded.get("learned") {
            Some(l) => request["learned"] = l.clone(),
            None => {
                if let Some(o) = request.as_object_mut() {
                    o.remove("learned");
                }
            }
        }
        let sources = request["sources"].as_object_mut().unwrap();
        let before = sources.len();
        for f in fetch {
            let key = f["key"].as_str().unwrap();
            let p = all
                .get(key)
                .unwrap_or_else(|| panic!("the planner asks for {key}, which Nix did not fetch"));
            sources.insert(key.to_string(), p.clone());
        }
        assert!(sources.len() > before, "asked again for the same sources");
        assert!(sent.len() < 64, "no plan after 64 rounds");
    }
}

/// `bytes` with every `from` replaced by `to`.
fn replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    String::from_utf8_lossy(bytes)
        .replace(from, to)
        .into_bytes()
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (xs[xs.len() / 2], xs[0])
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut prefix: Option<(String, String)> = None;
    let mut runs = 10usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--prefix" => {
                let v = args.next().expect("--prefix FROM=TO");
                let (f, t) = v.split_once('=').expect("--prefix FROM=TO");
                prefix = Some((f.into(), t.into()));
            }
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--bench" => {}
            _ => file = Some(a),
        }
    }
    let file =
        file.expect("usage: route_bench FINAL-REQUEST.json [--prefix /nix/store=DIR] [--runs N]");
    let text = std::fs::read_to_string(&file).expect("reading the request");
    // The guest sees the request's own paths, as in Nix, and the host reads
    // them under DIR; the native planner reads the real file system, so its
    // request is rewritten, and its answer rewritten back for comparison.
    let store_dir = prefix.map(|(from, to)| {
        assert_eq!(
            from, "/nix/store",
            "--prefix: only /nix/store=DIR is supported"
        );
        STORE_ON_DISK.set(to.clone()).unwrap();
        to
    });
    let last: serde_json::Value = serde_json::from_str(&text).expect("the request is JSON");
    let all = last["sources"].as_object().cloned().unwrap_or_default();
    let mut first = last.clone();
    first["sources"] = serde_json::json!({});
    if let Some(o) = first.as_object_mut() {
        o.remove("learned");
    }

    let t = std::time::Instant::now();
    let _ = host();
    let compile = ms(t.elapsed());

    // The wasm rounds must give the native planner's answers.
    let native = |r: &[u8]| match &store_dir {
        Some(dir) => {
            let answer = crateplan::plan_json(&RealFs, &replace(r, "/nix/store", dir));
            replace(&answer, dir, "/nix/store")
        }
        None => crateplan::plan_json(&RealFs, r),
    };
    let (sent, native_answer) = rounds(&first, &all, &native);
    let (wasm_sent, wasm_answer) = rounds(&first, &all, &wasm_call);
    assert!(
        sent == wasm_sent && native_answer == wasm_answer,
        "wasm and native answers differ"
    );
    let final_request = sent.last().unwrap().clone();

    let time = |f: &dyn Fn()| -> (f64, f64) {
        f(); // warm-up
        stats(
            (0..runs)
                .map(|_| {
                    let t = std::time::Instant::now();
                    f();
                    ms(t.elapsed())
                })
                .collect(),
        )
    };
    let full = time(&|| {
        rounds(&first, &all, &wasm_call);
    });
    let one = time(&|| {
        wasm_call(&final_request);
    });
    let nfull = time(&|| {
        rounds(&first, &all, &native);
    });
    let none = time(&|| {
        native(&final_request);
    });
    let fmt = |(m, lo): (f64, f64)| format!("{m:.1} ({lo:.1})");
    println!("rounds\t{}", sent.len());
    println!("sources\t{}", all.len());
    println!("answer_bytes\t{}", wasm_answer.len());
    println!("compile_ms\t{compile:.0}");
    println!("wasm_full\t{}", fmt(full));
    println!("wasm_call\t{}", fmt(one));
    println!("native_full\t{}", fmt(nfull));
    println!("native_call\t{}", fmt(none));
}
