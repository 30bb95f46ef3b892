//! `[target.'cfg(...)']` specs and `rustc --print cfg` text: never a panic.
//! The first line is the cfg set, the rest are specs to evaluate.
#![no_main]
use crateplan::platform::Platform;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (cfg, specs) = text.split_once("\n---\n").unwrap_or(("", text));
    if let Ok(p) = Platform::from_cfg_text("fuzz-unknown-target", cfg) {
        for spec in specs.lines() {
            let _ = p.matches_spec(spec);
        }
    }
    if let Ok(p) = Platform::builtin("x86_64-unknown-linux-gnu") {
        for spec in specs.lines() {
            let _ = p.matches_spec(spec);
        }
    }
});
