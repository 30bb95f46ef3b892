//! The shared object Nix loads exports `nix_plugin_entry` and nothing else
//! of ours, and (in the default build) has no link-time dependency on the
//! Nix C API: it must load into any Nix, and find the API at entry.

use object::{Object, ObjectSymbol};
use std::path::PathBuf;

fn cdylib() -> (PathBuf, Vec<u8>) {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap();
    let name = format!(
        "{}crateplan_plugin{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    for p in [dir.join(&name), dir.parent().unwrap().join(&name)] {
        if let Ok(bytes) = std::fs::read(&p) {
            return (p, bytes);
        }
    }
    panic!(
        "{name} not found next to {}; build it with `cargo build -p crateplan-plugin`",
        exe.display()
    )
}

/// Symbols any linker adds to a shared object.
const LINKER_SYMBOLS: &[&str] = &["_init", "_fini", "_edata", "_end", "__bss_start"];

#[test]
fn exports_only_nix_plugin_entry() {
    let (path, bytes) = cdylib();
    let file = object::File::parse(&*bytes).unwrap();
    let mut exported: Vec<String> = file
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.is_global())
        .map(|s| s.name().unwrap().to_string())
        .filter(|n| !LINKER_SYMBOLS.contains(&n.as_str()))
        .collect();
    exported.sort();
    assert_eq!(
        exported,
        vec!["nix_plugin_entry".to_string()],
        "{}",
        path.display()
    );
}

#[test]
fn does_not_link_the_nix_c_api() {
    let (path, bytes) = cdylib();
    let file = object::File::parse(&*bytes).unwrap();
    let undefined_nix: Vec<String> = file
        .dynamic_symbols()
        .filter(|s| s.is_undefined())
        .map(|s| s.name().unwrap().to_string())
        .filter(|n| n.starts_with("nix_"))
        .collect();
    assert!(
        undefined_nix.is_empty(),
        "{}: {undefined_nix:?}",
        path.display()
    );
    let needed: Vec<String> = file
        .imports()
        .unwrap()
        .iter()
        .map(|i| String::from_utf8_lossy(i.library()).into_owned())
        .filter(|l| l.contains("nix"))
        .collect();
    assert!(needed.is_empty(), "{}: {needed:?}", path.display());
}
