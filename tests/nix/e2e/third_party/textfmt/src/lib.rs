//! A path dependency that is not a workspace member.
pub fn boxed(s: &str) -> String {
    format!("[ {s} ]")
}
