//! The local workspace: the root manifest, its members (globs, exclusions,
//! default-members), and every path package they reach, loaded through an
//! [`Fs`].

use crate::error::{Error, ErrorKind};
use crate::fs::{self as files, EntryKind, FileKind, Fs};
use crate::manifest::{
    self, raw::RawManifest, DepSource, PackageData, PackageFiles, WorkspaceInherit,
};
use crate::profile::layer::{Layer, Origin};
use crate::profile::resolve::Written;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// A package's files on an [`Fs`], rooted at an absolute directory.
pub struct DirFiles<'a> {
    fs: &'a dyn Fs,
    root: String,
    cache: RefCell<BTreeMap<String, Vec<(String, EntryKind)>>>,
}

impl<'a> DirFiles<'a> {
    pub fn new(fs: &'a dyn Fs, root: &str) -> Self {
        DirFiles {
            fs,
            root: root.trim_end_matches('/').to_string(),
            cache: RefCell::new(BTreeMap::new()),
        }
    }
}

impl PackageFiles for DirFiles<'_> {
    fn is_file(&self, rel: &str) -> bool {
        let (dir, name) = match rel.rsplit_once('/') {
            Some((d, n)) => (d, n),
            None => ("", rel),
        };
        self.list_dir(dir)
            .iter()
            .any(|(n, k)| n == name && *k == EntryKind::File)
    }

    fn list_dir(&self, rel: &str) -> Vec<(String, EntryKind)> {
        if let Some(v) = self.cache.borrow().get(rel) {
            return v.clone();
        }
        let path = if rel.is_empty() {
            self.root.clone()
        } else {
            format!("{}/{rel}", self.root)
        };
        let v = self.fs.read_dir(&path).unwrap_or_default();
        self.cache.borrow_mut().insert(rel.to_string(), v.clone());
        v
    }
}

/// A path package of the workspace (a member or a path dependency).
#[derive(Debug, Clone)]
pub struct PathPackage {
    /// Absolute directory.
    pub dir: String,
    pub data: PackageData,
    pub member: bool,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    /// Absolute directory of the root manifest.
    pub root: String,
    pub root_manifest: String,
    pub resolver_v2: bool,
    /// Path packages by directory.
    pub packages: BTreeMap<String, PathPackage>,
    /// Directories of the default members.
    pub default_members: Vec<String>,
    /// `[profile.*]` of the root manifest.
    pub profiles: BTreeMap<String, Written>,
}

impl Workspace {
    pub fn members(&self) -> impl Iterator<Item = &PathPackage> {
        self.packages.values().filter(|p| p.member)
    }
}

pub fn read_manifest(fs: &dyn Fs, file: &str) -> Result<(String, RawManifest), Error> {
    let bytes = files::read_file(fs, file, FileKind::Manifest)
        .map_err(|e| Error::unreadable("manifest", e, None))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::new(ErrorKind::NotUtf8 {
            what: "manifest",
            file: file.to_string(),
        })
    })?;
    let raw = manifest::parse(file, &text)?;
    Ok((text, raw))
}

