//! Reading `.crate` files (gzip tar) without trusting them: the sha256 must
//! match the lock (or Nix checked it: [`Pinned`]), every header, name and size
//! is bounded before anything is allocated for it, and every entry must be a
//! plain file or directory inside `NAME-VERSION/`, with exactly one
//! `Cargo.toml`. Nothing is extracted: we keep the file list and the manifest.
//!
//! The tar format is read here rather than through the `tar` crate because
//! that crate reads a GNU long name or a PAX header into memory whole, so a
//! 1 MB `.crate` could claim a 900 MB name; here such a header is refused by
//! its declared size.

use crate::error::{Error, ErrorKind};
use crate::manifest::raw::RawManifest;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{self, Read};

/// Bounds for one archive; generous for real crates (crates.io refuses
/// uploads over 10 MB, cargo refuses to unpack more than 512 MiB), small
/// enough that a hostile archive costs no more than an error.
pub const MAX_UNPACKED_BYTES: u64 = 512 << 20;
pub const MAX_ENTRIES: usize = 100_000;
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// The longest entry name (GNU long name or PAX `path`) accepted.
pub const MAX_NAME_BYTES: u64 = 4096;
/// The largest PAX extended header accepted.
pub const MAX_PAX_BYTES: u64 = 64 << 10;
/// How much of a name an error message quotes.
const QUOTE_CHARS: usize = 80;

#[derive(Debug)]
pub struct CrateArchive {
    /// Regular files, relative to the package root.
    pub files: BTreeSet<String>,
    /// The (normalised, as published) `Cargo.toml`.
    pub manifest: String,
    /// The manifest parsed, when it parses (parsed once here, since
    /// deciding whether to read on needs it anyway).
    pub parsed: Option<RawManifest>,
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Text from an archive, made safe to quote: escaped (no control bytes or
/// invalid UTF-8 reach a terminal) and cut to a readable length.
pub fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(QUOTE_CHARS) {
        out.extend(c.escape_debug());
    }
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("… ({rest} more characters)"));
    }
    out
}

/// Like [`quote`], for whole messages: control characters escaped, cut
/// after 500 characters.
pub fn quote_long(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(500) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        out.push_str(&format!("… ({rest} more characters)"));
    }
    out
}

/// How an archive's bytes are known to be the ones the lock pins.
#[derive(Debug, Clone, Copy)]
pub enum Pinned<'a> {
    /// By the lock's sha256 (hex), compared here with the bytes' own.
    BySha256(&'a str),
    /// By the lock's sha256, which Nix compared the bytes with when it
    /// fetched them: they lie at its fixed-output store path
    /// (`src/store_path.rs`), so they are not hashed again.
    CheckedByNix,
    /// Not pinned (the fuzz target reads arbitrary archives).
    No,
}

/// Checks `bytes` against the lock's checksum, then lists and reads the archive.
/// `what` names the crate (and file) in errors.
pub fn read_crate(
    what: &str,
    name: &str,
    version: &str,
    bytes: &[u8],
    pinned: Pinned,
) -> Result<CrateArchive, Error> {
    if let Pinned::BySha256(expected) = pinned {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected) {
            return Err(Error::new(ErrorKind::ChecksumMismatch {
                krate: what.to_string(),
                expected: quote(expected.as_bytes()),
                actual,
            }));
        }
    }
    let prefix = format!("{name}-{version}/");
    let (files, manifest) = list(bytes, &prefix, MAX_UNPACKED_BYTES).map_err(|e| {
        Error::new(ErrorKind::InvalidCrate {
            krate: what.to_string(),
            problem: e,
        })
    })?;
    let parsed = RawManifest::parse(&manifest).ok();
    Ok(CrateArchive {
        files,
        manifest,
        parsed,
    })
}

