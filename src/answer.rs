//! `crateplan answer [--nix] REQUEST`: one request file (or `-`, standard
//! input) through [`crate::plan_json`] on the real file system, the answer
//! on standard output. Shared by the full CLI (`src/main.rs`) and the
//! answer-only binary the ifd route builds (`src/bin/crateplan-answer.rs`),
//! so both print the same bytes.

use crate::fs::{FileKind, Fs, RealFs};
use std::io::{Read, Write};

/// Where the request comes from.
pub enum RequestInput<'a> {
    /// A file, or `-` for standard input.
    Path(&'a str),
    /// The request's JSON itself (the exec route passes small requests on
    /// the command line, so a read-only evaluation need not write a file).
    Inline(&'a str),
}

/// Answers the request; with `nix`, the answer is printed as a Nix string
/// literal (for `builtins.exec`). Requests are bounded like every other
/// input (a few KB to a few MB in practice).
pub fn answer(nix: bool, request: RequestInput<'_>) -> Result<(), String> {
    let max = FileKind::Lock.max_bytes();
    let too_large = || format!("crateplan: the request is larger than {} MiB", max >> 20);
    let bytes = match request {
        RequestInput::Inline(text) => text.as_bytes().to_vec(),
        RequestInput::Path("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(max + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("crateplan: reading the request from standard input: {e}"))?;
            if buf.len() as u64 > max {
                return Err(too_large());
            }
            buf
        }
        RequestInput::Path(path) => RealFs
            .read_limited(path, max)
            .map_err(|e| format!("crateplan: cannot read the request {e}"))?,
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
