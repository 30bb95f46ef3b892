//! Manifests: parse `Cargo.toml`, apply workspace inheritance, and turn it
//! into the [`PackageData`] resolution works on.

pub mod raw;
pub mod targets;

use crate::error::Error;
use crate::plan::{DepKind, Metadata};
use raw::{DetailedDep, Inheritable, RawDep, RawManifest, RawWorkspace, StringOrBool};
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use targets::{PackageFiles, Targets};

/// Parses manifest text; `file` names it in errors (with line and column).
pub fn parse(file: &str, text: &str) -> Result<RawManifest, Error> {
    RawManifest::parse(text).map_err(|e| Error::manifest(file, e.located(text)))
}

/// What `[workspace]` gives its members: `[workspace.package]` and
/// `[workspace.dependencies]`, with the workspace root to resolve paths.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceInherit {
    pub root: String,
    pub package: raw::RawWorkspacePackage,
    pub dependencies: BTreeMap<String, RawDep>,
}

impl WorkspaceInherit {
    pub fn from_raw(root: &str, ws: &RawWorkspace) -> Self {
        WorkspaceInherit {
            root: root.to_string(),
            package: ws.package.clone(),
            dependencies: ws.dependencies.clone(),
        }
    }
}

/// A feature value, as in cargo: `feat`, `dep:name`, `name/feat`, `name?/feat`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeatureValue {
    Feature(String),
    Dep(String),
    DepFeature {
        dep: String,
        feature: String,
        weak: bool,
    },
}

impl FeatureValue {
    pub fn parse(s: &str) -> FeatureValue {
        if let Some(dep) = s.strip_prefix("dep:") {
            return FeatureValue::Dep(dep.to_string());
        }
        match s.split_once('/') {
            Some((dep, feature)) => {
                let (dep, weak) = match dep.strip_suffix('?') {
                    Some(d) => (d, true),
                    None => (dep, false),
                };
                FeatureValue::DepFeature {
                    dep: dep.to_string(),
                    feature: feature.to_string(),
                    weak,
                }
            }
            None => FeatureValue::Feature(s.to_string()),
        }
    }
}

/// Where a dependency comes from, as the manifest says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DepSource {
    /// crates.io, or a named alternative registry.
    Registry {
        registry: Option<String>,
    },
    /// An absolute directory.
    Path(String),
    Git {
        url: String,
    },
}

/// Serializable for [`crate::learned`], whose text answers carry between
/// rounds; defaults are left out to keep that text short.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dependency {
    /// The key in the manifest (the name the dependent uses).
    pub name_in_toml: String,
    /// The package it names (`package = "..."` or the key).
    pub package: String,
    pub kind: DepKind,
    /// `cfg(...)` or a triple, from `[target.X.*dependencies]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    pub default_features: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
    #[serde(default, with = "crate::learned::as_text::option")]
    pub req: Option<VersionReq>,
    pub source: DepSource,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Dependency {
    pub fn is_renamed(&self) -> bool {
        self.name_in_toml != self.package
    }
}

/// A package's manifest, normalised: everything resolution and builders need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageData {
    pub name: String,
    #[serde(with = "crate::learned::as_text")]
    pub version: Version,
    pub edition: String,
    pub links: Option<String>,
    pub rust_version: Option<String>,
    pub metadata: Metadata,
    /// The feature table including implicit features of optional deps.
    pub features: BTreeMap<String, Vec<String>>,
    pub deps: Vec<Dependency>,
    pub targets: Targets,
    /// Resolver declared in `[package]` (only meaningful for a root).
    pub resolver: Option<String>,
}

impl PackageData {
    pub fn feature_values(&self, feature: &str) -> Option<impl Iterator<Item = FeatureValue> + '_> {
        self.features
            .get(feature)
            .map(|vs| vs.iter().map(|v| FeatureValue::parse(v)))
    }

    pub fn has_proc_macro_lib(&self) -> bool {
        self.targets.lib.as_ref().is_some_and(|l| l.proc_macro)
    }
}