/// Where the deflate stream of a gzip member starts (RFC 1952, 2.3): after
/// the fixed header and the optional extra field, name, comment and header
/// CRC that its flags announce.
fn gzip_body_offset(bytes: &[u8]) -> Result<usize, String> {
    const FHCRC: u8 = 1 << 1;
    const FEXTRA: u8 = 1 << 2;
    const FNAME: u8 = 1 << 3;
    const FCOMMENT: u8 = 1 << 4;
    const TRUNCATED: &str = "it is truncated (the gzip header is cut short)";
    if bytes.len() < 10 {
        return Err(TRUNCATED.into());
    }
    if bytes[..2] != [0x1f, 0x8b] {
        return Err("it is not gzip data (a .crate is a gzip-compressed tar archive)".into());
    }
    if bytes[2] != 8 {
        return Err(format!(
            "its gzip compression method is {}, not deflate (8)",
            bytes[2]
        ));
    }
    let flags = bytes[3];
    if flags & 0xe0 != 0 {
        return Err("its gzip header sets reserved flags".into());
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = bytes.get(at..at + 2).ok_or(TRUNCATED)?;
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = bytes.get(at..).ok_or(TRUNCATED)?;
            at += 1 + rest.iter().position(|&b| b == 0).ok_or(TRUNCATED)?;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at > bytes.len() {
        return Err(TRUNCATED.into());
    }
    Ok(at)
}

/// The unpacked bytes of a `.crate`. Gzip's CRC-32 of them is not
/// computed: the lock's sha256 already vouches for the compressed bytes,
/// reading stops at the tar's end blocks (before the trailer the CRC is
/// checked against), and in wasm the CRC costs a fifth of reading an archive.
fn inflate(bytes: &[u8]) -> Result<flate2::read::DeflateDecoder<&[u8]>, String> {
    Ok(flate2::read::DeflateDecoder::new(
        &bytes[gzip_body_offset(bytes)?..],
    ))
}

/// The decompressed stream, counting what it gives, refusing more than
/// [`MAX_UNPACKED_BYTES`] with an error that says so.
struct Bounded<R> {
    inner: R,
    read: u64,
    max: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(format!(
                "it unpacks to more than {} MiB, the most crateplan (like cargo) accepts",
                self.max >> 20
            )));
        }
        Ok(n)
    }
}

/// One 512-byte tar header's fields that matter here.
struct Header {
    block: [u8; 512],
}

impl Header {
    fn type_flag(&self) -> u8 {
        self.block[156]
    }
    fn is_end(&self) -> bool {
        self.block.iter().all(|&b| b == 0)
    }
    fn checksum_ok(&self) -> Result<bool, String> {
        let stored =
            parse_number(&self.block[148..156]).map_err(|e| format!("checksum field {e}"))?;
        let sum: u64 = self
            .block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    u64::from(b' ')
                } else {
                    u64::from(b)
                }
            })
            .sum();
        Ok(sum == stored)
    }
    fn size(&self) -> Result<u64, String> {
        parse_number(&self.block[124..136]).map_err(|e| format!("size field {e}"))
    }
    /// The name from the header itself: POSIX ustar splits it into a
    /// prefix and a name; GNU uses the prefix area for other fields.
    fn name(&self) -> Vec<u8> {
        let field = |r: std::ops::Range<usize>| {
            let f = &self.block[r];
            f[..f.iter().position(|&b| b == 0).unwrap_or(f.len())].to_vec()
        };
        let name = field(0..100);
        if &self.block[257..263] == b"ustar\0" {
            let prefix = field(345..500);
            if !prefix.is_empty() {
                return [prefix, b"/".to_vec(), name].concat();
            }
        }
        name
    }
}

/// A tar number: octal text, or GNU's base-256 when the top bit is set.
fn parse_number(field: &[u8]) -> Result<u64, String> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut n: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            n = n
                .checked_mul(256)
                .and_then(|n| n.checked_add(u64::from(b)))
                .ok_or("overflows")?;
        }
        return Ok(n);
    }
    let text: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|&b| b != 0 && b != b' ')
        .collect();
    if text.is_empty() {
        return Ok(0);
    }
    let mut n: u64 = 0;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return Err(format!("is not an octal number (`{}`)", quote(field)));
        }
        n = n.checked_mul(8).ok_or("overflows")? + u64::from(b - b'0');
    }
    Ok(n)
}

/// Reads exactly `size` bytes of a (bounded) header entry.
fn read_small(r: &mut impl Read, size: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(size as usize);
    r.take(size)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if (out.len() as u64) < size {
        return Err("it is truncated".into());
    }
    skip_padding(r, size)?;
    Ok(out)
}

