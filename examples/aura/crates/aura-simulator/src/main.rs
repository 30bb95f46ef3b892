//! aura-simulator [--agents N] [--rounds R] [--seed S] [--drop PERCENT] [--tamper PERCENT]

use std::process::ExitCode;

use aura_simulator::{simulate, Config};

const USAGE: &str =
    "usage: aura-simulator [--agents N] [--rounds R] [--seed S] [--drop PERCENT] [--tamper PERCENT]";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |_| format!("{flag}: not a number: {value:?}");
        match flag.as_str() {
            "--agents" => cfg.agents = value.parse().map_err(bad)?,
            "--rounds" => cfg.rounds = value.parse().map_err(bad)?,
            "--seed" => cfg.seed = value.parse().map_err(bad)?,
            "--drop" => cfg.drop_percent = value.parse().map_err(bad)?,
            "--tamper" => cfg.tamper_percent = value.parse().map_err(bad)?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(cfg)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse(&args) {
        Ok(cfg) => cfg,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    match simulate(&cfg) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aura-simulator: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_flags() {
        let cfg = parse(&args("--agents 7 --seed 9 --drop 0")).unwrap();
        assert_eq!((cfg.agents, cfg.seed, cfg.drop_percent), (7, 9, 0));
        assert_eq!(cfg.rounds, Config::default().rounds);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse(&args("--agents")).is_err());
        assert!(parse(&args("--agents x")).is_err());
        assert!(parse(&args("--bogus 1")).is_err());
    }
}
