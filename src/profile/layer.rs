//! One `[profile.NAME]` table as written (or one of its `package.SPEC` /
//! `build-override` tables), parsed from TOML with cargo's spellings and
//! checked with cargo's rules. Every error names the file and the key.

use crate::error::Error;
use std::collections::BTreeMap;
use toml::Value;

/// `debug = ...`: every spelling cargo accepts maps to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DebugInfo {
    None,
    LineDirectivesOnly,
    LineTablesOnly,
    Limited,
    Full,
}

impl DebugInfo {
    /// What `-C debuginfo=` takes (and the plan carries).
    pub fn as_rustc(self) -> &'static str {
        match self {
            DebugInfo::None => "0",
            DebugInfo::Limited => "1",
            DebugInfo::Full => "2",
            DebugInfo::LineDirectivesOnly => "line-directives-only",
            DebugInfo::LineTablesOnly => "line-tables-only",
        }
    }
}

/// `lto = ...` as cargo keeps it: `true`/`false`, an "off" spelling, or a name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lto {
    Bool(bool),
    Off,
    Named(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Panic {
    Unwind,
    Abort,
}

/// `strip = ...` as written: a boolean or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripSetting {
    Bool(bool),
    Named(String),
}

/// A key of `[profile.NAME.package.KEY]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PackageSpec {
    /// `"*"`: every package that is not a workspace member.
    All,
    /// A package id spec: a name, with an optional (partial) version.
    Spec {
        spelled: String,
        name: String,
        version: Option<String>,
    },
}

impl PackageSpec {
    pub fn parse(key: &str) -> Result<PackageSpec, String> {
        if key == "*" {
            return Ok(PackageSpec::All);
        }
        // URL forms: `https://host/path#name@1.2`, `…/name#1.2`, `…#name`.
        let (name, version) = if let Some((url, frag)) = key.split_once('#') {
            let last = url
                .split(['?'])
                .next()
                .unwrap_or(url)
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("");
            match frag.split_once(['@', ':']) {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None if frag.starts_with(|c: char| c.is_ascii_digit()) => {
                    (last.to_string(), Some(frag.to_string()))
                }
                None => (frag.to_string(), None),
            }
        } else if key.contains("://") {
            let last = key.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            (last.to_string(), None)
        } else {
            match key.split_once(['@', ':']) {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (key.to_string(), None),
            }
        };
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        let valid_version = version.as_deref().is_none_or(|v| {
            !v.is_empty()
                && v.split(['.', '-', '+'])
                    .next()
                    .is_some_and(|m| m.chars().all(|c| c.is_ascii_digit()))
        });
        if !valid_name || !valid_version {
            return Err(format!(
                "`{key}` is not a package id spec (expected `NAME`, `NAME@VERSION` or `\"*\"`)"
            ));
        }
        Ok(PackageSpec::Spec {
            spelled: key.to_string(),
            name,
            version,
        })
    }

    /// Whether this (non-`*`) spec names the package `name` `version`.
    pub fn matches(&self, name: &str, version: &str) -> bool {
        match self {
            PackageSpec::All => false,
            PackageSpec::Spec {
                name: n,
                version: v,
                ..
            } => {
                n == name
                    && v.as_deref().is_none_or(|want| {
                        // A partial version (`1`, `1.2`) matches every version it prefixes.
                        let core = version.split(['-', '+']).next().unwrap_or(version);
                        want == version
                            || (!want.contains(['-', '+'])
                                && (want == core || core.starts_with(&format!("{want}."))))
                    })
            }
        }
    }

    pub fn spelled(&self) -> &str {
        match self {
            PackageSpec::All => "*",
            PackageSpec::Spec { spelled, .. } => spelled,
        }
    }
}

/// One profile table. `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    pub opt_level: Option<String>,
    pub lto: Option<Lto>,
    pub codegen_units: Option<u32>,
    pub debug: Option<DebugInfo>,
    pub split_debuginfo: Option<String>,
    pub debug_assertions: Option<bool>,
    pub rpath: Option<bool>,
    pub panic: Option<Panic>,
    pub overflow_checks: Option<bool>,
    pub incremental: Option<bool>,
    pub inherits: Option<String>,
    pub strip: Option<StripSetting>,
    pub package: Option<BTreeMap<PackageSpec, Layer>>,
    pub build_override: Option<Box<Layer>>,
}