fn skip(r: &mut impl Read, size: u64) -> Result<(), String> {
    let copied = io::copy(&mut r.take(size), &mut io::sink()).map_err(|e| e.to_string())?;
    if copied < size {
        return Err("it is truncated".into());
    }
    skip_padding(r, size)
}

fn skip_padding(r: &mut impl Read, size: u64) -> Result<(), String> {
    let pad = (512 - size % 512) % 512;
    let copied = io::copy(&mut r.take(pad), &mut io::sink()).map_err(|e| e.to_string())?;
    if copied < pad {
        return Err("it is truncated".into());
    }
    Ok(())
}

/// The `path` and `size` records of a PAX extended header.
fn parse_pax(data: &[u8]) -> Result<(Option<Vec<u8>>, Option<u64>), String> {
    let (mut path, mut size) = (None, None);
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or("a PAX record has no length")?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .filter(|&l| l > space + 1 && l <= rest.len())
            .ok_or("a PAX record has a bad length")?;
        let record = &rest[space + 1..len];
        let record = record
            .strip_suffix(b"\n")
            .ok_or("a PAX record does not end in a newline")?;
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or("a PAX record has no `=`")?;
        let (key, value) = (&record[..eq], &record[eq + 1..]);
        match key {
            b"path" => path = Some(value.to_vec()),
            b"size" => {
                size = Some(
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .ok_or("a PAX `size` is not a number")?,
                )
            }
            _ => {}
        }
        rest = &rest[len..];
    }
    Ok((path, size))
}

/// Lists an archive's regular files under `prefix` and reads its one
/// `Cargo.toml`, checking every entry.
fn list(
    bytes: &[u8],
    prefix: &str,
    max_unpacked: u64,
) -> Result<(BTreeSet<String>, String), String> {
    let mut r = Bounded {
        inner: inflate(bytes)?,
        read: 0,
        max: max_unpacked,
    };
    let mut files = BTreeSet::new();
    let mut manifest: Option<String> = None;
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax_size: Option<u64> = None;
    let mut entries = 0usize;
    loop {
        let mut block = [0u8; 512];
        let mut got = 0;
        while got < 512 {
            let n = r.read(&mut block[got..]).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            got += n;
        }
        if got == 0 {
            break; // End of the stream without the zero blocks: accepted, as tar does.
        }
        if got < 512 {
            return Err("it is truncated (a header is cut short)".into());
        }
        let header = Header { block };
        if header.is_end() {
            break;
        }
        entries += 1;
        if entries > MAX_ENTRIES {
            return Err(format!("it has more than {MAX_ENTRIES} entries"));
        }
        if !header.checksum_ok().unwrap_or(false) {
            return Err(format!(
                "header {entries} has a wrong checksum (not a tar archive, or a corrupt one)"
            ));
        }
        let declared = header.size()?;
        match header.type_flag() {
            // GNU long name / long link name: the next entry's name.
            b'L' | b'K' => {
                if declared > MAX_NAME_BYTES {
                    return Err(format!(
                        "an entry name is {declared} bytes long (at most {MAX_NAME_BYTES})"
                    ));
                }
                let data = read_small(&mut r, declared)?;
                if header.type_flag() == b'L' {
                    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                    long_name = Some(data[..end].to_vec());
                }
            }
            // PAX extended header (for the next entry) / global header.
            b'x' | b'g' => {
                if declared > MAX_PAX_BYTES {
                    return Err(format!(
                        "a PAX header is {declared} bytes long (at most {MAX_PAX_BYTES})"
                    ));
                }
                let data = read_small(&mut r, declared)?;
                if header.type_flag() == b'x' {
                    let (path, size) = parse_pax(&data)?;
                    if let Some(p) = path {
                        if p.len() as u64 > MAX_NAME_BYTES {
                            return Err(format!(
                                "an entry name is {} bytes long (at most {MAX_NAME_BYTES})",
                                p.len()
                            ));
                        }
                        long_name = Some(p);
                    }
                    pax_size = size.or(pax_size);
                }
            }
            ty => {
                let size = pax_size.take().unwrap_or(declared);
                let raw_name = long_name.take().unwrap_or_else(|| header.name());
                let path = String::from_utf8(raw_name).map_err(|e| {
                    format!("the entry name `{}` is not UTF-8", quote(e.as_bytes()))
                })?;
                let rel = check_path(&path, prefix)?;
                match ty {
                    b'0' | b'\0' | b'7' => {
                        if rel == "Cargo.toml" {
                            if manifest.is_some() {
                                return Err(format!(
                                    "it has two `{prefix}Cargo.toml` entries (the planner and the builder's tar would read different ones)"
                                ));
                            }
                            if size > MAX_MANIFEST_BYTES {
                                return Err(format!(
                                    "Cargo.toml is {size} bytes (at most {MAX_MANIFEST_BYTES})"
                                ));
                            }
                            let text = String::from_utf8(read_small(&mut r, size)?)
                                .map_err(|_| "Cargo.toml is not UTF-8".to_string())?;
                            manifest = Some(text);
                        } else {
                            skip(&mut r, size)?;
                        }
                        files.insert(rel.to_string());
                    }
                    // Directories carry nothing; links are never followed.
                    b'5' | b'1' | b'2' => skip(&mut r, size)?,
                    other => {
                        return Err(format!(
                            "the entry `{}` is of tar type `{}` (a device, FIFO or other special file), which a .crate never holds",
                            quote(path.as_bytes()),
                            quote(&[other])
                        ))
                    }
                }
            }
        }
    }
    if long_name.is_some() || pax_size.is_some() {
        return Err("it ends with a name or PAX header that belongs to no entry".into());
    }
    let manifest = manifest.ok_or_else(|| format!("no `{prefix}Cargo.toml`"))?;
    Ok((files, manifest))
}

