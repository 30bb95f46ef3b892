//! The resolve graph: locked packages, their manifests (loaded lazily, only
//! when resolution reaches them), and each manifest dependency linked to the
//! locked package it resolved to.

use crate::error::Error;
use crate::lockfile::{Lock, LockedSource};
use crate::manifest::{DepSource, Dependency, PackageData};
use crate::plan::DepKind;
use crate::platform::Platform;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Supplies manifests for locked packages. `Ok(None)` means "not available
/// yet": the source must be fetched first.
pub trait Loader {
    fn load(&mut self, index: usize, lock: &Lock) -> Result<Option<PackageData>, Error>;
}

/// A manifest dependency together with the locked package it resolved to.
#[derive(Debug, Clone)]
pub struct Linked {
    pub name_in_toml: String,
    pub package: String,
    pub kind: DepKind,
    pub platform: Option<String>,
    pub optional: bool,
    pub default_features: bool,
    pub features: Vec<String>,
    pub renamed: bool,
    /// The locked package; `None` for deps cargo did not lock (inactive
    /// optional deps of non-members, dev-deps of non-members).
    pub target: Option<usize>,
}

pub struct Graph<'a> {
    pub lock: &'a Lock,
    loader: &'a mut dyn Loader,
    data: BTreeMap<usize, Option<Rc<PackageData>>>,
    linked: BTreeMap<usize, Rc<Vec<Linked>>>,
    /// Packages resolution reached whose manifests are not available.
    pub missing: BTreeSet<usize>,
    pub target: &'a Platform,
    pub host: &'a Platform,
    /// `platform_active` answers per spec, for the target `[0]` and the host `[1]`.
    platform_cache: [BTreeMap<String, bool>; 2],
    /// Workspace members (path packages of the workspace).
    pub members: BTreeSet<usize>,
    /// Selected members whose dev-dependencies take part.
    pub dev_roots: BTreeSet<usize>,
}

impl<'a> Graph<'a> {
    pub fn new(
        lock: &'a Lock,
        loader: &'a mut dyn Loader,
        target: &'a Platform,
        host: &'a Platform,
    ) -> Self {
        Graph {
            lock,
            loader,
            data: BTreeMap::new(),
            linked: BTreeMap::new(),
            missing: BTreeSet::new(),
            target,
            host,
            platform_cache: [BTreeMap::new(), BTreeMap::new()],
            members: BTreeSet::new(),
            dev_roots: BTreeSet::new(),
        }
    }

    /// The manifest of a locked package, loading it on first use.
    pub fn data(&mut self, index: usize) -> Result<Option<Rc<PackageData>>, Error> {
        if let Some(d) = self.data.get(&index) {
            return Ok(d.clone());
        }
        let loaded = self.loader.load(index, self.lock)?.map(Rc::new);
        if loaded.is_none() {
            self.missing.insert(index);
        }
        self.data.insert(index, loaded.clone());
        Ok(loaded)
    }

    /// Seeds the manifest cache with what an earlier resolution loaded
    /// (`None`: not available), so the loader is never asked for it: lets a
    /// caller resolve again without loading, e.g. to time resolution alone.
    pub fn preload(&mut self, index: usize, data: Option<Rc<PackageData>>) {
        if data.is_none() {
            self.missing.insert(index);
        }
        self.data.insert(index, data);
    }

    pub fn is_dev_root(&self, index: usize) -> bool {
        self.dev_roots.contains(&index)
    }

    /// Whether a target-specific dependency applies on the host or the target.
    pub fn platform_active(&mut self, dep: &Linked, host: bool) -> Result<bool, Error> {
        let Some(spec) = &dep.platform else {
            return Ok(true);
        };
        if let Some(v) = self.platform_cache[usize::from(host)].get(spec.as_str()) {
            return Ok(*v);
        }
        let platform = if host { self.host } else { self.target };
        let v = platform
            .matches_spec(spec)
            .map_err(|e| Error::platform(format!("`[target.'{spec}']` in a manifest: {e}")))?;
        self.platform_cache[usize::from(host)].insert(spec.clone(), v);
        Ok(v)
    }

