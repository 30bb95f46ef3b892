//! crateplan behind a small, stable C ABI (`include/crateplan.h`, generated
//! from this crate by cbindgen: `scripts/gen-header`).
//!
//! ```c
//! crateplan_answer *a = crateplan_plan_json(request, strlen(request), NULL);
//! fwrite(a->json, 1, a->len, stdout);   // the bytes `crateplan answer` prints
//! crateplan_free(a);
//! ```
//!
//! - One call per request: `crateplan_plan_json` runs
//!   [`crateplan::plan_json`], the function every route shares, so the answer
//!   is byte for byte what the CLI, the plugin and the wasm module answer.
//! - Ownership never crosses the boundary unannounced: the answer is
//!   allocated here and freed here (`crateplan_free`); the host's file
//!   contents are *copied* into the planner through a `crateplan_sink`
//!   while its callback runs, so the host keeps (and frees) its own memory.
//! - Nothing unwinds into C: a panic in the planner becomes an
//!   `{"ok":false}` answer saying it is a bug.
//!
//! See docs/routes.md, "The C ABI".

// Panics are caught at the boundary; with panic=abort they would take the
// host process down instead.
#[cfg(panic = "abort")]
compile_error!("crateplan-capi must be built with panic = \"unwind\" (the default)");

mod host_fs;

pub use host_fs::{
    crateplan_fs, crateplan_sink, crateplan_sink_entry, crateplan_sink_message,
    crateplan_sink_write, CRATEPLAN_ENTRY_DIR, CRATEPLAN_ENTRY_FILE, CRATEPLAN_ENTRY_OTHER,
    CRATEPLAN_FS_ERROR, CRATEPLAN_FS_IS_DIRECTORY, CRATEPLAN_FS_IS_SPECIAL, CRATEPLAN_FS_NOT_FOUND,
    CRATEPLAN_FS_OK,
};

use crateplan::fs::{Fs, RealFs};
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::RwLock;

/// An answer, owned by the caller until it hands it to `crateplan_free`.
///
/// `json` holds `len` bytes of UTF-8 JSON (`{"ok":true,"plan":...}`,
/// `{"ok":true,"fetch":[...]}` or `{"ok":false,"error":"..."}`, see
/// docs/plan-format.md) followed by a NUL byte, which `len` does not count.
/// Never modify or free `json` itself.
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct crateplan_answer {
    pub json: *const c_char,
    pub len: usize,
}

/// This library's version, e.g. `"0.1.0"`: a static NUL-terminated string
/// (never free it).
#[no_mangle]
pub extern "C" fn crateplan_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The plan format version the answers' plans have (`plan.version`, see
/// docs/plan-format.md).
#[no_mangle]
pub extern "C" fn crateplan_plan_format_version() -> u32 {
    crateplan::plan::PLAN_VERSION
}

/// Answers one request: `len` bytes of JSON at `request` (no NUL needed).
///
/// `fs` says how the planner reads files: NULL reads the real file system
/// (as the CLI does); otherwise every file and directory listing comes from
/// the host's callbacks (see `crateplan_fs`), which are called only during
/// this call, from this thread.
///
/// Never returns NULL and never unwinds: a bad request, a failed read and
/// even a bug in the planner all come back as an `{"ok":false,"error":...}`
/// answer. Free the answer with `crateplan_free`.
///
/// # Safety
/// `request` must point to `len` readable bytes (or be NULL with `len` 0);
/// `fs`, when not NULL, must point to a valid `crateplan_fs` whose
/// callbacks behave as documented there.
#[no_mangle]
pub unsafe extern "C" fn crateplan_plan_json(
    request: *const c_char,
    len: usize,
    fs: *const crateplan_fs,
) -> *mut crateplan_answer {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if request.is_null() && len > 0 {
            return error_json(&format!(
                "crateplan: crateplan_plan_json was given a NULL request of length {len}; \
                 pass a pointer to the request's JSON bytes"
            ));
        }
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(request.cast(), len)
        };
        match fs.as_ref() {
            None => planner()(&RealFs, bytes),
            Some(callbacks) => planner()(&host_fs::HostFs::new(callbacks), bytes),
        }
    }));
    let json = outcome.unwrap_or_else(|panic| {
        error_json(&format!(
            "crateplan: internal error (a panic in the C ABI): {}; please report this as a bug",
            panic_message(&*panic)
        ))
    });
    into_answer(json)
}

/// Frees an answer of `crateplan_plan_json`. NULL is allowed (nothing
/// happens); freeing the same answer twice is not.
///
/// # Safety
/// `answer` must be NULL or a pointer `crateplan_plan_json` returned and
/// that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn crateplan_free(answer: *mut crateplan_answer) {
    if answer.is_null() {
        return;
    }
    let answer = Box::from_raw(answer);
    if !answer.json.is_null() {
        drop(CString::from_raw(answer.json.cast_mut()));
    }
}

fn into_answer(json: Vec<u8>) -> *mut crateplan_answer {
    // serde_json escapes control characters, so an answer has no NUL; if
    // one ever had, the answer would be cut there for C, so say so instead.
    let json = CString::new(json).unwrap_or_else(|_| {
        CString::new(error_json(
            "crateplan: internal error: the answer contains a NUL byte; please report this as a bug",
        ))
        .expect("error answers have no NUL")
    });
    let len = json.as_bytes().len();
    Box::into_raw(Box::new(crateplan_answer {
        json: json.into_raw(),
        len,
    }))
}

/// `{"ok":false,"error":MESSAGE}`, serialised as the planner serialises its
/// own error answers.
fn error_json(message: &str) -> Vec<u8> {
    let answer = crateplan::Answer::Error {
        ok: crateplan::request::False,
        error: message.to_string(),
    };
    serde_json::to_vec(&answer).expect("answers always serialize")
}

type Planner = fn(&dyn Fs, &[u8]) -> Vec<u8>;

static PLANNER_FOR_TESTS: RwLock<Option<Planner>> = RwLock::new(None);

/// Replaces the planner `crateplan_plan_json` calls (`None`:
/// [`crateplan::plan_json`]). For this crate's tests only (to make it
/// panic); not part of the C ABI.
#[doc(hidden)]
pub fn set_planner_for_tests(planner: Option<Planner>) {
    *PLANNER_FOR_TESTS.write().unwrap_or_else(|e| e.into_inner()) = planner;
}

fn planner() -> Planner {
    PLANNER_FOR_TESTS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or(crateplan::plan_json)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}
