//! The answer-only crateplan binary the ifd route builds with Nix
//! (nix/bootstrap.nix): `crateplan-answer [answer] [--nix] [--inline] REQUEST`, the
//! same bytes as `crateplan answer`, without the full CLI's argument parser
//! (clap), so that the first evaluation on a fresh store builds less.

use crateplan::answer::RequestInput;
use std::process::ExitCode;

const USAGE: &str =
    "usage: crateplan-answer [answer] [--nix] [--inline] REQUEST (a file, - for standard input, or with --inline the JSON itself)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("answer") {
        args.remove(0);
    }
    let nix = args.first().map(String::as_str) == Some("--nix");
    if nix {
        args.remove(0);
    }
    let inline = args.first().map(String::as_str) == Some("--inline");
    if inline {
        args.remove(0);
    }
    let [request] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let input = if inline {
        RequestInput::Inline(request)
    } else {
        RequestInput::Path(request)
    };
    match crateplan::answer::answer(nix, input) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
