//! Cargo's configuration, as far as a build plan needs it: `.cargo/config`
//! and `.cargo/config.toml` in the root manifest's directory and its
//! ancestors (never above the request's `workspace` directory, never
//! `$CARGO_HOME` or `$HOME`: evaluation stays pure), merged as cargo merges
//! them, with the request's `config` documents on top (like `--config`).
//!
//! Merging, as cargo: a deeper file's value beats an ancestor's; arrays
//! concatenate, the ancestor's items first; `--config` values beat every
//! file and their arrays come last. Within one directory `.cargo/config`
//! wins over `.cargo/config.toml`.
//!
//! Read from the result: `[profile.*]`, `[build] rustflags`,
//! `rustdocflags` and `incremental`, `[target.<triple>]` and
//! `[target.'cfg(..)']` `rustflags`, `rustdocflags` and `linker`, `[env]`.

use crate::error::Error;
use crate::fs::Fs;
use crate::manifest::join_path;
use crate::platform::Platform;
use crate::profile::layer::{Layer, Origin};
use crate::profile::resolve::Written;
use crate::workspace::parent_dir;
use std::collections::BTreeMap;
use toml::Value;

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Def {
    /// A config file (absolute path).
    File(String),
    /// The request's `config` documents (`--config` on the command line).
    Cli,
}

impl Def {
    fn higher_than(&self, other: &Def) -> bool {
        matches!((self, other), (Def::Cli, Def::File(_)))
    }

    /// The directory relative paths in this value start from: the one
    /// holding `.cargo/`, or the workspace root for `--config`.
    pub fn root(&self, workspace_root: &str) -> String {
        match self {
            Def::File(f) => parent_dir(&parent_dir(f)),
            Def::Cli => workspace_root.to_string(),
        }
    }

    fn name(&self) -> String {
        match self {
            Def::File(f) => f.clone(),
            Def::Cli => "the request's `config` (--config)".to_string(),
        }
    }
}

/// A merged config value, with where each part came from.
#[derive(Debug, Clone)]
enum Node {
    Scalar(Value, Def),
    List(Vec<(Value, Def)>, Def),
    Table(BTreeMap<String, Node>, Def),
}

impl Node {
    fn from_toml(v: Value, def: &Def) -> Node {
        match v {
            Value::Table(t) => Node::Table(
                t.into_iter()
                    .map(|(k, v)| (k, Node::from_toml(v, def)))
                    .collect(),
                def.clone(),
            ),
            Value::Array(a) => Node::List(
                a.into_iter().map(|v| (v, def.clone())).collect(),
                def.clone(),
            ),
            other => Node::Scalar(other, def.clone()),
        }
    }

    fn def(&self) -> &Def {
        match self {
            Node::Scalar(_, d) | Node::List(_, d) | Node::Table(_, d) => d,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Node::Scalar(..) => "a value",
            Node::List(..) => "an array",
            Node::Table(..) => "a table",
        }
    }

    /// Merges `from` into `self` (cargo's `ConfigValue::merge`); `force`
    /// for `--config`, which beats and extends what files say.
    fn merge(&mut self, from: Node, force: bool, key: &str) -> Result<(), Error> {
        let higher = from.def().higher_than(self.def());
        match (self, from) {
            (Node::List(old, _), Node::List(mut new, _)) => {
                if force {
                    old.append(&mut new);
                } else {
                    new.append(old);
                    *old = new;
                }
                Ok(())
            }
            (Node::Table(old, _), Node::Table(new, _)) => {
                for (k, v) in new {
                    let sub = if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}.{k}")
                    };
                    match old.get_mut(&k) {
                        Some(existing) => existing.merge(v, force, &sub)?,
                        None => {
                            old.insert(k, v);
                        }
                    }
                }
                Ok(())
            }
            (old @ (Node::List(..) | Node::Table(..)), found)
            | (old, found @ (Node::List(..) | Node::Table(..))) => Err(Error::msg(format!(
                "crateplan: cargo config key `{key}` is {} in {} but {} in {}; make them agree",
                old.kind(),
                old.def().name(),
                found.kind(),
                found.def().name()
            ))),
            (old, new) => {
                if force || higher {
                    *old = new;
                }
                Ok(())
            }
        }
    }

    fn to_toml(&self) -> Value {
        match self {
            Node::Scalar(v, _) => v.clone(),
            Node::List(items, _) => Value::Array(items.iter().map(|(v, _)| v.clone()).collect()),
            Node::Table(t, _) => {
                Value::Table(t.iter().map(|(k, v)| (k.clone(), v.to_toml())).collect())
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Table(t, _) => t.get(key),
            _ => None,
        }
    }
}

