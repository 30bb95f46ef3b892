//! `Cargo.lock` text -> the locked package graph: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crateplan::lockfile::Lock::parse("/ws/Cargo.lock", text);
    }
});
