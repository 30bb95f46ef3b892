//! The planner's errors: one [`ErrorKind`] per kind of failure, holding the
//! file (or package) involved and, where there is one, the fix, rendered
//! once, here, as `crateplan: ...`: every route shows the same text, and
//! tests match kinds rather than wording.

use crate::fs::FsError;
use std::fmt;

/// Every way planning can fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file the planner needs cannot be read: missing, not a regular
    /// file, too large for its kind, or a symlink that leads out.
    Unreadable {
        /// What the file is to the planner ("manifest", "lock file", ...).
        what: &'static str,
        file: String,
        error: FsError,
        fix: Option<String>,
    },
    /// A text file that is not UTF-8.
    NotUtf8 { what: &'static str, file: String },
    /// A manifest that does not parse (with line and column), or that cargo
    /// refuses when it loads it.
    InvalidManifest {
        file: String,
        problem: String,
        fix: Option<String>,
    },
    /// A `Cargo.lock` that does not parse, or that cargo refuses.
    InvalidLock { file: String, problem: String },
    /// The lock no longer fits the manifests.
    StaleLock { problem: String, fix: String },
    /// A `.crate` archive that is corrupt or hostile.
    InvalidCrate { krate: String, problem: String },
    /// A file whose sha256 is not the lock's.
    ChecksumMismatch {
        krate: String,
        expected: String,
        actual: String,
    },
    /// The workspace's members, default members or resolver.
    InvalidWorkspace {
        file: String,
        problem: String,
        fix: Option<String>,
    },
    /// What the request selects (packages, features) does not exist.
    InvalidSelection { problem: String },
    /// Packages that depend on themselves through normal or build edges.
    CyclicDependency {
        /// The packages along the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// A dependency graph deeper than the planner follows.
    TooDeep { package: String, limit: usize },
    /// An unknown target or a malformed cfg set or `cfg(...)` expression.
    InvalidPlatform { problem: String },
    /// A registry the request maps to no download URL.
    UnknownRegistry { package: String, registry: String },
    /// The JSON request itself.
    MalformedRequest { problem: String },
    /// A bug in crateplan.
    Internal { problem: String },
    /// Anything else, as a message ([`Error::msg`]).
    Other { message: String },
}

/// A planner error: an [`ErrorKind`], rendered by `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }

    /// An error given as a message (a leading `crateplan: ` is dropped:
    /// the prefix is added when the error is rendered).
    pub fn msg(message: impl Into<String>) -> Self {
        let message = message.into();
        let message = match message.strip_prefix("crateplan: ") {
            Some(rest) => rest.to_string(),
            None => message,
        };
        Error::new(ErrorKind::Other { message })
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// A file that cannot be read, as the planner's error.
    pub fn unreadable(what: &'static str, error: FsError, fix: Option<String>) -> Self {
        Error::new(ErrorKind::Unreadable {
            what,
            file: error.path().to_string(),
            error,
            fix,
        })
    }

    pub fn manifest(file: &str, problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidManifest {
            file: file.to_string(),
            problem: problem.into(),
            fix: None,
        })
    }

    pub fn lock(file: &str, problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidLock {
            file: file.to_string(),
            problem: problem.into(),
        })
    }

    pub fn stale_lock(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::new(ErrorKind::StaleLock {
            problem: problem.into(),
            fix: fix.into(),
        })
    }

    pub fn workspace(file: &str, problem: impl Into<String>, fix: Option<String>) -> Self {
        Error::new(ErrorKind::InvalidWorkspace {
            file: file.to_string(),
            problem: problem.into(),
            fix,
        })
    }

    pub fn selection(problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidSelection {
            problem: problem.into(),
        })
    }

    pub fn platform(problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidPlatform {
            problem: problem.into(),
        })
    }

    pub fn internal(problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal {
            problem: problem.into(),
        })
    }
}

