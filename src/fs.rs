//! How the planner reads files. Every route supplies its own implementation:
//! the real file system (CLI, plugin, IFD, exec) or host calls (wasm).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    File,
    Dir,
    /// Symlinks and anything else: the planner never follows these when it
    /// discovers targets, like cargo it only looks at regular files and dirs.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    NotFound(String),
    Other(String, String),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound(p) => write!(f, "{p}: no such file or directory"),
            FsError::Other(p, e) => write!(f, "{p}: {e}"),
        }
    }
}

/// Read-only access to files by absolute path.
pub trait Fs {
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError>;
    /// Entries of a directory, as (name, kind), in any order.
    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError>;
}

/// The real file system.
#[cfg(feature = "fs")]
pub struct RealFs;

#[cfg(feature = "fs")]
impl Fs for RealFs {
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        std::fs::read(path).map_err(|e| io_error(path, e))
    }
    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
            let entry = entry.map_err(|e| io_error(path, e))?;
            let ty = entry.file_type().map_err(|e| io_error(path, e))?;
            let kind = if ty.is_file() {
                EntryKind::File
            } else if ty.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::Other
            };
            out.push((entry.file_name().to_string_lossy().into_owned(), kind));
        }
        Ok(out)
    }
}

#[cfg(feature = "fs")]
fn io_error(path: &str, e: std::io::Error) -> FsError {
    if e.kind() == std::io::ErrorKind::NotFound {
        FsError::NotFound(path.to_string())
    } else {
        FsError::Other(path.to_string(), e.to_string())
    }
}