pub fn load(fs: &dyn Fs, manifest_path: &str) -> Result<Workspace, Error> {
    let root = parent_dir(manifest_path);
    let (_, raw) = read_manifest(fs, manifest_path)?;
    if raw.package.is_none() && raw.workspace.is_none() {
        return Err(Error::manifest(
            manifest_path,
            "manifest is missing either a `[package]` or a `[workspace]`",
        ));
    }
    let inherit = raw
        .workspace
        .as_ref()
        .map(|w| WorkspaceInherit::from_raw(&root, w));
    let mut ws = Workspace {
        root: root.clone(),
        root_manifest: manifest_path.to_string(),
        resolver_v2: false,
        packages: BTreeMap::new(),
        default_members: Vec::new(),
        profiles: manifest_profiles(manifest_path, raw.profile.as_ref())?,
    };

    let mut member_dirs: Vec<String> = Vec::new();
    // The same directories as `member_dirs`, for constant-time checks.
    let mut member_set: BTreeSet<String> = BTreeSet::new();
    if raw.package.is_some() {
        member_dirs.push(root.clone());
        member_set.insert(root.clone());
    }
    let mut excluded: Vec<String> = Vec::new();
    if let Some(w) = &raw.workspace {
        excluded = w
            .exclude
            .iter()
            .map(|e| manifest::join_path(&root, e))
            .collect();
        for pattern in &w.members {
            let dirs = expand_glob(fs, &root, pattern)?;
            if dirs.is_empty() && !has_glob(pattern) {
                return Err(Error::workspace(
                    manifest_path,
                    format!(
                        "workspace member `{pattern}` does not exist (no {}/Cargo.toml)",
                        manifest::join_path(&root, pattern)
                    ),
                    Some("Remove it from `workspace.members` or create the package".into()),
                ));
            }
            for d in dirs {
                if !excluded
                    .iter()
                    .any(|e| d == *e || d.starts_with(&format!("{e}/")))
                    && member_set.insert(d.clone())
                {
                    member_dirs.push(d);
                }
            }
        }
    }

    for dir in &member_dirs {
        let pkg = load_path_package(fs, dir, inherit.as_ref(), &raw, &root)?;
        ws.packages.insert(
            dir.clone(),
            PathPackage {
                dir: dir.clone(),
                data: pkg,
                member: true,
            },
        );
    }

    // Path dependencies (and path patches), transitively. Those under the
    // workspace root that are not excluded become members, as in cargo.
    let mut queue: Vec<String> = ws
        .packages
        .values()
        .flat_map(|p| path_deps(&p.data))
        .collect();
    // `[patch]` and `[replace]` paths are packages too, but never members.
    let mut overrides: BTreeSet<String> = BTreeSet::new();
    for dep in raw
        .patch
        .values()
        .flat_map(|t| t.values())
        .chain(raw.replace.values())
    {
        if let manifest::raw::RawDep::Detailed(d) = dep {
            if let Some(p) = &d.path {
                overrides.insert(manifest::join_path(&root, p));
            }
        }
    }
    queue.extend(overrides.iter().cloned());
    let mut seen: BTreeSet<String> = ws.packages.keys().cloned().collect();
    while let Some(dir) = queue.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        let inside = !overrides.contains(&dir)
            && dir.starts_with(&format!("{root}/"))
            && raw.workspace.is_some()
            && !excluded
                .iter()
                .any(|e| dir == *e || dir.starts_with(&format!("{e}/")));
        // Borrowed, not cloned: `[workspace.dependencies]` can be as long
        // as the workspace, and cloning it per package is quadratic.
        let outside_inherit;
        let (pkg_inherit, member) = if inside {
            (inherit.as_ref(), true)
        } else {
            outside_inherit = find_workspace(fs, &dir)?;
            (outside_inherit.as_ref(), false)
        };
        let pkg = load_path_package(fs, &dir, pkg_inherit, &raw, &root)?;
        queue.extend(path_deps(&pkg));
        ws.packages.insert(
            dir.clone(),
            PathPackage {
                dir: dir.clone(),
                data: pkg,
                member,
            },
        );
    }

    // Cargo: "two packages named `x` in this workspace".
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in ws.members() {
        by_name.entry(&p.data.name).or_default().push(&p.dir);
    }
    if let Some((name, dirs)) = by_name.iter().find(|(_, dirs)| dirs.len() > 1) {
        let files: Vec<String> = dirs.iter().map(|d| format!("{d}/Cargo.toml")).collect();
        return Err(Error::workspace(
            manifest_path,
            format!(
                "two packages named `{name}` in this workspace: {}",
                files.join(", ")
            ),
            Some("Rename one of them".into()),
        ));
    }

    ws.default_members = match raw
        .workspace
        .as_ref()
        .and_then(|w| w.default_members.as_ref())
    {
        Some(defaults) => {
            let mut out = Vec::new();
            for pattern in defaults {
                for d in expand_glob(fs, &root, pattern)? {
                    if !ws.packages.get(&d).is_some_and(|p| p.member) {
                        return Err(Error::workspace(
                            manifest_path,
                            format!("default member `{pattern}` is not a workspace member"),
                            None,
                        ));
                    }
                    out.push(d);
                }
            }
            out
        }
        None if raw.package.is_some() => vec![root.clone()],
        None => ws.members().map(|p| p.dir.clone()).collect(),
    };

    let resolver = raw
        .workspace
        .as_ref()
        .and_then(|w| w.resolver.clone())
        .or_else(|| raw.package.as_ref().and_then(|p| p.resolver.clone()))
        .or_else(|| {
            let edition = ws.packages.get(&root).map(|p| p.data.edition.as_str());
            edition.map(|e| {
                if e >= "2021" {
                    "2".to_string()
                } else {
                    "1".to_string()
                }
            })
        })
        .unwrap_or_else(|| "1".to_string());
    ws.resolver_v2 = match resolver.as_str() {
        "1" => false,
        "2" | "3" => true,
        other => {
            return Err(Error::workspace(
                manifest_path,
                format!("unknown resolver `{other}` (expected \"1\", \"2\" or \"3\")"),
                None,
            ))
        }
    };
    Ok(ws)
}

