//! `#[derive(Describe)]`: a `describe()` naming the type, built with only
//! the compiler's own proc_macro crate.
use proc_macro::TokenStream;

#[proc_macro_derive(Describe)]
pub fn derive_describe(input: TokenStream) -> TokenStream {
    let mut name = None;
    let mut tokens = input.into_iter();
    while let Some(t) = tokens.next() {
        if t.to_string() == "struct" || t.to_string() == "enum" {
            name = tokens.next().map(|n| n.to_string());
            break;
        }
    }
    let name = name.expect("Describe works on structs and enums");
    format!("impl {name} {{ pub fn describe() -> &'static str {{ \"{name} (derived by e2e-macros)\" }} }}")
        .parse()
        .expect("valid impl")
}
