//! A proc-macro: runs on the build machine, so it and cross-shared under it
//! are built for the build machine even in a cross build.
use proc_macro::TokenStream;

/// `make_greeting!(NAME)` defines `fn NAME() -> &'static str`.
#[proc_macro]
pub fn make_greeting(input: TokenStream) -> TokenStream {
    let name = input.to_string();
    let text = cross_shared::shout("made at compile time");
    format!("fn {name}() -> &'static str {{ {text:?} }}")
        .parse()
        .expect("valid Rust")
}