/// The fix every lock problem shares.
pub const REGENERATE_LOCK: &str = "Regenerate it with `cargo generate-lockfile`";

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fix = |f: &mut fmt::Formatter<'_>, fix: &Option<String>| match fix {
            Some(fix) => write!(f, ". {fix}"),
            None => Ok(()),
        };
        match self {
            ErrorKind::Unreadable {
                what,
                file,
                error: FsError::NotFound(_),
                fix: how,
            } => {
                write!(f, "{what} {file} does not exist")?;
                fix(f, how)
            }
            ErrorKind::Unreadable {
                what,
                error,
                fix: how,
                ..
            } => {
                write!(f, "cannot read the {what} {error}")?;
                fix(f, how)
            }
            ErrorKind::NotUtf8 { what, file } => write!(f, "{what} {file} is not UTF-8"),
            ErrorKind::InvalidManifest {
                file,
                problem,
                fix: how,
            } => {
                // TOML errors carry `:LINE:COLUMN` after the file.
                if problem.starts_with(':') {
                    write!(f, "failed to parse manifest {file}{problem}")?;
                } else {
                    write!(f, "failed to parse manifest {file}: {problem}")?;
                }
                fix(f, how)
            }
            ErrorKind::InvalidLock { file, problem } => {
                if problem.starts_with(':') {
                    write!(f, "failed to parse {file}{problem}. {REGENERATE_LOCK}")
                } else {
                    write!(f, "failed to parse {file}: {problem}. {REGENERATE_LOCK}")
                }
            }
            ErrorKind::StaleLock { problem, fix } => {
                write!(f, "Cargo.lock is out of date: {problem}. {fix}")
            }
            ErrorKind::InvalidCrate { krate, problem } => {
                write!(f, "{krate} is not a valid .crate archive: {problem}")
            }
            ErrorKind::ChecksumMismatch {
                krate,
                expected,
                actual,
            } => write!(
                f,
                "checksum mismatch for {krate}: Cargo.lock says sha256 {expected}, the file has {actual}. \
                 The file is corrupt or was tampered with; delete it and fetch it again"
            ),
            ErrorKind::InvalidWorkspace {
                file,
                problem,
                fix: how,
            } => {
                write!(f, "{file}: {problem}")?;
                fix(f, how)
            }
            ErrorKind::InvalidSelection { problem } => write!(
                f,
                "{problem}. Check the selection (`packages` and `features` in lib.nix, `-p` and `--features` on the command line)"
            ),
            ErrorKind::CyclicDependency { cycle } => write!(
                f,
                "cyclic package dependency: package {} depends on itself. Cycle: {}. \
                 Cargo refuses this too: break the cycle (only dev-dependencies may form one)",
                cycle.first().map(String::as_str).unwrap_or("?"),
                cycle.join(" -> ")
            ),
            ErrorKind::TooDeep { package, limit } => write!(
                f,
                "the dependency chain is more than {limit} units deep at {package}; crateplan refuses graphs this deep"
            ),
            ErrorKind::InvalidPlatform { problem } => f.write_str(problem),
            ErrorKind::UnknownRegistry { package, registry } => write!(
                f,
                "{package} comes from the registry `{registry}`, which crateplan does not know. \
                 Map its index URL to its download URL in `registries` \
                 (for example registries.\"{registry}\" = \"https://example.com/api/v1/crates/{{crate}}/{{version}}/download\")"
            ),
            ErrorKind::MalformedRequest { problem } => write!(f, "malformed request: {problem}"),
            ErrorKind::Internal { problem } => {
                write!(f, "internal error: {problem}; please report this as a bug")
            }
            ErrorKind::Other { message } => f.write_str(message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "crateplan: {}", self.kind)
    }
}

impl std::error::Error for Error {}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

impl From<FsError> for Error {
    fn from(e: FsError) -> Self {
        Error::unreadable("file", e, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_get_one_prefix() {
        let e = Error::msg("crateplan: something");
        assert_eq!(e.to_string(), "crateplan: something");
        assert_eq!(
            e.kind(),
            &ErrorKind::Other {
                message: "something".into()
            }
        );
        let e = Error::lock("/w/Cargo.lock", ":3:1: bad");
        assert_eq!(
            e.to_string(),
            "crateplan: failed to parse /w/Cargo.lock:3:1: bad. Regenerate it with `cargo generate-lockfile`"
        );
    }
}