/// Where a table was written, for error messages: the file and the key path.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub file: &'a str,
    pub key: String,
}

impl Origin<'_> {
    fn child(&self, key: &str) -> Origin<'_> {
        Origin {
            file: self.file,
            key: format!("{}.{key}", self.key),
        }
    }

    pub fn error(&self, what: impl std::fmt::Display) -> Error {
        Error::msg(format!("crateplan: {}: `{}` {what}", self.file, self.key))
    }
}

/// Which kind of table is being parsed: the profile itself or an override in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    Profile,
    Override(&'static str),
}

impl Layer {
    /// Parses `[profile.NAME]` (its `Origin` key is `profile.NAME`).
    pub fn parse(value: &Value, at: &Origin<'_>) -> Result<Layer, Error> {
        Layer::parse_at(value, at, Depth::Profile)
    }

    fn parse_at(value: &Value, at: &Origin<'_>, depth: Depth) -> Result<Layer, Error> {
        let table = value
            .as_table()
            .ok_or_else(|| at.error(format!("must be a table, not {}", describe(value))))?;
        let mut l = Layer::default();
        for (key, v) in table {
            let here = at.child(key);
            match key.as_str() {
                "opt-level" => l.opt_level = Some(opt_level(v, &here)?),
                "lto" => l.lto = Some(lto(v, &here)?),
                "codegen-units" => l.codegen_units = Some(codegen_units(v, &here)?),
                "debug" => l.debug = Some(debug(v, &here)?),
                "split-debuginfo" => {
                    l.split_debuginfo = Some(one_of(v, &here, &["off", "packed", "unpacked"])?)
                }
                "debug-assertions" => l.debug_assertions = Some(boolean(v, &here)?),
                "rpath" => l.rpath = Some(boolean(v, &here)?),
                "panic" => {
                    l.panic = Some(match one_of(v, &here, &["unwind", "abort"])?.as_str() {
                        "abort" => Panic::Abort,
                        _ => Panic::Unwind,
                    })
                }
                "overflow-checks" => l.overflow_checks = Some(boolean(v, &here)?),
                "incremental" => l.incremental = Some(boolean(v, &here)?),
                "inherits" => l.inherits = Some(string(v, &here)?),
                "strip" => l.strip = Some(strip(v, &here)?),
                "dir-name" => {
                    return Err(here.error(
                        "is not allowed: directory names are tied to the profile name (cargo rejects it too); remove it",
                    ))
                }
                "codegen-backend" | "rustflags" | "trim-paths" | "hint-mostly-unused" => {
                    return Err(here.error(
                        "is an unstable cargo feature that crateplan does not support; remove it",
                    ))
                }
                "package" => {
                    if depth != Depth::Profile {
                        return Err(here.error("is not allowed: package-specific profiles cannot be nested"));
                    }
                    let specs = v.as_table().ok_or_else(|| {
                        here.error(format!("must be a table, not {}", describe(v)))
                    })?;
                    let mut map = BTreeMap::new();
                    for (spec, t) in specs {
                        let parsed = PackageSpec::parse(spec).map_err(|e| here.error(e))?;
                        let inner = Origin {
                            file: here.file,
                            key: format!("{}.\"{spec}\"", here.key),
                        };
                        map.insert(parsed, Layer::parse_at(t, &inner, Depth::Override("package"))?);
                    }
                    l.package = Some(map);
                }
                "build-override" => {
                    if depth != Depth::Profile {
                        return Err(here.error("is not allowed: build-override profiles cannot be nested"));
                    }
                    l.build_override = Some(Box::new(Layer::parse_at(
                        v,
                        &here,
                        Depth::Override("build-override"),
                    )?));
                }
                // Unknown keys are ignored, as cargo ignores them (with a warning).
                _ => {}
            }
        }
        if let Depth::Override(which) = depth {
            for (set, key) in [
                (l.panic.is_some(), "panic"),
                (l.lto.is_some(), "lto"),
                (l.rpath.is_some(), "rpath"),
            ] {
                if set {
                    return Err(at.error(format!(
                        "sets `{key}`, which may not be specified in a `{which}` profile (cargo's rule); move it to the profile itself"
                    )));
                }
            }
        }
        Ok(l)
    }

