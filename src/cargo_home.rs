//! Sources from cargo's own cache (`$CARGO_HOME/registry/cache` and
//! `$CARGO_HOME/git/checkouts`), so the CLI works offline after `cargo fetch`.

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
