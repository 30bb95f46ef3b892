//! The handful of Nix C API functions the plugin calls (libexpr-c/libutil-c,
//! Nix >= 2.22; signatures from `nix_api_util.h` / `nix_api_value.h`, see the
//! reference notes section 1), resolved at load time rather than linked, so
//! one build works wherever the process provides them.
//!
//! Deliberately absent: everything that takes an `EvalState*`
//! (`nix_value_force`, `nix_alloc_value`, `nix_get_attr_*`, ...). The pointer
//! Nix 2.24 to 2.34.0 hands to primop callbacks is not the one those
//! functions expect; the plugin never touches it.

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};

/// `nix_c_context` (opaque).
#[repr(C)]
pub struct NixCContext {
    _private: [u8; 0],
}
/// `nix_value` (opaque; `Value` before 2.24, same ABI).
#[repr(C)]
pub struct NixValue {
    _private: [u8; 0],
}
/// `PrimOp` (opaque).
#[repr(C)]
pub struct PrimOp {
    _private: [u8; 0],
}
/// `EvalState` (opaque, and never dereferenced).
#[repr(C)]
pub struct EvalState {
    _private: [u8; 0],
}

/// `nix_err`
pub type NixErr = c_int;
pub const NIX_OK: NixErr = 0;
pub const NIX_ERR_UNKNOWN: NixErr = -1;

/// `ValueType` (`NIX_TYPE_*`).
pub const NIX_TYPE_THUNK: c_int = 0;
pub const NIX_TYPE_STRING: c_int = 4;

/// How Nix users name a `ValueType`, for error messages.
pub fn describe_type(t: c_int) -> &'static str {
    match t {
        0 => "a thunk (an unevaluated value)",
        1 => "an integer",
        2 => "a float",
        3 => "a Boolean",
        4 => "a string",
        5 => "a path",
        6 => "null",
        7 => "a set",
        8 => "a list",
        9 => "a function",
        10 => "an external value",
        11 => "a failed value",
        _ => "a value of an unknown type",
    }
}

/// `PrimOpFun`
pub type PrimOpFun = unsafe extern "C" fn(
    user_data: *mut c_void,
    context: *mut NixCContext,
    state: *mut EvalState,
    args: *mut *mut NixValue,
    ret: *mut NixValue,
);
/// `nix_get_string_callback`
pub type GetStringCallback =
    unsafe extern "C" fn(start: *const c_char, n: c_uint, user_data: *mut c_void);

/// `nix_c_context_create`
pub type ContextCreateFn = unsafe extern "C" fn() -> *mut NixCContext;
/// `nix_c_context_free`
pub type ContextFreeFn = unsafe extern "C" fn(*mut NixCContext);
/// `nix_err_msg`
pub type ErrMsgFn = unsafe extern "C" fn(
    context: *mut NixCContext,
    read_context: *const NixCContext,
    n: *mut c_uint,
) -> *const c_char;
/// `nix_set_err_msg`
pub type SetErrMsgFn =
    unsafe extern "C" fn(context: *mut NixCContext, err: NixErr, msg: *const c_char) -> NixErr;
/// `nix_alloc_primop`
pub type AllocPrimOpFn = unsafe extern "C" fn(
    context: *mut NixCContext,
    fun: PrimOpFun,
    arity: c_int,
    name: *const c_char,
    args: *mut *const c_char,
    doc: *const c_char,
    user_data: *mut c_void,
) -> *mut PrimOp;
/// `nix_register_primop`
pub type RegisterPrimOpFn =
    unsafe extern "C" fn(context: *mut NixCContext, op: *mut PrimOp) -> NixErr;
/// `nix_gc_decref`
pub type GcDecrefFn =
    unsafe extern "C" fn(context: *mut NixCContext, object: *const c_void) -> NixErr;
/// `nix_get_type`
pub type GetTypeFn =
    unsafe extern "C" fn(context: *mut NixCContext, value: *const NixValue) -> c_int;
/// `nix_get_string`
pub type GetStringFn = unsafe extern "C" fn(
    context: *mut NixCContext,
    value: *const NixValue,
    callback: GetStringCallback,
    user_data: *mut c_void,
) -> NixErr;
/// `nix_init_string`
pub type InitStringFn = unsafe extern "C" fn(
    context: *mut NixCContext,
    value: *mut NixValue,
    s: *const c_char,
) -> NixErr;

