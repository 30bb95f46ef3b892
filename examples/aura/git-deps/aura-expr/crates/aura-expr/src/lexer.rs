use crate::Error;

/// One token and where it starts in the source.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Num(f64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Num(n) => write!(f, "number {n}"),
            Token::Ident(s) => write!(f, "name {s:?}"),
            Token::Op(op) => write!(f, "operator {op:?}"),
            Token::LParen => f.write_str("'('"),
            Token::RParen => f.write_str("')'"),
            Token::Comma => f.write_str("','"),
        }
    }
}

const OPS: [&str; 13] = [
    "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "%", "^", "!",
];

/// Splits `src` into tokens, each paired with its byte offset.
pub fn tokenize(src: &str) -> Result<Vec<(usize, Token)>, Error> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                    j += 1;
                }
                if j < bytes.len() && bytes[j].is_ascii_digit() {
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text = &src[start..i];
            let n = text.parse::<f64>().map_err(|_| Error::BadNumber {
                text: text.to_string(),
                at: start,
            })?;
            out.push((start, Token::Num(n)));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((start, Token::Ident(src[start..i].to_string())));
        } else if c == '(' {
            out.push((i, Token::LParen));
            i += 1;
        } else if c == ')' {
            out.push((i, Token::RParen));
            i += 1;
        } else if c == ',' {
            out.push((i, Token::Comma));
            i += 1;
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            if *op == "!" {
                return Err(Error::UnexpectedChar { ch: '!', at: i });
            }
            out.push((i, Token::Op(op)));
            i += op.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(Error::UnexpectedChar { ch, at: i });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let toks: Vec<Token> = tokenize("max(1.5e2, x_1) <= 3")
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            toks,
            vec![
                Token::Ident("max".into()),
                Token::LParen,
                Token::Num(150.0),
                Token::Comma,
                Token::Ident("x_1".into()),
                Token::RParen,
                Token::Op("<="),
                Token::Num(3.0),
            ]
        );
    }

    #[test]
    fn bad_number() {
        assert!(matches!(
            tokenize("1.2.3"),
            Err(Error::BadNumber { at: 0, .. })
        ));
    }
}