/// The entry's path relative to `prefix`, if it is a plain path inside it.
fn check_path<'p>(path: &'p str, prefix: &str) -> Result<&'p str, String> {
    let rel = path
        .strip_prefix(prefix)
        .ok_or_else(|| format!("entry `{}` is outside `{prefix}`", quote(path.as_bytes())))?;
    if rel.split('/').any(|c| c == ".." || c == ".")
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.contains('\0')
    {
        return Err(format!(
            "entry `{}` escapes the package directory",
            quote(path.as_bytes())
        ));
    }
    Ok(rel.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tarball(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data, ty) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*ty);
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            // Write the raw name so hostile paths (`..`) reach the reader.
            let name = &mut header.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    const FILE: tar::EntryType = tar::EntryType::Regular;

    #[test]
    fn reads_a_good_crate() {
        let bytes = tarball(&[
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='foo'\n", FILE),
            ("foo-1.0.0/src/lib.rs", b"", FILE),
            ("foo-1.0.0/src/link", b"", tar::EntryType::Symlink),
        ]);
        let sum = sha256_hex(&bytes);
        let a = read_crate("foo 1.0.0", "foo", "1.0.0", &bytes, Pinned::BySha256(&sum)).unwrap();
        assert!(a.manifest.contains("foo"));
        assert_eq!(
            a.files.iter().collect::<Vec<_>>(),
            ["Cargo.toml", "src/lib.rs"]
        );
    }

    #[test]
    fn checksum_mismatch_names_the_crate() {
        let bytes = tarball(&[("foo-1.0.0/Cargo.toml", b"", FILE)]);
        let e = read_crate(
            "foo 1.0.0",
            "foo",
            "1.0.0",
            &bytes,
            Pinned::BySha256(&"0".repeat(64)),
        )
        .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::ChecksumMismatch { krate, .. } if krate == "foo 1.0.0"),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("checksum mismatch for foo 1.0.0"),
            "{e}"
        );
    }

    #[test]
    fn rejects_traversal_and_foreign_prefix() {
        let bytes = tarball(&[("foo-1.0.0/../../etc/passwd", b"x", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, Pinned::No).unwrap_err();
        assert!(e.to_string().contains("escapes"), "{e}");
        let bytes = tarball(&[("bar-1.0.0/Cargo.toml", b"x", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, Pinned::No).unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");
    }

    #[test]
    fn rejects_garbage_and_missing_manifest() {
        assert!(read_crate("foo", "foo", "1.0.0", b"not gzip", Pinned::No).is_err());
        let bytes = tarball(&[("foo-1.0.0/src/lib.rs", b"", FILE)]);
        let e = read_crate("foo", "foo", "1.0.0", &bytes, Pinned::No).unwrap_err();
        assert!(e.to_string().contains("no `foo-1.0.0/Cargo.toml`"), "{e}");
    }

    #[test]
    fn truncated_archive_is_an_error() {
        let bytes = tarball(&[("foo-1.0.0/Cargo.toml", &[b'a'; 4096], FILE)]);
        assert!(read_crate("foo", "foo", "1.0.0", &bytes[..bytes.len() / 2], Pinned::No).is_err());
    }

    /// A gzip stream of raw tar blocks, for archives the `tar` crate would
    /// not write (huge declared names, duplicate manifests, garbage).
    fn gz(raw: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(raw).unwrap();
        gz.finish().unwrap()
    }

    fn raw_header(name: &[u8], ty: u8, size: u64) -> [u8; 512] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::new(ty));
        h.set_size(size);
        h.set_mode(0o644);
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_cksum();
        *h.as_bytes()
    }

    /// The problem a bad archive is refused with (always that kind).
    fn err(bytes: &[u8]) -> String {
        let e = read_crate("foo 1.0.0", "foo", "1.0.0", bytes, Pinned::No).unwrap_err();
        match e.kind() {
            ErrorKind::InvalidCrate { krate, problem } => {
                assert_eq!(krate, "foo 1.0.0");
                problem.clone()
            }
            other => panic!("not an InvalidCrate error: {other:?}"),
        }
    }

    #[test]
    fn a_huge_gnu_long_name_is_refused_by_its_declared_size() {
        // Declares a 900 MB name; the archive itself is tiny, and nothing
        // of that size is ever allocated.
        let mut raw = raw_header(b"././@LongLink", b'L', 900_000_000).to_vec();
        raw.extend([b'a'; 4096]);
        let e = err(&gz(&raw));
        assert!(
            e.contains("an entry name is 900000000 bytes long (at most 4096)"),
            "{e}"
        );
        assert!(e.len() < 300, "{e}");
    }

    #[test]
    fn a_huge_pax_header_is_refused() {
        let raw = raw_header(b"pax", b'x', 1 << 30).to_vec();
        let e = err(&gz(&raw));
        assert!(e.contains("a PAX header is 1073741824 bytes long"), "{e}");
    }

    #[test]
    fn pax_and_gnu_long_names_are_read() {
        let long = format!("foo-1.0.0/src/{}.rs", "x".repeat(200));
        let mut raw = raw_header(b"././@LongLink", b'L', long.len() as u64).to_vec();
        raw.extend(long.as_bytes());
        raw.resize(raw.len().div_ceil(512) * 512, 0);
        raw.extend(raw_header(b"ignored", b'0', 0));
        let record = "29 path=foo-1.0.0/Cargo.toml\n";
        assert_eq!(record.len(), 29);
        raw.extend(raw_header(b"pax", b'x', record.len() as u64));
        raw.extend(record.as_bytes());
        raw.resize(raw.len().div_ceil(512) * 512, 0);
        raw.extend(raw_header(b"ignored", b'0', 3));
        raw.extend(b"a=1");
        raw.resize(raw.len().div_ceil(512) * 512 + 1024, 0);
        let a = read_crate("foo", "foo", "1.0.0", &gz(&raw), Pinned::No).unwrap();
        assert_eq!(a.manifest, "a=1");
        assert!(a.files.contains(&long["foo-1.0.0/".len()..]));
    }

    #[test]
    fn two_manifests_are_refused() {
        let bytes = tarball(&[
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='foo'\n", FILE),
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='evil'\n", FILE),
        ]);
        let e = err(&bytes);
        assert!(e.contains("two `foo-1.0.0/Cargo.toml` entries"), "{e}");
    }

    #[test]
    fn entries_after_the_manifest_are_checked() {
        let bytes = tarball(&[
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='foo'\n", FILE),
            ("foo-1.0.0/../../x", b"", FILE),
        ]);
        assert!(err(&bytes).contains("escapes"));
        let bytes = tarball(&[
            ("foo-1.0.0/Cargo.toml", b"[package]\nname='foo'\n", FILE),
            ("foo-1.0.0/fifo", b"", tar::EntryType::Fifo),
        ]);
        assert!(err(&bytes).contains("special file"));
    }

    #[test]
    fn garbage_is_quoted_escaped_and_short() {
        let name = [0xffu8, 0x1b, b'[', b'2', b'J', 0x07];
        let mut raw = raw_header(&name, b'0', 0).to_vec();
        raw.extend([0u8; 1024]);
        let e = err(&gz(&raw));
        assert!(!e.contains('\u{1b}') && !e.contains('\u{7}'), "{e:?}");
        let mut tar = vec![0x55u8; 512];
        tar[0] = b'f';
        let e = err(&gz(&tar));
        assert!(e.contains("wrong checksum"), "{e}");
        assert!(e.len() < 300, "{e}");
        assert!(quote("z".repeat(3000).as_bytes()).len() < 130);
    }

    #[test]
    fn gzip_headers_with_every_optional_field_are_read() {
        let tar = {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_gnu();
            h.set_size(3);
            h.set_mode(0o644);
            b.append_data(&mut h, "foo-1.0.0/Cargo.toml", &b"a=1"[..])
                .unwrap();
            b.into_inner().unwrap()
        };
        let mut gz = flate2::GzBuilder::new()
            .extra(vec![7u8; 300])
            .filename("foo-1.0.0.crate")
            .comment("a comment")
            .operating_system(3)
            .write(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let mut bytes = gz.finish().unwrap();
        let sum = sha256_hex(&bytes);
        let a = read_crate("foo", "foo", "1.0.0", &bytes, Pinned::BySha256(&sum)).unwrap();
        assert_eq!(a.manifest, "a=1");
        // A header CRC (FHCRC): two more bytes before the deflate stream.
        bytes[3] |= 1 << 1;
        let at = 10 + 2 + 300 + "foo-1.0.0.crate\0a comment\0".len();
        bytes.splice(at..at, [0xab, 0xcd]);
        assert_eq!(gzip_body_offset(&bytes), Ok(at + 2));
        assert_eq!(
            read_crate("foo", "foo", "1.0.0", &bytes, Pinned::No)
                .unwrap()
                .manifest,
            "a=1"
        );
    }

    #[test]
    fn bad_gzip_headers_are_refused_by_name() {
        let good = gz(&[0u8; 1024]);
        assert!(err(&good[..5]).contains("the gzip header is cut short"));
        assert!(err(b"PK\x03\x04 a zip file").contains("not gzip data"));
        let mut stored = good.clone();
        stored[2] = 0;
        assert!(err(&stored).contains("compression method is 0, not deflate"));
        let mut reserved = good.clone();
        reserved[3] = 0x80;
        assert!(err(&reserved).contains("reserved flags"));
        // A name (FNAME) that never ends, an extra field longer than the data.
        let mut unterminated = good[..10].to_vec();
        unterminated[3] = 1 << 3;
        unterminated.extend(b"foo-1.0.0.crate");
        assert!(err(&unterminated).contains("cut short"));
        let mut extra = good[..10].to_vec();
        extra[3] = 1 << 2;
        extra.extend([0xff, 0xff, 1, 2, 3]);
        assert!(err(&extra).contains("cut short"));
    }

    #[test]
    fn a_wrong_gzip_trailer_is_not_what_refuses_a_crate() {
        // The CRC-32 is not checked (the sha256 covers the bytes): a crate
        // whose trailer is damaged reads as the same archive. No end
        // blocks, so the reader goes on to the end of the deflate stream,
        // where a gzip reader would compare the CRC.
        let mut raw = raw_header(b"foo-1.0.0/Cargo.toml", b'0', 3).to_vec();
        raw.extend(b"a=1");
        raw.resize(1024, 0);
        let bytes = gz(&raw);
        let mut damaged = bytes.clone();
        let n = damaged.len();
        damaged[n - 8..n - 4].copy_from_slice(&[0; 4]);
        let a = read_crate("foo", "foo", "1.0.0", &damaged, Pinned::No).unwrap();
        assert_eq!(a.manifest, "a=1");
    }

    #[test]
    fn the_unpacked_size_cap_is_reported_as_such() {
        // A gzip bomb: one entry declaring more data than the cap (a small
        // cap here, so the test stays fast unoptimised).
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw_header(b"foo-1.0.0/big", b'0', 8 << 20))
            .unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..8 {
            gz.write_all(&zeros).unwrap();
        }
        let bytes = gz.finish().unwrap();
        let e = list(&bytes, "foo-1.0.0/", 4 << 20).unwrap_err();
        assert!(e.contains("unpacks to more than 4 MiB"), "{e}");
    }
}
