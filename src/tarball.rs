//! Reading `.crate` files (gzip tar) without trusting them: the sha256 must
//! match the lock, sizes are bounded, and entries must stay inside
//! `NAME-VERSION/`. Nothing is extracted: we keep the file list and the
//! manifest text.

use crate::error::Error;
use crate::manifest::raw::RawManifest;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;

/// Bounds for one archive; generous for real crates, small enough that a
/// hostile archive cannot exhaust memory during evaluation.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;
pub const MAX_ENTRIES: usize = 100_000;
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

#[derive(Debug)]
pub struct CrateArchive {
    /// Regular files, relative to the package root.
    pub files: BTreeSet<String>,
    /// The (normalised, as published) `Cargo.toml`.
    pub manifest: String,
    /// The manifest parsed, when it parses (parsed once here, since
    /// deciding whether to read on needs it anyway).
    pub parsed: Option<RawManifest>,
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `bytes` against the lock's checksum, then lists and reads the archive.
/// `what` names the crate (and file) in errors.
pub fn read_crate(
    what: &str,
    name: &str,
    version: &str,
    bytes: &[u8],
    expected_sha256: Option<&str>,
) -> Result<CrateArchive, Error> {
    if let Some(expected) = expected_sha256 {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(Error::msg(format!(
                "crateplan: checksum mismatch for {what}: Cargo.lock says sha256 {expected}, the file has {actual}. \
                 The file is corrupt or was tampered with; delete it and fetch it again"
            )));
        }
    }
    let bad = |msg: String| {
        Error::msg(format!(
            "crateplan: {what} is not a valid .crate archive: {msg}"
        ))
    };
    let prefix = format!("{name}-{version}/");
    let decoder = flate2::read::GzDecoder::new(bytes).take(MAX_UNPACKED_BYTES);
    let mut archive = tar::Archive::new(decoder);
    let mut files = BTreeSet::new();
    let mut manifest = None;
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let path = entry.path_bytes().into_owned();
        let path = String::from_utf8(path).map_err(|_| bad("an entry name is not UTF-8".into()))?;
        let rel = path
            .strip_prefix(&prefix)
            .ok_or_else(|| bad(format!("entry `{path}` is outside `{prefix}`")))?;
        if rel.split('/').any(|c| c == ".." || c == ".")
            || rel.starts_with('/')
            || rel.contains('\\')
        {
            return Err(bad(format!("entry `{path}` escapes the package directory")));
        }
        let ty = entry.header().entry_type();
        if !ty.is_file() {
            // Directories carry no information; links are never followed.
            continue;
        }
        if rel == "Cargo.toml" {
            if entry.size() > MAX_MANIFEST_BYTES {
                return Err(bad("Cargo.toml is too large".into()));
            }
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| bad(format!("Cargo.toml: {e}")))?;
            files.insert(rel.to_string());
            let parsed = toml::from_str::<RawManifest>(&text).ok();
            if parsed.as_ref().is_some_and(targets_are_explicit) {
                // Nothing else in the archive matters: no need to inflate the rest.
                return Ok(CrateArchive {
                    files,
                    manifest: text,
                    parsed,
                });
            }
            manifest = Some((text, parsed));
            continue;
        }
        files.insert(rel.to_string());
    }
    let (manifest, parsed) = manifest.ok_or_else(|| bad(format!("no `{prefix}Cargo.toml`")))?;
    Ok(CrateArchive {
        files,
        manifest,
        parsed,
    })
}

/// Whether a manifest names every target and the build script itself, as
/// `cargo publish` writes them since cargo 1.78, so no file listing is needed.
fn targets_are_explicit(raw: &RawManifest) -> bool {
    let Some(pkg) = &raw.package else {
        return false;
    };
    let off = |v: Option<bool>| v == Some(false);
    off(pkg.autolib)
        && off(pkg.autobins)
        && off(pkg.autoexamples)
        && off(pkg.autotests)
        && off(pkg.autobenches)
        && pkg.build.is_some()
        && raw.lib.as_ref().is_none_or(|l| l.path.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tarball(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data, ty) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*ty);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            // Write the raw name so hostile paths (`..`) reach the reader.
            let name = &mut header.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    const FILE: tar::EntryType = tar::EntryType::Regular;

    #[test]
    fn reads_a_good_crate() {
        let bytes = tarball(&[
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='foo'\n", FILE),
            ("foo-1.0.0/src/lib.rs", b"", FILE),
            ("foo-1.0.0/src/link", b"", tar::EntryType::Symlink),
        ]);
        let sum = sha256_hex(&bytes);
        let a = read_crate("foo 1.0.0", "foo", "1.0.0", &bytes, Some(&sum)).unwrap();
        assert!(a.manifest.contains("foo"));
        assert_eq!(
            a.files.iter().collect::<Vec<_>>(),
            ["Cargo.toml", "src/lib.rs"]
        );
    }

    #[test]
    fn checksum_mismatch_names_the_crate() {
        let bytes = tarball(&[("foo-1.0.0/Cargo.toml", b"", FILE)]);
        let e = read_crate("foo 1.0.0", "foo", "1.0.0", &bytes, Some(&"0".repeat(64))).unwrap_err();
        assert!(
            e.to_string().contains("checksum mismatch for foo 1.0.0"),
            "{e}"
        );
    }

    #[test]
    fn rejects_traversal_and_foreign_prefix() {
        let bytes = tarball(&[("foo-1.0.0/../../etc/passwd", b"x", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, None).unwrap_err();
        assert!(e.to_string().contains("escapes"), "{e}");
        let bytes = tarball(&[("bar-1.0.0/Cargo.toml", b"x", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, None).unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");
    }

    #[test]
    fn rejects_garbage_and_missing_manifest() {
        assert!(read_crate("foo", "foo", "1.0.0", b"not gzip", None).is_err());
        let bytes = tarball(&[("foo-1.0.0/src/lib.rs", b"", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, None).unwrap_err();
        assert!(e.to_string().contains("no `foo-1.0.0/Cargo.toml`"), "{e}");
    }

    #[test]
    fn truncated_archive_is_an_error() {
        let bytes = tarball(&[("foo-1.0.0/Cargo.toml", &[b'a'; 4096], FILE)]);
        assert!(read_crate("foo", "foo", "1.0.0", &bytes[..bytes.len() / 2], None).is_err());
    }
}
