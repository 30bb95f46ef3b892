//! A fake of the Nix C API functions the plugin calls, exported from this
//! test binary (build.rs links tests with `--export-dynamic`) so the plugin's
//! `dlsym(RTLD_DEFAULT, ..)` finds them exactly as it finds a real `nix`
//! executable's. It behaves like Nix where the plugin could notice:
//! `nix_alloc_primop` copies name and args and requires a doc string,
//! `nix_register_primop` takes the primop, values are typed and initialised
//! at most once, errors set on the callback's context become the call's
//! error, and the `EvalState*` handed to the callback is a pointer that
//! crashes if ever dereferenced.
//!
//! Two copies of the plugin are exercised: the rlib linked into this binary
//! (which also allows a test-only planner hook, e.g. to force a panic), and
//! the built cdylib, loaded with `dlopen(RTLD_LAZY | RTLD_LOCAL)` and entered
//! through `nix_plugin_entry` as Nix does.
// The fakes are C API functions, called only by the plugin through dlsym;
// their contracts are Nix's headers.
#![allow(clippy::missing_safety_doc)]

use crateplan::fs::RealFs;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr, CString};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

// ---------------------------------------------------------------- the fake

const NIX_OK: c_int = 0;
const NIX_ERR_UNKNOWN: c_int = -1;

/// `nix_c_context`
#[derive(Default)]
pub struct Ctx {
    code: c_int,
    msg: Option<String>,
}

/// `nix_value`
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The primop's result before the callback initialises it.
    Uninit,
    Thunk,
    Int(i64),
    Str(Vec<u8>),
    Path(String),
    Attrs,
    List,
}

impl Value {
    fn type_code(&self) -> c_int {
        match self {
            Value::Uninit | Value::Thunk => 0,
            Value::Int(_) => 1,
            Value::Str(_) => 4,
            Value::Path(_) => 5,
            Value::Attrs => 7,
            Value::List => 8,
        }
    }
}

type PrimOpFun =
    unsafe extern "C" fn(*mut c_void, *mut Ctx, *mut c_void, *mut *mut Value, *mut Value);

/// What `nix_alloc_primop` was given.
#[derive(Clone)]
pub struct PrimOp {
    fun: PrimOpFun,
    arity: c_int,
    name: String,
    args: Vec<String>,
    doc: String,
    user_data: usize,
}

#[derive(Default)]
struct Registry {
    allocated: usize,
    decrefs: usize,
    registered: Vec<PrimOp>,
}

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(Default::default)
}

unsafe fn set_err(ctx: *mut Ctx, code: c_int, msg: &str) -> c_int {
    // A NULL context makes the real API throw a C++ exception through the
    // caller; a plugin must never pass one.
    assert!(
        !ctx.is_null(),
        "a C API function was called with a NULL context"
    );
    (*ctx).code = code;
    (*ctx).msg = Some(msg.to_string());
    code
}

#[no_mangle]
pub extern "C" fn nix_c_context_create() -> *mut Ctx {
    Box::into_raw(Box::default())
}

#[no_mangle]
pub unsafe extern "C" fn nix_c_context_free(ctx: *mut Ctx) {
    drop(Box::from_raw(ctx));
}

#[no_mangle]
pub unsafe extern "C" fn nix_set_err_msg(ctx: *mut Ctx, code: c_int, msg: *const c_char) -> c_int {
    let msg = CStr::from_ptr(msg).to_string_lossy().into_owned();
    set_err(ctx, code, &msg)
}

#[no_mangle]
pub unsafe extern "C" fn nix_err_msg(
    ctx: *mut Ctx,
    read: *const Ctx,
    n: *mut c_uint,
) -> *const c_char {
    if !ctx.is_null() {
        (*ctx).code = NIX_OK;
    }
    match &(*read).msg {
        Some(m) if (*read).code != NIX_OK => {
            *n = m.len() as c_uint;
            m.as_ptr() as *const c_char
        }
        _ => std::ptr::null(),
    }
}

