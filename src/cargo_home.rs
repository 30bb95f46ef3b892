//! Local sources for the CLI: cargo's own cache (`$CARGO_HOME/registry/cache`
//! and `$CARGO_HOME/git/checkouts`), so it works offline after `cargo fetch`,
//! and plain directories of `.crate` files.

use crate::loader::LocalSources;
use crate::request::Fetch;
use std::path::{Path, PathBuf};

pub struct CargoHome {
    root: PathBuf,
}

impl CargoHome {
    /// `$CARGO_HOME`, or `~/.cargo`.
    pub fn from_env() -> Option<CargoHome> {
        let root = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
        Some(CargoHome { root })
    }

    pub fn at(root: impl Into<PathBuf>) -> CargoHome {
        CargoHome { root: root.into() }
    }

    fn subdirs(&self, rel: &str) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(self.root.join(rel))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs
    }
}

impl LocalSources for CargoHome {
    fn locate(&self, fetch: &Fetch) -> Option<String> {
        match fetch {
            Fetch::Crate { name, version, .. } => self
                .subdirs("registry/cache")
                .into_iter()
                .map(|d| d.join(format!("{name}-{version}.crate")))
                .find(|p| p.is_file())
                .map(|p| p.to_string_lossy().into_owned()),
            Fetch::Git { rev, .. } => {
                let short = &rev[..rev.len().min(7)];
                self.subdirs("git/checkouts")
                    .into_iter()
                    .map(|d| d.join(short))
                    .find(|p| p.is_dir())
                    .map(|p| p.to_string_lossy().into_owned())
            }
        }
    }
}

/// A directory of `NAME-VERSION.crate` files (a mirror, a vendored set).
pub struct CrateDir {
    root: PathBuf,
}

impl CrateDir {
    pub fn at(root: impl Into<PathBuf>) -> CrateDir {
        CrateDir { root: root.into() }
    }
}

impl LocalSources for CrateDir {
    fn locate(&self, fetch: &Fetch) -> Option<String> {
        match fetch {
            Fetch::Crate { name, version, .. } => {
                let p = self.root.join(format!("{name}-{version}.crate"));
                p.is_file().then(|| p.to_string_lossy().into_owned())
            }
            Fetch::Git { .. } => None,
        }
    }
}

/// Several places, asked in order.
pub struct Chain(pub Vec<Box<dyn LocalSources>>);

impl LocalSources for Chain {
    fn locate(&self, fetch: &Fetch) -> Option<String> {
        self.0.iter().find_map(|s| s.locate(fetch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_dir_finds_crates_by_name_and_version() {
        let dir = std::env::temp_dir().join(format!("crateplan-crate-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("foo-1.2.3.crate"), b"x").unwrap();
        let fetch = |name: &str| Fetch::Crate {
            key: String::new(),
            name: name.into(),
            version: "1.2.3".into(),
            url: String::new(),
            sha256: String::new(),
        };
        let sources = Chain(vec![
            Box::new(CrateDir::at("/nonexistent")),
            Box::new(CrateDir::at(&dir)),
        ]);
        assert!(sources
            .locate(&fetch("foo"))
            .unwrap()
            .ends_with("foo-1.2.3.crate"));
        assert!(sources.locate(&fetch("bar")).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
