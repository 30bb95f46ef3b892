// openssl-sys declares `links = "openssl"` and its build script prints
// `cargo:version_number=<hex>`, which cargo hands to the build scripts of the
// crates that depend on it as DEP_OPENSSL_VERSION_NUMBER. Record it, so the
// library can tell the OpenSSL it was built against from the one it runs
// with. Absent (a builder that does not pass DEP_* variables) means
// "unknown", not an error.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_OPENSSL_VERSION_NUMBER");
    let v = std::env::var("DEP_OPENSSL_VERSION_NUMBER").unwrap_or_default();
    println!("cargo:rustc-env=AURA_TLS_BUILT_AGAINST={v}");
}