/// Normalises a parsed manifest of the package in directory `dir` (absolute).
/// `ws` is the workspace it inherits from, if any.
pub fn normalize(
    file: &str,
    dir: &str,
    raw: &RawManifest,
    ws: Option<&WorkspaceInherit>,
    files: &dyn PackageFiles,
) -> Result<PackageData, Error> {
    let ctx = Ctx { file, ws };
    let pkg = raw
        .package
        .as_ref()
        .ok_or_else(|| Error::manifest(file, "no [package] section"))?;
    let name = pkg
        .name
        .clone()
        .ok_or_else(|| Error::manifest(file, "[package] has no `name`"))?;
    let version_text = match &pkg.version {
        Some(v) => ctx.inherit("version", v, |p| p.version.clone())?,
        None => "0.0.0".to_string(),
    };
    let version = Version::parse(&version_text)
        .map_err(|e| Error::manifest(file, format!("invalid version `{version_text}`: {e}")))?;
    let edition = match &pkg.edition {
        Some(e) => ctx.inherit("edition", e, |p| p.edition.clone())?,
        None => "2015".to_string(),
    };
    let opt = |field: &str,
               v: &Option<Inheritable<String>>,
               get: fn(&raw::RawWorkspacePackage) -> Option<String>|
     -> Result<Option<String>, Error> {
        v.as_ref().map(|v| ctx.inherit(field, v, get)).transpose()
    };
    let metadata = Metadata {
        authors: match &pkg.authors {
            Some(a) => ctx.inherit("authors", a, |p| p.authors.clone())?,
            None => Vec::new(),
        },
        description: opt("description", &pkg.description, |p| p.description.clone())?,
        homepage: opt("homepage", &pkg.homepage, |p| p.homepage.clone())?,
        repository: opt("repository", &pkg.repository, |p| p.repository.clone())?,
        license: opt("license", &pkg.license, |p| p.license.clone())?,
        license_file: opt("license-file", &pkg.license_file, |p| {
            p.license_file.clone()
        })?,
        readme: match &pkg.readme {
            Some(r) => match ctx.inherit("readme", r, |p| p.readme.clone())? {
                StringOrBool::String(s) => Some(s),
                StringOrBool::Bool(_) => None,
            },
            None => None,
        },
    };
    let rust_version = opt("rust-version", &pkg.rust_version, |p| {
        p.rust_version.clone()
    })?;

    let mut deps = Vec::new();
    let sections = [
        (None, DepKind::Normal, &raw.dependencies),
        (None, DepKind::Dev, &raw.dev_dependencies),
        (None, DepKind::Build, &raw.build_dependencies),
    ];
    for (platform, kind, table) in sections {
        for (key, dep) in table {
            deps.push(ctx.dependency(dir, key, dep, kind, platform)?);
        }
    }
    for (platform, tables) in &raw.target {
        for (kind, table) in [
            (DepKind::Normal, &tables.dependencies),
            (DepKind::Dev, &tables.dev_dependencies),
            (DepKind::Build, &tables.build_dependencies),
        ] {
            for (key, dep) in table {
                deps.push(ctx.dependency(dir, key, dep, kind, Some(platform.as_str()))?);
            }
        }
    }

    check_features(file, &raw.features, &deps)?;

    // Implicit features: an optional dependency that no feature names with
    // `dep:` gets a feature of its own name.
    let mut features = raw.features.clone();
    let hidden: std::collections::BTreeSet<&str> = raw
        .features
        .values()
        .flatten()
        .filter_map(|v| v.strip_prefix("dep:"))
        .collect();
    for dep in deps.iter().filter(|d| d.optional) {
        if !hidden.contains(dep.name_in_toml.as_str()) && !features.contains_key(&dep.name_in_toml)
        {
            features.insert(
                dep.name_in_toml.clone(),
                vec![format!("dep:{}", dep.name_in_toml)],
            );
        }
    }

    let targets = targets::discover(file, &name, &edition, pkg, raw, files)?;

    Ok(PackageData {
        name,
        version,
        edition,
        links: pkg.links.clone(),
        rust_version,
        metadata,
        features,
        deps,
        targets,
        resolver: pkg.resolver.clone(),
    })
}