#[no_mangle]
pub unsafe extern "C" fn nix_alloc_primop(
    ctx: *mut Ctx,
    fun: PrimOpFun,
    arity: c_int,
    name: *const c_char,
    args: *mut *const c_char,
    doc: *const c_char,
    user_data: *mut c_void,
) -> *mut PrimOp {
    if doc.is_null() {
        // Nix >= 2.34: std::string from NULL -> logic_error -> NULL + error.
        set_err(
            ctx,
            NIX_ERR_UNKNOWN,
            "basic_string: construction from null is not valid",
        );
        return std::ptr::null_mut();
    }
    let mut arg_names = Vec::new();
    let mut p = args;
    while !p.is_null() && !(*p).is_null() {
        arg_names.push(CStr::from_ptr(*p).to_string_lossy().into_owned());
        p = p.add(1);
    }
    registry().lock().unwrap().allocated += 1;
    Box::into_raw(Box::new(PrimOp {
        fun,
        arity,
        name: CStr::from_ptr(name).to_string_lossy().into_owned(),
        args: arg_names,
        doc: CStr::from_ptr(doc).to_string_lossy().into_owned(),
        user_data: user_data as usize,
    }))
}

#[no_mangle]
pub unsafe extern "C" fn nix_register_primop(ctx: *mut Ctx, op: *mut PrimOp) -> c_int {
    if op.is_null() {
        return set_err(ctx, NIX_ERR_UNKNOWN, "null primop");
    }
    registry().lock().unwrap().registered.push((*op).clone());
    NIX_OK
}

#[no_mangle]
pub unsafe extern "C" fn nix_gc_decref(ctx: *mut Ctx, _object: *const c_void) -> c_int {
    assert!(!ctx.is_null());
    registry().lock().unwrap().decrefs += 1;
    NIX_OK
}

#[no_mangle]
pub unsafe extern "C" fn nix_get_type(ctx: *mut Ctx, v: *const Value) -> c_int {
    assert!(!ctx.is_null());
    (*v).type_code()
}

#[no_mangle]
pub unsafe extern "C" fn nix_get_string(
    ctx: *mut Ctx,
    v: *const Value,
    callback: unsafe extern "C" fn(*const c_char, c_uint, *mut c_void),
    user_data: *mut c_void,
) -> c_int {
    assert!(!ctx.is_null());
    match &*v {
        Value::Str(bytes) => {
            // Hand out a buffer that is not NUL-terminated and dies right
            // after the callback, as Nix's may.
            let mut tmp = bytes.clone();
            tmp.push(b'X');
            callback(
                tmp.as_ptr() as *const c_char,
                bytes.len() as c_uint,
                user_data,
            );
            tmp.iter_mut().for_each(|b| *b = 0xAA);
            NIX_OK
        }
        // The real getters only assert() the type: calling one on the wrong
        // type aborts Nix. Make that a loud test failure instead.
        other => panic!("nix_get_string called on {other:?}: call nix_get_type first"),
    }
}

#[no_mangle]
pub unsafe extern "C" fn nix_init_string(ctx: *mut Ctx, v: *mut Value, s: *const c_char) -> c_int {
    if *v != Value::Uninit {
        return set_err(ctx, NIX_ERR_UNKNOWN, "nix_value already initialized");
    }
    *v = Value::Str(CStr::from_ptr(s).to_bytes().to_vec());
    NIX_OK
}

// ---------------------------------------------------------------- driving it

/// A pointer that faults if the plugin ever dereferences the EvalState.
fn poisoned_eval_state() -> *mut c_void {
    8 as *mut c_void
}

/// Calls a registered primop as Nix's wrapper does: fresh context, the
/// argument, an uninitialised result; then "error in the context" wins,
/// an uninitialised or thunk result is an error, otherwise the value.
fn call_primop(op: &PrimOp, arg: Value) -> Result<Value, String> {
    let mut ctx = Ctx::default();
    let mut arg = arg;
    let mut args: [*mut Value; 1] = [&mut arg];
    let mut ret = Value::Uninit;
    unsafe {
        (op.fun)(
            op.user_data as *mut c_void,
            &mut ctx,
            poisoned_eval_state(),
            args.as_mut_ptr(),
            &mut ret,
        );
    }
    if ctx.code != NIX_OK {
        return Err(format!(
            "Error from custom function: {}",
            ctx.msg.unwrap_or_default()
        ));
    }
    match ret {
        Value::Uninit => Err("return value was not initialized".into()),
        Value::Thunk => Err("return value must not be a thunk".into()),
        v => Ok(v),
    }
}

