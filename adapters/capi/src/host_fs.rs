//! The host's file system: callbacks a C host supplies (Lix, Nix, a test) so
//! the planner reads files the way the host sees them.
//!
//! The host never hands the planner memory to own: its callback *writes* the
//! bytes (or the directory entries) into a `crateplan_sink` the planner
//! lends it for the duration of the call, and the sink copies them. The sink
//! also enforces the read's cap, so a host that returns too much costs an
//! error, not memory.

use crateplan::fs::{EntryKind, Fs, FsError, SPECIAL_FILE};
use std::ffi::{c_char, c_int, c_void, CString};

/// The callback succeeded: the sink holds the file's bytes (or the
/// directory's entries).
pub const CRATEPLAN_FS_OK: c_int = 0;
/// No such file or directory.
pub const CRATEPLAN_FS_NOT_FOUND: c_int = 1;
/// `read_file` on a directory.
pub const CRATEPLAN_FS_IS_DIRECTORY: c_int = 2;
/// `read_file` on a FIFO, a device or a socket (never open those: opening a
/// FIFO blocks).
pub const CRATEPLAN_FS_IS_SPECIAL: c_int = 3;
/// Any other failure; say why with `crateplan_sink_message`.
pub const CRATEPLAN_FS_ERROR: c_int = 4;

/// A directory entry that is a regular file (or a symlink to one).
pub const CRATEPLAN_ENTRY_FILE: c_int = 0;
/// A directory entry that is a directory (or a symlink to one).
pub const CRATEPLAN_ENTRY_DIR: c_int = 1;
/// Anything else: FIFOs, devices, sockets, dangling symlinks.
pub const CRATEPLAN_ENTRY_OTHER: c_int = 2;

/// How the planner reads files when the host supplies them. Paths are
/// absolute, `/`-separated, given as `path_len` bytes followed by a NUL.
/// Both callbacks return one of the `CRATEPLAN_FS_*` codes and are called
/// only during `crateplan_plan_json`, on its thread.
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct crateplan_fs {
    /// Passed unchanged to both callbacks.
    pub user_data: *mut c_void,
    /// Reads the regular file at `path` (symlinks followed): write its bytes
    /// with `crateplan_sink_write` (in one call or several) and return
    /// `CRATEPLAN_FS_OK`. `max` is the most the planner accepts: a file
    /// larger than that is an error either way, so the host may stop
    /// reading after `max + 1` bytes.
    pub read_file: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            path: *const c_char,
            path_len: usize,
            max: u64,
            sink: *mut crateplan_sink,
        ) -> c_int,
    >,
    /// Lists the directory at `path`: one `crateplan_sink_entry` per entry
    /// (without `.` and `..`, in any order), then `CRATEPLAN_FS_OK`.
    pub read_dir: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            path: *const c_char,
            path_len: usize,
            sink: *mut crateplan_sink,
        ) -> c_int,
    >,
}

/// Where a callback puts what it read; lent to the callback for the
/// duration of that one call (never keep it).
#[allow(non_camel_case_types)]
pub struct crateplan_sink {
    contents: Contents,
    /// The host's own words for a failure (`crateplan_sink_message`).
    message: Option<String>,
}

enum Contents {
    File {
        bytes: Vec<u8>,
        max: u64,
        /// More than `max` bytes were written: the rest was dropped.
        overflowed: bool,
    },
    Dir(Vec<(String, EntryKind)>),
}

/// Appends `len` bytes at `data` to the file being read. Returns 0, or -1
/// when this sink is a directory listing's (nothing is written) or the
/// file passed its cap (the planner will answer that the file is too
/// large; the host may stop writing).
///
/// # Safety
/// `sink` must be the sink passed to the running `read_file` callback;
/// `data` must point to `len` readable bytes (or be NULL with `len` 0).
#[no_mangle]
pub unsafe extern "C" fn crateplan_sink_write(
    sink: *mut crateplan_sink,
    data: *const u8,
    len: usize,
) -> c_int {
    let Some(sink) = sink.as_mut() else {
        return -1;
    };
    let Contents::File {
        bytes,
        max,
        overflowed,
    } = &mut sink.contents
    else {
        return -1;
    };
    if *overflowed {
        return -1;
    }
    if len == 0 {
        return 0;
    }
    if data.is_null() {
        return -1;
    }
    let room = (*max as usize).saturating_sub(bytes.len());
    let take = len.min(room);
    bytes.extend_from_slice(std::slice::from_raw_parts(data, take));
    if take < len {
        *overflowed = true;
        return -1;
    }
    0
}

