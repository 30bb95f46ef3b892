//! crateplan as a Nix plugin. Loaded through the `plugin-files` setting, it
//! registers one primop, `builtins.crateplan`:
//!
//! ```nix
//! let request = builtins.toJSON { ... }; in
//! builtins.seq request (builtins.crateplan request)   # -> the answer JSON (a string)
//! ```
//!
//! A forced string in, a string out: the answer of [`crateplan::plan_json`]
//! over the real file system, byte for byte what every other route answers.
//! The primop never forces values and never uses the `EvalState*` Nix passes
//! (unusable in primop callbacks from Nix 2.24 to 2.34.0), so the same build
//! works from Nix 2.22 on. See `docs/routes.md`.

pub mod capi;

// Panics are caught at the boundary and turned into Nix errors; with
// panic=abort they would take the evaluator down instead.
#[cfg(panic = "abort")]
compile_error!("crateplan-plugin must be built with panic = \"unwind\" (the default)");

use capi::{Api, NixCContext, NixValue, NIX_ERR_UNKNOWN, NIX_OK, NIX_TYPE_STRING, NIX_TYPE_THUNK};
use crateplan::fs::{Fs, RealFs};
use std::ffi::{c_char, c_uint, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{OnceLock, RwLock};

/// The primop's name; the `__` prefix makes it `builtins.crateplan` and keeps
/// it out of the global scope.
pub const PRIMOP_NAME: &CStr = c"__crateplan";
/// Its one argument's name (documentation only).
pub const PRIMOP_ARG: &CStr = c"request";
/// Never NULL: Nix >= 2.34 builds a std::string from it.
pub const PRIMOP_DOC: &CStr = c"
  Plan a Cargo workspace for Nix (crateplan). Takes the JSON request as a
  string, already evaluated (`builtins.seq request (builtins.crateplan
  request)`), and returns the answer JSON as a string:
  `{\"ok\":true,\"plan\":...}`, `{\"ok\":true,\"fetch\":[...]}` or
  `{\"ok\":false,\"error\":\"...\"}`. Use it through crateplan's lib.nix.
";

/// The one function a host calls: `nix_plugin_entry`, right after loading.
/// Registers `builtins.crateplan`, or, when this Nix does not provide the C
/// API, registers nothing and says so once on stderr. Never unwinds.
#[no_mangle]
pub extern "C" fn nix_plugin_entry() {
    let outcome = catch_unwind(|| match Api::resolve() {
        Err(missing) => Err(format!(
            "the Nix C API function `{}` is not available in this process. The plugin needs \
             either a Nix whose `nix` executable exports the C API (Nix >= 2.35) or a build of \
             the plugin linked against this Nix's nix-expr-c (cargo feature `link-nix-expr-c`, \
             as the flake's package does)",
            missing.to_string_lossy()
        )),
        Ok(api) => {
            static API: OnceLock<Api> = OnceLock::new();
            let api = API.get_or_init(|| api);
            unsafe { register(api) }
        }
    });
    let problem = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e,
        Err(panic) => format!("internal error: {}", panic_message(&*panic)),
    };
    eprintln!(
        "warning: crateplan plugin: builtins.crateplan is not registered: {problem}; \
         crateplan's lib.nix falls back to its other routes"
    );
}

/// Allocates and registers the primop.
///
/// # Safety
/// `api` must hold the real C API functions.
unsafe fn register(api: &'static Api) -> Result<(), String> {
    let ctx = (api.c_context_create)();
    if ctx.is_null() {
        return Err("nix_c_context_create failed".into());
    }
    let mut args: [*const c_char; 2] = [PRIMOP_ARG.as_ptr(), std::ptr::null()];
    let op = (api.alloc_primop)(
        ctx,
        primop,
        1,
        PRIMOP_NAME.as_ptr(),
        args.as_mut_ptr(),
        PRIMOP_DOC.as_ptr(),
        api as *const Api as *mut c_void,
    );
    let result = if op.is_null() {
        Err(format!("nix_alloc_primop failed: {}", api.error_of(ctx)))
    } else {
        let registered = if (api.register_primop)(ctx, op) == NIX_OK {
            Ok(())
        } else {
            Err(format!("nix_register_primop failed: {}", api.error_of(ctx)))
        };
        // Registration moved the primop into Nix's list; drop our reference.
        (api.gc_decref)(ctx, op as *const c_void);
        registered
    };
    (api.c_context_free)(ctx);
    result
}

