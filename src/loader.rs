//! Loads manifests for locked packages: path packages from the workspace,
//! registry crates from `.crate` files, git packages from checkouts. What is
//! not available yet becomes a [`Fetch`] for the caller to supply.

use crate::error::{Error, ErrorKind};
use crate::fs::{self as files, EntryKind, FileKind, Fs};
use crate::learned::Learned;
use crate::lockfile::{Lock, LockedPackage, LockedSource};
use crate::manifest::{self, PackageData};
use crate::request::Fetch;
use crate::resolve::graph::Loader;
use crate::store_path;
use crate::tarball;
use crate::workspace::{self, DirFiles, PathPackage, Workspace};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The crates.io index, in both spellings a lock may use.
pub const CRATES_IO_GIT: &str = "registry+https://github.com/rust-lang/crates.io-index";
pub const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// Finds fetched sources on the local machine, beyond what the request lists
/// (the CLI looks in cargo's own cache).
pub trait LocalSources {
    fn locate(&self, fetch: &Fetch) -> Option<String>;
}

pub struct SourceLoader<'a> {
    fs: &'a dyn Fs,
    sources: &'a BTreeMap<String, String>,
    registries: &'a BTreeMap<String, String>,
    local: Option<&'a dyn LocalSources>,
    /// Sources resolution needs that nobody supplied yet.
    pub fetch: BTreeSet<Fetch>,
    /// Lock indices of the packages behind `fetch`.
    missing: Vec<usize>,
    /// Package directories inside git checkouts: lock index -> subdirectory.
    pub git_subdirs: BTreeMap<usize, String>,
    /// Path packages: lock index -> directory.
    pub path_dirs: BTreeMap<usize, String>,
    git_scans: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// The workspace's path packages by (name, version), the first
    /// directory of each (a linear lookup per package is quadratic).
    path_packages: HashMap<(String, String), &'a PathPackage>,
    /// Manifests of `.crate` files: handed in by the request, and those
    /// read in this round (see [`crate::learned`]).
    pub learned: Learned,
}

impl<'a> SourceLoader<'a> {
    pub fn new(
        fs: &'a dyn Fs,
        ws: &'a Workspace,
        sources: &'a BTreeMap<String, String>,
        registries: &'a BTreeMap<String, String>,
        local: Option<&'a dyn LocalSources>,
    ) -> Self {
        let mut path_packages = HashMap::new();
        for p in ws.packages.values() {
            path_packages
                .entry((p.data.name.clone(), p.data.version.to_string()))
                .or_insert(p);
        }
        SourceLoader {
            path_packages,
            fs,
            sources,
            registries,
            local,
            fetch: BTreeSet::new(),
            missing: Vec::new(),
            git_subdirs: BTreeMap::new(),
            path_dirs: BTreeMap::new(),
            git_scans: BTreeMap::new(),
            learned: Learned::default(),
        }
    }

    /// Starts from manifests an earlier round read.
    pub fn with_learned(mut self, learned: Learned) -> Self {
        self.learned = learned;
        self
    }

    /// Adds to `fetch` what the missing packages may need according to the
    /// lock ([`crate::request::Prefetch::LockClosure`]): every package
    /// reachable from them through the lock's edges whose source is not
    /// supplied and whose manifest is not learned. A package whose registry
    /// is unknown is left out here: resolution reports it if it is needed.
    pub fn prefetch_lock_closure(&mut self, lock: &Lock) {
        let mut seen = vec![false; lock.packages.len()];
        let mut stack = std::mem::take(&mut self.missing);
        for &i in &stack {
            seen[i] = true;
        }
        while let Some(i) = stack.pop() {
            for &dep in &lock.packages[i].deps {
                if std::mem::replace(&mut seen[dep], true) {
                    continue;
                }
                stack.push(dep);
                if let Some(fetch) = self.speculative_fetch(&lock.packages[dep]) {
                    self.fetch.insert(fetch);
                }
            }
        }
    }

    /// The fetch a lock package would need if resolution reached it.
    fn speculative_fetch(&self, pkg: &LockedPackage) -> Option<Fetch> {
        let fetch = match &pkg.source {
            LockedSource::Path => return None,
            LockedSource::Registry { index } => {
                let checksum = pkg.checksum.as_ref()?;
                if self
                    .learned
                    .get(checksum, &pkg.name, &pkg.version)
                    .is_some()
                {
                    return None;
                }
                let version = pkg.version.to_string();
                registry_fetch(self.registries, index, &pkg.name, &version, checksum).ok()?
            }
            LockedSource::Git {
                url,
                reference,
                rev,
                spelled,
                ..
            } => git_fetch(url, reference, rev, spelled),
        };
        self.locate(&fetch).is_none().then_some(fetch)
    }

    fn locate(&self, fetch: &Fetch) -> Option<String> {
        self.sources
            .get(fetch.key())
            .cloned()
            .or_else(|| self.local.and_then(|l| l.locate(fetch)))
    }

