//! A C function compiled by the build script through the cc crate.
extern "C" {
    fn native_sum(a: i32, b: i32) -> i32;
}

pub fn sum(a: i32, b: i32) -> i32 {
    // SAFETY: a pure C function of two ints.
    unsafe { native_sum(a, b) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::sum(2, 3), 5);
    }
}
