//! How the planner reads files. Every route supplies its own implementation:
//! the real file system (CLI, plugin, IFD, exec) or host calls (wasm).
//!
//! Every read is bounded: the planner says what kind of file it wants
//! ([`FileKind`]) and an implementation reads at most that kind's cap, and
//! only a regular file (after following symlinks), so a `Cargo.lock` that is
//! a FIFO, `/dev/zero` or 8 GB never costs more than an error. [`Confined`]
//! adds that symlinks inside the workspace may not lead out of it.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// A regular file, or a symlink to one.
    File,
    /// A directory, or a symlink to one.
    Dir,
    /// Anything else (FIFOs, devices, sockets, dangling symlinks): the
    /// planner never reads these.
    Other,
}

/// What a file is to the planner, which decides how large it may be.
/// Generous for real projects (the largest `Cargo.lock`s are about 1 MB,
/// manifests a few KB, `.crate` files tens of MB), small enough that a
/// hostile file costs no more than an error during evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `Cargo.toml`.
    Manifest,
    /// `Cargo.lock`.
    Lock,
    /// A `.crate` tarball (compressed size).
    CrateArchive,
    /// Cargo configuration (`.cargo/config.toml`) and other small text files.
    Config,
}

impl FileKind {
    pub const fn max_bytes(self) -> u64 {
        match self {
            FileKind::Manifest => 4 << 20,
            FileKind::Lock => 64 << 20,
            FileKind::CrateArchive => 256 << 20,
            FileKind::Config => 4 << 20,
        }
    }

    pub const fn describe(self) -> &'static str {
        match self {
            FileKind::Manifest => "a manifest",
            FileKind::Lock => "a lock file",
            FileKind::CrateArchive => "a .crate archive",
            FileKind::Config => "a configuration file",
        }
    }
}

/// The cap of [`Fs::read`], for callers that do not name a kind.
pub const DEFAULT_MAX_BYTES: u64 = FileKind::Lock.max_bytes();

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    NotFound(String),
    /// Exists, but is not a regular file (a directory, FIFO, device, socket).
    NotAFile {
        path: String,
        what: String,
    },
    /// Larger than the cap for its kind.
    TooLarge {
        path: String,
        max: u64,
    },
    /// A symlink that leads outside the directories the planner may read.
    OutsideRoots {
        path: String,
        target: String,
    },
    Other(String, String),
}

impl FsError {
    pub fn path(&self) -> &str {
        match self {
            FsError::NotFound(p)
            | FsError::NotAFile { path: p, .. }
            | FsError::TooLarge { path: p, .. }
            | FsError::OutsideRoots { path: p, .. }
            | FsError::Other(p, _) => p,
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound(p) => write!(f, "{p}: no such file or directory"),
            FsError::NotAFile { path, what } => {
                write!(f, "{path}: is {what}, not a regular file")
            }
            FsError::TooLarge { path, max } => write!(
                f,
                "{path}: larger than {} MiB, the most crateplan reads for such a file",
                max >> 20
            ),
            FsError::OutsideRoots { path, target } => write!(
                f,
                "{path}: a symbolic link to {target}, outside the workspace, its sources and the Nix store"
            ),
            FsError::Other(p, e) => write!(f, "{p}: {e}"),
        }
    }
}

/// Read-only access to files by absolute path.
pub trait Fs {
    /// Reads the regular file at `path` (symlinks followed), refusing
    /// anything else, and anything larger than `max` bytes, without reading
    /// more than `max + 1` bytes.
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError>;

    /// Entries of a directory, as (name, kind), in any order. Symlinks are
    /// reported as what they lead to, as cargo sees them when it looks for
    /// targets (`src/lib.rs` may be a link).
    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError>;

