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
        check_checksums(file, text)?;
        let lock = Lockfile::from_str(text)
            .map_err(|e| Error::lock(file, describe_parse_error(&e.to_string())))?;
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
            let same = by_name_version
                .entry((p.name.as_str(), &p.version))
                .or_default();
            // Cargo: "package `x` is specified twice in the lockfile". Taking
            // the first would ignore the second's checksum.
            if same.iter().any(|&j| lock.packages[j].source == p.source) {
                return Err(Error::lock(
                    file,
                    format!("package `{}` is specified twice in the lockfile", p.name),
                ));
            }
            same.push(i);
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
                    Error::lock(
                        file,
                        format!(
                            "package `{} {}` depends on `{} {}`, which the lock does not contain",
                            p.name, p.version, d.name, d.version
                        ),
                    )
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
                    .position(|c| {
                        c.name == r.name
                            && c.version == r.version
                            && c.source == r.source
                            && c.replace.is_none()
                    })
                    .ok_or_else(|| {
                        Error::lock(
                            file,
                            format!(
                                "`{} {}` is replaced by `{} {}`, which the lock does not contain",
                                p.name, p.version, r.name, r.version
                            ),
                        )
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

/// Refuses checksums that are not ASCII before cargo-lock sees them: it
/// slices them by bytes and panics on a multi-byte character (found by
/// `fuzz/fuzz_targets/lockfile.rs`). A lock that does not parse as TOML is
/// left to cargo-lock, which reports it.
fn check_checksums(file: &str, text: &str) -> Result<(), Error> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Ok(());
    };
    let packages = table
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("checksum"));
    let metadata = table
        .get("metadata")
        .and_then(|m| m.as_table())
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("checksum "))
        .map(|(_, v)| v);
    for sum in packages.chain(metadata) {
        if let Some(s) = sum.as_str() {
            if !s.is_ascii() {
                return Err(Error::lock(
                    file,
                    format!(
                        "invalid checksum `{}`: expected 64 hex characters",
                        crate::tarball::quote(s.as_bytes())
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// cargo-lock's parse error as `:LINE:COLUMN: reason` (to follow the file
/// name): without its "parse error:" prefix and without the quoted source
/// line, which may be megabytes long or hold control characters.
fn describe_parse_error(message: &str) -> String {
    let message = message.trim();
    let message = message.strip_prefix("parse error: ").unwrap_or(message);
    let mut lines = message.lines();
    let first = lines.next().unwrap_or("");
    let reason = lines.rfind(|l| {
        !l.trim().is_empty()
            && !l
                .trim_start()
                .starts_with(|c: char| c == '|' || c.is_ascii_digit())
    });
    let position = first
        .strip_prefix("TOML parse error at line ")
        .and_then(|rest| rest.split_once(", column "))
        .map(|(line, col)| format!(":{line}:{}", col.trim()));
    let text = match (position, reason) {
        (Some(pos), Some(reason)) => format!("{pos}: {reason}"),
        _ => first.to_string(),
    };
    crate::tarball::quote_long(&text)
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
                Error::lock(
                    file,
                    format!("git source `{spelled}` has no pinned revision (`#REV`)"),
                )
            })?;
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
            })
        }
        SourceKind::Path => Ok(LockedSource::Path),
        _ => Err(Error::lock(
            file,
            format!("unsupported source `{spelled}` (local and directory registries are not supported yet)"),
        )),
    }
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

    #[test]
    fn a_non_ascii_checksum_is_an_error_not_a_panic() {
        let sum = format!("872831b64\u{39a}{}", "0".repeat(53));
        let text = format!(
            "version = 4\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{sum}\"\n"
        );
        let e = Lock::parse("/w/Cargo.lock", &text).unwrap_err();
        assert!(
            matches!(e.kind(), crate::error::ErrorKind::InvalidLock { .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("invalid checksum"), "{e}");
    }
}
