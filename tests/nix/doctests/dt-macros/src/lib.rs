//! A proc-macro's doc tests link the macro itself.
use proc_macro::TokenStream;

/// Expands to `42`.
///
/// ```
/// assert_eq!(dt_macros::answer!(), 42);
/// ```
///
/// ```should_panic
/// assert_eq!(dt_macros::answer!(), 41);
/// ```
///
/// ```compile_fail
/// let s: String = dt_macros::answer!();
/// ```
#[proc_macro]
pub fn answer(_input: TokenStream) -> TokenStream {
    "42".parse().unwrap()
}