/// Adds one entry (`name_len` bytes at `name`, no NUL needed) of kind
/// `CRATEPLAN_ENTRY_*` to the directory being listed. Returns 0, or -1 when
/// this sink is a file's, the name is not UTF-8 or the kind is unknown
/// (the entry is then left out).
///
/// # Safety
/// `sink` must be the sink passed to the running `read_dir` callback;
/// `name` must point to `name_len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn crateplan_sink_entry(
    sink: *mut crateplan_sink,
    name: *const c_char,
    name_len: usize,
    kind: c_int,
) -> c_int {
    let Some(sink) = sink.as_mut() else {
        return -1;
    };
    let Contents::Dir(entries) = &mut sink.contents else {
        return -1;
    };
    if name.is_null() {
        return -1;
    }
    let kind = match kind {
        CRATEPLAN_ENTRY_FILE => EntryKind::File,
        CRATEPLAN_ENTRY_DIR => EntryKind::Dir,
        CRATEPLAN_ENTRY_OTHER => EntryKind::Other,
        _ => return -1,
    };
    let bytes = std::slice::from_raw_parts(name.cast::<u8>(), name_len);
    let Ok(name) = std::str::from_utf8(bytes) else {
        return -1;
    };
    entries.push((name.to_string(), kind));
    0
}

/// Says why the callback fails (with `CRATEPLAN_FS_ERROR`): `len` bytes of
/// UTF-8 at `message`, quoted in the planner's error. Returns 0, or -1 for
/// a NULL sink.
///
/// # Safety
/// `sink` must be the sink passed to the running callback; `message` must
/// point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn crateplan_sink_message(
    sink: *mut crateplan_sink,
    message: *const c_char,
    len: usize,
) -> c_int {
    let Some(sink) = sink.as_mut() else {
        return -1;
    };
    if message.is_null() {
        return -1;
    }
    let bytes = std::slice::from_raw_parts(message.cast::<u8>(), len);
    sink.message = Some(String::from_utf8_lossy(bytes).into_owned());
    0
}

/// An [`Fs`] over the host's callbacks.
pub(crate) struct HostFs<'a> {
    callbacks: &'a crateplan_fs,
}

impl<'a> HostFs<'a> {
    pub(crate) fn new(callbacks: &'a crateplan_fs) -> Self {
        HostFs { callbacks }
    }
}

impl Fs for HostFs<'_> {
    fn read_limited(&self, path: &str, max: u64) -> Result<Vec<u8>, FsError> {
        let Some(read_file) = self.callbacks.read_file else {
            return Err(missing_callback(path, "read_file"));
        };
        let c_path = c_path(path)?;
        let mut sink = crateplan_sink {
            contents: Contents::File {
                bytes: Vec::new(),
                max,
                overflowed: false,
            },
            message: None,
        };
        let status = unsafe {
            read_file(
                self.callbacks.user_data,
                c_path.as_ptr(),
                path.len(),
                max,
                &mut sink,
            )
        };
        check(path, status, &sink.message)?;
        match sink.contents {
            Contents::File {
                overflowed: true, ..
            } => Err(FsError::TooLarge {
                path: path.to_string(),
                max,
            }),
            Contents::File { bytes, .. } => Ok(bytes),
            Contents::Dir(_) => unreachable!("a file's sink stays a file's"),
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<(String, EntryKind)>, FsError> {
        let Some(read_dir) = self.callbacks.read_dir else {
            return Err(missing_callback(path, "read_dir"));
        };
        let c_path = c_path(path)?;
        let mut sink = crateplan_sink {
            contents: Contents::Dir(Vec::new()),
            message: None,
        };
        let status = unsafe {
            read_dir(
                self.callbacks.user_data,
                c_path.as_ptr(),
                path.len(),
                &mut sink,
            )
        };
        check(path, status, &sink.message)?;
        match sink.contents {
            Contents::Dir(entries) => Ok(entries),
            Contents::File { .. } => unreachable!("a directory's sink stays a directory's"),
        }
    }
}

/// A path with a NUL inside cannot name a file (and would be cut in C).
fn c_path(path: &str) -> Result<CString, FsError> {
    CString::new(path).map_err(|_| FsError::NotFound(path.to_string()))
}

fn missing_callback(path: &str, which: &str) -> FsError {
    FsError::Other(
        path.to_string(),
        format!("the host's crateplan_fs has no {which} callback (it is NULL)"),
    )
}

/// The callback's status as the planner's error (the same words the real
/// file system gives, so every host reports a missing file alike).
fn check(path: &str, status: c_int, message: &Option<String>) -> Result<(), FsError> {
    let path = path.to_string();
    match status {
        CRATEPLAN_FS_OK => Ok(()),
        CRATEPLAN_FS_NOT_FOUND => Err(FsError::NotFound(path)),
        CRATEPLAN_FS_IS_DIRECTORY => Err(FsError::NotAFile {
            path,
            what: "a directory".to_string(),
        }),
        CRATEPLAN_FS_IS_SPECIAL => Err(FsError::NotAFile {
            path,
            what: SPECIAL_FILE.to_string(),
        }),
        CRATEPLAN_FS_ERROR => Err(FsError::Other(
            path,
            message
                .clone()
                .unwrap_or_else(|| "the host could not read it".to_string()),
        )),
        other => Err(FsError::Other(
            path,
            format!("the host's callback returned {other}, which is no CRATEPLAN_FS_* code"),
        )),
    }
}
