//! [`crateplan::fs::Fs`] over Nix values: files through the host's
//! `read_file`, listings through a `builtins.readDir` the caller passes in,
//! existence through a `builtins.pathExists` the caller passes in.

use crate::host::Host;
use crateplan::fs::{EntryKind, Fs, FsError};

/// Where Nix keeps its store (Nix's default, and the only one lib.nix supports).
const STORE_DIR: &str = "/nix/store";

pub struct NixFs<'h, H: Host> {
    pub host: &'h H,
    /// A path value; every path is built from it with `make_path`, so it
    /// carries the accessor (and the pure-evaluation access rules) of `root`.
    pub root: H::Value,
    /// `copy_path` of `root`, e.g. `/`.
    pub root_str: String,
    pub read_dir: H::Value,
    pub path_exists: H::Value,
}

impl<'h, H: Host> NixFs<'h, H> {
    pub fn new(host: &'h H, root: H::Value, read_dir: H::Value, path_exists: H::Value) -> Self {
        let root_str = String::from_utf8_lossy(&host.path(root)).into_owned();
        NixFs {
            host,
            root,
            root_str,
            read_dir,
            path_exists,
        }
    }

    /// The path value for an absolute path string, or why there is none.
    fn value(&self, path: &str) -> Result<H::Value, FsError> {
        let rel = relative_to_root(&self.root_str, path)?;
        Ok(self.host.make_path(self.root, rel))
    }

    /// `Ok(v)` for an existing path, `NotFound` otherwise. Nix's `readFile`
    /// and `readDir` abort evaluation on a missing path, while the planner
    /// may probe for optional files; asking `pathExists` first keeps the
    /// native meaning of "not found".
    fn existing(&self, path: &str) -> Result<H::Value, FsError> {
        let v = self.value(path)?;
        let exists = self.host.call(self.path_exists, &[v]);
        if self.host.get_bool(exists) {
            Ok(v)
        } else {
            Err(FsError::NotFound(path.to_string()))
        }
    }
}

/// What to pass to `make_path(root, _)` for `path`. `CanonPath` (which
/// `make_path` uses) takes an absolute string as is, so with root `/` the
/// path goes through unchanged; under another root it must lie inside it.
pub fn relative_to_root<'p>(root: &str, path: &'p str) -> Result<&'p str, FsError> {
    if !path.starts_with('/') {
        return Err(FsError::Other(
            path.to_string(),
            "not an absolute path".to_string(),
        ));
    }
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return Ok(path);
    }
    match path.strip_prefix(root) {
        Some("") => Ok("."),
        Some(rest) if rest.starts_with('/') => Ok(rest.trim_start_matches('/')),
        _ => Err(FsError::Other(
            path.to_string(),
            format!("outside the root path {root} given to crateplan.wasm (pass `root = /.;`)"),
        )),
    }
}

impl<H: Host> NixFs<'_, H> {
    /// The parent's listing of `path`, as Nix's `readDir` spells the type
    /// (`regular`, `directory`, `symlink`, `unknown`).
    fn raw_type(&self, path: &str) -> Result<Vec<u8>, FsError> {
        let (dir, name) = match path.rsplit_once('/') {
            Some(("", n)) => ("/", n),
            Some((d, n)) => (d, n),
            None => return Err(FsError::NotFound(path.to_string())),
        };
        // A missing parent means `path` is missing: say so of `path`, as the
        // native file system does.
        let v = self.existing(dir).map_err(|e| match e {
            FsError::NotFound(_) => FsError::NotFound(path.to_string()),
            e => e,
        })?;
        let listing = self.host.call(self.read_dir, &[v]);
        let found = self.host.get_attr(listing, name);
        found
            .map(|t| self.host.string(t))
            .ok_or_else(|| FsError::NotFound(path.to_string()))
    }
}

impl<H: Host> Fs for NixFs<'_, H> {
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        // Nix's `readFile` of a FIFO blocks and of a device never ends; the
        // host traps on what it refuses. Only regular files are read, so
        // anything else is the planner's own (catchable) error. Without a
        // `readFileType`, a symlink's target cannot be checked first, so
        // symlinks are refused too (the native routes follow them).
        // Top-level store objects (fetched `.crate` files) are made by Nix
        // itself, and listing the whole store is forbidden in pure mode.
        let in_store_root = path
            .strip_prefix(STORE_DIR)
            .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'));
        let ty = if in_store_root {
            b"regular".to_vec()
        } else {
            self.raw_type(path)?
        };
        if ty.as_slice() != b"regular" {
            let what = match ty.as_slice() {
                b"directory" => "a directory",
                b"symlink" => "a symbolic link (crateplan.wasm reads only regular files)",
                _ => crateplan::fs::SPECIAL_FILE,
            };
            return Err(FsError::NotAFile {
                path: path.to_string(),
                what: what.to_string(),
            });
        }
        let bytes = self.host.read_file(self.value(path)?);
        // The host has no size query: the store copy is read, then refused.
        if bytes.len() as u64 > max {
            return Err(FsError::TooLarge {
                path: path.to_string(),
                max,
            });
        }
        Ok(bytes)
    }

    /// `pathExists` first, so that looking for a manifest above a package
    /// (up to `/nix/store/Cargo.toml`) never lists the store.
    fn kind(&self, path: &str) -> Result<EntryKind, FsError> {
        self.existing(path)?;
        Ok(match self.raw_type(path)?.as_slice() {
            b"regular" => EntryKind::File,
            b"directory" => EntryKind::Dir,
            _ => EntryKind::Other,
        })
    }

    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        let v = self.existing(path)?;
        let listing = self.host.call(self.read_dir, &[v]);
        let mut out: Vec<(String, EntryKind)> = self
            .host
            .attrs(listing)
            .into_iter()
            .map(|(name, kind)| {
                let kind = match self.host.string(kind).as_slice() {
                    b"regular" => EntryKind::File,
                    b"directory" => EntryKind::Dir,
                    _ => EntryKind::Other,
                };
                (String::from_utf8_lossy(&name).into_owned(), kind)
            })
            .collect();
        // Nix lists attributes in symbol order; give the planner a stable one.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::relative_to_root;

    #[test]
    fn root_slash_passes_absolute_paths_through() {
        assert_eq!(
            relative_to_root("/", "/nix/store/x/Cargo.toml"),
            Ok("/nix/store/x/Cargo.toml")
        );
    }

    #[test]
    fn other_roots_strip_their_prefix() {
        assert_eq!(
            relative_to_root("/src/ws", "/src/ws/a/Cargo.toml"),
            Ok("a/Cargo.toml")
        );
        assert_eq!(relative_to_root("/src/ws/", "/src/ws"), Ok("."));
        assert!(relative_to_root("/src/ws", "/src/wsx/Cargo.toml").is_err());
        assert!(relative_to_root("/src/ws", "/etc/passwd").is_err());
        assert!(relative_to_root("/", "relative/path").is_err());
    }
}
