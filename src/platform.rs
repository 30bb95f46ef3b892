//! Target platforms: the cfg set `rustc --print cfg --target T` prints, built
//! in for common triples, and evaluation of `[target.X.dependencies]` keys
//! against it.

use crate::error::Error;
use cfg_expr::{expr::TargetPredicate, Expression, Predicate};
use std::collections::BTreeSet;

/// Triples whose cfg set is compiled in (captured from `rustc --print cfg`).
const BUILTIN: &[(&str, &str)] = &[
    (
        "x86_64-unknown-linux-gnu",
        include_str!("platforms/x86_64-unknown-linux-gnu.cfg"),
    ),
    (
        "aarch64-unknown-linux-gnu",
        include_str!("platforms/aarch64-unknown-linux-gnu.cfg"),
    ),
    (
        "i686-unknown-linux-gnu",
        include_str!("platforms/i686-unknown-linux-gnu.cfg"),
    ),
    (
        "x86_64-unknown-linux-musl",
        include_str!("platforms/x86_64-unknown-linux-musl.cfg"),
    ),
    (
        "aarch64-unknown-linux-musl",
        include_str!("platforms/aarch64-unknown-linux-musl.cfg"),
    ),
    (
        "x86_64-apple-darwin",
        include_str!("platforms/x86_64-apple-darwin.cfg"),
    ),
    (
        "aarch64-apple-darwin",
        include_str!("platforms/aarch64-apple-darwin.cfg"),
    ),
    (
        "x86_64-pc-windows-msvc",
        include_str!("platforms/x86_64-pc-windows-msvc.cfg"),
    ),
    (
        "x86_64-pc-windows-gnu",
        include_str!("platforms/x86_64-pc-windows-gnu.cfg"),
    ),
    (
        "aarch64-pc-windows-msvc",
        include_str!("platforms/aarch64-pc-windows-msvc.cfg"),
    ),
    (
        "wasm32-unknown-unknown",
        include_str!("platforms/wasm32-unknown-unknown.cfg"),
    ),
    ("wasm32-wasip1", include_str!("platforms/wasm32-wasip1.cfg")),
];

/// The triples with a built-in cfg set.
pub fn builtin_triples() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(t, _)| *t)
}

/// One cfg atom: `unix` is (`unix`, None), `target_os="linux"` is (`target_os`, Some(`linux`)).
pub type CfgAtom = (String, Option<String>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub triple: String,
    /// The cfg lines as rustc prints them, in rustc's order.
    pub lines: Vec<String>,
    atoms: BTreeSet<CfgAtom>,
}