fn answer(op: &PrimOp, request: &[u8]) -> Vec<u8> {
    match call_primop(op, Value::Str(request.to_vec())) {
        Ok(Value::Str(s)) => s,
        other => panic!("expected a string answer, got {other:?}"),
    }
}

/// Magic request that makes the test planner panic.
const PANIC_REQUEST: &[u8] = b"<<panic please>>";

fn planner_that_can_panic(fs: &dyn crateplan::fs::Fs, request: &[u8]) -> Vec<u8> {
    if request == PANIC_REQUEST {
        panic!("forced by the test");
    }
    crateplan::plan_json(fs, request)
}

/// Registers the in-process copy once; returns its primop.
fn linked_primop() -> PrimOp {
    static OP: OnceLock<PrimOp> = OnceLock::new();
    OP.get_or_init(|| {
        crateplan_plugin::set_planner_for_tests(Some(planner_that_can_panic));
        let before = registry().lock().unwrap().registered.len();
        crateplan_plugin::nix_plugin_entry();
        let reg = registry().lock().unwrap();
        assert_eq!(
            reg.registered.len(),
            before + 1,
            "nix_plugin_entry registered nothing"
        );
        reg.registered.last().unwrap().clone()
    })
    .clone()
}

/// The cdylib cargo built next to this test binary.
fn cdylib_path() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap(); // target/<profile>/deps
    let name = format!(
        "{}crateplan_plugin{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    for candidate in [dir.join(&name), dir.parent().unwrap().join(&name)] {
        if candidate.exists() {
            return candidate;
        }
    }
    panic!(
        "{name} not found next to {}; build it with `cargo build -p crateplan-plugin`",
        exe.display()
    )
}

/// Loads the cdylib as Nix does and returns the primop it registered.
fn loaded_primop() -> PrimOp {
    static OP: OnceLock<PrimOp> = OnceLock::new();
    OP.get_or_init(|| {
        let path = CString::new(cdylib_path().to_string_lossy().as_bytes()).unwrap();
        let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_LAZY | libc::RTLD_LOCAL) };
        assert!(!handle.is_null(), "dlopen failed: {:?}", unsafe {
            CStr::from_ptr(libc::dlerror())
        });
        let entry = unsafe { libc::dlsym(handle, c"nix_plugin_entry".as_ptr()) };
        assert!(
            !entry.is_null(),
            "the cdylib does not export nix_plugin_entry"
        );
        let entry: extern "C" fn() = unsafe { std::mem::transmute(entry) };
        // Serialise with linked_primop's registration.
        let _ = linked_primop();
        let before = registry().lock().unwrap().registered.len();
        entry();
        let reg = registry().lock().unwrap();
        assert_eq!(
            reg.registered.len(),
            before + 1,
            "the cdylib registered nothing"
        );
        reg.registered.last().unwrap().clone()
    })
    .clone()
}

