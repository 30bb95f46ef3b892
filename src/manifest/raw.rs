//! `Cargo.toml` as written. Only what resolution and building need; unknown
//! keys are ignored like cargo ignores them. Read from the parsed document by
//! hand (`crate::toml_read`, which says why not with serde), with the keys
//! and aliases serde's derive would accept, and its errors.

use crate::toml_read::{self as read, Item, ReadError};
use std::collections::BTreeMap;
use toml::de::{DeTable, DeValue};

#[derive(Debug, Default)]
pub struct RawManifest {
    pub package: Option<RawPackage>,
    pub workspace: Option<RawWorkspace>,
    pub lib: Option<RawTarget>,
    pub bin: Vec<RawTarget>,
    pub test: Vec<RawTarget>,
    pub example: Vec<RawTarget>,
    pub bench: Vec<RawTarget>,
    pub dependencies: BTreeMap<String, RawDep>,
    pub dev_dependencies: BTreeMap<String, RawDep>,
    pub build_dependencies: BTreeMap<String, RawDep>,
    pub target: BTreeMap<String, RawPlatformDeps>,
    pub features: BTreeMap<String, Vec<String>>,
    pub patch: BTreeMap<String, BTreeMap<String, RawDep>>,
    pub replace: BTreeMap<String, RawDep>,
    /// `[profile.*]`, parsed by `profile::layer` (only the root manifest's count).
    pub profile: Option<toml::Value>,
}

#[derive(Debug, Default)]
pub struct RawPlatformDeps {
    pub dependencies: BTreeMap<String, RawDep>,
    pub dev_dependencies: BTreeMap<String, RawDep>,
    pub build_dependencies: BTreeMap<String, RawDep>,
}

/// A field that may say `{ workspace = true }` instead of a value.
#[derive(Debug, Clone)]
pub enum Inheritable<T> {
    Inherit { workspace: bool },
    Value(T),
}

/// `build = "path"`, `build = false` or `build = true`.
#[derive(Debug, Clone)]
pub enum StringOrBool {
    Bool(bool),
    String(String),
}

#[derive(Debug, Default)]
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

#[derive(Debug, Default)]
pub struct RawWorkspace {
    pub members: Vec<String>,
    pub exclude: Vec<String>,
    pub default_members: Option<Vec<String>>,
    pub resolver: Option<String>,
    pub dependencies: BTreeMap<String, RawDep>,
    pub package: RawWorkspacePackage,
}

/// `[workspace.package]`: values members inherit.
#[derive(Debug, Default, Clone)]
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

#[derive(Debug, Clone)]
pub enum RawDep {
    Version(String),
    Detailed(Box<DetailedDep>),
}

#[derive(Debug, Clone, Default)]
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
    pub default_features: Option<bool>,
    pub features: Vec<String>,
    pub workspace: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RawTarget {
    pub name: Option<String>,
    pub path: Option<String>,
    pub edition: Option<String>,
    pub crate_type: Option<Vec<String>>,
    pub proc_macro: Option<bool>,
    pub required_features: Option<Vec<String>>,
    pub harness: Option<bool>,
    pub test: Option<bool>,
    pub doctest: Option<bool>,
}

// Reading. Each key lists its spellings, preferred first: kebab-case, then
// the aliases (cargo also accepts `dev_dependencies` and the like, and
// prefers the kebab-case key when a manifest has both).

/// A table of dependencies, by the name the manifest gives them.
fn deps(item: &Item<'_>) -> Result<BTreeMap<String, RawDep>, ReadError> {
    read::map(item, RawDep::read)
}

fn deps_at(t: &DeTable<'_>, keys: &[&str]) -> Result<BTreeMap<String, RawDep>, ReadError> {
    Ok(read::optional(t, keys, deps)?.unwrap_or_default())
}

fn string_at(t: &DeTable<'_>, key: &str) -> Result<Option<String>, ReadError> {
    read::optional(t, &[key], read::string)
}