impl Platform {
    /// The built-in cfg set for `triple`, or an error naming the known triples.
    pub fn builtin(triple: &str) -> Result<Platform, Error> {
        match BUILTIN.iter().find(|(t, _)| *t == triple) {
            Some((_, cfg)) => Platform::from_cfg_text(triple, cfg),
            None => Err(Error::platform(format!(
                "no built-in cfg set for target `{triple}`; known: {}. \
                 For another target pass its cfg set explicitly \
                 (the lines of `rustc --print cfg --target {triple}`)",
                builtin_triples().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// A platform from the output of `rustc --print cfg`.
    pub fn from_cfg_text(triple: &str, text: &str) -> Result<Platform, Error> {
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        Platform::from_cfg_lines(triple, lines)
    }

    pub fn from_cfg_lines(triple: &str, lines: Vec<String>) -> Result<Platform, Error> {
        let mut atoms = BTreeSet::new();
        for line in &lines {
            atoms.insert(parse_cfg_line(line).ok_or_else(|| {
                Error::platform(format!(
                    "cfg line `{line}` for target `{triple}` is not `name` or `name=\"value\"`"
                ))
            })?);
        }
        Ok(Platform {
            triple: triple.to_string(),
            lines,
            atoms,
        })
    }

    /// The cfg set as rustc prints it when given `rustflags`: every `--cfg
    /// NAME` / `--cfg NAME="VALUE"` (or `--cfg=…`) among them is added, as
    /// cargo asks rustc with the platform's rustflags.
    pub fn with_rustflags(&self, rustflags: &[String]) -> Result<Platform, Error> {
        let mut lines = self.lines.clone();
        let mut flags = rustflags.iter();
        while let Some(flag) = flags.next() {
            let spec = match flag.strip_prefix("--cfg") {
                Some("") => flags.next().cloned(),
                Some(rest) => rest.strip_prefix('=').map(str::to_string),
                None => None,
            };
            if let Some(spec) = spec {
                let line = match spec.split_once('=') {
                    Some((k, v)) => format!("{}={}", k.trim(), v.trim()),
                    None => spec.trim().to_string(),
                };
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        Platform::from_cfg_lines(&self.triple, lines).map_err(|e| {
            Error::msg(format!(
                "{e} (from a `--cfg` in the rustflags of the cargo config)"
            ))
        })
    }

    fn has(&self, key: &str, value: Option<&str>) -> bool {
        self.atoms
            .contains(&(key.to_string(), value.map(str::to_string)))
    }

    /// Whether a dependency table key such as `cfg(unix)` or
    /// `x86_64-pc-windows-msvc` applies to this platform.
    pub fn matches_spec(&self, spec: &str) -> Result<bool, String> {
        let spec = spec.trim();
        if spec.starts_with("cfg(") {
            let expr = Expression::parse(spec)
                .map_err(|e| format!("invalid cfg expression `{spec}`: {e}"))?;
            Ok(expr.eval(|pred| self.matches_predicate(pred)))
        } else {
            Ok(spec == self.triple)
        }
    }

    fn matches_predicate(&self, pred: &Predicate<'_>) -> bool {
        match pred {
            Predicate::Target(tp) => {
                let (key, value) = target_atom(tp);
                // `unix` and `windows` parse as families; rustc prints both spellings.
                self.has(key, Some(&value))
                    || (matches!(tp, TargetPredicate::Family(_)) && self.has(&value, None))
            }
            Predicate::Test => self.has("test", None),
            Predicate::DebugAssertions => self.has("debug_assertions", None),
            Predicate::ProcMacro => self.has("proc_macro", None),
            Predicate::Feature(f) => self.has("feature", Some(f)),
            Predicate::TargetFeature(f) => self.has("target_feature", Some(f)),
            Predicate::Flag(f) => self.has(f, None),
            Predicate::KeyValue { key, val } => self.has(key, Some(val)),
        }
    }
}

fn target_atom(tp: &TargetPredicate) -> (&'static str, String) {
    use cfg_expr::targets::HasAtomic;
    match tp {
        TargetPredicate::Abi(a) => ("target_abi", a.as_str().to_string()),
        TargetPredicate::Arch(a) => ("target_arch", a.as_str().to_string()),
        TargetPredicate::Endian(e) => ("target_endian", format!("{e:?}")),
        TargetPredicate::Env(e) => ("target_env", e.as_str().to_string()),
        TargetPredicate::Family(f) => ("target_family", f.as_str().to_string()),
        TargetPredicate::HasAtomic(HasAtomic::IntegerSize(n)) => {
            ("target_has_atomic", n.to_string())
        }
        TargetPredicate::HasAtomic(HasAtomic::Pointer) => ("target_has_atomic", "ptr".to_string()),
        TargetPredicate::HasAtomic(other) => ("target_has_atomic", format!("{other:?}")),
        TargetPredicate::Os(o) => ("target_os", o.as_str().to_string()),
        TargetPredicate::Panic(p) => ("panic", p.as_str().to_string()),
        TargetPredicate::PointerWidth(w) => ("target_pointer_width", w.to_string()),
        TargetPredicate::Vendor(v) => ("target_vendor", v.as_str().to_string()),
    }
}

fn parse_cfg_line(line: &str) -> Option<CfgAtom> {
    match line.split_once('=') {
        None => is_ident(line).then(|| (line.to_string(), None)),
        Some((k, v)) => {
            let v = v.trim().strip_prefix('"')?.strip_suffix('"')?;
            let k = k.trim();
            is_ident(k).then(|| (k.to_string(), Some(v.to_string())))
        }
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_parse_and_match() {
        for t in builtin_triples() {
            Platform::builtin(t).unwrap();
        }
        let linux = Platform::builtin("x86_64-unknown-linux-gnu").unwrap();
        let mac = Platform::builtin("aarch64-apple-darwin").unwrap();
        let win = Platform::builtin("x86_64-pc-windows-msvc").unwrap();
        assert!(linux.matches_spec("cfg(unix)").unwrap());
        assert!(!win.matches_spec("cfg(unix)").unwrap());
        assert!(win.matches_spec("cfg(windows)").unwrap());
        assert!(mac.matches_spec("cfg(target_os = \"macos\")").unwrap());
        assert!(mac
            .matches_spec("cfg(all(target_arch = \"aarch64\", target_vendor = \"apple\"))")
            .unwrap());
        assert!(linux
            .matches_spec("cfg(any(target_os = \"linux\", target_os = \"android\"))")
            .unwrap());
        assert!(!linux.matches_spec("cfg(tokio_unstable)").unwrap());
        assert!(linux
            .matches_spec("cfg(target_has_atomic = \"64\")")
            .unwrap());
        assert!(linux.matches_spec("cfg(debug_assertions)").unwrap());
        assert!(!linux.matches_spec("cfg(test)").unwrap());
        assert!(!linux.matches_spec("cfg(feature = \"std\")").unwrap());
        assert!(win.matches_spec("x86_64-pc-windows-msvc").unwrap());
        assert!(!linux.matches_spec("x86_64-pc-windows-msvc").unwrap());
        assert!(linux
            .matches_spec("cfg(target_feature = \"sse2\")")
            .unwrap());
        assert!(mac.matches_spec("cfg(target_env = \"\")").unwrap());
    }

    #[test]
    fn rustflags_add_cfgs() {
        let linux = Platform::builtin("x86_64-unknown-linux-gnu").unwrap();
        let flags: Vec<String> = [
            "-C",
            "opt-level=1",
            "--cfg",
            "tokio_unstable",
            "--cfg=mode=\"fast\"",
        ]
        .map(String::from)
        .to_vec();
        let p = linux.with_rustflags(&flags).unwrap();
        assert!(p.matches_spec("cfg(tokio_unstable)").unwrap());
        assert!(p.matches_spec("cfg(mode = \"fast\")").unwrap());
        assert!(!linux.matches_spec("cfg(tokio_unstable)").unwrap());
        assert!(linux
            .with_rustflags(&["--cfg".into(), "bad value".into()])
            .is_err());
    }

    #[test]
    fn unknown_triple_is_a_clear_error() {
        let e = Platform::builtin("riscv64gc-unknown-none-elf").unwrap_err();
        assert!(e.to_string().contains("rustc --print cfg"), "{e}");
    }

    #[test]
    fn bad_cfg_line_and_expression() {
        assert!(Platform::from_cfg_text("t", "target_os=linux").is_err());
        let p = Platform::from_cfg_text("t", "unix\ntarget_os=\"linux\"").unwrap();
        assert!(p.matches_spec("cfg(unix").is_err());
        assert!(p
            .matches_spec("cfg(all(unix, target_os = \"linux\"))")
            .unwrap());
    }
}