/// The `[profile.*]` tables of the root manifest, checked.
fn manifest_profiles(
    file: &str,
    profile: Option<&toml::Value>,
) -> Result<BTreeMap<String, Written>, Error> {
    let mut out = BTreeMap::new();
    let Some(value) = profile else {
        return Ok(out);
    };
    let table = value
        .as_table()
        .ok_or_else(|| Error::msg(format!("crateplan: {file}: `profile` must be a table")))?;
    for (name, v) in table {
        let layer = Layer::parse(
            v,
            &Origin {
                file,
                key: format!("profile.{name}"),
            },
        )?;
        out.insert(
            name.clone(),
            Written {
                layer,
                file: file.to_string(),
            },
        );
    }
    Ok(out)
}

fn load_path_package(
    fs: &dyn Fs,
    dir: &str,
    inherit: Option<&WorkspaceInherit>,
    root_raw: &RawManifest,
    root: &str,
) -> Result<PackageData, Error> {
    let file = format!("{dir}/Cargo.toml");
    let raw_owned;
    let raw = if dir == root {
        root_raw
    } else {
        raw_owned = read_manifest(fs, &file)?.1;
        &raw_owned
    };
    let files = DirFiles::new(fs, dir);
    manifest::normalize(&file, dir, raw, inherit, &files)
}

fn path_deps(data: &PackageData) -> Vec<String> {
    data.deps
        .iter()
        .filter_map(|d| match &d.source {
            DepSource::Path(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

/// The workspace a package outside ours belongs to, found by walking up.
pub fn find_workspace(fs: &dyn Fs, dir: &str) -> Result<Option<WorkspaceInherit>, Error> {
    find_workspace_below(fs, dir, "/")
}

/// Like [`find_workspace`], but never above `top` (a git checkout's root).
pub fn find_workspace_below(
    fs: &dyn Fs,
    dir: &str,
    top: &str,
) -> Result<Option<WorkspaceInherit>, Error> {
    let mut current = dir.to_string();
    loop {
        let file = format!("{current}/Cargo.toml");
        if files::is_file(fs, &file) {
            let (_, raw) = read_manifest(fs, &file)?;
            if let Some(w) = &raw.workspace {
                return Ok(Some(WorkspaceInherit::from_raw(&current, w)));
            }
        }
        if current == top || current == "/" || current.is_empty() || !current.starts_with(top) {
            return Ok(None);
        }
        current = parent_dir(&current);
    }
}

/// The directory of a file path.
pub fn parent_dir(path: &str) -> String {
    match path.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((d, _)) => d.to_string(),
        None => ".".to_string(),
    }
}

fn has_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Expands a member pattern into package directories (those with a Cargo.toml).
fn expand_glob(fs: &dyn Fs, root: &str, pattern: &str) -> Result<Vec<String>, Error> {
    let full = manifest::join_path(root, pattern);
    let mut dirs = vec![String::new()];
    for component in full.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for d in &dirs {
            if has_glob(component) {
                let pat = glob::Pattern::new(component).map_err(|e| {
                    Error::workspace(
                        root,
                        format!("invalid workspace member pattern `{pattern}`: {e}"),
                        None,
                    )
                })?;
                let mut entries = fs
                    .read_dir(if d.is_empty() { "/" } else { d })
                    .unwrap_or_default();
                entries.sort();
                for (name, kind) in entries {
                    if kind == EntryKind::Dir && pat.matches(&name) {
                        next.push(format!("{d}/{name}"));
                    }
                }
            } else {
                next.push(format!("{d}/{component}"));
            }
        }
        dirs = next;
    }
    Ok(dirs
        .into_iter()
        .filter(|d| files::is_file(fs, &format!("{d}/Cargo.toml")))
        .collect())
}
