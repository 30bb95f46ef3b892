//! `Cargo.toml` text -> parsed, normalised package data (inheritance off,
//! a few files present for target discovery): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(raw) = crateplan::manifest::parse("/ws/Cargo.toml", text) else {
        return;
    };
    let files: BTreeSet<String> = ["src/lib.rs", "src/main.rs", "build.rs", "src/bin/x.rs"]
        .into_iter()
        .map(String::from)
        .collect();
    let _ = crateplan::manifest::normalize("/ws/Cargo.toml", "/ws", &raw, None, &files);
});
