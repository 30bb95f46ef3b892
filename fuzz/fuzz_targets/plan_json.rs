//! The whole planner on an in-memory workspace: never a panic, always a
//! JSON answer. The input is split on "\n#---\n" into the root Cargo.toml,
//! Cargo.lock, a/Cargo.toml and b/Cargo.toml (each member has src/lib.rs).
#![no_main]
use crateplan::fs::{EntryKind, Fs, FsError};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

struct MemFs(BTreeMap<String, Vec<u8>>);

impl Fs for MemFs {
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        match self.0.get(path) {
            Some(b) if b.len() as u64 > max => Err(FsError::TooLarge {
                path: path.into(),
                max,
            }),
            Some(b) => Ok(b.clone()),
            None => Err(FsError::NotFound(path.into())),
        }
    }
    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let mut out: Vec<(String, EntryKind)> = Vec::new();
        for p in self.0.keys().filter(|p| p.starts_with(&prefix)) {
            let rest = &p[prefix.len()..];
            let entry = match rest.split_once('/') {
                Some((d, _)) => (d.to_string(), EntryKind::Dir),
                None => (rest.to_string(), EntryKind::File),
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        if out.is_empty() {
            return Err(FsError::NotFound(path.into()));
        }
        Ok(out)
    }
}

const REQUESTS: [&str; 3] = [
    r#"{"workspace":"/ws","target":"x86_64-unknown-linux-gnu","selection":{"workspace":true,"allFeatures":true}}"#,
    r#"{"workspace":"/ws","target":"aarch64-apple-darwin","selection":{"tests":true}}"#,
    r#"{"workspace":"/ws","target":"x86_64-pc-windows-msvc","selection":{"features":["std","a/x"]}}"#,
];

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    let names = ["/ws/Cargo.toml", "/ws/Cargo.lock", "/ws/a/Cargo.toml", "/ws/b/Cargo.toml"];
    let text = data;
    let mut parts = Vec::new();
    let mut rest = text;
    let sep = b"\n#---\n";
    while let Some(i) = rest.windows(sep.len()).position(|w| w == sep) {
        parts.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    parts.push(rest);
    for (name, part) in names.iter().zip(&parts) {
        files.insert(name.to_string(), part.to_vec());
    }
    for lib in ["/ws/src/lib.rs", "/ws/a/src/lib.rs", "/ws/b/src/lib.rs"] {
        files.insert(lib.to_string(), Vec::new());
    }
    let fs = MemFs(files);
    let which = data.first().map_or(0, |b| usize::from(*b) % REQUESTS.len());
    let answer = crateplan::plan_json(&fs, REQUESTS[which].as_bytes());
    assert!(serde_json_ok(&answer), "the answer is not a JSON object");
});

fn serde_json_ok(answer: &[u8]) -> bool {
    answer.starts_with(b"{\"ok\":")
}
