//! The "env" imports of Nix's `builtins.wasm` protocol (non-WASI), as Nix
//! defines them (`src/libexpr/primops/wasm.cc`; reference notes section 3.4),
//! and the exports Nix calls. ValueIds are u32 indices into the host's
//! per-call table; id 0 means "missing".

use crate::host::{Host, ValueType};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `copy_attrset` writes these (host byte order, i.e. little-endian).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct AttrOut {
    value: u32,
    name_len: u32,
}

/// `make_attrset` reads these.
#[repr(C)]
struct AttrIn {
    name_ptr: *const u8,
    name_len: u32,
    value: u32,
}

#[link(wasm_import_module = "env")]
extern "C" {
    #[link_name = "panic"]
    fn host_panic(ptr: *const u8, len: u32);
    fn get_type(v: u32) -> u32;
    fn make_int(n: i64) -> u32;
    fn make_bool(b: i32) -> u32;
    fn get_bool(v: u32) -> i32;
    fn make_string(ptr: *const u8, len: u32) -> u32;
    fn copy_string(v: u32, ptr: *mut u8, max_len: u32) -> u32;
    fn make_path(base: u32, ptr: *const u8, len: u32) -> u32;
    fn copy_path(v: u32, ptr: *mut u8, max_len: u32) -> u32;
    fn make_attrset(ptr: *const AttrIn, len: u32) -> u32;
    fn copy_attrset(v: u32, ptr: *mut AttrOut, max_len: u32) -> u32;
    fn copy_attrname(v: u32, idx: u32, ptr: *mut u8, len: u32);
    fn get_attr(v: u32, ptr: *const u8, len: u32) -> u32;
    fn call_function(f: u32, ptr: *const u32, len: u32) -> u32;
    fn read_file(path: u32, ptr: *mut u8, len: u32) -> u32;
}

/// First guess for buffers the host fills ("returns the size, copies only if
/// it fits"): manifests fit, so most reads are one host call.
const FIRST_GUESS: usize = 64 * 1024;

/// The largest file read so far in this instance: the first guess for the
/// next `read_file`, so that a run of `.crate` files larger than
/// `FIRST_GUESS` costs one host read each rather than two (the host reads
/// the file again for the second call). The module is single-threaded.
static LARGEST_FILE: AtomicUsize = AtomicUsize::new(FIRST_GUESS);

/// Calls a "copy if it fits, return the real size" import with a buffer of
/// `guess` bytes, then once more with the exact size if needed.
fn copy_out(guess: usize, copy: impl Fn(*mut u8, u32) -> u32) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::with_capacity(guess);
    let len = copy(buf.as_mut_ptr(), buf.capacity() as u32) as usize;
    if len > buf.capacity() {
        buf.reserve_exact(len);
        let again = copy(buf.as_mut_ptr(), len as u32) as usize;
        if again != len {
            fail("the host changed a value's size between two reads");
        }
    }
    // SAFETY: the host wrote `len` bytes (it copies only when they fit).
    unsafe { buf.set_len(len) };
    if buf.capacity() > FIRST_GUESS && buf.capacity() > 2 * len {
        // A small file read into a large guess: do not keep the slack.
        buf.shrink_to_fit();
    }
    buf
}

fn fail(message: &str) -> ! {
    // SAFETY: the host reads `len` bytes at `ptr` and never returns.
    unsafe { host_panic(message.as_ptr(), message.len() as u32) };
    // The host traps; should it ever return, stop here.
    std::process::abort()
}

pub struct WasmHost;

impl Host for WasmHost {
    type Value = u32;

    fn get_type(&self, v: u32) -> ValueType {
        ValueType::from_code(unsafe { get_type(v) })
    }

    fn get_attr(&self, attrs: u32, name: &str) -> Option<u32> {
        match unsafe { get_attr(attrs, name.as_ptr(), name.len() as u32) } {
            0 => None,
            v => Some(v),
        }
    }

    fn attrs(&self, attrs: u32) -> Vec<(Vec<u8>, u32)> {
        let mut buf = vec![AttrOut::default(); 32];
        let mut n = unsafe { copy_attrset(attrs, buf.as_mut_ptr(), buf.len() as u32) } as usize;
        if n > buf.len() {
            buf = vec![AttrOut::default(); n];
            n = unsafe { copy_attrset(attrs, buf.as_mut_ptr(), n as u32) } as usize;
        }
        buf.truncate(n);
        buf.iter()
            .enumerate()
            .map(|(idx, a)| {
                let mut name = vec![0u8; a.name_len as usize];
                unsafe { copy_attrname(attrs, idx as u32, name.as_mut_ptr(), a.name_len) };
                (name, a.value)
            })
            .collect()
    }

    fn string(&self, v: u32) -> Vec<u8> {
        copy_out(FIRST_GUESS, |ptr, len| unsafe { copy_string(v, ptr, len) })
    }

    fn path(&self, v: u32) -> Vec<u8> {
        copy_out(FIRST_GUESS, |ptr, len| unsafe { copy_path(v, ptr, len) })
    }

    fn get_bool(&self, v: u32) -> bool {
        unsafe { get_bool(v) != 0 }
    }

    fn call(&self, f: u32, args: &[u32]) -> u32 {
        unsafe { call_function(f, args.as_ptr(), args.len() as u32) }
    }

    fn read_file(&self, path: u32) -> Vec<u8> {
        let bytes = copy_out(LARGEST_FILE.load(Ordering::Relaxed), |ptr, len| unsafe {
            read_file(path, ptr, len)
        });
        LARGEST_FILE.fetch_max(bytes.len(), Ordering::Relaxed);
        bytes
    }

    fn make_string(&self, s: &[u8]) -> u32 {
        unsafe { make_string(s.as_ptr(), s.len() as u32) }
    }

    fn make_path(&self, base: u32, rel: &str) -> u32 {
        unsafe { make_path(base, rel.as_ptr(), rel.len() as u32) }
    }

    fn make_int(&self, n: i64) -> u32 {
        unsafe { make_int(n) }
    }

    fn make_bool(&self, b: bool) -> u32 {
        unsafe { make_bool(b as i32) }
    }

    fn make_attrset(&self, attrs: &[(&str, u32)]) -> u32 {
        let raw: Vec<AttrIn> = attrs
            .iter()
            .map(|(name, value)| AttrIn {
                name_ptr: name.as_ptr(),
                name_len: name.len() as u32,
                value: *value,
            })
            .collect();
        unsafe { make_attrset(raw.as_ptr(), raw.len() as u32) }
    }

    fn fail(&self, message: &str) -> ! {
        fail(message)
    }
}

/// Called by Nix before every entry-point call (each call gets a fresh
/// instance): route Rust panics to the host's `panic`, which turns them into
/// a Nix error ("Wasm panic: ...") instead of an opaque trap.
#[no_mangle]
pub extern "C" fn nix_wasm_init_v1() {
    std::panic::set_hook(Box::new(|info| {
        fail(&format!("crateplan.wasm: internal error: {info}"));
    }));
}

/// `builtins.wasm { path = ./crateplan.wasm; function = "plan"; } { request; root; readDir; pathExists; }`
#[no_mangle]
pub extern "C" fn plan(arg: u32) -> u32 {
    crate::plan(&WasmHost, arg)
}

/// `builtins.wasm { path = ./crateplan.wasm; function = "probe"; } { op; path; root; readDir; pathExists; }`
#[no_mangle]
pub extern "C" fn probe(arg: u32) -> u32 {
    crate::probe(&WasmHost, arg)
}
