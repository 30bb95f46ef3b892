//! Checks the environment cargo gives build scripts, compiles csrc/smoke.c
//! into a static library with plain `cc` and `ar`, and tells cargo (and
//! dependents, through `links = "smokec"`) about it.
use std::env;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

fn var(name: &str) -> String {
    env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}

fn main() {
    assert_eq!(var("CARGO_PKG_NAME"), "smoke-sys");
    assert_eq!(var("CARGO_PKG_VERSION"), "0.1.0");
    assert_eq!(var("CARGO_PKG_VERSION_MINOR"), "1");
    assert_eq!(var("CARGO_PKG_VERSION_PRE"), "");
    assert_eq!(var("CARGO_PKG_AUTHORS"), "Ada <ada@example.org>:Bob <bob@example.org>");
    assert_eq!(var("CARGO_PKG_DESCRIPTION"), "C code compiled by a build script with plain cc and ar");
    assert_eq!(var("CARGO_PKG_LICENSE"), "MIT");
    assert_eq!(var("CARGO_PKG_RUST_VERSION"), "1.80");
    assert_eq!(var("CARGO_MANIFEST_LINKS"), "smokec");
    assert!(PathBuf::from(var("CARGO_MANIFEST_DIR")).join("csrc/smoke.c").exists());
    // Build scripts are compiled with the package's features as cfgs too.
    assert_eq!(env::var_os("CARGO_FEATURE_FAST_PATH").is_some(), cfg!(feature = "fast-path"));
    assert_eq!(env::var_os("CARGO_FEATURE_DEFAULT").is_some(), cfg!(feature = "default"));
    assert_eq!(var("CARGO_CFG_TARGET_OS"), env::consts::OS);
    assert_eq!(var("CARGO_CFG_TARGET_ARCH"), env::consts::ARCH);
    assert_eq!(var("CARGO_CFG_TARGET_FAMILY"), env::consts::FAMILY);
    assert!(env::var_os("CARGO_CFG_TARGET_ENV").is_some());
    assert!(env::var_os("CARGO_CFG_TARGET_ABI").is_some());
    assert_eq!(cfg!(unix), env::var_os("CARGO_CFG_UNIX").is_some());
    let atomics = var("CARGO_CFG_TARGET_HAS_ATOMIC");
    assert!(atomics.split(',').any(|a| a == "ptr"), "multi-valued cfg joined by commas: {atomics}");
    let profile = var("PROFILE");
    assert!(profile == "release" || profile == "debug", "PROFILE={profile}");
    assert_eq!(var("OPT_LEVEL") == "0", profile == "debug");
    assert_eq!(var("DEBUG"), if profile == "debug" { "true" } else { "false" });
    assert_eq!(
        env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some(),
        profile == "debug",
        "debug_assertions follows the profile"
    );
    assert!(var("NUM_JOBS").parse::<u32>().unwrap() >= 1);
    assert!(!var("TARGET").is_empty() && !var("HOST").is_empty() && !var("RUSTC").is_empty());
    assert_eq!(var("CARGO_ENCODED_RUSTFLAGS"), "");
    assert!(env::var_os("RUSTC_LINKER").is_none());

    let out = PathBuf::from(var("OUT_DIR"));
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let ar = env::var("AR").unwrap_or_else(|_| "ar".into());
    let object = out.join("smoke.o");
    run(Command::new(&cc).args(["-c", "-fPIC", "-O2", "csrc/smoke.c", "-o"]).arg(&object));
    run(Command::new(&ar).arg("crs").arg(out.join("libsmokec.a")).arg(&object));
    fs::create_dir_all(out.join("include")).unwrap();
    fs::copy("csrc/smoke.h", out.join("include/smoke.h")).unwrap();

    println!("cargo::rerun-if-changed=csrc/smoke.c");
    println!("cargo::rustc-link-search=native={}", out.display());
    // No `static=`: the library is not bundled into the rlib, so the final
    // link of the binary only finds it through the propagated search path.
    println!("cargo::rustc-link-lib=smokec");
    println!("cargo::metadata=include={}", out.join("include").display());
    println!("cargo:answer=40");
    println!("cargo::rustc-cfg=smoke_has_c");
    println!("cargo::rustc-check-cfg=cfg(smoke_has_c)");
    println!("cargo::rustc-env=SMOKE_BUILT_BY=the smoke-sys build script");
    println!("cargo::warning=smoke-sys compiled its C library");
}
