use crate::{Env, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// The syntax tree of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

fn truth(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

impl Expr {
    pub fn eval(&self, env: &Env) -> Result<f64, Error> {
        Ok(match self {
            Expr::Num(n) => *n,
            Expr::Var(name) => env
                .get(name)
                .ok_or_else(|| Error::UnknownVariable(name.clone()))?,
            Expr::Neg(e) => -e.eval(env)?,
            Expr::Bin(op, l, r) => {
                let (a, b) = (l.eval(env)?, r.eval(env)?);
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div | BinOp::Rem if b == 0.0 => return Err(Error::DivisionByZero),
                    BinOp::Div => a / b,
                    BinOp::Rem => a % b,
                    BinOp::Pow => a.powf(b),
                    BinOp::Lt => truth(a < b),
                    BinOp::Le => truth(a <= b),
                    BinOp::Gt => truth(a > b),
                    BinOp::Ge => truth(a >= b),
                    BinOp::Eq => truth(a == b),
                    BinOp::Ne => truth(a != b),
                }
            }
            Expr::Call(name, args) => {
                let vals = args
                    .iter()
                    .map(|a| a.eval(env))
                    .collect::<Result<Vec<f64>, Error>>()?;
                call(name, &vals)?
            }
        })
    }

    /// Number of nodes in the tree.
    pub fn size(&self) -> usize {
        match self {
            Expr::Num(_) | Expr::Var(_) => 1,
            Expr::Neg(e) => 1 + e.size(),
            Expr::Bin(_, l, r) => 1 + l.size() + r.size(),
            Expr::Call(_, args) => 1 + args.iter().map(Expr::size).sum::<usize>(),
        }
    }
}

fn call(name: &str, args: &[f64]) -> Result<f64, Error> {
    let unary = |f: fn(f64) -> f64| -> Result<f64, Error> {
        match args {
            [x] => Ok(f(*x)),
            _ => Err(Error::Arity {
                name: name.to_string(),
                expected: 1,
                got: args.len(),
            }),
        }
    };
    match name {
        "abs" => unary(f64::abs),
        "sqrt" => unary(f64::sqrt),
        "floor" => unary(f64::floor),
        "ceil" => unary(f64::ceil),
        "round" => unary(f64::round),
        "ln" => unary(f64::ln),
        "min" | "max" => {
            if args.is_empty() {
                return Err(Error::Arity {
                    name: name.to_string(),
                    expected: 1,
                    got: 0,
                });
            }
            let pick = if name == "min" { f64::min } else { f64::max };
            Ok(args[1..].iter().fold(args[0], |acc, x| pick(acc, *x)))
        }
        _ => Err(Error::UnknownFunction(name.to_string())),
    }
}
