//! `Cargo.lock` (formats v1 to v4) as an indexed graph of locked packages.
//! The TOML is read here; source strings are parsed by [`crate::source_id`].

use crate::error::Error;
use crate::source_id::{GitReference, SourceId, SourceKind};
use crate::toml_read::{self as read, Item, ReadError};
use semver::Version;
use std::collections::{BTreeMap, HashMap};

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
        /// reference URL-encoded (see [`SourceId::package_id_spelling`]), whatever the lock
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
    /// Parses the lock in time linear in its size: the TOML goes into
    /// [`RawLock`] and every `dependencies` entry is looked up in a name
    /// index (cargo-lock's own `Lockfile` scans every package for every
    /// entry); each distinct source string is parsed once.
    pub fn parse(file: &str, text: &str) -> Result<Lock, Error> {
        let malformed = |e: String| {
            Error::lock(
                file,
                format!(": {}", crate::tarball::quote_long(e.trim_end())),
            )
        };
        let raw = RawLock::parse(text).map_err(|e| Error::lock(file, e.located(text)))?;
        if let Some(v) = raw.version {
            if !(1..=4).contains(&v) {
                return Err(malformed(format!(
                    "invalid Cargo.lock format version: `{v}`"
                )));
            }
        }
        let v1_checksums = v1_checksums(&raw.metadata).map_err(malformed)?;
        if !v1_checksums.is_empty() && raw.package.iter().any(|p| p.checksum.is_some()) {
            return Err(malformed(
                "malformed lockfile: contains checksums in both [[package]] and [[metadata]] sections".into(),
            ));
        }
        let mut sources = SourceCache::default();
        let mut packages = Vec::with_capacity(raw.package.len());
        let mut parsed_sources = Vec::with_capacity(raw.package.len());
        for p in &raw.package {
            let version = Version::parse(&p.version).map_err(|e| {
                malformed(format!(
                    "package `{}`: version `{}`: {e}",
                    p.name, p.version
                ))
            })?;
            let source = sources.get(p.source.as_deref()).map_err(&malformed)?;
            let checksum = match &p.checksum {
                Some(c) => Some(checksum(c).map_err(&malformed)?),
                None => v1_checksums
                    .get(&(p.name.as_str(), p.version.as_str()))
                    .map(|c| c.to_string()),
            };
            packages.push(LockedPackage {
                name: p.name.clone(),
                version,
                source: locked_source(file, source.as_ref())?,
                checksum,
                deps: Vec::new(),
            });
            parsed_sources.push(source);
        }
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(packages.len());
        for (i, p) in packages.iter().enumerate() {
            let same = by_name.entry(p.name.as_str()).or_default();
            // Cargo: "package `x` is specified twice in the lockfile". Taking
            // the first would ignore the second's checksum.
            if same.iter().any(|&j| {
                packages[j].version == p.version && parsed_sources[j] == parsed_sources[i]
            }) {
                return Err(Error::lock(
                    file,
                    format!("package `{}` is specified twice in the lockfile", p.name),
                ));
            }
            same.push(i);
        }
        // Finds the package a `dependencies`/`replace` entry names: the first
        // with its name, version (when given) and source (when given), as
        // cargo-lock resolves them.
        let mut find = |entry: &str| -> Result<Option<usize>, Error> {
            let dep = DepEntry::parse(entry).map_err(&malformed)?;
            let source = match dep.source {
                Some(s) => Some(sources.get(Some(s)).map_err(&malformed)?),
                None => None,
            };
            let version =
                match dep.version {
                    Some(v) => Some(Version::parse(v).map_err(|e| {
                        malformed(format!("dependency `{entry}`: version `{v}`: {e}"))
                    })?),
                    None => None,
                };
            let candidates = by_name.get(dep.name).map(Vec::as_slice).unwrap_or(&[]);
            Ok(candidates.iter().copied().find(|&c| {
                version.as_ref().is_none_or(|v| *v == packages[c].version)
                    && source.as_ref().is_none_or(|s| *s == parsed_sources[c])
            }))
        };
        // The package a `replace` entry names: name, version and source
        // (none: a path package) alike, and not itself replaced.
        let find_replacement = |entry: &str| -> Result<Option<usize>, Error> {
            let dep = DepEntry::parse(entry).map_err(&malformed)?;
            let source = match dep.source {
                Some(s) => SourceId::parse(s)
                    .map(|id| (!id.is_path()).then_some(id))
                    .map_err(|e| malformed(format!("source `{s}`: {e}")))?,
                None => None,
            };
            let candidates = by_name.get(dep.name).map(Vec::as_slice).unwrap_or(&[]);
            Ok(candidates.iter().copied().find(|&c| {
                dep.version == Some(raw.package[c].version.as_str())
                    && parsed_sources[c] == source
                    && raw.package[c].replace.is_none()
            }))
        };
        let mut deps_of = Vec::with_capacity(raw.package.len());
        for p in &raw.package {
            let mut deps = Vec::with_capacity(p.dependencies.len());
            for d in &p.dependencies {
                let found = find(d)?.ok_or_else(|| {
                    let (name, version) = d.split_once(' ').unwrap_or((d.as_str(), ""));
                    let version = version.split(' ').next().unwrap_or("");
                    Error::lock(
                        file,
                        format!(
                            "package `{} {}` depends on `{name} {version}`, which the lock does not contain",
                            p.name, p.version
                        ),
                    )
                })?;
                deps.push(found);
            }
            deps_of.push(deps);
        }
        // `[replace]`: edges to a replaced package lead to its replacement.
        let mut replaced: HashMap<usize, usize> = HashMap::new();
        for (i, p) in raw.package.iter().enumerate() {
            if let Some(r) = &p.replace {
                let target = find_replacement(r)?.ok_or_else(|| {
                    Error::lock(
                        file,
                        format!(
                            "`{} {}` is replaced by `{r}`, which the lock does not contain",
                            p.name, p.version
                        ),
                    )
                })?;
                replaced.insert(i, target);
            }
        }
        for (p, mut deps) in packages.iter_mut().zip(deps_of) {
            for d in &mut deps {
                if let Some(&r) = replaced.get(d) {
                    *d = r;
                }
            }
            p.deps = deps;
        }
        Ok(Lock { packages })
    }
}