/// `[target.X]` and `[target.'cfg(..)']` entries.
#[derive(Debug, Clone, Default)]
struct TargetTable {
    rustflags: Option<Vec<String>>,
    rustdocflags: Option<Vec<String>>,
    linker: Option<(String, Def)>,
}

/// One `[env]` entry, with its value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub value: String,
    pub force: bool,
    pub relative: bool,
    pub def: Def,
}

/// What a plan takes from the cargo config.
#[derive(Debug, Clone, Default)]
pub struct CargoConfig {
    /// `[profile.NAME]` tables, checked.
    pub profiles: BTreeMap<String, Written>,
    pub build_rustflags: Option<Vec<String>>,
    pub build_rustdocflags: Option<Vec<String>>,
    pub build_incremental: Option<bool>,
    targets: BTreeMap<String, TargetTable>,
    pub env: BTreeMap<String, EnvEntry>,
    /// The files read, deepest first (for messages and tests).
    pub files: Vec<String>,
}

/// The flags cargo gives every unit of one platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformFlags {
    pub rustflags: Vec<String>,
    pub rustdocflags: Vec<String>,
    pub linker: Option<String>,
}

/// Whether a platform is the one named by `--target` or the host of a
/// build with an explicit `--target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Target,
    Host,
}

/// The config files for a workspace rooted at `root_dir`, looked for in it
/// and its ancestors up to and including `top` (and only below `top`).
pub fn find_files(fs: &dyn Fs, root_dir: &str, top: &str) -> Vec<String> {
    // Directories are spelled without a trailing `/`; "" is the file system root.
    let top = top.trim_end_matches('/');
    let mut out = Vec::new();
    let mut dir = root_dir.trim_end_matches('/').to_string();
    loop {
        let inside = top.is_empty() || dir == top || dir.starts_with(&format!("{top}/"));
        if !inside {
            break;
        }
        for name in ["config", "config.toml"] {
            let file = format!("{dir}/.cargo/{name}");
            if is_file(fs, &file) {
                out.push(file);
                break;
            }
        }
        if dir.is_empty() || dir == top {
            break;
        }
        dir = dir
            .rsplit_once('/')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default();
    }
    out
}

fn is_file(fs: &dyn Fs, path: &str) -> bool {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (if d.is_empty() { "/" } else { d }, n),
        None => return false,
    };
    fs.read_dir(dir).is_ok_and(|entries| {
        entries
            .iter()
            .any(|(n, k)| n == name && *k == crate::fs::EntryKind::File)
    })
}

/// Reads and merges the config files and `cli` documents.
pub fn load(fs: &dyn Fs, files: &[String], cli: &[String]) -> Result<CargoConfig, Error> {
    let mut root = Node::Table(BTreeMap::new(), Def::File(String::new()));
    for file in files {
        let bytes = crate::fs::read_file(fs, file, crate::fs::FileKind::Config)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::msg(format!("crateplan: cargo config {file} is not UTF-8")))?;
        let table = parse_table(&text).map_err(|e| {
            Error::msg(format!(
                "crateplan: could not parse cargo config {file}: {}",
                e.message
            ))
        })?;
        root.merge(
            Node::from_toml(Value::Table(table), &Def::File(file.clone())),
            false,
            "",
        )?;
    }
    for (i, doc) in cli.iter().enumerate() {
        let table = parse_table(doc).map_err(|e| {
            Error::msg(format!(
                "crateplan: config document {} of the request (`--config`) is not TOML: {}: {doc}",
                i + 1,
                e.message
            ))
        })?;
        root.merge(Node::from_toml(Value::Table(table), &Def::Cli), true, "")?;
    }
    let mut cfg = extract(&root)?;
    cfg.files = files.to_vec();
    Ok(cfg)
}