fn both() -> [(&'static str, PrimOp); 2] {
    [("linked", linked_primop()), ("dlopened", loaded_primop())]
}

fn workspace_request(dir: &str) -> Vec<u8> {
    format!(r#"{{"workspace":"{dir}","target":"x86_64-unknown-linux-gnu"}}"#).into_bytes()
}

// ---------------------------------------------------------------- tests

#[test]
fn registers_one_documented_primop() {
    for (which, op) in both() {
        assert_eq!(op.name, "__crateplan", "{which}");
        assert_eq!(op.arity, 1, "{which}");
        assert_eq!(op.args, vec!["request".to_string()], "{which}");
        assert!(op.doc.contains("crateplan"), "{which}: doc {:?}", op.doc);
        assert_ne!(op.user_data, 0, "{which}");
    }
    // Two distinct copies really ran: the linked rlib and the dlopened cdylib.
    let [(_, linked), (_, loaded)] = both();
    assert_ne!(linked.fun as usize, loaded.fun as usize);
    let reg = registry().lock().unwrap();
    assert_eq!(
        reg.allocated,
        reg.registered.len(),
        "one allocation per registration"
    );
    assert_eq!(
        reg.decrefs,
        reg.registered.len(),
        "every primop released after registering"
    );
}

#[test]
fn string_requests_answer_exactly_like_plan_json() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
    let mut requests: Vec<Vec<u8>> = vec![
        b"{not json".to_vec(),
        b"{}".to_vec(),
        b"\xff\xfe not utf-8".to_vec(),
        workspace_request("/nonexistent/workspace"),
    ];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for d in dirs.iter().take(3) {
        requests.push(workspace_request(
            &d.canonicalize().unwrap().to_string_lossy(),
        ));
    }
    for (which, op) in both() {
        for request in &requests {
            assert_eq!(
                answer(&op, request),
                crateplan::plan_json(&RealFs, request),
                "{which}: {}",
                String::from_utf8_lossy(request)
            );
        }
    }
}

#[test]
fn planner_errors_are_answers_not_nix_errors() {
    // A request the planner rejects is an {"ok":false} answer (lib.nix
    // throws it, so tryEval can catch it), not a primop error.
    for (which, op) in both() {
        let got = answer(&op, &workspace_request("/nonexistent/workspace"));
        assert!(
            got.starts_with(br#"{"ok":false,"error":"#),
            "{which}: {}",
            String::from_utf8_lossy(&got)
        );
    }
}

/// Nix >= 2.35 mounts fetchGit results lazily: the string names a store
/// path that is not on disk until its context is realised (issue 15). lib.nix
/// hands the plugin realised paths (`realisedStorePath` in nix/sources.nix);
/// if one ever is not, the plugin must still answer, catchably, naming the
/// path, and not crash the evaluator.
#[test]
fn a_lazily_mounted_store_path_is_a_catchable_answer() {
    let lazy = "/nix/store/00000000000000000000000000000000-source";
    assert!(!std::path::Path::new(lazy).exists());
    for (which, op) in both() {
        for request in [
            workspace_request(lazy),
            format!(r#"{{"workspace":"{lazy}/sub","lockFile":"{lazy}/Cargo.lock","target":"x86_64-unknown-linux-gnu"}}"#)
                .into_bytes(),
        ] {
            let got = answer(&op, &request);
            let text = String::from_utf8_lossy(&got);
            assert!(text.starts_with(r#"{"ok":false,"error":"#), "{which}: {text}");
            assert!(text.contains(lazy), "{which}: the error does not name the path: {text}");
        }
    }
}

#[test]
fn thunks_are_refused_with_the_fix() {
    for (which, op) in both() {
        let err = call_primop(&op, Value::Thunk).unwrap_err();
        assert!(err.contains("not evaluated yet"), "{which}: {err}");
        assert!(
            err.contains("builtins.seq request (builtins.crateplan request)"),
            "{which}: {err}"
        );
        // `builtins.crateplan {}`: Nix passes a set literal as a thunk, so
        // this message must also say what the request has to be.
        assert!(err.contains("must be a JSON string"), "{which}: {err}");
        assert!(err.contains("builtins.crateplan {}"), "{which}: {err}");
    }
}

#[test]
fn non_strings_are_refused_clearly() {
    for (which, op) in both() {
        for (v, name) in [
            (Value::Int(3), "an integer"),
            (Value::Path("/x".into()), "a path"),
            (Value::Attrs, "a set"),
            (Value::List, "a list"),
        ] {
            let err = call_primop(&op, v).unwrap_err();
            assert!(
                err.contains(&format!(
                    "expected the request as a JSON string, but got {name}"
                )),
                "{which}: {err}"
            );
        }
    }
}

#[test]
fn panics_become_nix_errors() {
    let op = linked_primop();
    let err = call_primop(&op, Value::Str(PANIC_REQUEST.to_vec())).unwrap_err();
    assert!(
        err.contains("internal error (a panic in the plugin)"),
        "{err}"
    );
    assert!(err.contains("forced by the test"), "{err}");
    // And the primop still works afterwards.
    assert_eq!(answer(&op, b"{}"), crateplan::plan_json(&RealFs, b"{}"));
}
