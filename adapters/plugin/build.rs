//! Link flags for the plugin.
//!
//! - Test binaries export their symbols (`--export-dynamic`), so the fake Nix
//!   C API in `tests/fake_nix_c_api.rs` is found by the plugin's
//!   `dlsym(RTLD_DEFAULT, ..)` exactly as a real `nix` executable's would be.
//! - With the `link-nix-expr-c` feature, the cdylib links against the
//!   `nix-expr-c` that `pkg-config` finds (set `PKG_CONFIG_PATH` to the Nix
//!   build the plugin is for) and records its library directory as RUNPATH.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    match os.as_str() {
        "macos" => println!("cargo:rustc-link-arg-tests=-Wl,-export_dynamic"),
        "windows" => {}
        _ => println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic"),
    }

    if std::env::var_os("CARGO_FEATURE_LINK_NIX_EXPR_C").is_none() {
        return;
    }
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    let pkg_config = std::env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    let query = |args: &[&str]| -> String {
        let out = Command::new(&pkg_config)
            .args(args)
            .arg("nix-expr-c")
            .output()
            .unwrap_or_else(|e| panic!("link-nix-expr-c: cannot run {pkg_config}: {e}"));
        if !out.status.success() {
            panic!(
                "link-nix-expr-c: `{pkg_config} {} nix-expr-c` failed (is the nix-expr-c \
                 development output on PKG_CONFIG_PATH?): {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8(out.stdout).expect("pkg-config output is UTF-8")
    };
    let libs = query(&["--libs"]);
    let libdir = query(&["--variable=libdir"]);
    // The plugin references no C API symbol directly (it looks them up at
    // entry), so keep the DT_NEEDED entries that --as-needed would drop.
    if os != "macos" {
        println!("cargo:rustc-link-arg-cdylib=-Wl,--no-as-needed");
    }
    for flag in libs.split_whitespace() {
        println!("cargo:rustc-link-arg-cdylib={flag}");
    }
    if os != "macos" {
        println!("cargo:rustc-link-arg-cdylib=-Wl,--as-needed");
    }
    let libdir = libdir.trim();
    if !libdir.is_empty() {
        println!("cargo:rustc-link-arg-cdylib=-Wl,-rpath,{libdir}");
    }
}