/// Refuses `[features]` that cargo refuses when it loads the manifest, with
/// cargo's words ("failed to parse manifest ... feature `a` includes ..."),
/// so no plan is made for a package cargo would never build.
fn check_features(
    file: &str,
    features: &BTreeMap<String, Vec<String>>,
    deps: &[Dependency],
) -> Result<(), Error> {
    let optional = |name: &str| -> Option<bool> {
        let mut found = deps.iter().filter(|d| d.name_in_toml == name).peekable();
        found.peek()?;
        Some(found.any(|d| d.optional))
    };
    let hidden: std::collections::BTreeSet<&str> = features
        .values()
        .flatten()
        .filter_map(|v| v.strip_prefix("dep:"))
        .collect();
    const NOT_OPTIONAL: &str = "A non-optional dependency of the same name is defined; \
         consider adding `optional = true` to its definition";
    for (feature, values) in features {
        for value in values {
            let problem = match FeatureValue::parse(value) {
                FeatureValue::Feature(f) if features.contains_key(&f) => None,
                FeatureValue::Feature(f) => match optional(&f) {
                    None => Some(format!(
                        "feature `{feature}` includes `{f}` which is neither a dependency nor another feature"
                    )),
                    Some(false) => Some(format!(
                        "feature `{feature}` includes `{f}`, but `{f}` is not an optional dependency. {NOT_OPTIONAL}"
                    )),
                    Some(true) if hidden.contains(f.as_str()) => Some(format!(
                        "feature `{feature}` includes `{f}`, but `{f}` is an optional dependency without an implicit feature. \
                         Use `dep:{f}` to enable the dependency"
                    )),
                    Some(true) => None,
                },
                FeatureValue::Dep(d) => match optional(&d) {
                    None => Some(format!(
                        "feature `{feature}` includes `dep:{d}`, but `{d}` is not listed as a dependency"
                    )),
                    Some(false) => Some(format!(
                        "feature `{feature}` includes `dep:{d}`, but `{d}` is not an optional dependency. {NOT_OPTIONAL}"
                    )),
                    Some(true) => None,
                },
                FeatureValue::DepFeature { dep, weak, .. } => match optional(&dep) {
                    None => Some(format!(
                        "feature `{feature}` includes `{value}`, but `{dep}` is not a dependency"
                    )),
                    Some(false) if weak => Some(format!(
                        "feature `{feature}` includes `{value}` with a `?`, but `{dep}` is not an optional dependency. \
                         A non-optional dependency of the same name is defined; consider removing the `?` or changing the dependency to be optional"
                    )),
                    Some(_) => None,
                },
            };
            if let Some(problem) = problem {
                return Err(Error::manifest(file, problem));
            }
        }
    }
    Ok(())
}

struct Ctx<'a> {
    file: &'a str,
    ws: Option<&'a WorkspaceInherit>,
}