    /// What `path` is, without reading it (symlinks followed).
    fn kind(&self, path: &str) -> Result<EntryKind, FsError> {
        let (dir, name) = match path.rsplit_once('/') {
            Some(("", n)) => ("/", n),
            Some((d, n)) => (d, n),
            None => return Err(FsError::NotFound(path.to_string())),
        };
        self.read_dir(dir)?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k)
            .ok_or_else(|| FsError::NotFound(path.to_string()))
    }

    /// The path with every symlink resolved, when this file system can say
    /// (`None`: it cannot, e.g. Nix values, where Nix applies its own rules).
    fn canonicalize(&self, _path: &str) -> Result<Option<String>, FsError> {
        Ok(None)
    }

    /// Reads a file of any kind with the default cap. Prefer [`read_file`].
    fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        self.read_limited(path, DEFAULT_MAX_BYTES)
    }
}

/// Reads a file, bounded by its kind's cap.
pub fn read_file(fs: &dyn Fs, path: &str, kind: FileKind) -> Result<Vec<u8>, FsError> {
    fs.read_limited(path, kind.max_bytes())
}

/// Whether `path` is a regular file (or a symlink to one), without reading it.
pub fn is_file(fs: &dyn Fs, path: &str) -> bool {
    matches!(fs.kind(path), Ok(EntryKind::File))
}

/// Another [`Fs`] whose symlinks inside the given roots must lead into one of
/// them (the workspace, the sources, the Nix store). Paths outside every root
/// came from a manifest's own `path = "..."`, which cargo follows anywhere,
/// so they are read as they are (still bounded, regular files only).
pub struct Confined<'a> {
    inner: &'a dyn Fs,
    /// (root as given, root with its symlinks resolved).
    roots: Vec<(String, String)>,
}

impl<'a> Confined<'a> {
    pub fn new<'r>(inner: &'a dyn Fs, roots: impl IntoIterator<Item = &'r str>) -> Self {
        let mut resolved = Vec::new();
        for root in roots {
            let root = root.trim_end_matches('/');
            if root.is_empty() {
                continue; // `/` confines nothing.
            }
            let canonical = match inner.canonicalize(root) {
                Ok(Some(c)) => c,
                _ => root.to_string(),
            };
            resolved.push((root.to_string(), canonical));
        }
        Confined {
            inner,
            roots: resolved,
        }
    }

    fn check(&self, path: &str) -> Result<(), FsError> {
        if !self.roots.iter().any(|(r, _)| under(path, r)) {
            return Ok(());
        }
        let Ok(Some(target)) = self.inner.canonicalize(path) else {
            return Ok(()); // Missing files are reported by the read itself.
        };
        if self
            .roots
            .iter()
            .any(|(r, c)| under(&target, c) || under(&target, r))
        {
            Ok(())
        } else {
            Err(FsError::OutsideRoots {
                path: path.to_string(),
                target,
            })
        }
    }
}

fn under(path: &str, root: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl Fs for Confined<'_> {
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        self.check(path)?;
        self.inner.read_limited(path, max)
    }
    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        self.check(path)?;
        self.inner.read_dir(path)
    }
    fn kind(&self, path: &str) -> Result<EntryKind, FsError> {
        self.inner.kind(path)
    }
    fn canonicalize(&self, path: &str) -> Result<Option<String>, FsError> {
        self.inner.canonicalize(path)
    }
}

/// The real file system.
#[cfg(feature = "fs")]
pub struct RealFs;

#[cfg(feature = "fs")]
impl Fs for RealFs {
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        use std::io::Read;
        // Check the type before opening: opening a FIFO blocks.
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        if !meta.is_file() {
            return Err(FsError::NotAFile {
                path: path.to_string(),
                what: describe_type(&meta.file_type()).to_string(),
            });
        }
        if meta.len() > max {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                max,
            });
        }
        let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let mut out = Vec::with_capacity(meta.len() as usize);
        // The file may grow between the check and the read: read one byte
        // more than allowed to notice.
        file.take(max + 1)
            .read_to_end(&mut out)
            .map_err(|e| io_error(path, e))?;
        if out.len() as u64 > max {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                max,
            });
        }
        Ok(out)
    }

    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
            let entry = entry.map_err(|e| io_error(path, e))?;
            let mut ty = entry.file_type().map_err(|e| io_error(path, e))?;
            if ty.is_symlink() {
                // Follow it, as cargo's `is_file()`/`exists()` checks do;
                // a dangling link is nothing.
                ty = match std::fs::metadata(entry.path()) {
                    Ok(m) => m.file_type(),
                    Err(_) => ty,
                };
            }
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                kind_of(&ty),
            ));
        }
        Ok(out)
    }

    fn kind(&self, path: &str) -> Result<EntryKind, FsError> {
        let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
        Ok(kind_of(&meta.file_type()))
    }

    fn canonicalize(&self, path: &str) -> Result<Option<String>, FsError> {
        let c = std::fs::canonicalize(path).map_err(|e| io_error(path, e))?;
        Ok(Some(c.to_string_lossy().into_owned()))
    }
}

