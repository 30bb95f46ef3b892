use aura_expr::{eval, eval_with, parse, Env, Error, Expr};

#[test]
fn evaluates_a_quadratic() {
    let mut env = Env::new();
    for (x, want) in [(0.0, 1.0), (1.0, 3.0), (2.0, 9.0)] {
        env.set("x", x);
        assert_eq!(eval_with("2*x^2 + 1", &env).unwrap(), want);
    }
}

#[test]
fn parse_tree_shape() {
    let e = parse("min(1, -x)").unwrap();
    assert_eq!(
        e,
        Expr::Call(
            "min".into(),
            vec![Expr::Num(1.0), Expr::Neg(Box::new(Expr::Var("x".into())))]
        )
    );
    assert_eq!(e.size(), 4);
}

#[test]
fn error_messages_are_readable() {
    assert_eq!(
        eval("(1 + 2").unwrap_err().to_string(),
        "unexpected end of input at offset 6, expected ')'"
    );
    assert_eq!(Error::DivisionByZero.to_string(), "division by zero");
}