impl Lock {
    /// Path packages by (name, version): the first of each, in lock order.
    pub fn path_index(&self) -> HashMap<(&str, &Version), usize> {
        let mut index = HashMap::new();
        for (i, p) in self.packages.iter().enumerate() {
            if p.source == LockedSource::Path {
                index.entry((p.name.as_str(), &p.version)).or_insert(i);
            }
        }
        index
    }
}

/// `Cargo.lock` as TOML: strings kept as written, parsed by [`Lock::parse`].
struct RawLock {
    version: Option<u32>,
    package: Vec<RawPackage>,
    /// v1 keeps checksums here: `"checksum NAME VERSION (SOURCE)" = "SHA"`.
    metadata: BTreeMap<String, String>,
}

struct RawPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<String>,
    replace: Option<String>,
}

impl RawLock {
    /// Reads the document by hand (`crate::toml_read` says why not serde);
    /// unknown keys are ignored, as cargo ignores them.
    fn parse(text: &str) -> Result<RawLock, ReadError> {
        let doc = read::parse(text)?;
        let t = doc.get_ref();
        Ok(RawLock {
            version: read::optional(t, &["version"], read::u32_value)?,
            package: read::optional(t, &["package"], |i| read::list(i, RawPackage::read))?
                .unwrap_or_default(),
            metadata: read::optional(t, &["metadata"], |i| read::map(i, read::string))?
                .unwrap_or_default(),
        })
    }
}

impl RawPackage {
    fn read(item: &Item<'_>) -> Result<RawPackage, ReadError> {
        let t = read::table(item)?;
        let required = |key: &str| {
            t.get(key)
                .ok_or_else(|| read::missing_field(item.span(), key))
                .and_then(read::string)
        };
        let optional = |key: &str| read::optional(t, &[key], read::string);
        Ok(RawPackage {
            name: required("name")?,
            version: required("version")?,
            source: optional("source")?,
            checksum: optional("checksum")?,
            dependencies: read::optional(t, &["dependencies"], read::strings)?.unwrap_or_default(),
            replace: optional("replace")?,
        })
    }
}