    /// Overwrites what `other` sets, as cargo's `TomlProfile::merge`.
    pub fn merge(&mut self, other: &Layer) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f.clone(); } )* };
        }
        take!(
            opt_level,
            lto,
            codegen_units,
            debug,
            split_debuginfo,
            debug_assertions,
            rpath,
            panic,
            overflow_checks,
            incremental,
            inherits,
            strip
        );
        if let Some(theirs) = &other.package {
            let ours = self.package.get_or_insert_with(BTreeMap::new);
            for (spec, layer) in theirs {
                match ours.get_mut(spec) {
                    Some(existing) => existing.merge(layer),
                    None => {
                        ours.insert(spec.clone(), layer.clone());
                    }
                }
            }
        }
        if let Some(theirs) = &other.build_override {
            match &mut self.build_override {
                Some(ours) => ours.merge(theirs),
                None => self.build_override = Some(theirs.clone()),
            }
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string \"{s}\""),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(f) => format!("the float {f}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(d) => format!("the datetime {d}"),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

fn boolean(v: &Value, at: &Origin<'_>) -> Result<bool, Error> {
    v.as_bool()
        .ok_or_else(|| at.error(format!("must be true or false, not {}", describe(v))))
}

fn string(v: &Value, at: &Origin<'_>) -> Result<String, Error> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| at.error(format!("must be a string, not {}", describe(v))))
}

fn one_of(v: &Value, at: &Origin<'_>, allowed: &[&str]) -> Result<String, Error> {
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Ok(s.to_string()),
        _ => Err(at.error(format!(
            "is {}, but must be one of {}",
            describe(v),
            allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn opt_level(v: &Value, at: &Origin<'_>) -> Result<String, Error> {
    match v {
        Value::Integer(i @ 0..=3) => Ok(i.to_string()),
        Value::String(s) if matches!(s.as_str(), "s" | "z") => Ok(s.clone()),
        // Cargo passes other integers on and rustc rejects them.
        _ => Err(at.error(format!(
            "is {}, but must be 0, 1, 2, 3, \"s\" or \"z\"",
            describe(v)
        ))),
    }
}

fn debug(v: &Value, at: &Origin<'_>) -> Result<DebugInfo, Error> {
    let d = match v {
        Value::Boolean(true) => Some(DebugInfo::Full),
        Value::Boolean(false) => Some(DebugInfo::None),
        Value::Integer(0) => Some(DebugInfo::None),
        Value::Integer(1) => Some(DebugInfo::Limited),
        Value::Integer(2) => Some(DebugInfo::Full),
        Value::String(s) => match s.as_str() {
            "none" => Some(DebugInfo::None),
            "limited" => Some(DebugInfo::Limited),
            "full" => Some(DebugInfo::Full),
            "line-directives-only" => Some(DebugInfo::LineDirectivesOnly),
            "line-tables-only" => Some(DebugInfo::LineTablesOnly),
            _ => None,
        },
        _ => None,
    };
    d.ok_or_else(|| {
        at.error(format!(
            "is {}, but must be a boolean, 0, 1, 2, \"none\", \"limited\", \"full\", \"line-tables-only\" or \"line-directives-only\"",
            describe(v)
        ))
    })
}

fn lto(v: &Value, at: &Origin<'_>) -> Result<Lto, Error> {
    match v {
        Value::Boolean(b) => Ok(Lto::Bool(*b)),
        Value::String(s) => match s.as_str() {
            "off" | "n" | "no" | "none" => Ok(Lto::Off),
            "thin" | "fat" | "y" | "yes" | "on" => Ok(Lto::Named(s.clone())),
            "true" | "false" => Err(at.error(format!(
                "is the string \"{s}\", which is not valid: use the boolean {s} (without quotes), \"thin\", \"fat\" or \"off\""
            ))),
            _ => Err(at.error(format!(
                "is the string \"{s}\", but must be a boolean, \"thin\", \"fat\" or \"off\""
            ))),
        },
        _ => Err(at.error(format!(
            "is {}, but must be a boolean, \"thin\", \"fat\" or \"off\"",
            describe(v)
        ))),
    }
}

fn strip(v: &Value, at: &Origin<'_>) -> Result<StripSetting, Error> {
    match v {
        Value::Boolean(b) => Ok(StripSetting::Bool(*b)),
        Value::String(s) if matches!(s.as_str(), "none" | "debuginfo" | "symbols") => {
            Ok(StripSetting::Named(s.clone()))
        }
        _ => Err(at.error(format!(
            "is {}, but must be a boolean, \"none\", \"debuginfo\" or \"symbols\"",
            describe(v)
        ))),
    }
}

fn codegen_units(v: &Value, at: &Origin<'_>) -> Result<u32, Error> {
    match v {
        Value::Integer(i) if *i >= 1 && *i <= u32::MAX as i64 => Ok(*i as u32),
        _ => Err(at.error(format!(
            "is {}, but must be a positive integer",
            describe(v)
        ))),
    }
}

/// Cargo's rule for profile names (custom ones and `--profile`).
pub fn validate_name(name: &str) -> Result<(), String> {
    if let Some(c) = name
        .chars()
        .find(|c| !c.is_alphanumeric() && *c != '_' && *c != '-')
    {
        return Err(format!(
            "invalid character `{c}` in profile name `{name}`: allowed characters are letters, numbers, underscore, and hyphen"
        ));
    }
    if name.is_empty() {
        return Err("profile names cannot be empty".to_string());
    }
    let lower = name.to_lowercase();
    const RESERVED: &[&str] = &[
        "build",
        "check",
        "clean",
        "config",
        "fetch",
        "fix",
        "install",
        "metadata",
        "package",
        "publish",
        "report",
        "root",
        "run",
        "rust",
        "rustc",
        "rustdoc",
        "target",
        "tmp",
        "uninstall",
    ];
    if lower == "build-override" || RESERVED.contains(&lower.as_str()) || lower.starts_with("cargo")
    {
        return Err(format!("profile name `{name}` is reserved"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Layer, Error> {
        let v: Value = toml::from_str::<toml::Table>(text).unwrap().into();
        Layer::parse(
            &v,
            &Origin {
                file: "/w/Cargo.toml",
                key: "profile.release".into(),
            },
        )
    }

    #[test]
    fn every_debug_spelling() {
        for (text, want) in [
            ("true", DebugInfo::Full),
            ("false", DebugInfo::None),
            ("0", DebugInfo::None),
            ("1", DebugInfo::Limited),
            ("2", DebugInfo::Full),
            ("\"none\"", DebugInfo::None),
            ("\"limited\"", DebugInfo::Limited),
            ("\"full\"", DebugInfo::Full),
            ("\"line-tables-only\"", DebugInfo::LineTablesOnly),
            ("\"line-directives-only\"", DebugInfo::LineDirectivesOnly),
        ] {
            assert_eq!(parse(&format!("debug = {text}")).unwrap().debug, Some(want));
        }
        let e = parse("debug = 3").unwrap_err().to_string();
        assert!(
            e.contains("/w/Cargo.toml") && e.contains("profile.release.debug"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_errors() {
        for text in [
            "opt-level = 4",
            "opt-level = \"x\"",
            "lto = \"true\"",
            "lto = \"maybe\"",
            "panic = \"crash\"",
            "strip = \"all\"",
            "codegen-units = 0",
            "split-debuginfo = \"yes\"",
            "debug-assertions = \"on\"",
            "dir-name = \"x\"",
            "[build-override]\npanic = \"abort\"",
            "[package.foo]\nlto = true",
            "[package.foo.package.bar]\nopt-level = 1",
            "[package.\"foo@x\"]\nopt-level = 1",
        ] {
            assert!(parse(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn specs() {
        let s = PackageSpec::parse("serde@1.0").unwrap();
        assert!(s.matches("serde", "1.0.200"));
        assert!(!s.matches("serde", "1.1.0"));
        assert!(PackageSpec::parse("serde")
            .unwrap()
            .matches("serde", "0.1.0"));
        assert!(PackageSpec::parse("serde:1.0.200")
            .unwrap()
            .matches("serde", "1.0.200"));
        assert!(
            PackageSpec::parse("https://github.com/rust-lang/crates.io-index#serde@1.0.200")
                .unwrap()
                .matches("serde", "1.0.200")
        );
        assert!(PackageSpec::parse("path+file:///w/util#0.1.0")
            .unwrap()
            .matches("util", "0.1.0"));
        assert_eq!(PackageSpec::parse("*").unwrap(), PackageSpec::All);
    }

    #[test]
    fn names() {
        assert!(validate_name("wasm").is_ok());
        assert!(validate_name("my_profile-2").is_ok());
        assert!(validate_name("a.b").is_err());
        assert!(validate_name("build").is_err());
        assert!(validate_name("cargo-x").is_err());
    }
}
