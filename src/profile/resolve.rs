//! The profiles of one build: manifest and config tables merged, `inherits`
//! chains followed, and the per-unit rules of cargo's `Profiles::get_profile`.
//!
//! Precedence for one unit, lowest first: the built-in defaults of the root
//! profile (`dev` or `release`); the inherited tables, parent first; for
//! host units opt-level 0 and no codegen-units limit; `build-override`;
//! `package."*"` (non-members only); `package.SPEC`. `.cargo/config.toml`
//! profiles are merged into the manifest's tables before all that.

use super::layer::{Layer, PackageSpec, Panic, StripSetting};
use super::{PanicSetting, Profile, Settled, Strip, UnitFor};
use crate::error::Error;
use std::collections::{BTreeMap, BTreeSet};

/// A profile table and the file it came from.
#[derive(Debug, Clone)]
pub struct Written {
    pub layer: Layer,
    pub file: String,
}

/// What the profile rules need to know about a package.
#[derive(Debug, Clone)]
pub struct PackageInfo<'a> {
    pub name: &'a str,
    pub version: String,
    pub member: bool,
    /// A path package (incremental applies only to those).
    pub local: bool,
}

#[derive(Debug, Clone)]
struct Maker {
    default: Profile,
    /// The merged table (the chain's tables, parent first), if any.
    table: Option<Layer>,
}

#[derive(Debug, Clone)]
pub struct Profiles {
    requested: String,
    makers: BTreeMap<String, Maker>,
    /// `build.incremental` from the config, which beats every profile.
    incremental: Option<bool>,
    host_triple: String,
}

/// The profile `cargo test` uses when `cargo build` would use `profile`:
/// plain `cargo test` builds with `test`, `--release` and `--profile X`
/// keep their profile.
pub fn test_profile_name(profile: &str) -> &str {
    if profile == "dev" {
        "test"
    } else {
        profile
    }
}

