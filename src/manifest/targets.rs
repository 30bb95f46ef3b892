//! Target discovery: the lib, bins, tests, examples, benches and build script
//! of a package, from its manifest and its files, as cargo infers them.

use super::raw::{RawManifest, RawPackage, RawTarget, StringOrBool};
use crate::error::Error;
use crate::fs::EntryKind;
use crate::plan::Target;
use std::collections::BTreeSet;

/// The files of one package, by path relative to the package root.
pub trait PackageFiles {
    fn is_file(&self, rel: &str) -> bool;
    /// Entries of a directory (empty when it does not exist).
    fn list_dir(&self, rel: &str) -> Vec<(String, EntryKind)>;
}

/// A package's files as a set of relative paths (used for `.crate` archives).
impl PackageFiles for BTreeSet<String> {
    fn is_file(&self, rel: &str) -> bool {
        self.contains(rel)
    }
    fn list_dir(&self, rel: &str) -> Vec<(String, EntryKind)> {
        let prefix = format!("{rel}/");
        let mut out: Vec<(String, EntryKind)> = Vec::new();
        for path in self.range(prefix.clone()..) {
            let Some(rest) = path.strip_prefix(&prefix) else {
                break;
            };
            let entry = match rest.split_once('/') {
                Some((dir, _)) => (dir.to_string(), EntryKind::Dir),
                None => (rest.to_string(), EntryKind::File),
            };
            if out.last() != Some(&entry) {
                out.push(entry);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Targets {
    pub lib: Option<Target>,
    pub bins: Vec<Target>,
    pub tests: Vec<Target>,
    pub examples: Vec<Target>,
    pub benches: Vec<Target>,
    /// The build script's path relative to the package root.
    pub build: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bin,
    Test,
    Example,
    Bench,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Bin => "src/bin",
            Kind::Test => "tests",
            Kind::Example => "examples",
            Kind::Bench => "benches",
        }
    }
    fn section(self) -> &'static str {
        match self {
            Kind::Bin => "bin",
            Kind::Test => "test",
            Kind::Example => "example",
            Kind::Bench => "bench",
        }
    }
}

pub fn discover(
    file: &str,
    package_name: &str,
    edition: &str,
    pkg: &RawPackage,
    raw: &RawManifest,
    files: &dyn PackageFiles,
) -> Result<Targets, Error> {
    let lib = discover_lib(file, package_name, edition, pkg, raw.lib.as_ref(), files)?;
    let bins = discover_kind(
        file,
        Kind::Bin,
        package_name,
        edition,
        pkg.autobins,
        &raw.bin,
        files,
    )?;
    let tests = discover_kind(
        file,
        Kind::Test,
        package_name,
        edition,
        pkg.autotests,
        &raw.test,
        files,
    )?;
    let examples = discover_kind(
        file,
        Kind::Example,
        package_name,
        edition,
        pkg.autoexamples,
        &raw.example,
        files,
    )?;
    let benches = discover_kind(
        file,
        Kind::Bench,
        package_name,
        edition,
        pkg.autobenches,
        &raw.bench,
        files,
    )?;
    let build = match &pkg.build {
        Some(StringOrBool::String(p)) => Some(p.clone()),
        Some(StringOrBool::Bool(false)) => None,
        Some(StringOrBool::Bool(true)) => Some("build.rs".to_string()),
        None => files.is_file("build.rs").then(|| "build.rs".to_string()),
    };
    Ok(Targets {
        lib,
        bins,
        tests,
        examples,
        benches,
        build,
    })
}

fn discover_lib(
    file: &str,
    package_name: &str,
    edition: &str,
    pkg: &RawPackage,
    lib: Option<&RawTarget>,
    files: &dyn PackageFiles,
) -> Result<Option<Target>, Error> {
    let default_path = "src/lib.rs";
    let raw = match lib {
        Some(l) => l.clone(),
        None if pkg.autolib != Some(false) && files.is_file(default_path) => RawTarget::default(),
        None => return Ok(None),
    };
    let path = match &raw.path {
        Some(p) => p.clone(),
        None if files.is_file(default_path) => default_path.to_string(),
        None => {
            return Err(Error::manifest(
                file,
                "[lib] has no `path` and src/lib.rs does not exist",
            ))
        }
    };
    let name = raw
        .name
        .clone()
        .unwrap_or_else(|| package_name.to_string())
        .replace('-', "_");
    let proc_macro = raw.proc_macro.unwrap_or(false);
    let crate_types = if proc_macro {
        vec!["proc-macro".to_string()]
    } else {
        raw.crate_type
            .clone()
            .unwrap_or_else(|| vec!["lib".to_string()])
    };
    let proc_macro = proc_macro || crate_types.iter().any(|t| t == "proc-macro");
    // Cargo's `Target::doctestable`: rustdoc tests only what it can link.
    let doctestable = crate_types
        .iter()
        .any(|t| matches!(t.as_str(), "lib" | "rlib" | "proc-macro"));
    Ok(Some(Target {
        name,
        path,
        edition: raw.edition.clone().unwrap_or_else(|| edition.to_string()),
        crate_types,
        required_features: Vec::new(),
        harness: raw.harness.unwrap_or(true),
        test: raw.test.unwrap_or(true),
        doctest: doctestable && raw.doctest.unwrap_or(true),
        proc_macro,
    }))
}

/// Targets cargo infers from the file layout: (name, path).
fn inferred(kind: Kind, package_name: &str, files: &dyn PackageFiles) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if kind == Kind::Bin && files.is_file("src/main.rs") {
        out.push((package_name.to_string(), "src/main.rs".to_string()));
    }
    let dir = kind.dir();
    let mut entries = files.list_dir(dir);
    entries.sort();
    for (name, entry_kind) in entries {
        match entry_kind {
            EntryKind::File => {
                if let Some(stem) = name.strip_suffix(".rs") {
                    out.push((stem.to_string(), format!("{dir}/{name}")));
                }
            }
            EntryKind::Dir => {
                let main = format!("{dir}/{name}/main.rs");
                if files.is_file(&main) {
                    out.push((name, main));
                }
            }
            EntryKind::Other => {}
        }
    }
    out
}

