//! Prints one line per thing the per-crate build must have got right.
use clap::Parser;
use e2e_macros::Describe;
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(name = "e2e-app", about = "crateplan's end-to-end test program")]
struct Args {
    /// Who to greet.
    #[arg(long, default_value = "nix")]
    name: String,
}

#[derive(Serialize, Deserialize, Describe)]
struct Point {
    x: i32,
    y: i32,
}

fn main() {
    let args = Args::parse();
    println!("clap: hello {}", args.name);
    let p = Point { x: 3, y: 4 };
    let text = json::to_string(&p).expect("serialises");
    let back: Point = json::from_str(&text).expect("parses");
    println!("serde: {text} -> ({}, {})", back.x, back.y);
    println!("proc-macro: {}", Point::describe());
    println!("cc: native_sum(40, 2) = {}", consumer::native_sum(40, 2));
    println!("links: DEP_NATIVESUM_ANSWER = {}", consumer::ANSWER_FROM_BUILD_SCRIPT);
    println!("optional: {}", format_int(1234567));
    println!("path dep: {}", textfmt::boxed("outside the members"));
    let value = aura_expr::eval("2 * (3 + 4)").expect("evaluates");
    println!("git dep: 2 * (3 + 4) = {value}");
}

#[cfg(feature = "fast-int")]
fn format_int(n: u64) -> String {
    format!("itoa {}", itoa::Buffer::new().format(n))
}

#[cfg(not(feature = "fast-int"))]
fn format_int(n: u64) -> String {
    format!("std {n}")
}