type Planner = fn(&dyn Fs, &[u8]) -> Vec<u8>;

static PLANNER_FOR_TESTS: RwLock<Option<Planner>> = RwLock::new(None);

/// Replaces the planner the primop calls (`None`: [`crateplan::plan_json`]).
/// For this crate's tests only (e.g. to make the callback panic); not part of
/// the plugin's interface and not exported from the shared object.
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

/// Why a call failed: a message for Nix, or an error a C API call already
/// put into the context.
enum Failure {
    Message(String),
    InContext,
}

/// The primop callback (`PrimOpFun`).
unsafe extern "C" fn primop(
    user_data: *mut c_void,
    context: *mut NixCContext,
    _state: *mut capi::EvalState,
    args: *mut *mut NixValue,
    ret: *mut NixValue,
) {
    let api = user_data as *const Api;
    if api.is_null() || context.is_null() {
        return; // Cannot report anything; Nix then says the result was not initialised.
    }
    let api = &*api;
    let outcome = catch_unwind(AssertUnwindSafe(|| call(api, context, args, ret)));
    let message = match outcome {
        Ok(Ok(())) | Ok(Err(Failure::InContext)) => return,
        Ok(Err(Failure::Message(m))) => m,
        Err(panic) => format!(
            "crateplan: internal error (a panic in the plugin): {}; please report this as a bug",
            panic_message(&*panic)
        ),
    };
    let message = CString::new(message.replace('\0', "\\0")).expect("NULs replaced");
    (api.set_err_msg)(context, NIX_ERR_UNKNOWN, message.as_ptr());
}

unsafe fn call(
    api: &Api,
    ctx: *mut NixCContext,
    args: *mut *mut NixValue,
    ret: *mut NixValue,
) -> Result<(), Failure> {
    if args.is_null() || (*args).is_null() || ret.is_null() {
        return Err(Failure::Message(
            "builtins.crateplan: called without an argument".into(),
        ));
    }
    let arg = *args;
    match (api.get_type)(ctx, arg) {
        NIX_TYPE_STRING => {}
        NIX_TYPE_THUNK => {
            return Err(Failure::Message(
                "builtins.crateplan: the request is not evaluated yet (a thunk). The plugin \
                 never forces its argument (the EvalState Nix 2.24 to 2.34.0 passes to plugin \
                 primops is unusable), so force it first: \
                 `builtins.seq request (builtins.crateplan request)`, as crateplan's lib.nix does. \
                 The request must be a JSON string (`builtins.toJSON`); a literal argument such as \
                 `builtins.crateplan {}` also arrives unevaluated, so it gets this message, \
                 not a type error"
                    .into(),
            ))
        }
        other => {
            return Err(Failure::Message(format!(
                "builtins.crateplan: expected the request as a JSON string, but got {}",
                capi::describe_type(other)
            )))
        }
    }
    let mut request: Vec<u8> = Vec::new();
    if (api.get_string)(
        ctx,
        arg,
        collect_string,
        &mut request as *mut Vec<u8> as *mut c_void,
    ) != NIX_OK
    {
        return Err(Failure::InContext);
    }
    let answer = planner()(&RealFs, &request);
    let answer = CString::new(answer).map_err(|_| {
        Failure::Message("crateplan: internal error: the answer contains a NUL byte".into())
    })?;
    if (api.init_string)(ctx, ret, answer.as_ptr()) != NIX_OK {
        return Err(Failure::InContext);
    }
    Ok(())
}

/// `nix_get_string_callback`: the buffer is borrowed and not NUL-terminated,
/// so copy it here.
unsafe extern "C" fn collect_string(start: *const c_char, n: c_uint, user_data: *mut c_void) {
    let out = &mut *(user_data as *mut Vec<u8>);
    if !start.is_null() && n > 0 {
        out.extend_from_slice(std::slice::from_raw_parts(start as *const u8, n as usize));
    }
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
