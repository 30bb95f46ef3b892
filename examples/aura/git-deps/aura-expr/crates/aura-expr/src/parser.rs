//! Recursive descent, lowest precedence first:
//! comparison < additive < multiplicative < unary minus < power (right
//! associative) < call / atom.

use crate::ast::{BinOp, Expr};
use crate::lexer::Token;
use crate::Error;

pub(crate) struct Parser {
    toks: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
}

impl Parser {
    /// `end` is the length of the source, reported when input runs out.
    pub(crate) fn new(toks: Vec<(usize, Token)>, end: usize) -> Self {
        Parser { toks, pos: 0, end }
    }

    pub(crate) fn parse_all(mut self) -> Result<Expr, Error> {
        let e = self.comparison()?;
        match self.toks.get(self.pos) {
            None => Ok(e),
            Some((at, t)) => Err(Error::Unexpected {
                found: t.to_string(),
                expected: "end of input",
                at: *at,
            }),
        }
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some((_, Token::Op(op))) => Some(op),
            _ => None,
        }
    }

    fn unexpected(&self, expected: &'static str) -> Error {
        match self.toks.get(self.pos) {
            Some((at, t)) => Error::Unexpected {
                found: t.to_string(),
                expected,
                at: *at,
            },
            None => Error::Unexpected {
                found: "end of input".to_string(),
                expected,
                at: self.end,
            },
        }
    }

    fn binary(
        &mut self,
        table: &[(&str, BinOp)],
        next: fn(&mut Self) -> Result<Expr, Error>,
    ) -> Result<Expr, Error> {
        let mut lhs = next(self)?;
        while let Some(op) = self.peek_op() {
            let Some((_, bin)) = table.iter().find(|(s, _)| *s == op) else {
                break;
            };
            self.pos += 1;
            let rhs = next(self)?;
            lhs = Expr::Bin(*bin, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn comparison(&mut self) -> Result<Expr, Error> {
        self.binary(
            &[
                ("<", BinOp::Lt),
                ("<=", BinOp::Le),
                (">", BinOp::Gt),
                (">=", BinOp::Ge),
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
            ],
            Self::additive,
        )
    }

    fn additive(&mut self) -> Result<Expr, Error> {
        self.binary(
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            Self::multiplicative,
        )
    }

    fn multiplicative(&mut self) -> Result<Expr, Error> {
        self.binary(
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
            Self::unary,
        )
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        if self.peek_op() == Some("-") {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr, Error> {
        let base = self.atom()?;
        if self.peek_op() == Some("^") {
            self.pos += 1;
            // Right associative, and the exponent may carry its own sign.
            let exp = self.unary()?;
            return Ok(Expr::Bin(BinOp::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, Error> {
        let Some((_, tok)) = self.toks.get(self.pos).cloned() else {
            return Err(self.unexpected("a number, a name or '('"));
        };
        match tok {
            Token::Num(n) => {
                self.pos += 1;
                Ok(Expr::Num(n))
            }
            Token::LParen => {
                self.pos += 1;
                let e = self.comparison()?;
                self.expect_rparen()?;
                Ok(e)
            }
            Token::Ident(name) => {
                self.pos += 1;
                if matches!(self.toks.get(self.pos), Some((_, Token::LParen))) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if !matches!(self.toks.get(self.pos), Some((_, Token::RParen))) {
                        loop {
                            args.push(self.comparison()?);
                            if matches!(self.toks.get(self.pos), Some((_, Token::Comma))) {
                                self.pos += 1;
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect_rparen()?;
                    Ok(Expr::Call(name, args))
                } else {
                    Ok(Expr::Var(name))
                }
            }
            _ => Err(self.unexpected("a number, a name or '('")),
        }
    }

    fn expect_rparen(&mut self) -> Result<(), Error> {
        if matches!(self.toks.get(self.pos), Some((_, Token::RParen))) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected("')'"))
        }
    }
}