/// A `dependencies` entry: `NAME`, `NAME VERSION` or `NAME VERSION (SOURCE)`.
struct DepEntry<'a> {
    name: &'a str,
    version: Option<&'a str>,
    source: Option<&'a str>,
}

impl<'a> DepEntry<'a> {
    fn parse(entry: &'a str) -> Result<DepEntry<'a>, String> {
        let mut parts = entry.split_whitespace();
        let name = parts
            .next()
            .ok_or_else(|| "empty dependency string".to_string())?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| {
                s.strip_prefix('(')
                    .and_then(|s| s.strip_suffix(')'))
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| format!("malformed source in dependency: {s}"))
            })
            .transpose()?;
        if parts.next().is_some() {
            return Err(format!("malformed dependency: {entry}"));
        }
        Ok(DepEntry {
            name,
            version,
            source,
        })
    }
}

/// Each distinct source string parsed once (a lock has a handful).
#[derive(Default)]
struct SourceCache {
    parsed: HashMap<String, Option<SourceId>>,
}

impl SourceCache {
    fn get(&mut self, spelled: Option<&str>) -> Result<Option<SourceId>, String> {
        let Some(s) = spelled else { return Ok(None) };
        if let Some(id) = self.parsed.get(s) {
            return Ok(id.clone());
        }
        let id = SourceId::parse(s).map_err(|e| format!("source `{s}`: {e}"))?;
        // Path sources are spelled as no source at all.
        let id = (!id.is_path()).then_some(id);
        self.parsed.insert(s.to_string(), id.clone());
        Ok(id)
    }
}

/// A sha256 in hex, as cargo writes it (lower case).
fn checksum(text: &str) -> Result<String, String> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid checksum `{text}`: expected 64 hex characters"
        ));
    }
    Ok(text.to_ascii_lowercase())
}

/// Lock format v1's checksums by (name, version).
fn v1_checksums(
    metadata: &BTreeMap<String, String>,
) -> Result<HashMap<(&str, &str), String>, String> {
    let mut out = HashMap::new();
    for (key, value) in metadata {
        let Some(dep) = key.strip_prefix("checksum ") else {
            continue;
        };
        let dep = DepEntry::parse(dep)?;
        let version = dep
            .version
            .ok_or_else(|| format!("metadata key `{key}` has no version"))?;
        // `<none>` marks packages without a checksum (path and git).
        if value != "<none>" {
            out.insert((dep.name, version), checksum(value)?);
        }
    }
    Ok(out)
}