/// A config document as a `toml::Table` (parsed without serde's deserializer:
/// see `crate::toml_read`).
fn parse_table(text: &str) -> Result<toml::Table, crate::toml_read::ReadError> {
    crate::toml_read::to_table(crate::toml_read::parse(text)?.get_ref())
}

fn extract(root: &Node) -> Result<CargoConfig, Error> {
    let mut cfg = CargoConfig::default();
    if let Some(Node::Table(profiles, _)) = root.get("profile") {
        for (name, node) in profiles {
            let file = node.def().name();
            let layer = Layer::parse(
                &node.to_toml(),
                &Origin {
                    file: &file,
                    key: format!("profile.{name}"),
                },
            )?;
            cfg.profiles.insert(name.clone(), Written { layer, file });
        }
    }
    if let Some(build) = root.get("build") {
        cfg.build_rustflags = string_list(build.get("rustflags"), "build.rustflags")?;
        cfg.build_rustdocflags = string_list(build.get("rustdocflags"), "build.rustdocflags")?;
        cfg.build_incremental = match build.get("incremental") {
            None => None,
            Some(Node::Scalar(Value::Boolean(b), _)) => Some(*b),
            Some(other) => {
                return Err(Error::msg(format!(
                    "crateplan: {}: `build.incremental` must be true or false",
                    other.def().name()
                )))
            }
        };
    }
    if let Some(Node::Table(targets, _)) = root.get("target") {
        for (key, node) in targets {
            let linker = match node.get("linker") {
                None => None,
                Some(Node::Scalar(Value::String(s), def)) => Some((s.clone(), def.clone())),
                Some(other) => {
                    return Err(Error::msg(format!(
                        "crateplan: {}: `target.{key}.linker` must be a string",
                        other.def().name()
                    )))
                }
            };
            cfg.targets.insert(
                key.clone(),
                TargetTable {
                    rustflags: string_list(
                        node.get("rustflags"),
                        &format!("target.{key}.rustflags"),
                    )?,
                    rustdocflags: string_list(
                        node.get("rustdocflags"),
                        &format!("target.{key}.rustdocflags"),
                    )?,
                    linker,
                },
            );
        }
    }
    if let Some(Node::Table(env, _)) = root.get("env") {
        for (name, node) in env {
            cfg.env.insert(name.clone(), env_entry(name, node)?);
        }
    }
    Ok(cfg)
}

