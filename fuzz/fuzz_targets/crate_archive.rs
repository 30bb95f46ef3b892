//! `.crate` bytes -> file list and manifest: never a panic, and bounded
//! (the reader refuses huge declared names and sizes before allocating).
//! The package is named after the first entry's directory (`NAME-VERSION/`),
//! so real `.crate` seeds get past the prefix check.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Read;

fn name_version(data: &[u8]) -> (String, String) {
    let mut first = [0u8; 100];
    let _ = flate2::read::GzDecoder::new(data).read(&mut first);
    let end = first.iter().position(|&b| b == 0 || b == b'/').unwrap_or(0);
    let dir = String::from_utf8_lossy(&first[..end]).into_owned();
    match dir.rsplit_once('-') {
        Some((n, v)) => (n.to_string(), v.to_string()),
        None => ("foo".to_string(), "1.0.0".to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let (name, version) = name_version(data);
    let Ok(archive) = crateplan::tarball::read_crate(
        "fuzz",
        &name,
        &version,
        data,
        crateplan::tarball::Pinned::No,
    ) else {
        return;
    };
    if let Some(raw) = &archive.parsed {
        let _ = crateplan::manifest::normalize("/c/Cargo.toml", "/c", raw, None, &archive.files);
    }
});
