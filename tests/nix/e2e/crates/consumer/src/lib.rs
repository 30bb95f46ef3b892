//! Uses a value its build script read from a dependency's `links` metadata.
pub const ANSWER_FROM_BUILD_SCRIPT: &str = env!("ANSWER_FROM_BUILD_SCRIPT");

pub fn native_sum(a: i32, b: i32) -> i32 {
    native_sum::sum(a, b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn answer_came_through() {
        assert_eq!(super::ANSWER_FROM_BUILD_SCRIPT, "42");
    }
}