impl Ctx<'_> {
    fn workspace(&self, what: &str) -> Result<&WorkspaceInherit, Error> {
        self.ws.ok_or_else(|| {
            Error::manifest(
                self.file,
                format!("`{what}` says `workspace = true` but the package is in no workspace"),
            )
        })
    }

    fn inherit<T: Clone>(
        &self,
        field: &str,
        v: &Inheritable<T>,
        get: impl Fn(&raw::RawWorkspacePackage) -> Option<T>,
    ) -> Result<T, Error> {
        match v {
            Inheritable::Value(v) => Ok(v.clone()),
            Inheritable::Inherit { .. } => {
                let ws = self.workspace(field)?;
                get(&ws.package).ok_or_else(|| {
                    Error::manifest(
                        self.file,
                        format!(
                            "`{field}.workspace = true`, but {}/Cargo.toml has no `workspace.package.{field}`",
                            ws.root
                        ),
                    )
                })
            }
        }
    }

    fn dependency(
        &self,
        dir: &str,
        key: &str,
        dep: &RawDep,
        kind: DepKind,
        platform: Option<&str>,
    ) -> Result<Dependency, Error> {
        let detailed = match dep {
            RawDep::Version(v) => DetailedDep {
                version: Some(v.clone()),
                ..Default::default()
            },
            RawDep::Detailed(d) => (**d).clone(),
        };
        let (d, base) = if detailed.workspace {
            let ws = self.workspace(&format!("dependencies.{key}"))?;
            let inherited = ws.dependencies.get(key).ok_or_else(|| {
                Error::manifest(
                    self.file,
                    format!(
                        "dependency `{key}` says `workspace = true`, but {}/Cargo.toml has no `workspace.dependencies.{key}`",
                        ws.root
                    ),
                )
            })?;
            let mut merged = match inherited {
                RawDep::Version(v) => DetailedDep {
                    version: Some(v.clone()),
                    ..Default::default()
                },
                RawDep::Detailed(d) => (**d).clone(),
            };
            // The member adds features and may make it optional; the rest is the workspace's.
            merged.features.extend(detailed.features.iter().cloned());
            merged.optional = detailed.optional.or(merged.optional);
            if let Some(df) = detailed.default_features {
                merged.default_features = Some(df || merged.default_features.unwrap_or(true));
            }
            (merged, ws.root.as_str())
        } else {
            (detailed, dir)
        };
        let req = d
            .version
            .as_deref()
            .map(|v| {
                VersionReq::parse(v).map_err(|e| {
                    Error::manifest(
                        self.file,
                        format!("dependency `{key}` has an invalid version requirement `{v}`: {e}"),
                    )
                })
            })
            .transpose()?;
        let source = if let Some(p) = &d.path {
            DepSource::Path(join_path(base, p))
        } else if let Some(g) = &d.git {
            DepSource::Git { url: g.clone() }
        } else {
            DepSource::Registry {
                registry: d.registry.clone().or(d.registry_index.clone()),
            }
        };
        Ok(Dependency {
            name_in_toml: key.to_string(),
            package: d.package.clone().unwrap_or_else(|| key.to_string()),
            kind,
            platform: platform.map(str::to_string),
            optional: d.optional.unwrap_or(false),
            default_features: d.default_features.unwrap_or(true),
            features: d.features.clone(),
            req,
            source,
        })
    }
}

/// Joins a relative path onto an absolute directory and normalises `.`/`..`.
pub fn join_path(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_values_parse() {
        assert_eq!(
            FeatureValue::parse("std"),
            FeatureValue::Feature("std".into())
        );
        assert_eq!(
            FeatureValue::parse("dep:serde"),
            FeatureValue::Dep("serde".into())
        );
        assert_eq!(
            FeatureValue::parse("serde?/std"),
            FeatureValue::DepFeature {
                dep: "serde".into(),
                feature: "std".into(),
                weak: true
            }
        );
    }

    #[test]
    fn malformed_toml_names_file_and_line() {
        let e = parse(
            "/w/Cargo.toml",
            "[package]\nname = \"a\"\nversion = 1.0.0\n",
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("/w/Cargo.toml:3:"), "{m}");
    }

    #[test]
    fn join_paths() {
        assert_eq!(join_path("/a/b", "../c"), "/a/c");
        assert_eq!(join_path("/a/b", "./c/d"), "/a/b/c/d");
        assert_eq!(join_path("/a/b", "/x"), "/x");
    }
}
