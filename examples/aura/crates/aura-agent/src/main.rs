//! aura-agent: runs an Aura network of agents as tokio tasks.
//!
//!   aura-agent --once [--agents N] [--rounds R] [--seed S]
//!       runs R rounds (default 3), prints what happened, and exits.
//!   aura-agent [--agents N] [--seed S] [--interval-ms MS] [--listen ADDR]
//!       runs as a daemon, one round per interval, until stopped; the status
//!       server answers `nc 127.0.0.1 PORT` with one line.

use std::process::ExitCode;
use std::time::Duration;

use aura_agent::{run, AgentConfig};

const USAGE: &str = "usage: aura-agent [--once] [--agents N] [--rounds R] [--seed S] [--interval-ms MS] [--listen ADDR]";

fn parse(args: &[String]) -> Result<AgentConfig, String> {
    let mut cfg = AgentConfig {
        rounds: None,
        interval: Duration::from_secs(1),
        ..AgentConfig::default()
    };
    let mut once = false;
    let mut rounds = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--once" => {
                once = true;
                continue;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ => {}
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value:?}: {e}");
        match flag.as_str() {
            "--agents" => cfg.agents = value.parse().map_err(|e| bad(&e))?,
            "--rounds" => rounds = Some(value.parse().map_err(|e| bad(&e))?),
            "--seed" => cfg.seed = value.parse().map_err(|e| bad(&e))?,
            "--interval-ms" => {
                cfg.interval = Duration::from_millis(value.parse().map_err(|e| bad(&e))?)
            }
            "--listen" => cfg.listen = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if once {
        cfg.rounds = Some(rounds.unwrap_or(3));
        if !args.iter().any(|a| a == "--interval-ms") {
            cfg.interval = Duration::from_millis(20);
        }
    } else {
        cfg.rounds = rounds;
    }
    if cfg.agents == 0 {
        return Err("--agents must be at least 1".to_string());
    }
    Ok(cfg)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse(&args) {
        Ok(cfg) => cfg,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    // Even --once is bounded in time: a stuck run is an error, not a hang.
    let limit = cfg
        .rounds
        .map(|r| (cfg.round_timeout + cfg.interval) * (r as u32 + 1));
    let work = run(cfg, |line| println!("{line}"));
    let result = match limit {
        Some(limit) => match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => {
                eprintln!("aura-agent: did not finish within {limit:?}");
                return ExitCode::FAILURE;
            }
        },
        None => work.await,
    };
    match result {
        Ok(report) => {
            println!(
                "done: {} rounds, {} envelopes, {} rejected",
                report.rounds.len(),
                report.envelopes,
                report.rejected
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aura-agent: {e}");
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
    fn once_is_bounded() {
        let cfg = parse(&args("--once --agents 4")).unwrap();
        assert_eq!(cfg.rounds, Some(3));
        assert_eq!(cfg.agents, 4);
        assert_eq!(cfg.interval, Duration::from_millis(20));
    }

    #[test]
    fn daemon_runs_until_stopped() {
        let cfg = parse(&args("--listen 127.0.0.1:7070")).unwrap();
        assert_eq!(cfg.rounds, None);
        assert_eq!(cfg.listen.port(), 7070);
    }

    #[test]
    fn bad_flags() {
        assert!(parse(&args("--agents 0")).is_err());
        assert!(parse(&args("--listen nowhere")).is_err());
        assert!(parse(&args("--what 1")).is_err());
    }
}