    /// The package's dependencies linked to locked packages (empty while its
    /// manifest is missing).
    pub fn linked(&mut self, index: usize) -> Result<Rc<Vec<Linked>>, Error> {
        if let Some(l) = self.linked.get(&index) {
            return Ok(l.clone());
        }
        let Some(data) = self.data(index)? else {
            return Ok(Rc::new(Vec::new()));
        };
        let mut out = Vec::with_capacity(data.deps.len());
        for dep in &data.deps {
            let target = self.link(index, dep)?;
            out.push(Linked {
                name_in_toml: dep.name_in_toml.clone(),
                package: dep.package.clone(),
                kind: dep.kind,
                platform: dep.platform.clone(),
                optional: dep.optional,
                default_features: dep.default_features,
                features: dep.features.clone(),
                renamed: dep.is_renamed(),
                target,
            });
        }
        let out = Rc::new(out);
        self.linked.insert(index, out.clone());
        Ok(out)
    }

    /// Finds the locked package a manifest dependency resolved to.
    fn link(&self, index: usize, dep: &Dependency) -> Result<Option<usize>, Error> {
        let pkg = &self.lock.packages[index];
        let candidates: Vec<usize> = pkg
            .deps
            .iter()
            .copied()
            .filter(|&d| self.lock.packages[d].name == dep.package)
            .collect();
        let matching: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&d| {
                let locked = &self.lock.packages[d];
                dep.req
                    .as_ref()
                    .is_none_or(|r| r.matches(&locked.version) || matches_pre(r, &locked.version))
            })
            .collect();
        let pick = |set: &[usize]| -> Option<usize> {
            let by_source: Vec<usize> = set
                .iter()
                .copied()
                .filter(|&d| source_agrees(&dep.source, &self.lock.packages[d].source))
                .collect();
            let pool = if by_source.is_empty() {
                set
            } else {
                &by_source
            };
            pool.iter().copied().max_by(|&a, &b| {
                self.lock.packages[a]
                    .version
                    .cmp(&self.lock.packages[b].version)
            })
        };
        if let Some(found) = pick(&matching) {
            return Ok(Some(found));
        }
        let is_member = self.members.contains(&index);
        if !candidates.is_empty() && !is_member {
            // Published crates are immutable: trust the lock.
            return Ok(pick(&candidates));
        }
        // Not locked: fine for what cargo leaves out of the lock.
        let unlocked_ok = !is_member && (dep.optional || dep.kind == DepKind::Dev);
        if unlocked_ok {
            return Ok(None);
        }
        let req = dep
            .req
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let found = if candidates.is_empty() {
            "the lock has no such dependency".to_string()
        } else {
            let versions: Vec<String> = candidates
                .iter()
                .map(|&c| self.lock.packages[c].version.to_string())
                .collect();
            format!("the lock has version {}", versions.join(", "))
        };
        Err(Error::stale_lock(
            format!(
                "`{} {}` depends on `{}`{req}, but {found}",
                pkg.name, pkg.version, dep.package
            ),
            format!(
                "Run `cargo update -p {}` (or `cargo generate-lockfile`) and commit Cargo.lock",
                pkg.name
            ),
        ))
    }
}

/// Cargo lets a locked pre-release satisfy a requirement on its base version.
fn matches_pre(req: &semver::VersionReq, v: &semver::Version) -> bool {
    if v.pre.is_empty() {
        return false;
    }
    let base = semver::Version::new(v.major, v.minor, v.patch);
    req.matches(&base)
}

fn source_agrees(spec: &DepSource, locked: &LockedSource) -> bool {
    match (spec, locked) {
        (DepSource::Path(_), LockedSource::Path) => true,
        (DepSource::Registry { .. }, LockedSource::Registry { .. }) => true,
        (DepSource::Git { url }, LockedSource::Git { url: locked, .. }) => {
            canonical_git_url(url) == canonical_git_url(locked)
        }
        _ => false,
    }
}

/// Cargo's git URL canonicalisation, enough to compare: no trailing slash or `.git`, lowercase host.
pub fn canonical_git_url(url: &str) -> String {
    let u = url.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    u.to_ascii_lowercase()
}
