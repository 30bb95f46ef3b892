//! Store paths that Nix computes from a file's sha256. `builtins.fetchurl {
//! url; sha256; name; }` (how lib.nix fetches every `.crate`) adds the file
//! *flat* as a fixed output, at a path that is a function of the store
//! directory, the name and the sha256 alone, and Nix checks the downloaded
//! bytes against that sha256 before it writes them there. So a `.crate` found
//! at the fixed-output path of the lock's checksum has been checked already,
//! and hashing it again (most of the cost of reading a `.crate` in the wasm
//! module, which has no SHA instructions) can be skipped.
//!
//! The store directory is the one the path is in: outside a real store such a
//! name can only be made on purpose, by whoever writes the request's paths,
//! which are trusted to name the files anyway.
//!
//! The computation is Nix's `makeFixedOutputPath` for a flat sha256 hash:
//! `inner = sha256("fixed:out:sha256:<hex>:")`, then
//! `sha256("output:out:sha256:<hex of inner>:<store dir>:<name>")` folded to
//! 20 bytes and written in Nix's base-32 alphabet.

use crate::tarball;
use sha2::{Digest, Sha256};

/// Nix's base-32 alphabet (no e, o, u, t).
const NIX_BASE32: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";
/// Bytes of a store path's hash part (160 bits, 32 base-32 characters).
const HASH_BYTES: usize = 20;
const HASH_CHARS: usize = 32;

/// Whether `path` is the path Nix gives a file added flat with the sha256
/// `sha256_hex`, under the name and in the store directory that `path`
/// itself has (`<store dir>/<hash>-<name>`, nothing after the name).
pub fn is_flat_sha256_output(path: &str, sha256_hex: &str) -> bool {
    let sha256_hex = sha256_hex.to_ascii_lowercase();
    if sha256_hex.len() != 64 || !sha256_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let Some((store_dir, object)) = path.rsplit_once('/') else {
        return false;
    };
    let Some((hash_part, name)) = object.split_once('-') else {
        return false;
    };
    if !store_dir.starts_with('/') || hash_part.len() != HASH_CHARS || name.is_empty() {
        return false;
    }
    let inner = tarball::sha256_hex(format!("fixed:out:sha256:{sha256_hex}:").as_bytes());
    let outer = Sha256::digest(format!("output:out:sha256:{inner}:{store_dir}:{name}"));
    base32(&fold(&outer)) == hash_part
}

/// Nix's `compressHash`: the digest XOR-folded to 20 bytes.
fn fold(digest: &[u8]) -> [u8; HASH_BYTES] {
    let mut out = [0u8; HASH_BYTES];
    for (i, byte) in digest.iter().enumerate() {
        out[i % HASH_BYTES] ^= byte;
    }
    out
}

/// Nix's base-32: the number read little-endian, most significant digit first.
fn base32(bytes: &[u8; HASH_BYTES]) -> String {
    (0..HASH_CHARS)
        .rev()
        .map(|digit| {
            let bit = digit * 5;
            let (byte, shift) = (bit / 8, bit % 8);
            let low = u16::from(bytes[byte]) >> shift;
            let high = bytes
                .get(byte + 1)
                .map_or(0, |&b| u16::from(b) << (8 - shift));
            char::from(NIX_BASE32[usize::from((low | high) & 0x1f)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.crate` that a real Nix fetched with `builtins.fetchurl` (the
    /// path as it was in the test environment's store; the sha256 of its
    /// bytes as `sha256sum` printed it).
    const FETCHED: &str =
        "/nix/store/01dl7mv955asiqjwwf8b0p0afn97s0jm-accesskit_windows-0.29.2.crate";
    const FETCHED_SHA256: &str = "d2d63dd5041e49c363d83f5419a896ecb074d309c414036f616dc0b04faca971";

    #[test]
    fn a_path_nix_fetched_with_the_sha256_is_recognised() {
        assert!(is_flat_sha256_output(FETCHED, FETCHED_SHA256));
        // cargo writes lower case; an upper-case checksum names the same bytes.
        assert!(is_flat_sha256_output(
            FETCHED,
            &FETCHED_SHA256.to_ascii_uppercase()
        ));
    }

    #[test]
    fn any_other_path_or_checksum_is_not() {
        let other_sha = FETCHED_SHA256.replace("d2d6", "d2d7");
        for (path, sha) in [
            // Another checksum, name, or store directory changes the hash part.
            (FETCHED, other_sha.as_str()),
            (
                "/nix/store/01dl7mv955asiqjwwf8b0p0afn97s0jm-accesskit_windows-0.29.3.crate",
                FETCHED_SHA256,
            ),
            (
                "/other/store/01dl7mv955asiqjwwf8b0p0afn97s0jm-accesskit_windows-0.29.2.crate",
                FETCHED_SHA256,
            ),
            // A file inside a store object, or no store object at all.
            (
                "/nix/store/01dl7mv955asiqjwwf8b0p0afn97s0jm-accesskit_windows-0.29.2.crate/x",
                FETCHED_SHA256,
            ),
            ("accesskit_windows-0.29.2.crate", FETCHED_SHA256),
            (
                "/nix/store/01dl7mv955asiqjwwf8b0p0afn97s0jm-",
                FETCHED_SHA256,
            ),
            (
                "/nix/store/01dl7mv955asiqjwwf8b0p0afn97s0j-a.crate",
                FETCHED_SHA256,
            ),
            (
                "01dl7mv955asiqjwwf8b0p0afn97s0jm-accesskit_windows-0.29.2.crate",
                FETCHED_SHA256,
            ),
            // Checksums that are not a sha256 in hex.
            (FETCHED, &FETCHED_SHA256[..63]),
            (FETCHED, &FETCHED_SHA256.replace('d', "g")),
            (FETCHED, ""),
        ] {
            assert!(!is_flat_sha256_output(path, sha), "{path} {sha}");
        }
    }

    #[test]
    fn base32_reads_the_bytes_little_endian() {
        assert_eq!(base32(&[0; HASH_BYTES]), "0".repeat(32));
        assert_eq!(base32(&[0xff; HASH_BYTES]), "z".repeat(32));
        let mut one = [0u8; HASH_BYTES];
        one[0] = 1;
        assert_eq!(base32(&one), format!("{}1", "0".repeat(31)));
    }
}