/// Cargo's `StringList`: an array of strings, or one string split at spaces.
fn string_list(node: Option<&Node>, key: &str) -> Result<Option<Vec<String>>, Error> {
    match node {
        None => Ok(None),
        Some(Node::Scalar(Value::String(s), _)) => {
            Ok(Some(s.split_whitespace().map(String::from).collect()))
        }
        Some(Node::List(items, def)) => items
            .iter()
            .map(|(v, _)| {
                v.as_str().map(String::from).ok_or_else(|| {
                    Error::msg(format!(
                        "crateplan: {}: `{key}` must hold only strings",
                        def.name()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(Error::msg(format!(
            "crateplan: {}: `{key}` must be a string or an array of strings",
            other.def().name()
        ))),
    }
}

fn env_entry(name: &str, node: &Node) -> Result<EnvEntry, Error> {
    let bad = |def: &Def, what: &str| {
        Error::msg(format!("crateplan: {}: `env.{name}` {what}", def.name()))
    };
    match node {
        Node::Scalar(Value::String(s), def) => Ok(EnvEntry {
            value: s.clone(),
            force: false,
            relative: false,
            def: def.clone(),
        }),
        Node::Table(t, def) => {
            let value = match t.get("value") {
                Some(Node::Scalar(Value::String(s), vdef)) => (s.clone(), vdef.clone()),
                _ => {
                    return Err(bad(
                        def,
                        "must be a string or a table with a string `value`",
                    ))
                }
            };
            let flag = |key: &str| match t.get(key) {
                None => Ok(false),
                Some(Node::Scalar(Value::Boolean(b), _)) => Ok(*b),
                Some(_) => Err(bad(
                    def,
                    &format!("has a `{key}` that is not true or false"),
                )),
            };
            Ok(EnvEntry {
                value: value.0,
                force: flag("force")?,
                relative: flag("relative")?,
                def: value.1,
            })
        }
        other => Err(bad(
            other.def(),
            "must be a string or a table `{ value = \"…\", force = …, relative = … }`",
        )),
    }
}

impl CargoConfig {
    /// The flags cargo gives units of `platform` (cargo's `extra_args` and
    /// `target_linker`): `[target.<triple>]` and matching `[target.'cfg(..)']`
    /// rustflags together, else `[build] rustflags`. Host units of a build
    /// with an explicit `--target` get no rustflags at all.
    pub fn platform_flags(&self, platform: &Platform, role: Role) -> Result<PlatformFlags, Error> {
        let triple = self.targets.get(&platform.triple);
        let mut cfgs = Vec::new();
        for (key, t) in &self.targets {
            if key.starts_with("cfg(")
                && platform.matches_spec(key).map_err(|e| {
                    Error::msg(format!("crateplan: cargo config `[target.'{key}']`: {e}"))
                })?
            {
                cfgs.push((key, t));
            }
        }
        let gather = |pick: fn(&TargetTable) -> &Option<Vec<String>>,
                      build: &Option<Vec<String>>| {
            let mut flags: Vec<String> = triple.and_then(|t| pick(t).clone()).unwrap_or_default();
            for (_, t) in &cfgs {
                flags.extend(pick(t).iter().flatten().cloned());
            }
            if flags.is_empty() {
                flags = build.clone().unwrap_or_default();
            }
            flags
        };
        let (rustflags, rustdocflags) = match role {
            Role::Target => (
                gather(|t| &t.rustflags, &self.build_rustflags),
                gather(|t| &t.rustdocflags, &self.build_rustdocflags),
            ),
            Role::Host => (Vec::new(), Vec::new()),
        };
        let linker = match triple.and_then(|t| t.linker.clone()) {
            Some(l) => Some(l),
            None => {
                let mut with_linker = cfgs
                    .iter()
                    .filter_map(|(k, t)| t.linker.clone().map(|l| (k, l)));
                let first = with_linker.next();
                if let (Some((k1, _)), Some((k2, _))) = (&first, with_linker.next()) {
                    return Err(Error::msg(format!(
                        "crateplan: several matching instances of `target.'cfg(..)'.linker` in the cargo config: `{k1}` and `{k2}` both match {}; keep one",
                        platform.triple
                    )));
                }
                first.map(|(_, l)| l)
            }
        };
        Ok(PlatformFlags {
            rustflags,
            rustdocflags,
            linker: linker.map(|(program, def)| program_path(&program, &def)),
        })
    }
}

/// A program named in the config: a bare name stays (looked up on PATH); a
/// relative path starts from the directory holding `.cargo/`.
fn program_path(program: &str, def: &Def) -> String {
    if program.contains('/') && !program.starts_with('/') {
        match def {
            Def::File(_) => join_path(&def.root(""), program),
            // Relative to the workspace root, which the plan does not know
            // here: keep it relative (builders run in the workspace root).
            Def::Cli => program.to_string(),
        }
    } else {
        program.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::{EntryKind, FsError};

    struct MemFs(BTreeMap<String, String>);

    impl Fs for MemFs {
        fn read_limited(&self, path: &str, _max: u64) -> Result<Vec<u8>, FsError> {
            self.0
                .get(path)
                .map(|s| s.clone().into_bytes())
                .ok_or_else(|| FsError::NotFound(path.into()))
        }
        fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
            let prefix = if path == "/" {
                "/".to_string()
            } else {
                format!("{path}/")
            };
            let mut out: Vec<(String, EntryKind)> = Vec::new();
            for k in self.0.keys() {
                if let Some(rest) = k.strip_prefix(&prefix) {
                    let (name, kind) = match rest.split_once('/') {
                        Some((d, _)) => (d, EntryKind::Dir),
                        None => (rest, EntryKind::File),
                    };
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name.to_string(), kind));
                    }
                }
            }
            Ok(out)
        }
    }

    fn fs() -> MemFs {
        MemFs(BTreeMap::from([
            (
                "/src/.cargo/config.toml".to_string(),
                r#"
[build]
rustflags = ["--cfg", "outer"]
[profile.release]
opt-level = 2
debug = true
[env]
OUTER = "o"
SHARED = { value = "outer", relative = false }
"#
                .to_string(),
            ),
            (
                "/src/ws/.cargo/config".to_string(),
                r#"
[build]
rustflags = ["--cfg", "inner"]
[profile.release]
opt-level = 1
[target.'cfg(unix)']
rustflags = "--cfg unixy"
linker = "tools/cc"
[env]
SHARED = { value = "inner", force = true }
DATA = { value = "data", relative = true }
"#
                .to_string(),
            ),
            (
                "/src/ws/.cargo/config.toml".to_string(),
                "[build]\nrustflags = [\"--cfg\", \"ignored\"]\n".to_string(),
            ),
            ("/.cargo/config.toml".to_string(), "bad = [".to_string()),
        ]))
    }

    #[test]
    fn files_stop_at_the_top() {
        let f = fs();
        assert_eq!(
            find_files(&f, "/src/ws", "/src"),
            vec!["/src/ws/.cargo/config", "/src/.cargo/config.toml"]
        );
        assert_eq!(
            find_files(&f, "/src/ws", "/src/ws"),
            vec!["/src/ws/.cargo/config"]
        );
        assert_eq!(find_files(&f, "/src/ws", "").len(), 3);
    }

    #[test]
    fn merged_as_cargo_merges() {
        let f = fs();
        let files = find_files(&f, "/src/ws", "/src");
        let cfg = load(
            &f,
            &files,
            &["build.rustflags = [\"--cfg\", \"cli\"]".to_string()],
        )
        .unwrap();
        assert_eq!(
            cfg.build_rustflags.clone().unwrap(),
            vec!["--cfg", "outer", "--cfg", "inner", "--cfg", "cli"]
        );
        let release = &cfg.profiles["release"];
        assert_eq!(release.layer.opt_level.as_deref(), Some("1"));
        assert!(release.layer.debug.is_some());
        assert_eq!(cfg.env["SHARED"].value, "inner");
        assert!(cfg.env["SHARED"].force);
        assert_eq!(cfg.env["OUTER"].value, "o");
        assert!(cfg.env["DATA"].relative);
        assert_eq!(cfg.env["DATA"].def.root("/x"), "/src/ws");

        let linux = Platform::builtin("x86_64-unknown-linux-gnu").unwrap();
        let flags = cfg.platform_flags(&linux, Role::Target).unwrap();
        assert_eq!(flags.rustflags, vec!["--cfg", "unixy"]);
        assert_eq!(flags.linker.as_deref(), Some("/src/ws/tools/cc"));
        assert!(cfg
            .platform_flags(&linux, Role::Host)
            .unwrap()
            .rustflags
            .is_empty());
        let win = Platform::builtin("x86_64-pc-windows-msvc").unwrap();
        let flags = cfg.platform_flags(&win, Role::Target).unwrap();
        assert_eq!(flags.rustflags.len(), 6);
        assert_eq!(flags.linker, None);
    }

    #[test]
    fn broken_files_are_named() {
        let f = fs();
        let e = load(&f, &["/.cargo/config.toml".to_string()], &[]).unwrap_err();
        assert!(e.to_string().contains("/.cargo/config.toml"), "{e}");
        let e = load(&f, &[], &["profile.release.debug = 7".to_string()]).unwrap_err();
        assert!(e.to_string().contains("profile.release.debug"), "{e}");
        // A string and an array for one key do not merge (cargo: "failed to merge").
        let files = find_files(&f, "/src/ws", "/src");
        let e = load(
            &f,
            &files,
            &["build.rustflags = \"-Cdebuginfo=1\"".to_string()],
        )
        .unwrap_err();
        assert!(e.to_string().contains("build.rustflags"), "{e}");
    }
}
