use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn crosssum_add(a: c_int, b: c_int) -> c_int;
    fn crosssum_arch() -> *const c_char;
}

/// a + b, computed in C.
pub fn add(a: i32, b: i32) -> i32 {
    unsafe { crosssum_add(a, b) }
}

/// The architecture the C compiler compiled for.
pub fn arch() -> &'static str {
    unsafe { CStr::from_ptr(crosssum_arch()) }
        .to_str()
        .expect("ASCII")
}
