//! The plan: crateplan's answer, consumed by `lib.nix`. Documented in
//! `docs/plan-format.md`; bump [`PLAN_VERSION`] on any incompatible change.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const PLAN_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub version: u32,
    /// Absolute path of the workspace root (the directory of the root manifest).
    pub workspace_root: String,
    pub platforms: Platforms,
    /// Every workspace member, by package name, to its package key.
    pub members: BTreeMap<String, String>,
    /// The instances the selection asked for (selected members, target platform).
    pub roots: Vec<String>,
    pub packages: BTreeMap<String, Package>,
    pub instances: BTreeMap<String, Instance>,
    /// `[env]` of the cargo config: variables for rustc and build scripts.
    pub env: BTreeMap<String, EnvVar>,
}

/// One `[env]` entry of the cargo config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    /// The value; a path relative to the workspace root when `relative`.
    pub value: String,
    /// Set even when the variable is already in the environment.
    pub force: bool,
    pub relative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platforms {
    pub target: PlatformInfo,
    pub host: PlatformInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformInfo {
    pub triple: String,
    /// The cfg set, as `rustc --print cfg` prints it: `unix`, `target_os="linux"`.
    pub cfg: Vec<String>,
    /// Extra rustc flags for every unit of this platform (cargo config).
    pub rustflags: Vec<String>,
    /// Extra rustdoc flags for this platform (cargo config).
    pub rustdocflags: Vec<String>,
    /// The linker to pass as `-C linker=` (cargo config), if any.
    pub linker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Cargo's package id spec, e.g. `registry+https://github.com/rust-lang/crates.io-index#serde@1.0.200`.
    pub id: String,
    pub source: Source,
    pub edition: String,
    pub links: Option<String>,
    pub rust_version: Option<String>,
    pub metadata: Metadata,
    pub lib: Option<Target>,
    pub bins: Vec<Target>,
    pub tests: Vec<Target>,
    pub examples: Vec<Target>,
    pub benches: Vec<Target>,
    /// Path of the build script, relative to the package root.
    pub build: Option<String>,
    /// The package's feature table (after implicit optional-dependency features).
    pub features: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Source {
    /// A `.crate` file from a registry: fetch `url`, check `sha256` (hex).
    #[serde(rename_all = "camelCase")]
    Registry {
        registry: String,
        url: String,
        sha256: String,
        fetch_key: String,
    },
    /// A directory of a git checkout; `subdir` is the package root within it.
    #[serde(rename_all = "camelCase")]
    Git {
        url: String,
        rev: String,
        #[serde(rename = "ref")]
        reference: Option<String>,
        subdir: String,
        fetch_key: String,
    },
    /// A local path, relative to the workspace root (`.` for the root package).
    #[serde(rename_all = "camelCase")]
    Path { path: String, member: bool },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub homepage: Option<String>,
    pub repository: Option<String>,
    pub license: Option<String>,
    pub license_file: Option<String>,
    pub readme: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// The crate name as rustc sees it (`-` already replaced by `_` for libs).
    pub name: String,
    /// Source path relative to the package root.
    pub path: String,
    pub edition: String,
    pub crate_types: Vec<String>,
    pub required_features: Vec<String>,
    pub harness: bool,
    /// Whether `cargo test` builds/runs it by default.
    pub test: bool,
    /// Whether `cargo test` runs its doc tests: only a lib with `doctest`
    /// on (the default) and a crate type rustdoc can test (`lib`, `rlib`,
    /// `proc-macro`).
    pub doctest: bool,
    pub proc_macro: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PlatformKind {
    Target,
    Host,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub package: String,
    pub platform: PlatformKind,
    pub features: Vec<String>,
    pub deps: Vec<DepEdge>,
    /// Bins to build (members only; required-features satisfied).
    pub bins: Vec<String>,
    /// The profile of its lib and bins, and what its build script run reports.
    pub profile: Profile,
    /// The profile its build script is compiled with; `None` without one.
    pub build_script_profile: Option<Profile>,
    /// In a plan with `selection.tests`: the profile `cargo test` builds it
    /// with (test harnesses, and this instance as their dependency).
    pub test_profile: Option<Profile>,
}

/// A resolved cargo profile, with values as rustc takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The profile's name as cargo reports it (`dev`, `release`, `test`, custom).
    pub name: String,
    /// `PROFILE` for build scripts: `release` when the profile inherits from
    /// `release`, else `debug`.
    pub root: ProfileRoot,
    /// `0`-`3`, `s`, `z`: `-C opt-level=` (and build scripts' `OPT_LEVEL`).
    pub opt_level: String,
    /// `0`, `1`, `2`, `line-directives-only`, `line-tables-only`: `-C debuginfo=`.
    pub debuginfo: String,
    /// `off`, `packed`, `unpacked`: `-C split-debuginfo=`; null passes nothing.
    pub split_debuginfo: Option<String>,
    /// `none`, `debuginfo`, `symbols`: `-C strip=` when not `none`.
    pub strip: String,
    pub debug_assertions: bool,
    pub overflow_checks: bool,
    /// `false` (rustc's default, pass nothing), `off`, `thin`, `fat`.
    pub lto: String,
    /// `unwind` or `abort`.
    pub panic: String,
    /// `-C codegen-units=`; null passes nothing.
    pub codegen_units: Option<u32>,
    pub rpath: bool,
    /// Informational: Nix builds are never incremental.
    pub incremental: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProfileRoot {
    Debug,
    Release,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DepEdge {
    /// The name the dependent uses in `--extern` (renames applied, `-` as `_`).
    #[serde(rename = "extern")]
    pub extern_name: String,
    pub instance: String,
    pub kind: DepKind,
}
