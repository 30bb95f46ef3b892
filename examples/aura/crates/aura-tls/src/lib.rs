//! What the Aura example knows about the system's OpenSSL, read through the
//! raw `openssl-sys` bindings: the version of the library linked in, the
//! version the crate was built against, and SHA-256 computed by libcrypto.

use std::ffi::CStr;
use std::os::raw::{c_uint, c_void};

/// The linked OpenSSL's version text, e.g. "OpenSSL 3.0.19 27 Jan 2026".
pub fn openssl_version() -> String {
    openssl_sys::init();
    // SAFETY: OpenSSL_version returns a pointer to a static NUL-terminated
    // string for every documented selector.
    unsafe { CStr::from_ptr(openssl_sys::OpenSSL_version(openssl_sys::OPENSSL_VERSION)) }
        .to_string_lossy()
        .into_owned()
}

/// The linked OpenSSL's version number, `0xMNN00PP0L` style.
pub fn openssl_version_number() -> u64 {
    // SAFETY: no arguments, no state.
    unsafe { openssl_sys::OpenSSL_version_num() as u64 }
}

/// The OpenSSL version number openssl-sys's build script found at build
/// time (from DEP_OPENSSL_VERSION_NUMBER), if the build passed it on.
pub fn built_against() -> Option<u64> {
    let text = option_env!("AURA_TLS_BUILT_AGAINST").unwrap_or("");
    u64::from_str_radix(text.trim_start_matches("0x"), 16).ok()
}

/// SHA-256 of `data`, computed by the system's libcrypto (EVP interface).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use openssl_sys as ffi;
    ffi::init();
    let mut out = [0u8; 32];
    let mut len: c_uint = 0;
    // SAFETY: the context is checked for null and freed on every path; `out`
    // has room for SHA-256's 32 bytes; a null ENGINE selects the default
    // implementation.
    let ok = unsafe {
        let ctx = ffi::EVP_MD_CTX_new();
        assert!(!ctx.is_null(), "EVP_MD_CTX_new failed");
        let ok = ffi::EVP_DigestInit_ex(ctx, ffi::EVP_sha256(), std::ptr::null_mut()) == 1
            && ffi::EVP_DigestUpdate(ctx, data.as_ptr() as *const c_void, data.len()) == 1
            && ffi::EVP_DigestFinal_ex(ctx, out.as_mut_ptr(), &mut len) == 1;
        ffi::EVP_MD_CTX_free(ctx);
        ok
    };
    assert!(ok && len == 32, "OpenSSL SHA-256 failed");
    out
}

/// One line for humans: the linked version, and the build-time version when
/// it is known and differs.
pub fn summary() -> String {
    let linked = openssl_version_number();
    match built_against() {
        Some(b) if b != linked => format!(
            "{} (0x{linked:x}; built against 0x{b:x})",
            openssl_version()
        ),
        Some(_) => format!("{} (0x{linked:x}, as built)", openssl_version()),
        None => format!("{} (0x{linked:x})", openssl_version()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_text_names_openssl() {
        let v = openssl_version();
        assert!(v.starts_with("OpenSSL "), "{v}");
        assert!(
            openssl_version_number() >= 0x1010_0000,
            "OpenSSL 1.1 or later"
        );
    }

    #[test]
    fn built_against_matches_major_version_when_known() {
        if let Some(b) = built_against() {
            assert_eq!(b >> 28, openssl_version_number() >> 28);
        }
    }

    #[test]
    fn sha256_agrees_with_sha2() {
        use sha2::Digest as _;
        for data in [&b""[..], b"abc", b"aura"] {
            let want: [u8; 32] = sha2::Sha256::digest(data).into();
            assert_eq!(sha256(data), want);
        }
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn summary_mentions_the_version() {
        assert!(summary().contains(&openssl_version()));
    }
}
