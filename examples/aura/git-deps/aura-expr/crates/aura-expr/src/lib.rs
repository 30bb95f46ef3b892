//! A small arithmetic expression evaluator.
//!
//! ```
//! let env = aura_expr::Env::new().with("x", 4.0);
//! assert_eq!(aura_expr::eval_with("2 * x ^ 2 + 1", &env).unwrap(), 33.0);
//! ```

mod ast;
mod lexer;
mod parser;

use std::collections::BTreeMap;

pub use ast::{BinOp, Expr};
pub use lexer::{tokenize, Token};

/// Everything that can go wrong while reading or evaluating an expression.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("unexpected character {ch:?} at offset {at}")]
    UnexpectedChar { ch: char, at: usize },
    #[error("malformed number {text:?} at offset {at}")]
    BadNumber { text: String, at: usize },
    #[error("unexpected {found} at offset {at}, expected {expected}")]
    Unexpected {
        found: String,
        expected: &'static str,
        at: usize,
    },
    #[error("unknown variable {0:?}")]
    UnknownVariable(String),
    #[error("unknown function {0:?}")]
    UnknownFunction(String),
    #[error("function {name} takes {expected} argument(s), got {got}")]
    Arity {
        name: String,
        expected: usize,
        got: usize,
    },
    #[error("division by zero")]
    DivisionByZero,
}

/// Variable bindings used during evaluation. Ordered, so printing is stable.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Env {
    vars: BTreeMap<String, f64>,
}

impl Env {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a binding, builder style.
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.set(name, value);
        self
    }

    pub fn set(&mut self, name: &str, value: f64) {
        self.vars.insert(name.to_string(), value);
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.vars.get(name).copied().or(match name {
            "pi" => Some(std::f64::consts::PI),
            "e" => Some(std::f64::consts::E),
            _ => None,
        })
    }
}

/// Parses an expression into its syntax tree.
pub fn parse(src: &str) -> Result<Expr, Error> {
    parser::Parser::new(tokenize(src)?, src.len()).parse_all()
}

/// Parses and evaluates an expression with no variables but `pi` and `e`.
pub fn eval(src: &str) -> Result<f64, Error> {
    eval_with(src, &Env::new())
}

/// Parses and evaluates an expression against `env`.
pub fn eval_with(src: &str, env: &Env) -> Result<f64, Error> {
    parse(src)?.eval(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(eval("1 + 2 * 3").unwrap(), 7.0);
        assert_eq!(eval("(1 + 2) * 3").unwrap(), 9.0);
        assert_eq!(eval("2 ^ 3 ^ 2").unwrap(), 512.0);
        assert_eq!(eval("10 - 4 - 3").unwrap(), 3.0);
        assert_eq!(eval("-2 ^ 2").unwrap(), -4.0);
        assert_eq!(eval("7 % 4").unwrap(), 3.0);
    }

    #[test]
    fn comparisons_give_one_or_zero() {
        assert_eq!(eval("1 < 2").unwrap(), 1.0);
        assert_eq!(eval("1 + 1 == 3").unwrap(), 0.0);
        assert_eq!(eval("2 >= 2").unwrap(), 1.0);
    }

    #[test]
    fn variables_and_functions() {
        let env = Env::new().with("x", 3.0).with("y", -4.0);
        assert_eq!(eval_with("sqrt(x*x + y*y)", &env).unwrap(), 5.0);
        assert_eq!(eval_with("max(x, abs(y), 2)", &env).unwrap(), 4.0);
        assert_eq!(eval_with("floor(pi)", &env).unwrap(), 3.0);
    }

    #[test]
    fn errors() {
        assert_eq!(eval("1 / 0"), Err(Error::DivisionByZero));
        assert_eq!(eval("z + 1"), Err(Error::UnknownVariable("z".into())));
        assert_eq!(eval("nope(1)"), Err(Error::UnknownFunction("nope".into())));
        assert!(matches!(eval("sqrt(1, 2)"), Err(Error::Arity { .. })));
        assert!(matches!(eval("1 +"), Err(Error::Unexpected { .. })));
        assert!(matches!(
            eval("1 $ 2"),
            Err(Error::UnexpectedChar { ch: '$', at: 2 })
        ));
    }
}
