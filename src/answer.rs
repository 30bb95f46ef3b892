//! `crateplan answer [--nix] REQUEST`: one request file (or `-`, standard
//! input) through [`crate::plan_json`] on the real file system, the answer
//! on standard output. Shared by the full CLI (`src/main.rs`) and the
//! answer-only binary the ifd route builds (`src/bin/crateplan-answer.rs`),
//! so both print the same bytes.

use crate::fs::RealFs;
use std::io::Write;

/// Answers the request in `request` (a path, or `-`); with `nix`, the
/// answer is printed as a Nix string literal (for `builtins.exec`).
pub fn answer(nix: bool, request: &str) -> Result<(), String> {
    let bytes = if request == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        buf
    } else {
        std::fs::read(request).map_err(|e| format!("crateplan: request {request}: {e}"))?
    };
    let answer = crate::plan_json(&RealFs, &bytes);
    let mut out = std::io::stdout().lock();
    let result = if nix {
        let text = String::from_utf8(answer).map_err(|e| e.to_string())?;
        out.write_all(nix_string_literal(&text).as_bytes())
    } else {
        out.write_all(&answer)
    };
    result
        .and_then(|_| out.write_all(b"\n"))
        .map_err(|e| e.to_string())
}

/// A Nix string literal for `s`: `"`, `\` and `${` escaped.
pub fn nix_string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::nix_string_literal;

    #[test]
    fn nix_literals_escape_what_nix_would_read() {
        assert_eq!(
            nix_string_literal("a\"b\\c${d}$e\n"),
            "\"a\\\"b\\\\c\\${d}$e\\n\""
        );
    }
}
