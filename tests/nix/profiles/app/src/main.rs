//! Prints what its profile and config did, one line each; cargo's build
//! and crateplan's must print the same lines (tests/nix/profiles.sh).
use std::hint::black_box;
use std::os::unix::process::ExitStatusExt;
use std::process::Command;

fn main() {
    let mut args = std::env::args();
    let me = args.next().expect("argv[0]");
    match args.next().as_deref() {
        Some("overflow-app") => {
            let x: u8 = black_box(255);
            println!("{}", x + 1);
            return;
        }
        Some("overflow-arith") => {
            println!("{}", arith::add(black_box(255), 1));
            return;
        }
        Some("panic") => panic!("on purpose"),
        _ => {}
    }
    println!("cfg from [build] rustflags: {}", cfg!(from_rustflags));
    println!("env! from [env]: {}", env!("GREETING"));
    println!("forced [env]: {}", env!("FORCED_GREETING"));
    let word = include_str!(concat!(env!("DATA_DIR"), "/word.txt"));
    println!("relative [env]: {}", word.trim());
    println!(
        "build script saw: PROFILE={} OPT_LEVEL={} DEBUG={}",
        env!("SEEN_PROFILE"),
        env!("SEEN_OPT_LEVEL"),
        env!("SEEN_DEBUG")
    );
    println!("build script saw rustflags: {}", env!("SEEN_RUSTFLAGS"));
    println!(
        "build script saw CARGO_CFG_FROM_RUSTFLAGS: {}",
        env!("SEEN_CFG_FROM_RUSTFLAGS")
    );
    println!(
        "build script saw CARGO_CFG_DEBUG_ASSERTIONS: {}",
        env!("SEEN_DEBUG_ASSERTIONS")
    );
    println!("build script saw GREETING: {}", env!("SEEN_GREETING"));
    println!("debug assertions: {}", cfg!(debug_assertions));
    let strategy = if cfg!(panic = "abort") { "abort" } else { "unwind" };
    println!("panic strategy: {strategy}");
    println!("255 + 1 in app: {}", outcome(&me, "overflow-app"));
    println!("255 + 1 in arith: {}", outcome(&me, "overflow-arith"));
    println!("a panic: {}", outcome(&me, "panic"));
}

/// Runs this binary again with `what` and says how it ended.
fn outcome(me: &str, what: &str) -> String {
    let out = Command::new(me).arg(what).output().expect("running myself");
    match (out.status.code(), out.status.signal()) {
        (Some(0), _) => format!("wrapped to {}", String::from_utf8_lossy(&out.stdout).trim()),
        (Some(code), _) => format!("panicked, exit status {code}"),
        (None, Some(signal)) => format!("aborted, signal {signal}"),
        (None, None) => "ended without status or signal".to_string(),
    }
}