    /// Lists `(package name -> subdirectories)` for a git checkout, scanning once.
    fn scan_checkout(
        &mut self,
        key: &str,
        root: &str,
    ) -> Result<&BTreeMap<String, Vec<String>>, Error> {
        if !self.git_scans.contains_key(key) {
            let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
            scan_dir(self.fs, root, "", 0, &mut found)?;
            self.git_scans.insert(key.to_string(), found);
        }
        Ok(&self.git_scans[key])
    }
}

/// Download URL and fetch key of a registry crate.
pub fn registry_fetch(
    registries: &BTreeMap<String, String>,
    index: &str,
    name: &str,
    version: &str,
    sha256: &str,
) -> Result<Fetch, Error> {
    // Registry crate names are ASCII letters, digits, `-` and `_` (cargo and
    // crates.io refuse others); anything else would also reach the URL.
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::lock(
            "Cargo.lock",
            format!(
                "the registry package `{}` is not a valid crate name (ASCII letters, digits, `-` and `_` only)",
                crate::tarball::quote(name.as_bytes())
            ),
        ));
    }
    let url = if index == CRATES_IO_GIT || index == CRATES_IO_SPARSE {
        format!("https://static.crates.io/crates/{name}/{name}-{version}.crate")
    } else {
        let bare = index
            .strip_prefix("registry+")
            .or_else(|| index.strip_prefix("sparse+"))
            .unwrap_or(index);
        let template = registries
            .get(bare)
            .or_else(|| registries.get(index))
            .ok_or_else(|| {
                Error::new(ErrorKind::UnknownRegistry {
                    package: format!("`{name} {version}`"),
                    registry: bare.to_string(),
                })
            })?;
        expand_template(template, name, version, sha256)
    };
    Ok(Fetch::Crate {
        key: format!("{index}#{name}@{version}"),
        name: name.to_string(),
        version: version.to_string(),
        url,
        sha256: sha256.to_string(),
    })
}

/// Cargo's `dl` template markers; with none, `/{crate}/{version}/download` is appended.
fn expand_template(template: &str, name: &str, version: &str, sha256: &str) -> String {
    let markers = [
        "{crate}",
        "{version}",
        "{prefix}",
        "{lowerprefix}",
        "{sha256-checksum}",
    ];
    if !markers.iter().any(|m| template.contains(m)) {
        return format!(
            "{}/{name}/{version}/download",
            template.trim_end_matches('/')
        );
    }
    // By characters, not bytes: callers check names are ASCII, but this
    // must never panic on a name that is not.
    let chars: Vec<char> = name.chars().collect();
    let part = |r: std::ops::Range<usize>| chars[r].iter().collect::<String>();
    let prefix = match chars.len() {
        0 => String::new(),
        1 => "1".to_string(),
        2 => "2".to_string(),
        3 => format!("3/{}", part(0..1)),
        _ => format!("{}/{}", part(0..2), part(2..4)),
    };
    template
        .replace("{crate}", name)
        .replace("{version}", version)
        .replace("{lowerprefix}", &prefix.to_lowercase())
        .replace("{prefix}", &prefix)
        .replace("{sha256-checksum}", sha256)
}

pub fn git_fetch(url: &str, reference: &Option<String>, rev: &str, spelled: &str) -> Fetch {
    Fetch::Git {
        key: spelled.to_string(),
        url: url.to_string(),
        rev: rev.to_string(),
        reference: reference.clone(),
    }
}

