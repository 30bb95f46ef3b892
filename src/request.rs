//! The JSON boundary shared by every route (plugin, wasm, ifd, exec, CLI):
//! a [`Request`] in, an [`Answer`] envelope out. Documented in
//! `docs/plan-format.md`.

use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// Directory of the workspace (holds the root `Cargo.toml` unless `manifestPath` says otherwise).
    pub workspace: String,
    /// Path to the manifest to start from; default `<workspace>/Cargo.toml`.
    #[serde(default)]
    pub manifest_path: Option<String>,
    /// Path to the lock file; default `Cargo.lock` beside the workspace root manifest.
    #[serde(default)]
    pub lock_file: Option<String>,
    /// Target platform: a triple with a built-in cfg set, or a triple with an explicit cfg set.
    pub target: PlatformSpec,
    /// Host platform; default: the target.
    #[serde(default)]
    pub host: Option<PlatformSpec>,
    #[serde(default)]
    pub selection: Selection,
    /// Fetched sources: fetch key (from an earlier `fetch` answer) to a local path
    /// (a `.crate` file for registry crates, a checkout directory for git).
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
    /// Alternative registries: index URL (as in Cargo.lock, without `registry+`/`sparse+`)
    /// to a download URL template with `{crate}` and `{version}` (cargo's `dl` syntax).
    #[serde(default)]
    pub registries: BTreeMap<String, String>,
    /// The cargo profile to build: `dev` (cargo's default), `release`,
    /// `test`, `bench`, or a custom `[profile.NAME]`.
    #[serde(default = "default_profile")]
    pub profile: String,
    /// Cargo config documents (TOML), applied above the `.cargo/config.toml`
    /// files of the workspace, like `cargo --config`; later ones win.
    #[serde(default)]
    pub config: Vec<String>,
    /// What an earlier round's answer carried in its `learned` (manifests
    /// already read, by checksum), handed back unchanged so that no `.crate`
    /// is read twice in one evaluation. See [`crate::learned`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<String>,
    /// Which sources a `fetch` answer asks for (see [`Prefetch`]).
    #[serde(default)]
    pub prefetch: Prefetch,
}

/// Which sources a `fetch` answer lists when resolution finds some missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Prefetch {
    /// The missing packages and everything the lock says they may depend
    /// on: which of a package's dependencies are for another platform (or
    /// behind a feature) is only known from its manifest, so this can list
    /// a few sources the plan never uses, but a workspace plans in two
    /// rounds instead of one per level of its dependency graph.
    #[default]
    LockClosure,
    /// Only the packages resolution reached: nothing for other platforms,
    /// one round per level (what the CLI does with cargo's cache).
    Needed,
}

fn default_profile() -> String {
    "dev".to_string()
}

impl Default for Request {
    fn default() -> Self {
        Request {
            workspace: String::new(),
            manifest_path: None,
            lock_file: None,
            target: PlatformSpec::default(),
            host: None,
            selection: Selection::default(),
            sources: BTreeMap::new(),
            registries: BTreeMap::new(),
            profile: default_profile(),
            config: Vec::new(),
            learned: None,
            prefetch: Prefetch::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlatformSpec {
    Triple(String),
    Explicit { triple: String, cfg: Vec<String> },
}

impl Default for PlatformSpec {
    fn default() -> Self {
        PlatformSpec::Triple("x86_64-unknown-linux-gnu".into())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Selection {
    /// Select every workspace member (`--workspace`).
    #[serde(default)]
    pub workspace: bool,
    /// Select these packages (`-p`); with neither this nor `workspace`, cargo's default members.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Features to enable (`--features`): `feat` or `member/feat`.
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub all_features: bool,
    #[serde(default)]
    pub no_default_features: bool,
    /// Resolve as `cargo test` does: dev-dependencies and test targets.
    #[serde(default)]
    pub tests: bool,
}

/// What the planner answers: a plan, a list of sources it still needs, or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Plan {
        ok: True,
        plan: Box<Plan>,
    },
    Fetch {
        ok: True,
        fetch: Vec<Fetch>,
        /// The manifests read so far, for the next request's `learned`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        learned: Option<String>,
    },
    Error {
        ok: False,
        error: String,
    },
}

/// A source the planner needs before it can go on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Fetch {
    /// A `.crate` file: `builtins.fetchurl { url; sha256; name; }`.
    Crate {
        key: String,
        name: String,
        version: String,
        url: String,
        sha256: String,
    },
    /// A git checkout: `builtins.fetchGit { url; rev; allRefs = true; }`.
    #[serde(rename_all = "camelCase")]
    Git {
        key: String,
        url: String,
        rev: String,
        #[serde(rename = "ref")]
        reference: Option<String>,
    },
}

impl Fetch {
    pub fn key(&self) -> &str {
        match self {
            Fetch::Crate { key, .. } | Fetch::Git { key, .. } => key,
        }
    }
}

/// `true` in JSON, and only `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "bool", into = "bool")]
pub struct True;
/// `false` in JSON, and only `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "bool", into = "bool")]
pub struct False;

impl TryFrom<bool> for True {
    type Error = &'static str;
    fn try_from(b: bool) -> Result<Self, Self::Error> {
        if b {
            Ok(True)
        } else {
            Err("expected true")
        }
    }
}
impl From<True> for bool {
    fn from(_: True) -> bool {
        true
    }
}
impl TryFrom<bool> for False {
    type Error = &'static str;
    fn try_from(b: bool) -> Result<Self, Self::Error> {
        if b {
            Err("expected false")
        } else {
            Ok(False)
        }
    }
}
impl From<False> for bool {
    fn from(_: False) -> bool {
        false
    }
}
