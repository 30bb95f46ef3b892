//! Writes small workspaces and `.crate` files for tests, offline: registry
//! crates are made here, so their checksums and contents are under the
//! test's control.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

pub struct TestDir {
    pub root: PathBuf,
}

impl TestDir {
    /// A fresh directory under cargo's per-test temp dir.
    pub fn new(name: &str) -> TestDir {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("crateplan-tests")
            .join(name);
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        TestDir { root }
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn path(&self, rel: &str) -> String {
        self.root.join(rel).to_string_lossy().into_owned()
    }
}

/// A gzipped tar `NAME-VERSION/...` with the given files.
pub fn crate_file(name: &str, version: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (rel, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // The raw name, so tests can write hostile paths the tar crate refuses.
        let path = format!("{name}-{version}/{rel}");
        header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, text.as_bytes()).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

pub fn sha256(bytes: &[u8]) -> String {
    crateplan::tarball::sha256_hex(bytes)
}

/// Where Nix's `builtins.fetchurl { sha256; name; }` puts a file in the
/// store directory `store` (a flat sha256 fixed output), computed here
/// independently of the planner's own code: the store path's 160 bits taken
/// five at a time from the lowest, written most significant first.
pub fn fixed_output_path(store: &str, name: &str, sha256_hex: &str) -> String {
    use sha2::{Digest, Sha256};
    let inner = sha256(format!("fixed:out:sha256:{sha256_hex}:").as_bytes());
    let digest = Sha256::digest(format!("output:out:sha256:{inner}:{store}:{name}"));
    let mut folded = [0u8; 20];
    for (i, b) in digest.iter().enumerate() {
        folded[i % 20] ^= b;
    }
    let bit = |i: usize| usize::from(folded.get(i / 8).map_or(0, |b| (b >> (i % 8)) & 1));
    let hash: String = (0..32)
        .rev()
        .map(|d| {
            let value: usize = (0..5).map(|j| bit(5 * d + j) << j).sum();
            char::from(b"0123456789abcdfghijklmnpqrsvwxyz"[value])
        })
        .collect();
    format!("{store}/{hash}-{name}")
}