/// The resolved functions.
#[derive(Clone, Copy)]
pub struct Api {
    pub c_context_create: ContextCreateFn,
    pub c_context_free: ContextFreeFn,
    pub err_msg: ErrMsgFn,
    pub set_err_msg: SetErrMsgFn,
    pub alloc_primop: AllocPrimOpFn,
    pub register_primop: RegisterPrimOpFn,
    pub gc_decref: GcDecrefFn,
    pub get_type: GetTypeFn,
    pub get_string: GetStringFn,
    pub init_string: InitStringFn,
}

/// Every function the plugin resolves, in the order `Api` holds them.
pub const FUNCTIONS: [&CStr; 10] = [
    c"nix_c_context_create",
    c"nix_c_context_free",
    c"nix_err_msg",
    c"nix_set_err_msg",
    c"nix_alloc_primop",
    c"nix_register_primop",
    c"nix_gc_decref",
    c"nix_get_type",
    c"nix_get_string",
    c"nix_init_string",
];

/// Looks a symbol up the way the dynamic linker would for this plugin: first
/// `RTLD_DEFAULT` from here (glibc searches the caller's scope: the global
/// scope, i.e. the `nix` executable, which exports the C API since Nix 2.35,
/// and the plugin's own dependencies, i.e. a linked libnixexprc), then this
/// object's own handle (for loaders whose RTLD_DEFAULT skips RTLD_LOCAL
/// objects and their dependencies, such as macOS's).
fn lookup(name: &CStr) -> *mut c_void {
    let p = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    if !p.is_null() {
        return p;
    }
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let anchor = lookup as *const c_void;
    if unsafe { libc::dladdr(anchor, &mut info) } == 0 || info.dli_fname.is_null() {
        return std::ptr::null_mut();
    }
    let handle = unsafe { libc::dlopen(info.dli_fname, libc::RTLD_LAZY | libc::RTLD_NOLOAD) };
    if handle.is_null() {
        return std::ptr::null_mut();
    }
    let p = unsafe { libc::dlsym(handle, name.as_ptr()) };
    unsafe { libc::dlclose(handle) };
    p
}

impl Api {
    /// Resolves every function, or names the first one missing.
    pub fn resolve() -> Result<Api, &'static CStr> {
        let mut found = [std::ptr::null_mut::<c_void>(); FUNCTIONS.len()];
        for (slot, name) in found.iter_mut().zip(FUNCTIONS) {
            *slot = lookup(name);
            if slot.is_null() {
                return Err(name);
            }
        }
        // SAFETY: each pointer is the named C API function, whose signature
        // the field's type spells out (nix_api_util.h / nix_api_value.h).
        unsafe {
            use std::mem::transmute as t;
            Ok(Api {
                c_context_create: t::<*mut c_void, ContextCreateFn>(found[0]),
                c_context_free: t::<*mut c_void, ContextFreeFn>(found[1]),
                err_msg: t::<*mut c_void, ErrMsgFn>(found[2]),
                set_err_msg: t::<*mut c_void, SetErrMsgFn>(found[3]),
                alloc_primop: t::<*mut c_void, AllocPrimOpFn>(found[4]),
                register_primop: t::<*mut c_void, RegisterPrimOpFn>(found[5]),
                gc_decref: t::<*mut c_void, GcDecrefFn>(found[6]),
                get_type: t::<*mut c_void, GetTypeFn>(found[7]),
                get_string: t::<*mut c_void, GetStringFn>(found[8]),
                init_string: t::<*mut c_void, InitStringFn>(found[9]),
            })
        }
    }

    /// The message of the error `ctx` holds, if any.
    ///
    /// # Safety
    /// `ctx` must be a live context.
    pub unsafe fn error_of(&self, ctx: *mut NixCContext) -> String {
        // A separate context for the call itself: nix_err_msg clears the
        // error of the context it reports its own failures into.
        let own = (self.c_context_create)();
        let mut n: c_uint = 0;
        let msg = (self.err_msg)(own, ctx, &mut n);
        let text = if msg.is_null() {
            "unknown error".to_string()
        } else {
            String::from_utf8_lossy(std::slice::from_raw_parts(msg as *const u8, n as usize))
                .into_owned()
        };
        if !own.is_null() {
            (self.c_context_free)(own);
        }
        text
    }
}