fn discover_kind(
    file: &str,
    kind: Kind,
    package_name: &str,
    edition: &str,
    auto: Option<bool>,
    declared: &[RawTarget],
    files: &dyn PackageFiles,
) -> Result<Vec<Target>, Error> {
    let inferred = inferred(kind, package_name, files);
    // Edition 2015 turns inference off as soon as one target of the kind is declared.
    let autodiscover = auto.unwrap_or(edition != "2015" || declared.is_empty());
    let mut targets = Vec::new();
    for t in declared {
        let name = t.name.clone().ok_or_else(|| {
            Error::manifest(
                file,
                format!("a [[{}]] target has no `name`", kind.section()),
            )
        })?;
        let path = match &t.path {
            Some(p) => p.clone(),
            None => {
                declared_path(kind, &name, package_name, &inferred, files).ok_or_else(|| {
                    Error::manifest(
                        file,
                        format!(
                            "cannot find the source of [[{}]] `{name}`; set its `path`",
                            kind.section()
                        ),
                    )
                })?
            }
        };
        targets.push(make_target(kind, name, path, edition, t));
    }
    if autodiscover {
        for (name, path) in inferred {
            if targets.iter().any(|t| t.name == name || t.path == path) {
                continue;
            }
            targets.push(make_target(
                kind,
                name,
                path,
                edition,
                &RawTarget::default(),
            ));
        }
    }
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(targets)
}

fn declared_path(
    kind: Kind,
    name: &str,
    package_name: &str,
    inferred: &[(String, String)],
    files: &dyn PackageFiles,
) -> Option<String> {
    if let Some((_, p)) = inferred.iter().find(|(n, _)| n == name) {
        return Some(p.clone());
    }
    let dir = kind.dir();
    let candidates = [format!("{dir}/{name}.rs"), format!("{dir}/{name}/main.rs")];
    if let Some(p) = candidates.into_iter().find(|p| files.is_file(p)) {
        return Some(p);
    }
    if kind == Kind::Bin && name == package_name && files.is_file("src/main.rs") {
        return Some("src/main.rs".to_string());
    }
    None
}