impl Profiles {
    /// `manifest`: `[profile.*]` of the root manifest; `config`: those of
    /// the cargo config; `requested`: the profile to build.
    pub fn new(
        manifest: &BTreeMap<String, Written>,
        config: &BTreeMap<String, Written>,
        requested: &str,
        incremental: Option<bool>,
        host_triple: &str,
    ) -> Result<Profiles, Error> {
        if requested == "doc" {
            return Err(Error::msg(
                "crateplan: profile `doc` is reserved and cannot be selected (cargo refuses it too)",
            ));
        }
        layer_name_ok(requested).map_err(|e| Error::msg(format!("crateplan: {e}")))?;
        for (name, w) in manifest {
            layer_name_ok(name).map_err(|e| Error::msg(format!("crateplan: {}: {e}", w.file)))?;
        }
        // Config tables go on top of the manifest's; config-only profiles
        // count when something can reach them (the request, a built-in, or
        // an `inherits` of one that counts), as in cargo.
        let mut tables: BTreeMap<String, Written> = manifest.clone();
        for (name, w) in tables.iter_mut() {
            if let Some(c) = config.get(name) {
                w.layer.merge(&c.layer);
            }
        }
        let mut wanted: Vec<String> = vec![requested.to_string()];
        wanted.extend(["dev", "release", "debug", "test", "bench"].map(String::from));
        wanted.extend(tables.values().filter_map(|w| w.layer.inherits.clone()));
        while let Some(name) = wanted.pop() {
            if tables.contains_key(&name) {
                continue;
            }
            if let Some(c) = config.get(&name) {
                layer_name_ok(&name)
                    .map_err(|e| Error::msg(format!("crateplan: {}: {e}", c.file)))?;
                wanted.extend(c.layer.inherits.clone());
                tables.insert(name, c.clone());
            }
        }
        // Built-in profiles, under what the user wrote for them.
        for (name, parent) in [
            ("debug", "dev"),
            ("bench", "release"),
            ("test", "dev"),
            ("doc", "dev"),
        ] {
            let mut builtin = Layer {
                inherits: Some(parent.to_string()),
                ..Layer::default()
            };
            match tables.get_mut(name) {
                Some(w) => {
                    builtin.merge(&w.layer);
                    w.layer = builtin;
                }
                None => {
                    tables.insert(
                        name.to_string(),
                        Written {
                            layer: builtin,
                            file: "cargo's built-in profiles".into(),
                        },
                    );
                }
            }
        }

        let mut makers = BTreeMap::new();
        makers.insert(
            "dev".to_string(),
            Maker {
                default: Profile::default_dev(),
                table: tables.get("dev").map(|w| w.layer.clone()),
            },
        );
        makers.insert(
            "release".to_string(),
            Maker {
                default: Profile::default_release(),
                table: tables.get("release").map(|w| w.layer.clone()),
            },
        );
        for (name, w) in &tables {
            if name == "dev" || name == "release" {
                if w.layer.inherits.is_some() {
                    return Err(Error::msg(format!(
                        "crateplan: {}: `inherits` must not be specified in root profile `{name}`; remove it",
                        w.file
                    )));
                }
                continue;
            }
            let mut seen = BTreeSet::from([name.clone()]);
            let maker = chain(name, w, &tables, &makers, &mut seen)?;
            makers.insert(name.clone(), maker);
        }
        if !makers.contains_key(requested) {
            return Err(Error::msg(format!(
                "crateplan: profile `{requested}` is not defined: add `[profile.{requested}]` with `inherits = \"dev\"` or `\"release\"` to the root Cargo.toml, or use one of: {}",
                makers
                    .keys()
                    .filter(|k| k.as_str() != "doc")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(Profiles {
            requested: requested.to_string(),
            makers,
            incremental,
            host_triple: host_triple.to_string(),
        })
    }

    pub fn requested(&self) -> &str {
        &self.requested
    }

    /// The same profiles, building `name` instead (e.g. `cargo test`'s profile).
    pub fn with_requested(&self, name: &str) -> Result<Profiles, Error> {
        if !self.makers.contains_key(name) {
            return Err(Error::msg(format!(
                "crateplan: profile `{name}` is not defined"
            )));
        }
        Ok(Profiles {
            requested: name.to_string(),
            ..self.clone()
        })
    }

    /// The profile of one unit of `pkg`, built for `unit_for`, for the
    /// platform `triple` (cargo's `Profiles::get_profile`).
    pub fn get(&self, pkg: &PackageInfo<'_>, unit_for: UnitFor, triple: &str) -> Profile {
        let maker = &self.makers[&self.requested];
        let mut p = maker.default.clone();
        if let Some(t) = &maker.table {
            apply(&mut p, t);
        }
        if unit_for.host {
            // Cargo builds what runs at build time fast: no optimisation and
            // no codegen-units limit, debuginfo open to being lowered.
            p.opt_level = "0".into();
            p.codegen_units = None;
            p.debuginfo_settled = Settled::Deferred;
        }
        if let Some(t) = &maker.table {
            apply_overrides(&mut p, t, pkg, unit_for.host);
        }
        if unit_for.panic == PanicSetting::AlwaysUnwind {
            p.panic = Panic::Unwind;
        }
        // Apple targets default to unpacked split debuginfo (from rustc's
        // target spec; the other built-in platforms have no default).
        if p.debuginfo_on() && p.split_debuginfo.is_none() && triple.contains("-apple-") {
            p.split_debuginfo = Some("unpacked".into());
        }
        if let Some(v) = self.incremental {
            p.incremental = v;
        }
        if !pkg.local {
            p.incremental = false;
        }
        p.name = self.requested.clone();
        p
    }

    /// The profile of running a build script: only what it reports
    /// (`OPT_LEVEL`, `DEBUG`, `PROFILE`, `debug_assertions`) is kept.
    pub fn run_custom_build(&self, for_unit: &Profile) -> Profile {
        Profile {
            debuginfo: for_unit.debuginfo,
            debuginfo_settled: for_unit.debuginfo_settled,
            opt_level: for_unit.opt_level.clone(),
            debug_assertions: for_unit.debug_assertions,
            ..Profile::base(&for_unit.name, for_unit.root)
        }
    }

    pub fn host_triple(&self) -> &str {
        &self.host_triple
    }

    /// Checks `package.SPEC` tables against the packages in the lock: a
    /// spec matching nothing is an error here (cargo only warns, but a
    /// typo there silently builds something else), and one package matched
    /// by two specs is an error as in cargo. Config profiles are exempt
    /// from the first check, as in cargo.
    pub fn validate_packages(
        manifest: &BTreeMap<String, Written>,
        config: &BTreeMap<String, Written>,
        packages: &[(String, String)],
    ) -> Result<(), Error> {
        for (from_manifest, tables) in [(true, manifest), (false, config)] {
            for (name, w) in tables {
                let Some(specs) = &w.layer.package else {
                    continue;
                };
                for (pkg, version) in packages {
                    let hits: Vec<&str> = specs
                        .keys()
                        .filter(|s| s.matches(pkg, version))
                        .map(PackageSpec::spelled)
                        .collect();
                    if hits.len() > 1 {
                        return Err(Error::msg(format!(
                            "crateplan: {}: multiple package overrides in profile `{name}` match package `{pkg} {version}`: {}; keep one",
                            w.file,
                            hits.join(", ")
                        )));
                    }
                }
                if !from_manifest {
                    continue;
                }
                for spec in specs.keys() {
                    if let PackageSpec::Spec { name: n, .. } = spec {
                        if !packages.iter().any(|(p, v)| spec.matches(p, v)) {
                            let same_name: Vec<String> = packages
                                .iter()
                                .filter(|(p, _)| p == n)
                                .map(|(p, v)| format!("{p}@{v}"))
                                .collect();
                            let why = if same_name.is_empty() {
                                "did not match any package in Cargo.lock".to_string()
                            } else {
                                format!(
                                    "has a version that matches none of the packages: {}",
                                    same_name.join(", ")
                                )
                            };
                            return Err(Error::msg(format!(
                                "crateplan: {}: profile package spec `{}` in profile `{name}` {why} (cargo warns and builds without it); fix or remove `[profile.{name}.package.\"{}\"]`",
                                w.file,
                                spec.spelled(),
                                spec.spelled()
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn layer_name_ok(name: &str) -> Result<(), String> {
    super::layer::validate_name(name)
}

/// Follows `inherits` up to `dev` or `release`, merging the tables parent first.
fn chain(
    name: &str,
    w: &Written,
    tables: &BTreeMap<String, Written>,
    makers: &BTreeMap<String, Maker>,
    seen: &mut BTreeSet<String>,
) -> Result<Maker, Error> {
    let mut maker = match w.layer.inherits.as_deref() {
        Some(root @ ("dev" | "release")) => makers[root].clone(),
        Some(parent) => {
            if !seen.insert(parent.to_string()) {
                return Err(Error::msg(format!(
                    "crateplan: {}: profile inheritance loop detected with profile `{name}` inheriting `{parent}`; break the cycle of `inherits`",
                    w.file
                )));
            }
            match tables.get(parent) {
                Some(pw) => chain(parent, pw, tables, makers, seen)?,
                None => {
                    return Err(Error::msg(format!(
                        "crateplan: {}: profile `{name}` inherits from `{parent}`, but that profile is not defined",
                        w.file
                    )))
                }
            }
        }
        None => {
            return Err(Error::msg(format!(
                "crateplan: {}: profile `{name}` is missing an `inherits` directive (`inherits` is required for all profiles except `dev` or `release`)",
                w.file
            )))
        }
    };
    match &mut maker.table {
        Some(t) => t.merge(&w.layer),
        None => maker.table = Some(w.layer.clone()),
    }
    Ok(maker)
}

fn apply_overrides(p: &mut Profile, t: &Layer, pkg: &PackageInfo<'_>, for_host: bool) {
    if for_host {
        if let Some(b) = &t.build_override {
            apply(p, b);
        }
    }
    if let Some(specs) = &t.package {
        if !pkg.member {
            if let Some(all) = specs.get(&PackageSpec::All) {
                apply(p, all);
            }
        }
        if let Some(layer) = specs
            .iter()
            .find(|(s, _)| s.matches(pkg.name, &pkg.version))
            .map(|(_, l)| l)
        {
            apply(p, layer);
        }
    }
}

/// Applies one table's settings (cargo's `merge_profile`). Note cargo's
/// quirk, kept on purpose: a table that does not set `strip` resets it to
/// the deferred default.
fn apply(p: &mut Profile, t: &Layer) {
    if let Some(v) = &t.opt_level {
        p.opt_level = v.clone();
    }
    if let Some(v) = &t.lto {
        p.lto = v.clone();
    }
    if let Some(v) = t.codegen_units {
        p.codegen_units = Some(v);
    }
    if let Some(v) = t.debug {
        p.debuginfo = v;
        p.debuginfo_settled = Settled::Resolved;
    }
    if let Some(v) = t.debug_assertions {
        p.debug_assertions = v;
    }
    if let Some(v) = &t.split_debuginfo {
        p.split_debuginfo = Some(v.clone());
    }
    if let Some(v) = t.rpath {
        p.rpath = v;
    }
    if let Some(v) = t.panic {
        p.panic = v;
    }
    if let Some(v) = t.overflow_checks {
        p.overflow_checks = v;
    }
    if let Some(v) = t.incremental {
        p.incremental = v;
    }
    let (strip, settled) = match &t.strip {
        Some(StripSetting::Bool(true)) => (Strip::Named("symbols".into()), Settled::Resolved),
        Some(StripSetting::Bool(false)) => (Strip::None, Settled::Resolved),
        Some(StripSetting::Named(n)) if n == "none" => (Strip::None, Settled::Resolved),
        Some(StripSetting::Named(n)) => (Strip::Named(n.clone()), Settled::Resolved),
        None => (Strip::None, Settled::Deferred),
    };
    p.strip = strip;
    p.strip_settled = settled;
}

#[cfg(test)]
mod tests {
    use super::super::layer::Origin;
    use super::super::ProfileRoot;
    use super::*;

    fn written(text: &str) -> BTreeMap<String, Written> {
        let t: toml::Table = toml::from_str(text).unwrap();
        let mut out = BTreeMap::new();
        if let Some(toml::Value::Table(profiles)) = t.get("profile") {
            for (name, v) in profiles {
                let layer = Layer::parse(
                    v,
                    &Origin {
                        file: "Cargo.toml",
                        key: format!("profile.{name}"),
                    },
                )
                .unwrap();
                out.insert(
                    name.clone(),
                    Written {
                        layer,
                        file: "Cargo.toml".into(),
                    },
                );
            }
        }
        out
    }

    fn pkg() -> PackageInfo<'static> {
        PackageInfo {
            name: "dep",
            version: "1.0.0".into(),
            member: false,
            local: false,
        }
    }

    fn profiles(text: &str, requested: &str) -> Result<Profiles, Error> {
        Profiles::new(
            &written(text),
            &BTreeMap::new(),
            requested,
            None,
            "x86_64-unknown-linux-gnu",
        )
    }

    #[test]
    fn defaults() {
        let p = profiles("", "dev").unwrap();
        let dev = p.get(&pkg(), UnitFor::NORMAL, "x86_64-unknown-linux-gnu");
        assert_eq!(
            (dev.opt_level.as_str(), dev.debuginfo_on(), dev.incremental),
            ("0", true, false)
        );
        let r = profiles("", "release").unwrap();
        let rel = r.get(&pkg(), UnitFor::NORMAL, "aarch64-apple-darwin");
        assert_eq!(
            (
                rel.opt_level.as_str(),
                rel.debuginfo_on(),
                rel.split_debuginfo
            ),
            ("3", false, None)
        );
        let t = profiles("", "test").unwrap();
        let test = t.get(&pkg(), UnitFor::TEST, "aarch64-apple-darwin");
        assert_eq!(test.name, "test");
        assert_eq!(test.split_debuginfo.as_deref(), Some("unpacked"));
        assert_eq!(test.root, ProfileRoot::Debug);
        assert_eq!(
            profiles("", "bench")
                .unwrap()
                .get(&pkg(), UnitFor::TEST, "x")
                .root,
            ProfileRoot::Release
        );
    }

    #[test]
    fn inherits_chain_and_overrides() {
        let text = r#"
[profile.release]
opt-level = 3
lto = true
strip = true
panic = "abort"
[profile.release.package.dep]
opt-level = "s"
[profile.release.build-override]
opt-level = 1
[profile.wasm]
inherits = "release"
opt-level = "z"
[profile.wasm2]
inherits = "wasm"
debug = 1
"#;
        let p = profiles(text, "wasm2").unwrap();
        let member = &PackageInfo {
            name: "app",
            version: "0.1.0".into(),
            member: true,
            local: true,
        };
        let app = p.get(member, UnitFor::NORMAL, "x86_64-unknown-linux-gnu");
        assert_eq!(app.opt_level, "z");
        assert_eq!(app.debuginfo, super::super::DebugInfo::Limited);
        assert_eq!(app.panic, Panic::Abort);
        assert_eq!(app.strip, Strip::Named("symbols".into()));
        assert_eq!(app.name, "wasm2");
        let dep = p.get(&pkg(), UnitFor::NORMAL, "x86_64-unknown-linux-gnu");
        assert_eq!(dep.opt_level, "s");
        // Cargo's quirk: the package table resets strip to its default.
        assert_eq!(dep.strip_settled, Settled::Deferred);
        let host = p.get(member, UnitFor::HOST, "x86_64-unknown-linux-gnu");
        assert_eq!((host.opt_level.as_str(), host.panic), ("1", Panic::Unwind));
    }

    #[test]
    fn chain_errors() {
        let e = profiles(
            "[profile.a]\ninherits = \"b\"\n[profile.b]\ninherits = \"a\"",
            "dev",
        )
        .unwrap_err();
        assert!(e.to_string().contains("inheritance loop"), "{e}");
        let e = profiles("[profile.a]\ninherits = \"nope\"", "dev").unwrap_err();
        assert!(e.to_string().contains("not defined"), "{e}");
        let e = profiles("[profile.a]\nopt-level = 1", "dev").unwrap_err();
        assert!(e.to_string().contains("missing an `inherits`"), "{e}");
        let e = profiles("[profile.dev]\ninherits = \"release\"", "dev").unwrap_err();
        assert!(e.to_string().contains("root profile"), "{e}");
        let e = profiles("", "nope").unwrap_err();
        assert!(
            e.to_string().contains("profile `nope` is not defined"),
            "{e}"
        );
    }
}
