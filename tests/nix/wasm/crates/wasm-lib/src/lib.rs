//! Exported to JavaScript as a WebAssembly module (cdylib), and used by
//! wasm-cli as a Rust library.
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Pair {
    pub left: i32,
    pub right: i32,
}

/// The pair the JSON text describes.
pub fn parse(json: &str) -> Pair {
    serde_json::from_str(json).expect("valid JSON")
}

/// The JSON text of a pair.
pub fn render(pair: &Pair) -> String {
    serde_json::to_string(pair).expect("serialisable")
}

/// 42: the sum of a pair read from JSON through serde's derive.
#[no_mangle]
pub extern "C" fn answer() -> i32 {
    let pair = parse(r#"{"left": 40, "right": 2}"#);
    pair.left + pair.right
}

/// `x` times the build script's MAGIC (7).
#[no_mangle]
pub extern "C" fn scale(x: i32) -> i32 {
    x * wasm_gen::MAGIC
}