impl Loader for SourceLoader<'_> {
    fn load(&mut self, index: usize, lock: &Lock) -> Result<Option<PackageData>, Error> {
        let pkg = &lock.packages[index];
        match &pkg.source {
            LockedSource::Path => {
                let found = self
                    .path_packages
                    .get(&(pkg.name.clone(), pkg.version.to_string()))
                    .copied();
                match found {
                    Some(p) => {
                        self.path_dirs.insert(index, p.dir.clone());
                        Ok(Some(p.data.clone()))
                    }
                    None => Err(Error::stale_lock(
                        format!(
                            "it lists the path package `{} {}`, but no workspace member or path dependency has that name and version",
                            pkg.name, pkg.version
                        ),
                        "Run `cargo generate-lockfile` (or any cargo build) and commit Cargo.lock",
                    )),
                }
            }
            LockedSource::Registry { index: registry } => {
                let checksum = pkg.checksum.clone().ok_or_else(|| {
                    Error::stale_lock(
                        format!("it has no checksum for `{} {}`", pkg.name, pkg.version),
                        "Run `cargo generate-lockfile`",
                    )
                })?;
                if let Some(data) = self.learned.get(&checksum, &pkg.name, &pkg.version) {
                    return Ok(Some(data.clone()));
                }
                let version = pkg.version.to_string();
                let fetch =
                    registry_fetch(self.registries, registry, &pkg.name, &version, &checksum)?;
                let Some(path) = self.locate(&fetch) else {
                    self.fetch.insert(fetch);
                    self.missing.push(index);
                    return Ok(None);
                };
                let what = format!("`{} {}` ({path})", pkg.name, version);
                let bytes = files::read_file(self.fs, &path, FileKind::CrateArchive)
                    .map_err(|e| Error::unreadable(".crate archive", e, None))?;
                let pinned = if store_path::is_flat_sha256_output(&path, &checksum) {
                    tarball::Pinned::CheckedByNix
                } else {
                    tarball::Pinned::BySha256(&checksum)
                };
                let archive = tarball::read_crate(&what, &pkg.name, &version, &bytes, pinned)?;
                let file = format!("{path}!/Cargo.toml");
                let raw = match archive.parsed {
                    Some(raw) => raw,
                    // Parse again only to report the error with its line.
                    None => manifest::parse(&file, &archive.manifest)?,
                };
                let data = manifest::normalize(&file, "/", &raw, None, &archive.files)?;
                self.learned.manifests.insert(checksum, data.clone());
                Ok(Some(data))
            }
            LockedSource::Git {
                url,
                reference,
                rev,
                spelled,
                ..
            } => {
                let fetch = git_fetch(url, reference, rev, spelled);
                let Some(root) = self.locate(&fetch) else {
                    self.fetch.insert(fetch);
                    self.missing.push(index);
                    return Ok(None);
                };
                let root = root.trim_end_matches('/').to_string();
                let dirs = self
                    .scan_checkout(spelled, &root)?
                    .get(&pkg.name)
                    .cloned()
                    .unwrap_or_default();
                for sub in dirs {
                    let dir = if sub.is_empty() {
                        root.clone()
                    } else {
                        format!("{root}/{sub}")
                    };
                    let file = format!("{dir}/Cargo.toml");
                    let (_, raw) = workspace::read_manifest(self.fs, &file)?;
                    let inherit = workspace::find_workspace_below(self.fs, &dir, &root)?;
                    let files = DirFiles::new(self.fs, &dir);
                    let data = manifest::normalize(&file, &dir, &raw, inherit.as_ref(), &files)?;
                    if data.version == pkg.version {
                        self.git_subdirs.insert(index, sub);
                        return Ok(Some(data));
                    }
                }
                Err(Error::stale_lock(
                    format!(
                        "the git checkout of {url} at {rev} ({root}) has no package `{} {}`",
                        pkg.name, pkg.version
                    ),
                    format!("Run `cargo update -p {}`", pkg.name),
                ))
            }
        }
    }
}

/// Finds every package manifest in a checkout, like cargo's git source does:
/// skipping hidden directories and `target`.
fn scan_dir(
    fs: &dyn Fs,
    root: &str,
    rel: &str,
    depth: usize,
    found: &mut BTreeMap<String, Vec<String>>,
) -> Result<(), Error> {
    if depth > 10 {
        return Ok(());
    }
    let dir = if rel.is_empty() {
        root.to_string()
    } else {
        format!("{root}/{rel}")
    };
    let mut entries = fs.read_dir(&dir)?;
    entries.sort();
    if entries
        .iter()
        .any(|(n, k)| n == "Cargo.toml" && *k == EntryKind::File)
    {
        let file = format!("{dir}/Cargo.toml");
        if let Ok((_, raw)) = workspace::read_manifest(fs, &file) {
            if let Some(name) = raw.package.as_ref().and_then(|p| p.name.clone()) {
                found.entry(name).or_default().push(rel.to_string());
            }
        }
    }
    for (name, kind) in entries {
        if kind == EntryKind::Dir && !name.starts_with('.') && name != "target" {
            let sub = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            scan_dir(fs, root, &sub, depth + 1, found)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_io_urls_and_templates() {
        let regs = BTreeMap::from([(
            "https://my.registry/index".to_string(),
            "https://my.registry/dl/{crate}/{version}/{sha256-checksum}".to_string(),
        )]);
        let f = registry_fetch(&regs, CRATES_IO_SPARSE, "serde", "1.0.0", "ab").unwrap();
        assert!(
            matches!(f, Fetch::Crate { ref url, .. } if url == "https://static.crates.io/crates/serde/serde-1.0.0.crate")
        );
        let f = registry_fetch(
            &regs,
            "sparse+https://my.registry/index",
            "foo",
            "0.1.0",
            "ab",
        )
        .unwrap();
        assert!(
            matches!(f, Fetch::Crate { ref url, .. } if url == "https://my.registry/dl/foo/0.1.0/ab")
        );
        let e = registry_fetch(&regs, "registry+https://other/index", "foo", "0.1.0", "ab")
            .unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::UnknownRegistry { registry, .. } if registry == "https://other/index"),
            "{e:?}"
        );
        assert!(e.to_string().contains("registries"), "{e}");
        assert_eq!(
            expand_template("https://x/{prefix}/{crate}", "abcd", "1", ""),
            "https://x/ab/cd/abcd"
        );
        assert_eq!(
            expand_template("https://x/{prefix}/{crate}", "äöüß", "1", ""),
            "https://x/äö/üß/äöüß"
        );
        let e = registry_fetch(
            &regs,
            "sparse+https://my.registry/index",
            "äö",
            "1.0.0",
            "ab",
        )
        .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidLock { .. }), "{e:?}");
        assert!(e.to_string().contains("not a valid crate name"), "{e}");
        assert_eq!(
            expand_template("https://x/api", "abc", "1.0.0", ""),
            "https://x/api/abc/1.0.0/download"
        );
    }
}
