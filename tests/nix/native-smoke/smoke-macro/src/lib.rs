//! A function-like proc-macro with no dependencies.
use proc_macro::TokenStream;

/// `greeting!()` expands to a string literal naming this crate.
#[proc_macro]
pub fn greeting(_input: TokenStream) -> TokenStream {
    format!("\"hello from {} {}\"", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .parse()
        .unwrap()
}
