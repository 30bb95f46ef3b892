//! `Cargo.lock` (formats v1 to v4, through the cargo-lock crate) as an
//! indexed graph of locked packages.

use crate::error::Error;
use cargo_lock::{package::SourceKind, Lockfile};
use semver::Version;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Where a locked package comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockedSource {
    /// `registry+URL` or `sparse+URL`; `index` keeps the prefix.
    Registry { index: String },
    /// `git+URL?ref#rev`: `url` without query or fragment.
    Git {
        url: String,
        reference: Option<String>,
        rev: String,
        /// The whole source string as the lock spells it.
        spelled: String,
        /// `git+URL?kind=VALUE` as cargo spells it in a package id: the
        /// reference URL-encoded (see [`git_source_id`]), whatever the lock
        /// format spelled.
        id: String,
    },
    /// Path packages (workspace members, path dependencies, path patches).
    Path,
}

#[derive(Debug, Clone)]
pub struct LockedPackage {
    pub name: String,
    pub version: Version,
    pub source: LockedSource,
    pub checksum: Option<String>,
    /// Indices of the packages it depends on.
    pub deps: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Lock {
    pub packages: Vec<LockedPackage>,
}

impl Lock {
    pub fn parse(file: &str, text: &str) -> Result<Lock, Error> {
        let lock = Lockfile::from_str(text).map_err(|e| {
            Error::msg(format!(
                "crateplan: failed to parse {file}: {}. Regenerate it with `cargo generate-lockfile`",
                e.to_string().trim_end()
            ))
        })?;
        let mut packages = Vec::with_capacity(lock.packages.len());
        for p in &lock.packages {
            packages.push(LockedPackage {
                name: p.name.as_str().to_string(),
                version: p.version.clone(),
                source: locked_source(file, p.source.as_ref())?,
                checksum: p.checksum.as_ref().map(|c| c.to_string()),
                deps: Vec::new(),
            });
        }
        let mut by_name_version: BTreeMap<(&str, &Version), Vec<usize>> = BTreeMap::new();
        for (i, p) in lock.packages.iter().enumerate() {
            by_name_version
                .entry((p.name.as_str(), &p.version))
                .or_default()
                .push(i);
        }
        for (i, p) in lock.packages.iter().enumerate() {
            let mut deps = Vec::with_capacity(p.dependencies.len());
            for d in &p.dependencies {
                let candidates = by_name_version
                    .get(&(d.name.as_str(), &d.version))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let found = match candidates {
                    [one] => Some(*one),
                    many => many
                        .iter()
                        .copied()
                        .find(|&c| lock.packages[c].source == d.source),
                };
                let found = found.ok_or_else(|| {
                    Error::msg(format!(
                        "crateplan: {file}: package `{} {}` depends on `{} {}`, which the lock does not contain. \
                         Regenerate it with `cargo generate-lockfile`",
                        p.name, p.version, d.name, d.version
                    ))
                })?;
                deps.push(found);
            }
            packages[i].deps = deps;
        }
        // `[replace]`: edges to a replaced package lead to its replacement.
        let mut replaced: BTreeMap<usize, usize> = BTreeMap::new();
        for (i, p) in lock.packages.iter().enumerate() {
            if let Some(r) = &p.replace {
                let target = lock
                    .packages
                    .iter()
                    .position(|c| c.name == r.name && c.version == r.version && c.source == r.source && c.replace.is_none())
                    .ok_or_else(|| {
                        Error::msg(format!(
                            "crateplan: {file}: `{} {}` is replaced by `{} {}`, which the lock does not contain",
                            p.name, p.version, r.name, r.version
                        ))
                    })?;
                replaced.insert(i, target);
            }
        }
        for p in &mut packages {
            for d in &mut p.deps {
                if let Some(&r) = replaced.get(d) {
                    *d = r;
                }
            }
        }
        Ok(Lock { packages })
    }
}

fn locked_source(file: &str, source: Option<&cargo_lock::SourceId>) -> Result<LockedSource, Error> {
    let Some(s) = source else {
        return Ok(LockedSource::Path);
    };
    let spelled = s.to_string();
    match s.kind() {
        SourceKind::Registry | SourceKind::SparseRegistry => Ok(LockedSource::Registry {
            index: spelled,
        }),
        SourceKind::Git(reference) => {
            let rev = s.precise().map(str::to_string).ok_or_else(|| {
                Error::msg(format!(
                    "crateplan: {file}: git source `{spelled}` has no pinned revision (`#REV`). Run `cargo update`"
                ))
            })?;
            let id = git_source_id(s.url().as_str(), reference);
            let reference = match reference {
                cargo_lock::package::GitReference::DefaultBranch => None,
                cargo_lock::package::GitReference::Branch(b) => Some(format!("refs/heads/{b}")),
                cargo_lock::package::GitReference::Tag(t) => Some(format!("refs/tags/{t}")),
                cargo_lock::package::GitReference::Rev(_) => None,
            };
            Ok(LockedSource::Git {
                url: s.url().to_string(),
                reference,
                rev,
                spelled,
                id,
            })
        }
        SourceKind::Path => Ok(LockedSource::Path),
        _ => Err(Error::msg(format!(
            "crateplan: {file}: unsupported source `{spelled}` (local and directory registries are not supported yet)"
        ))),
    }
}

/// A git source as cargo's package id spec spells it: `git+URL`, then the
/// reference as `?branch=`, `?tag=` or `?rev=` with its value
/// `application/x-www-form-urlencoded` (cargo's `PrettyRef` with
/// `url_encoded`), so `hxrts/aura` is `hxrts%2Faura`. Lock format v3 keeps
/// such references raw and v4 encodes them; the id is the same for both.
fn git_source_id(url: &str, reference: &cargo_lock::package::GitReference) -> String {
    use cargo_lock::package::GitReference;
    let (key, value) = match reference {
        GitReference::DefaultBranch => return format!("git+{url}"),
        GitReference::Branch(b) => ("branch", b),
        GitReference::Tag(t) => ("tag", t),
        GitReference::Rev(r) => ("rev", r),
    };
    format!("git+{url}?{key}={}", form_urlencode(value))
}

/// The `application/x-www-form-urlencoded` byte serialisation: ASCII
/// alphanumerics and `*-._` stay, a space becomes `+`, every other byte is
/// `%XX` (upper-case hex).
fn form_urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = r#"
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa", "dep 0.2.0 (git+https://example.com/dep?branch=main#0123456789abcdef0123456789abcdef01234567)"]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566673b"

[[package]]
name = "dep"
version = "0.2.0"
source = "git+https://example.com/dep?branch=main#0123456789abcdef0123456789abcdef01234567"
"#;

    #[test]
    fn parses_sources_and_edges() {
        let lock = Lock::parse("Cargo.lock", V3).unwrap();
        assert_eq!(lock.packages[0].deps.len(), 2);
        assert!(matches!(
            lock.packages[1].source,
            LockedSource::Registry { .. }
        ));
        match &lock.packages[2].source {
            LockedSource::Git {
                url,
                rev,
                reference,
                ..
            } => {
                assert_eq!(url, "https://example.com/dep");
                assert_eq!(rev, "0123456789abcdef0123456789abcdef01234567");
                assert_eq!(reference.as_deref(), Some("refs/heads/main"));
            }
            other => panic!("{other:?}"),
        }
    }

    /// Lock format v1 keeps checksums in `[metadata]` and spells every
    /// dependency with its version and source.
    #[test]
    fn parses_v1_with_metadata_checksums() {
        let v1 = r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "itoa 1.0.11 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum itoa 1.0.11 (registry+https://github.com/rust-lang/crates.io-index)" = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
"#;
        let lock = Lock::parse("Cargo.lock", v1).unwrap();
        assert_eq!(lock.packages[0].deps, [1]);
        assert_eq!(
            lock.packages[1].checksum.as_deref(),
            Some("49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b")
        );
    }

    fn git_id(source: &str) -> String {
        let text = format!(
            "version = 4\n[[package]]\nname = \"dep\"\nversion = \"0.1.0\"\nsource = \"{source}\"\n"
        );
        match &Lock::parse("Cargo.lock", &text).unwrap().packages[0].source {
            LockedSource::Git { id, .. } => id.clone(),
            other => panic!("{other:?}"),
        }
    }

    /// Cargo's package id URL-encodes the reference, whether the lock spelled
    /// it raw (v3) or encoded (v4).
    #[test]
    fn git_reference_is_url_encoded_as_cargo_does() {
        const REV: &str = "0123456789abcdef0123456789abcdef01234567";
        for (source, id) in [
            (
                "git+https://e.com/r?branch=hxrts/aura",
                "git+https://e.com/r?branch=hxrts%2Faura",
            ),
            (
                "git+https://e.com/r?branch=hxrts%2Faura",
                "git+https://e.com/r?branch=hxrts%2Faura",
            ),
            (
                "git+https://e.com/r?tag=v1.0+x",
                "git+https://e.com/r?tag=v1.0+x",
            ),
            (
                "git+https://e.com/r?tag=v1.0%2Bx",
                "git+https://e.com/r?tag=v1.0%2Bx",
            ),
            (
                "git+https://e.com/r?rev=refs/pull/1/head",
                "git+https://e.com/r?rev=refs%2Fpull%2F1%2Fhead",
            ),
            (
                "git+https://e.com/r?branch=a%20b~c",
                "git+https://e.com/r?branch=a+b%7Ec",
            ),
            (
                "git+https://e.com/r?branch=main",
                "git+https://e.com/r?branch=main",
            ),
            ("git+https://e.com/r", "git+https://e.com/r"),
        ] {
            assert_eq!(git_id(&format!("{source}#{REV}")), id, "{source}");
        }
    }

    #[test]
    fn malformed_lock_names_the_file() {
        let e = Lock::parse("/w/Cargo.lock", "version = 3\n[[package]]\nname = 1\n").unwrap_err();
        assert!(e.to_string().contains("/w/Cargo.lock"), "{e}");
    }

    #[test]
    fn dangling_dependency_is_an_error() {
        let text = "version = 3\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b 1.0.0\"]\n";
        let e = Lock::parse("Cargo.lock", text).unwrap_err();
        assert!(
            e.to_string().contains("does not contain") || e.to_string().contains("Cargo.lock"),
            "{e}"
        );
    }
}