fn bool_at(t: &DeTable<'_>, keys: &[&str]) -> Result<Option<bool>, ReadError> {
    read::optional(t, keys, read::boolean)
}

fn strings_at(t: &DeTable<'_>, keys: &[&str]) -> Result<Option<Vec<String>>, ReadError> {
    read::optional(t, keys, read::strings)
}

fn inheritable_at<T>(
    t: &DeTable<'_>,
    key: &str,
    value: impl FnOnce(&Item<'_>) -> Result<T, ReadError>,
) -> Result<Option<Inheritable<T>>, ReadError> {
    read::optional(t, &[key], |item| Inheritable::read(item, value))
}

fn targets_at(t: &DeTable<'_>, key: &str) -> Result<Vec<RawTarget>, ReadError> {
    Ok(read::optional(t, &[key], |i| read::list(i, RawTarget::read))?.unwrap_or_default())
}

impl RawManifest {
    /// Parses manifest text (syntax errors and wrong types alike).
    pub fn parse(text: &str) -> Result<RawManifest, ReadError> {
        RawManifest::read(read::parse(text)?.get_ref())
    }

    fn read(t: &DeTable<'_>) -> Result<RawManifest, ReadError> {
        Ok(RawManifest {
            package: read::optional(t, &["package", "project"], RawPackage::read)?,
            workspace: read::optional(t, &["workspace"], RawWorkspace::read)?,
            lib: read::optional(t, &["lib"], RawTarget::read)?,
            bin: targets_at(t, "bin")?,
            test: targets_at(t, "test")?,
            example: targets_at(t, "example")?,
            bench: targets_at(t, "bench")?,
            dependencies: deps_at(t, &["dependencies"])?,
            dev_dependencies: deps_at(t, &["dev-dependencies", "dev_dependencies"])?,
            build_dependencies: deps_at(t, &["build-dependencies", "build_dependencies"])?,
            target: read::optional(t, &["target"], |i| read::map(i, RawPlatformDeps::read))?
                .unwrap_or_default(),
            features: read::optional(t, &["features"], |i| read::map(i, read::strings))?
                .unwrap_or_default(),
            patch: read::optional(t, &["patch"], |i| read::map(i, deps))?.unwrap_or_default(),
            replace: deps_at(t, &["replace"])?,
            profile: read::optional(t, &["profile"], read::to_value)?,
        })
    }
}

impl RawPlatformDeps {
    fn read(item: &Item<'_>) -> Result<RawPlatformDeps, ReadError> {
        let t = read::table(item)?;
        Ok(RawPlatformDeps {
            dependencies: deps_at(t, &["dependencies"])?,
            dev_dependencies: deps_at(t, &["dev-dependencies", "dev_dependencies"])?,
            build_dependencies: deps_at(t, &["build-dependencies", "build_dependencies"])?,
        })
    }
}

impl<T> Inheritable<T> {
    /// `{ workspace = <bool> }` (other keys ignored), or else a `value`.
    fn read(
        item: &Item<'_>,
        value: impl FnOnce(&Item<'_>) -> Result<T, ReadError>,
    ) -> Result<Inheritable<T>, ReadError> {
        if let Ok(t) = read::table(item) {
            if let Some(Ok(workspace)) = t.get("workspace").map(read::boolean) {
                return Ok(Inheritable::Inherit { workspace });
            }
        }
        value(item).map(Inheritable::Value)
    }
}

impl StringOrBool {
    fn read(item: &Item<'_>) -> Result<StringOrBool, ReadError> {
        match item.get_ref() {
            DeValue::Boolean(b) => Ok(StringOrBool::Bool(*b)),
            DeValue::String(s) => Ok(StringOrBool::String(s.to_string())),
            _ => Err(read::invalid_type(item, "a boolean or a string")),
        }
    }
}

impl RawPackage {
    fn read(item: &Item<'_>) -> Result<RawPackage, ReadError> {
        let t = read::table(item)?;
        let auto = |key: &str| bool_at(t, &[key]);
        Ok(RawPackage {
            name: string_at(t, "name")?,
            version: inheritable_at(t, "version", read::string)?,
            edition: inheritable_at(t, "edition", read::string)?,
            rust_version: inheritable_at(t, "rust-version", read::string)?,
            links: string_at(t, "links")?,
            build: read::optional(t, &["build"], StringOrBool::read)?,
            autolib: auto("autolib")?,
            autobins: auto("autobins")?,
            autotests: auto("autotests")?,
            autoexamples: auto("autoexamples")?,
            autobenches: auto("autobenches")?,
            authors: inheritable_at(t, "authors", read::strings)?,
            description: inheritable_at(t, "description", read::string)?,
            homepage: inheritable_at(t, "homepage", read::string)?,
            repository: inheritable_at(t, "repository", read::string)?,
            license: inheritable_at(t, "license", read::string)?,
            license_file: inheritable_at(t, "license-file", read::string)?,
            readme: inheritable_at(t, "readme", StringOrBool::read)?,
            workspace: string_at(t, "workspace")?,
            resolver: string_at(t, "resolver")?,
        })
    }
}

impl RawWorkspace {
    fn read(item: &Item<'_>) -> Result<RawWorkspace, ReadError> {
        let t = read::table(item)?;
        Ok(RawWorkspace {
            members: strings_at(t, &["members"])?.unwrap_or_default(),
            exclude: strings_at(t, &["exclude"])?.unwrap_or_default(),
            default_members: strings_at(t, &["default-members"])?,
            resolver: string_at(t, "resolver")?,
            dependencies: deps_at(t, &["dependencies"])?,
            package: read::optional(t, &["package"], RawWorkspacePackage::read)?
                .unwrap_or_default(),
        })
    }
}

impl RawWorkspacePackage {
    fn read(item: &Item<'_>) -> Result<RawWorkspacePackage, ReadError> {
        let t = read::table(item)?;
        Ok(RawWorkspacePackage {
            version: string_at(t, "version")?,
            edition: string_at(t, "edition")?,
            rust_version: string_at(t, "rust-version")?,
            authors: strings_at(t, &["authors"])?,
            description: string_at(t, "description")?,
            homepage: string_at(t, "homepage")?,
            repository: string_at(t, "repository")?,
            license: string_at(t, "license")?,
            license_file: string_at(t, "license-file")?,
            readme: read::optional(t, &["readme"], StringOrBool::read)?,
        })
    }
}

impl RawDep {
    /// `"1.0"` or `{ version = …, features = […], … }` (cargo's wording
    /// when it is neither).
    fn read(item: &Item<'_>) -> Result<RawDep, ReadError> {
        match item.get_ref() {
            DeValue::String(s) => Ok(RawDep::Version(s.to_string())),
            DeValue::Table(_) => Ok(RawDep::Detailed(Box::new(DetailedDep::read(item)?))),
            _ => Err(read::invalid_type(
                item,
                "a version string like \"0.9.8\" or a detailed dependency like { version = \"0.9.8\" }",
            )),
        }
    }
}

impl DetailedDep {
    fn read(item: &Item<'_>) -> Result<DetailedDep, ReadError> {
        let t = read::table(item)?;
        Ok(DetailedDep {
            version: string_at(t, "version")?,
            path: string_at(t, "path")?,
            git: string_at(t, "git")?,
            branch: string_at(t, "branch")?,
            tag: string_at(t, "tag")?,
            rev: string_at(t, "rev")?,
            registry: string_at(t, "registry")?,
            registry_index: string_at(t, "registry-index")?,
            package: string_at(t, "package")?,
            optional: bool_at(t, &["optional"])?,
            default_features: bool_at(t, &["default-features", "default_features"])?,
            features: strings_at(t, &["features"])?.unwrap_or_default(),
            workspace: bool_at(t, &["workspace"])?.unwrap_or(false),
        })
    }
}

impl RawTarget {
    fn read(item: &Item<'_>) -> Result<RawTarget, ReadError> {
        let t = read::table(item)?;
        Ok(RawTarget {
            name: string_at(t, "name")?,
            path: string_at(t, "path")?,
            edition: string_at(t, "edition")?,
            crate_type: strings_at(t, &["crate-type", "crate_type"])?,
            proc_macro: bool_at(t, &["proc-macro", "proc_macro"])?,
            required_features: strings_at(t, &["required-features", "required_features"])?,
            harness: bool_at(t, &["harness"])?,
            test: bool_at(t, &["test"])?,
            doctest: bool_at(t, &["doctest"])?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RawManifest {
        RawManifest::parse(text).unwrap_or_else(|e| panic!("{}", e.located(text)))
    }

    fn error(text: &str) -> String {
        RawManifest::parse(text).unwrap_err().located(text)
    }

    fn detailed(dep: &RawDep) -> &DetailedDep {
        match dep {
            RawDep::Detailed(d) => d,
            RawDep::Version(v) => panic!("a version: {v}"),
        }
    }

    #[test]
    fn reads_every_section_cargo_plans_with() {
        let m = parse(
            r#"
[package]
name = "app"
version.workspace = true
edition = "2021"
build = false
readme = "README.md"
autobins = false
[lib]
crate-type = ["rlib", "cdylib"]
proc-macro = false
[[bin]]
name = "tool"
required-features = ["cli"]
[[test]]
name = "it"
harness = false
[dependencies]
serde = "1"
log = { version = "0.4", optional = true, default-features = false, features = ["std"] }
local = { path = "../local" }
shared = { workspace = true }
[dev-dependencies]
tempfile = "3"
[build-dependencies]
cc = "1"
[target.'cfg(unix)'.dependencies]
libc = "0.2"
[features]
default = ["cli"]
cli = ["dep:log"]
[patch.crates-io]
serde = { git = "https://example.com/serde" }
[profile.release]
lto = true
unknown-key = 1
"#,
        );
        let package = m.package.unwrap();
        assert_eq!(package.name.as_deref(), Some("app"));
        assert!(matches!(
            package.version,
            Some(Inheritable::Inherit { workspace: true })
        ));
        assert!(matches!(package.edition, Some(Inheritable::Value(ref e)) if e == "2021"));
        assert!(matches!(package.build, Some(StringOrBool::Bool(false))));
        assert!(matches!(
            package.readme,
            Some(Inheritable::Value(StringOrBool::String(_)))
        ));
        assert_eq!(package.autobins, Some(false));
        let lib = m.lib.unwrap();
        assert_eq!(lib.crate_type.unwrap(), ["rlib", "cdylib"]);
        assert_eq!(lib.proc_macro, Some(false));
        assert_eq!(
            m.bin[0].required_features.as_deref(),
            Some(&["cli".to_string()][..])
        );
        assert_eq!(m.test[0].harness, Some(false));
        assert!(matches!(m.dependencies["serde"], RawDep::Version(ref v) if v == "1"));
        let log = detailed(&m.dependencies["log"]);
        assert_eq!(
            (log.optional, log.default_features),
            (Some(true), Some(false))
        );
        assert_eq!(log.features, ["std"]);
        assert_eq!(
            detailed(&m.dependencies["local"]).path.as_deref(),
            Some("../local")
        );
        assert!(detailed(&m.dependencies["shared"]).workspace);
        assert!(m.dev_dependencies.contains_key("tempfile"));
        assert!(m.build_dependencies.contains_key("cc"));
        assert!(m.target["cfg(unix)"].dependencies.contains_key("libc"));
        assert_eq!(m.features["cli"], ["dep:log"]);
        assert!(detailed(&m.patch["crates-io"]["serde"]).git.is_some());
        let profile = m.profile.unwrap();
        assert_eq!(profile["release"]["lto"].as_bool(), Some(true));
    }

    #[test]
    fn reads_workspaces_and_their_inherited_values() {
        let m = parse(
            r#"
[workspace]
members = ["crates/*"]
exclude = ["old"]
default-members = ["crates/app"]
resolver = "2"
[workspace.package]
version = "0.4.0"
authors = ["A"]
readme = false
[workspace.dependencies]
serde = { version = "1", default_features = false }
"#,
        );
        let ws = m.workspace.unwrap();
        assert_eq!(
            (ws.members, ws.exclude),
            (vec!["crates/*".to_string()], vec!["old".to_string()])
        );
        assert_eq!(ws.default_members.unwrap(), ["crates/app"]);
        assert_eq!(ws.package.version.as_deref(), Some("0.4.0"));
        assert_eq!(ws.package.authors.unwrap(), ["A"]);
        assert!(matches!(ws.package.readme, Some(StringOrBool::Bool(false))));
        assert_eq!(
            detailed(&ws.dependencies["serde"]).default_features,
            Some(false)
        );
    }

    #[test]
    fn old_spellings_are_read_and_the_kebab_case_key_wins() {
        let m = parse(
            "[project]\nname = \"old\"\n[dev_dependencies]\na = \"1\"\n[build_dependencies]\nb = \"1\"\n\
             [lib]\ncrate_type = [\"dylib\"]\nproc_macro = true\n",
        );
        assert_eq!(m.package.unwrap().name.as_deref(), Some("old"));
        assert!(m.dev_dependencies.contains_key("a") && m.build_dependencies.contains_key("b"));
        let lib = m.lib.unwrap();
        assert_eq!(
            (lib.crate_type.unwrap(), lib.proc_macro),
            (vec!["dylib".to_string()], Some(true))
        );
        // Both spellings: cargo warns and takes the kebab-case one.
        let m = parse("[dev-dependencies]\nnew = \"1\"\n[dev_dependencies]\nold = \"1\"\n");
        assert_eq!(m.dev_dependencies.keys().collect::<Vec<_>>(), ["new"]);
        let m = parse("[package]\nname = \"new\"\n[project]\nname = \"old\"\n");
        assert_eq!(m.package.unwrap().name.as_deref(), Some("new"));
    }

    #[test]
    fn wrong_types_are_errors_at_the_value() {
        for (text, expected) in [
            ("[package]\nname = 1\n", ":2:8: invalid type: integer `1`, expected a string"),
            ("package = \"app\"\n", ":1:11: invalid type: string \"app\", expected a map"),
            (
                "[package]\nversion = { path = \"x\" }\n",
                ":2:11: invalid type: map, expected a string",
            ),
            (
                "[package]\nbuild = 1\n",
                ":2:9: invalid type: integer `1`, expected a boolean or a string",
            ),
            ("[package]\nautobins = \"no\"\n", ":2:12: invalid type: string \"no\", expected a boolean"),
            ("[lib]\ncrate-type = \"rlib\"\n", ":2:14: invalid type: string \"rlib\", expected a sequence"),
            ("[bin]\nname = \"x\"\n", ":1:1: invalid type: map, expected a sequence"),
            (
                "[dependencies]\nserde = 1\n",
                ":2:9: invalid type: integer `1`, expected a version string like \"0.9.8\" or a detailed dependency like { version = \"0.9.8\" }",
            ),
            (
                "[dependencies]\nserde = { version = \"1\", features = \"derive\" }\n",
                ":2:37: invalid type: string \"derive\", expected a sequence",
            ),
            ("[features]\ndefault = \"std\"\n", ":2:11: invalid type: string \"std\", expected a sequence"),
            ("[workspace]\nmembers = [1]\n", ":2:12: invalid type: integer `1`, expected a string"),
            ("[target.'cfg(unix)']\ndependencies = []\n", ":2:16: invalid type: sequence, expected a map"),
            ("[patch]\ncrates-io = 1\n", ":2:13: invalid type: integer `1`, expected a map"),
            ("[profile.release]\nopt-level = 1e999\n", ":2:13: floating-point number overflowed"),
            ("[package\n", ":1:9: "),
        ] {
            let e = error(text);
            assert!(e.starts_with(expected), "{text:?}: {e}");
        }
    }
}