#[cfg(feature = "fs")]
fn kind_of(ty: &std::fs::FileType) -> EntryKind {
    if ty.is_file() {
        EntryKind::File
    } else if ty.is_dir() {
        EntryKind::Dir
    } else {
        EntryKind::Other
    }
}

/// What a FIFO, a device or a socket is called in errors. One phrase for
/// the three, because Nix's `readDir` (the wasm route's only view of a
/// file's type) calls all of them `unknown`, and every route must answer
/// with the same bytes.
pub const SPECIAL_FILE: &str = "a FIFO, a device or a socket";

#[cfg(feature = "fs")]
fn describe_type(ty: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ty.is_fifo() || ty.is_char_device() || ty.is_block_device() || ty.is_socket() {
            return SPECIAL_FILE;
        }
    }
    if ty.is_dir() {
        "a directory"
    } else {
        "not a regular file"
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

#[cfg(all(test, feature = "fs", unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("crateplan-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn refuses_devices_fifos_and_directories_without_reading() {
        let e = RealFs.read_limited("/dev/zero", 10).unwrap_err();
        assert!(
            matches!(e, FsError::NotAFile { ref what, .. } if what == SPECIAL_FILE),
            "{e}"
        );
        let dir = scratch("fifo");
        let fifo = dir.join("Cargo.lock");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        if ok.is_ok_and(|s| s.success()) {
            let e = RealFs.read_limited(fifo.to_str().unwrap(), 10).unwrap_err();
            assert!(
                matches!(e, FsError::NotAFile { ref what, .. } if what == SPECIAL_FILE),
                "{e}"
            );
        }
        let e = RealFs.read_limited(dir.to_str().unwrap(), 10).unwrap_err();
        assert!(matches!(e, FsError::NotAFile { .. }), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn caps_the_size() {
        let dir = scratch("cap");
        let file = dir.join("big");
        std::fs::write(&file, [b'x'; 100]).unwrap();
        let p = file.to_str().unwrap();
        assert_eq!(RealFs.read_limited(p, 100).unwrap().len(), 100);
        let e = RealFs.read_limited(p, 99).unwrap_err();
        assert!(matches!(e, FsError::TooLarge { max: 99, .. }), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn symlinks_are_followed_inside_and_refused_outside() {
        let dir = scratch("links");
        let ws = dir.join("ws");
        std::fs::create_dir_all(ws.join("src")).unwrap();
        std::fs::write(dir.join("real.rs"), "").unwrap();
        std::fs::write(ws.join("real.rs"), "").unwrap();
        std::os::unix::fs::symlink(ws.join("real.rs"), ws.join("src/lib.rs")).unwrap();
        std::os::unix::fs::symlink(dir.join("real.rs"), ws.join("src/out.rs")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", ws.join("Cargo.lock")).unwrap();
        let listing = RealFs.read_dir(ws.join("src").to_str().unwrap()).unwrap();
        assert!(listing.contains(&("lib.rs".to_string(), EntryKind::File)));
        let root = ws.to_str().unwrap();
        let fs = Confined::new(&RealFs, [root]);
        assert!(fs.read(&format!("{root}/src/lib.rs")).is_ok());
        let e = fs.read(&format!("{root}/src/out.rs")).unwrap_err();
        assert!(matches!(e, FsError::OutsideRoots { .. }), "{e}");
        let e = fs.read(&format!("{root}/Cargo.lock")).unwrap_err();
        assert!(matches!(e, FsError::OutsideRoots { .. }), "{e}");
        // Outside every root: read as named (a manifest's own `path = ".."`).
        assert!(fs.read(dir.join("real.rs").to_str().unwrap()).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
