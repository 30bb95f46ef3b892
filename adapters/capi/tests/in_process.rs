//! The C ABI called from Rust in-process: panics become answers, and the
//! fs callbacks' bad behaviour (too many bytes, unknown codes, NULL sinks)
//! becomes planner errors, never memory or crashes.

use crateplan_capi::*;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Mutex;

/// The planner override is process-wide: tests that call the planner take
/// turns, so one test's panicking planner is never another's.
static PLANNER: Mutex<()> = Mutex::new(());

unsafe fn take(answer: *mut crateplan_answer) -> serde_json::Value {
    assert!(!answer.is_null());
    let json = CStr::from_ptr((*answer).json).to_bytes().to_vec();
    assert_eq!(json.len(), (*answer).len);
    crateplan_free(answer);
    serde_json::from_slice(&json).unwrap()
}

fn plan(request: &str, fs: Option<&crateplan_fs>) -> serde_json::Value {
    let _turn = PLANNER.lock().unwrap_or_else(|e| e.into_inner());
    plan_now(request, fs)
}

fn plan_now(request: &str, fs: Option<&crateplan_fs>) -> serde_json::Value {
    let fs = fs.map_or(std::ptr::null(), |f| f as *const crateplan_fs);
    unsafe {
        take(crateplan_plan_json(
            request.as_ptr().cast(),
            request.len(),
            fs,
        ))
    }
}

#[test]
fn a_panic_in_the_planner_is_an_error_answer() {
    let _turn = PLANNER.lock().unwrap_or_else(|e| e.into_inner());
    crateplan_capi::set_planner_for_tests(Some(|_, _| panic!("boom")));
    let answer = plan_now("{}", None);
    crateplan_capi::set_planner_for_tests(None);
    assert_eq!(answer["ok"], false);
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("internal error (a panic in the C ABI): boom"),
        "{error}"
    );
}

/// Serves every file as 100 bytes of `x` and every directory as holding a
/// `Cargo.toml` (so the workspace's manifest is looked for and read).
unsafe extern "C" fn flood(
    _: *mut c_void,
    _: *const c_char,
    _: usize,
    max: u64,
    sink: *mut crateplan_sink,
) -> c_int {
    let chunk = [b'x'; 100];
    // Keeps writing past the cap: the sink must refuse, not grow.
    for _ in 0..=(max / 100 + 1) {
        if crateplan_sink_write(sink, chunk.as_ptr(), chunk.len()) != 0 {
            return CRATEPLAN_FS_OK;
        }
    }
    CRATEPLAN_FS_OK
}

unsafe extern "C" fn one_manifest(
    _: *mut c_void,
    _: *const c_char,
    _: usize,
    sink: *mut crateplan_sink,
) -> c_int {
    // A file's bytes into a directory's sink are refused.
    assert_eq!(crateplan_sink_write(sink, b"x".as_ptr(), 1), -1);
    assert_eq!(
        crateplan_sink_entry(sink, c"Cargo.toml".as_ptr(), 10, 7),
        -1
    );
    crateplan_sink_entry(sink, c"Cargo.toml".as_ptr(), 10, CRATEPLAN_ENTRY_FILE)
}

unsafe extern "C" fn odd_code(
    _: *mut c_void,
    _: *const c_char,
    _: usize,
    _: u64,
    _: *mut crateplan_sink,
) -> c_int {
    42
}

unsafe extern "C" fn failing(
    _: *mut c_void,
    _: *const c_char,
    _: usize,
    _: u64,
    sink: *mut crateplan_sink,
) -> c_int {
    let why = "permission denied by the host";
    crateplan_sink_message(sink, why.as_ptr().cast(), why.len());
    CRATEPLAN_FS_ERROR
}

const REQUEST: &str = r#"{"workspace":"/ws","target":"x86_64-unknown-linux-gnu"}"#;

fn error_with(
    read_file: unsafe extern "C" fn(
        *mut c_void,
        *const c_char,
        usize,
        u64,
        *mut crateplan_sink,
    ) -> c_int,
) -> String {
    let fs = crateplan_fs {
        user_data: std::ptr::null_mut(),
        read_file: Some(read_file),
        read_dir: Some(one_manifest),
    };
    let answer = plan(REQUEST, Some(&fs));
    assert_eq!(answer["ok"], false, "{answer}");
    answer["error"].as_str().unwrap().to_string()
}

#[test]
fn a_host_writing_past_the_cap_gets_too_large() {
    let error = error_with(flood);
    assert!(
        error.contains("/ws/Cargo.toml: larger than 4 MiB"),
        "{error}"
    );
}

#[test]
fn an_unknown_status_code_is_an_error_naming_it() {
    let error = error_with(odd_code);
    assert!(
        error.contains("returned 42, which is no CRATEPLAN_FS_* code"),
        "{error}"
    );
}

#[test]
fn the_hosts_message_is_quoted() {
    let error = error_with(failing);
    assert!(error.contains("permission denied by the host"), "{error}");
}

#[test]
fn null_sinks_are_refused() {
    unsafe {
        assert_eq!(
            crateplan_sink_write(std::ptr::null_mut(), b"x".as_ptr(), 1),
            -1
        );
        assert_eq!(
            crateplan_sink_entry(std::ptr::null_mut(), c"a".as_ptr(), 1, CRATEPLAN_ENTRY_FILE),
            -1
        );
        assert_eq!(
            crateplan_sink_message(std::ptr::null_mut(), c"a".as_ptr(), 1),
            -1
        );
    }
}

#[test]
fn the_version_is_a_static_c_string() {
    let v = unsafe { CStr::from_ptr(crateplan_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    assert_eq!(
        crateplan_plan_format_version(),
        crateplan::plan::PLAN_VERSION
    );
}
