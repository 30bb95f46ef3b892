//! Prints the same lines natively and under node:wasi (tests/nix/wasm.sh).
fn main() {
    let pair = wasm_lib::parse(r#"{"left": 5, "right": 6}"#);
    println!("parsed: {pair:?}");
    println!("rendered: {}", wasm_lib::render(&pair));
    println!("answer: {}", wasm_lib::answer());
    println!("scale(6): {}", wasm_lib::scale(6));
}