fn make_target(kind: Kind, name: String, path: String, edition: &str, t: &RawTarget) -> Target {
    let crate_types = match kind {
        Kind::Example => t
            .crate_type
            .clone()
            .unwrap_or_else(|| vec!["bin".to_string()]),
        _ => vec!["bin".to_string()],
    };
    Target {
        name,
        path,
        edition: t.edition.clone().unwrap_or_else(|| edition.to_string()),
        crate_types,
        required_features: t.required_features.clone().unwrap_or_default(),
        harness: t.harness.unwrap_or(true),
        test: t.test.unwrap_or(matches!(kind, Kind::Bin | Kind::Test)),
        doctest: false,
        proc_macro: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse;

    fn files(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|s| s.to_string()).collect()
    }

    fn targets(toml: &str, paths: &[&str]) -> Targets {
        let raw = parse("Cargo.toml", toml).unwrap();
        let pkg = raw.package.as_ref().unwrap();
        discover("Cargo.toml", "my-pkg", "2021", pkg, &raw, &files(paths)).unwrap()
    }

    #[test]
    fn infers_cargo_layout() {
        let t = targets(
            "[package]\nname='my-pkg'\nversion='0.1.0'\n",
            &[
                "src/lib.rs",
                "src/main.rs",
                "src/bin/tool.rs",
                "src/bin/multi/main.rs",
                "tests/it.rs",
                "examples/demo.rs",
                "benches/b.rs",
                "build.rs",
            ],
        );
        assert_eq!(t.lib.unwrap().name, "my_pkg");
        let bins: Vec<_> = t
            .bins
            .iter()
            .map(|b| (b.name.as_str(), b.path.as_str()))
            .collect();
        assert_eq!(
            bins,
            [
                ("multi", "src/bin/multi/main.rs"),
                ("my-pkg", "src/main.rs"),
                ("tool", "src/bin/tool.rs")
            ]
        );
        assert_eq!(t.tests[0].name, "it");
        assert!(!t.examples[0].test);
        assert_eq!(t.build.as_deref(), Some("build.rs"));
    }

    #[test]
    fn explicit_targets_and_autobins_off() {
        let t = targets(
            "[package]\nname='my-pkg'\nversion='0.1.0'\nautobins=false\nbuild=false\n[lib]\nname='core_x'\nproc-macro=true\n[[bin]]\nname='tool'\nrequired-features=['cli']\n",
            &["src/lib.rs", "src/main.rs", "src/bin/tool.rs", "src/bin/other.rs", "build.rs"],
        );
        let lib = t.lib.unwrap();
        assert!(lib.proc_macro);
        assert_eq!(lib.crate_types, ["proc-macro"]);
        assert_eq!(t.bins.len(), 1);
        assert_eq!(t.bins[0].required_features, ["cli"]);
        assert_eq!(t.build, None);
    }

    #[test]
    fn doctest_follows_the_manifest_and_the_crate_types() {
        let lib = |extra: &str| {
            targets(
                &format!("[package]\nname='my-pkg'\nversion='0.1.0'\n[lib]\n{extra}\n"),
                &["src/lib.rs", "src/main.rs"],
            )
        };
        assert!(lib("").lib.unwrap().doctest);
        assert!(!lib("doctest = false").lib.unwrap().doctest);
        assert!(lib("proc-macro = true").lib.unwrap().doctest);
        assert!(!lib("crate-type = ['cdylib']").lib.unwrap().doctest);
        assert!(lib("crate-type = ['cdylib', 'rlib']").lib.unwrap().doctest);
        let t = lib("test = false");
        assert!(t.lib.as_ref().unwrap().doctest && !t.lib.unwrap().test);
        assert!(t.bins.iter().all(|b| !b.doctest));
    }

    #[test]
    fn missing_bin_source_is_an_error() {
        let raw = parse(
            "Cargo.toml",
            "[package]\nname='p'\nversion='0.1.0'\n[[bin]]\nname='nope'\n",
        )
        .unwrap();
        let e = discover(
            "Cargo.toml",
            "p",
            "2021",
            raw.package.as_ref().unwrap(),
            &raw,
            &files(&[]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nope"));
    }
}