fn locked_source(file: &str, source: Option<&SourceId>) -> Result<LockedSource, Error> {
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
            let id = s.package_id_spelling();
            let reference = match reference {
                GitReference::DefaultBranch | GitReference::Rev(_) => None,
                GitReference::Branch(b) => Some(format!("refs/heads/{b}")),
                GitReference::Tag(t) => Some(format!("refs/tags/{t}")),
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
        SourceKind::LocalRegistry | SourceKind::Directory => Err(Error::lock(
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

    /// Abbreviated entries (v2+): a bare name when it is unique, name and
    /// version when the name is not, and the source too when two packages
    /// share name and version.
    #[test]
    fn abbreviated_dependency_entries_find_their_package() {
        let sum = |c: char| c.to_string().repeat(64);
        let text = format!(
            r#"version = 3
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["log", "dup 1.0.0", "dup 2.0.0", "twin 1.0.0 (git+https://e.com/twin#0123456789abcdef0123456789abcdef01234567)", "twin 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "log"
version = "0.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{}"

[[package]]
name = "dup"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{}"

[[package]]
name = "dup"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{}"

[[package]]
name = "twin"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "{}"

[[package]]
name = "twin"
version = "1.0.0"
source = "git+https://e.com/twin#0123456789abcdef0123456789abcdef01234567"
"#,
            sum('a'),
            sum('b'),
            sum('C'),
            sum('d')
        );
        let lock = Lock::parse("Cargo.lock", &text).unwrap();
        assert_eq!(lock.packages[0].deps, [1, 2, 3, 5, 4]);
        // Checksums are kept in lower case, as cargo writes them.
        assert_eq!(lock.packages[3].checksum.as_deref(), Some(&*sum('c')));
    }

    #[test]
    fn replace_redirects_edges_to_the_replacement() {
        let text = r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["dep 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "dep"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
replace = "dep 1.0.0"

[[package]]
name = "dep"
version = "1.0.0"
"#;
        let lock = Lock::parse("Cargo.lock", text).unwrap();
        assert_eq!(lock.packages[0].deps, [2]);
    }

    #[test]
    fn bad_checksum_version_and_format_version_name_the_file() {
        for (text, what) in [
            ("version = 3\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\nchecksum = \"xyz\"\n", "invalid checksum"),
            ("version = 3\n[[package]]\nname = \"a\"\nversion = \"one\"\n", "version `one`"),
            ("version = 9\n", "format version"),
            ("version = 3\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"b 1 2 3\"]\n", "malformed"),
        ] {
            let e = Lock::parse("/w/Cargo.lock", text).unwrap_err().to_string();
            assert!(e.contains("/w/Cargo.lock") && e.contains(what), "{what}: {e}");
        }
    }

    /// Linear in the number of packages: a chain of packages, each naming
    /// the next by name alone. Four times the packages may take about four
    /// times as long, never the sixteen a scan per entry (cargo-lock's
    /// lookup) would.
    #[test]
    fn large_locks_parse_in_linear_time() {
        let chain = |n: usize| {
            let mut text = String::from("version = 4\n");
            for i in 0..n {
                text.push_str(&format!(
                    "[[package]]\nname = \"p{i}\"\nversion = \"1.0.0\"\n"
                ));
                if i + 1 < n {
                    text.push_str(&format!("dependencies = [\"p{}\"]\n", i + 1));
                }
            }
            text
        };
        let time = |n: usize| {
            let text = chain(n);
            let t = std::time::Instant::now();
            let lock = Lock::parse("Cargo.lock", &text).unwrap();
            assert_eq!(lock.packages[n - 2].deps, [n - 1]);
            t.elapsed().as_secs_f64()
        };
        // The fastest of five runs of each: on a loaded machine a single
        // run can be preempted for longer than it computes. Linear is 4x,
        // a scan per entry (cargo-lock's) 16x.
        let fastest = |n: usize| (0..5).map(|_| time(n)).fold(f64::MAX, f64::min);
        let (small, large) = (fastest(1500), fastest(6000));
        assert!(
            large / small < 9.0,
            "1500 packages: {small:.4} s, 6000: {large:.4} s (fastest of 5)"
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

    /// Each way the TOML can be wrong, with cargo's (serde's) wording and
    /// the position of the offending value, after the file.
    #[test]
    fn lock_structure_errors_say_what_and_where() {
        for (text, expected) in [
            ("version = 3\n[[package]\n", ":2:11: "),
            (
                "version = -1\n",
                ":1:11: invalid value: integer `-1`, expected u32",
            ),
            (
                "version = \"3\"\n",
                ":1:11: invalid type: string \"3\", expected u32",
            ),
            (
                "package = 1\n",
                ":1:11: invalid type: integer `1`, expected a sequence",
            ),
            (
                "[[package]]\nversion = \"1.0.0\"\n",
                ":1:1: missing field `name`",
            ),
            (
                "[[package]]\nname = \"a\"\nversion = 1\n",
                ":3:11: invalid type: integer `1`, expected a string",
            ),
            (
                "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = \"b\"\n",
                ":4:16: invalid type: string \"b\", expected a sequence",
            ),
            (
                "[metadata]\n\"checksum a 1.0.0\" = 2\n",
                ":2:22: invalid type: integer `2`, expected a string",
            ),
        ] {
            let e = Lock::parse("/w/Cargo.lock", text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "crateplan: failed to parse /w/Cargo.lock{expected}"
                )),
                "{text:?}: {e}"
            );
        }
        // Keys cargo does not read are ignored, as cargo ignores them.
        let lock = Lock::parse("/w/Cargo.lock", "version = 3\nextra = 1\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nunknown = []\n").unwrap();
        assert_eq!(lock.packages.len(), 1);
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
