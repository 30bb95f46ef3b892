//! `Cargo.toml` as written, deserialised with serde. Only what resolution and
//! building need; unknown keys are ignored like cargo ignores them.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawManifest {
    #[serde(alias = "project")]
    pub package: Option<RawPackage>,
    pub workspace: Option<RawWorkspace>,
    pub lib: Option<RawTarget>,
    #[serde(default)]
    pub bin: Vec<RawTarget>,
    #[serde(default)]
    pub test: Vec<RawTarget>,
    #[serde(default)]
    pub example: Vec<RawTarget>,
    #[serde(default)]
    pub bench: Vec<RawTarget>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    pub target: BTreeMap<String, RawPlatformDeps>,
    #[serde(default)]
    pub features: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub patch: BTreeMap<String, BTreeMap<String, RawDep>>,
    #[serde(default)]
    pub replace: BTreeMap<String, RawDep>,
    /// `[profile.*]`, parsed by `profile::layer` (only the root manifest's count).
    pub profile: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawPlatformDeps {
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "dev_dependencies")]
    pub dev_dependencies: BTreeMap<String, RawDep>,
    #[serde(default, alias = "build_dependencies")]
    pub build_dependencies: BTreeMap<String, RawDep>,
}

/// A field that may say `{ workspace = true }` instead of a value.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Inheritable<T> {
    Inherit { workspace: bool },
    Value(T),
}

/// `build = "path"`, `build = false` or `build = true`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StringOrBool {
    Bool(bool),
    String(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawPackage {
    pub name: Option<String>,
    pub version: Option<Inheritable<String>>,
    pub edition: Option<Inheritable<String>>,
    pub rust_version: Option<Inheritable<String>>,
    pub links: Option<String>,
    pub build: Option<StringOrBool>,
    pub autolib: Option<bool>,
    pub autobins: Option<bool>,
    pub autotests: Option<bool>,
    pub autoexamples: Option<bool>,
    pub autobenches: Option<bool>,
    pub authors: Option<Inheritable<Vec<String>>>,
    pub description: Option<Inheritable<String>>,
    pub homepage: Option<Inheritable<String>>,
    pub repository: Option<Inheritable<String>>,
    pub license: Option<Inheritable<String>>,
    pub license_file: Option<Inheritable<String>>,
    pub readme: Option<Inheritable<StringOrBool>>,
    pub workspace: Option<String>,
    pub resolver: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawWorkspace {
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub default_members: Option<Vec<String>>,
    pub resolver: Option<String>,
    #[serde(default)]
    pub dependencies: BTreeMap<String, RawDep>,
    #[serde(default)]
    pub package: RawWorkspacePackage,
}

/// `[workspace.package]`: values members inherit.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawWorkspacePackage {
    pub version: Option<String>,
    pub edition: Option<String>,
    pub rust_version: Option<String>,
    pub authors: Option<Vec<String>>,
    pub description: Option<String>,
    pub homepage: Option<String>,
    pub repository: Option<String>,
    pub license: Option<String>,
    pub license_file: Option<String>,
    pub readme: Option<StringOrBool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawDep {
    Version(String),
    Detailed(Box<DetailedDep>),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct DetailedDep {
    pub version: Option<String>,
    pub path: Option<String>,
    pub git: Option<String>,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub rev: Option<String>,
    pub registry: Option<String>,
    pub registry_index: Option<String>,
    pub package: Option<String>,
    pub optional: Option<bool>,
    #[serde(alias = "default_features")]
    pub default_features: Option<bool>,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub workspace: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawTarget {
    pub name: Option<String>,
    pub path: Option<String>,
    pub edition: Option<String>,
    #[serde(alias = "crate_type")]
    pub crate_type: Option<Vec<String>>,
    #[serde(alias = "proc_macro")]
    pub proc_macro: Option<bool>,
    #[serde(alias = "required_features")]
    pub required_features: Option<Vec<String>>,
    pub harness: Option<bool>,
    pub test: Option<bool>,
    pub doctest: Option<bool>,
}
