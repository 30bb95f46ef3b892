//! aura-cli: the Aura command line. With no arguments it prints a one-screen
//! demo of everything the workspace does.

use std::io::Write;
use std::process::ExitCode;

use aura_core::{AgentId, Body, Message, Recipient, Round};
use aura_crypto::{Keypair, PublicKey, Signature};
use aura_protocol::{Directory, Envelope};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "aura-cli", version, about = "The Aura example's command line")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Algo {
    Blake3,
    Sha256,
    /// BLAKE3, SHA-256 three ways (sha2, ring, OpenSSL), and HMAC
    All,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Hash a text
    Hash {
        text: String,
        #[arg(long, value_enum, default_value_t = Algo::Blake3)]
        algo: Algo,
    },
    /// Sign a text with a key derived from a seed, and verify it twice
    Sign {
        text: String,
        #[arg(long, default_value = "aura")]
        seed: String,
    },
    /// Verify a signature made by `sign`
    Verify {
        text: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        sig: String,
    },
    /// Wrap a text in a signed protocol envelope and print it as JSON
    Envelope {
        text: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Simulate a network of agents, deterministically
    Simulate {
        #[arg(long, default_value_t = 3)]
        agents: u32,
        #[arg(long, default_value_t = 5)]
        rounds: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Percent of envelopes the network loses
        #[arg(long, default_value_t = 5)]
        drop: u8,
        /// Percent of envelopes the network corrupts
        #[arg(long, default_value_t = 2)]
        tamper: u8,
    },
    /// Evaluate an arithmetic expression (with the aura-expr git dependency)
    Eval {
        expr: String,
        /// A variable binding, NAME=VALUE; repeatable
        #[arg(long = "var", value_parser = parse_binding)]
        vars: Vec<(String, f64)>,
    },
    /// Print the version of the OpenSSL linked in
    TlsVersion,
    /// The one-screen demo (also what no arguments does)
    Demo,
}

fn parse_binding(s: &str) -> Result<(String, f64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))?;
    let value = value
        .parse()
        .map_err(|e| format!("{name}: {value:?} is not a number: {e}"))?;
    Ok((name.to_string(), value))
}

fn hash(out: &mut dyn Write, text: &str, algo: Algo) -> std::io::Result<()> {
    let data = text.as_bytes();
    let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match algo {
        Algo::Blake3 => writeln!(out, "{}", aura_crypto::blake3_hex(data)),
        Algo::Sha256 => writeln!(out, "{}", hex(aura_crypto::sha256(data))),
        Algo::All => {
            let sha = aura_crypto::sha256(data);
            let agree = sha == aura_crypto::sha256_ring(data) && sha == aura_tls::sha256(data);
            writeln!(out, "blake3       {}", aura_crypto::blake3_hex(data))?;
            writeln!(out, "sha256       {}", hex(sha))?;
            writeln!(
                out,
                "             sha2, ring and OpenSSL {}",
                if agree { "agree" } else { "DISAGREE" }
            )?;
            writeln!(
                out,
                "hmac-sha256  {} (key \"aura\")",
                hex(aura_crypto::hmac_sha256(b"aura", data))
            )
        }
    }
}

fn sign(out: &mut dyn Write, text: &str, seed: &str) -> std::io::Result<bool> {
    let kp = Keypair::from_seed(seed.as_bytes());
    let sig = kp.sign(text.as_bytes());
    let dalek = aura_crypto::verify(&kp.public(), text.as_bytes(), &sig).is_ok();
    let ring = aura_crypto::verify_with_ring(&kp.public(), text.as_bytes(), &sig).is_ok();
    writeln!(out, "key        {}", kp.public().to_hex())?;
    writeln!(out, "signature  {}", sig.to_hex())?;
    writeln!(
        out,
        "verified   ed25519-dalek: {}, ring: {}",
        ok(dalek),
        ok(ring)
    )?;
    Ok(dalek && ring)
}

fn ok(b: bool) -> &'static str {
    if b {
        "ok"
    } else {
        "FAILED"
    }
}

fn envelope(text: &str, seed: u64) -> Result<(Envelope, Directory), String> {
    let from = AgentId(0);
    let msg = Message::new(
        from,
        0,
        Recipient::All,
        Round(0),
        Body::Hello {
            name: text.to_string(),
        },
    )
    .map_err(|e| e.to_string())?;
    let env = Envelope::seal(msg, &Keypair::for_agent(seed, from));
    Ok((env, Directory::for_network(seed, 2)))
}

fn eval(expr: &str, vars: &[(String, f64)]) -> Result<f64, String> {
    let mut env = aura_expr::Env::new();
    for (name, value) in vars {
        env.set(name, *value);
    }
    aura_expr::eval_with(expr, &env).map_err(|e| format!("{expr:?}: {e}"))
}

fn demo(out: &mut dyn Write) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "aura-cli {} -- a one-screen tour",
        env!("CARGO_PKG_VERSION")
    )
    .map_err(io)?;
    writeln!(out).map_err(io)?;

    let text = "hello, aura";
    writeln!(out, "blake3(\"{text}\")").map_err(io)?;
    writeln!(out, "  = {}", aura_crypto::blake3_hex(text.as_bytes())).map_err(io)?;

    let kp = Keypair::from_seed(b"demo");
    let sig = kp.sign(text.as_bytes());
    let both = aura_crypto::verify(&kp.public(), text.as_bytes(), &sig).is_ok()
        && aura_crypto::verify_with_ring(&kp.public(), text.as_bytes(), &sig).is_ok();
    writeln!(
        out,
        "ed25519 signature by key {}: {}... verified by ed25519-dalek and ring: {}",
        kp.public().fingerprint(),
        &sig.to_hex()[..16],
        ok(both)
    )
    .map_err(io)?;

    let (env, dir) = envelope(text, 42)?;
    let wire = env.encode();
    let opened = Envelope::decode(&wire)
        .map_err(|e| e.to_string())?
        .open(&dir)
        .is_ok();
    writeln!(
        out,
        "signed envelope: {} bytes of JSON, opened and checked: {}",
        wire.len(),
        ok(opened)
    )
    .map_err(io)?;

    writeln!(out).map_err(io)?;
    let cfg = aura_simulator::Config {
        agents: 3,
        rounds: 3,
        ..aura_simulator::Config::default()
    };
    let summary = aura_simulator::simulate(&cfg).map_err(|e| e.to_string())?;
    writeln!(out, "{summary}").map_err(io)?;

    writeln!(out).map_err(io)?;
    let expr = "2 * x ^ 2 + max(3, sqrt(16)) - 1";
    let vars = [("x".to_string(), 3.0)];
    writeln!(out, "eval {expr:?} with x = 3  =>  {}", eval(expr, &vars)?).map_err(io)?;
    writeln!(out, "openssl: {}", aura_tls::summary()).map_err(io)?;
    Ok(())
}

fn run(cli: Cli, out: &mut dyn Write) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    match cli.command.unwrap_or(Command::Demo) {
        Command::Demo => demo(out),
        Command::Hash { text, algo } => hash(out, &text, algo).map_err(io),
        Command::Sign { text, seed } => match sign(out, &text, &seed).map_err(io)? {
            true => Ok(()),
            false => Err("signature did not verify".into()),
        },
        Command::Verify { text, key, sig } => {
            let key = PublicKey::from_hex(&key).map_err(|e| format!("--key: {e}"))?;
            let sig = Signature::from_hex(&sig).map_err(|e| format!("--sig: {e}"))?;
            aura_crypto::verify(&key, text.as_bytes(), &sig).map_err(|e| e.to_string())?;
            writeln!(out, "ok: signature by {} verifies", key.fingerprint()).map_err(io)
        }
        Command::Envelope { text, seed } => {
            let (env, _) = envelope(&text, seed)?;
            writeln!(out, "{}", env.encode()).map_err(io)
        }
        Command::Simulate {
            agents,
            rounds,
            seed,
            drop,
            tamper,
        } => {
            let cfg = aura_simulator::Config {
                agents,
                rounds,
                seed,
                drop_percent: drop,
                tamper_percent: tamper,
            };
            let summary = aura_simulator::simulate(&cfg).map_err(|e| e.to_string())?;
            writeln!(out, "{summary}").map_err(io)
        }
        Command::Eval { expr, vars } => {
            let value = eval(&expr, &vars)?;
            writeln!(out, "{value}").map_err(io)
        }
        Command::TlsVersion => writeln!(out, "{}", aura_tls::summary()).map_err(io),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            eprintln!("aura-cli: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn output(args: &[&str]) -> Result<String, String> {
        let cli = Cli::try_parse_from(std::iter::once("aura-cli").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        run(cli, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn hash_blake3_and_all() {
        assert_eq!(
            output(&["hash", "abc"]).unwrap().trim(),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
        let all = output(&["hash", "abc", "--algo", "all"]).unwrap();
        assert!(all.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assert!(all.contains("sha2, ring and OpenSSL agree"));
    }

    #[test]
    fn sign_then_verify() {
        let out = output(&["sign", "text", "--seed", "s"]).unwrap();
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .trim()
                .to_string()
        };
        let (key, sig) = (field("key"), field("signature"));
        assert!(out.contains("ed25519-dalek: ok, ring: ok"));
        assert!(output(&["verify", "text", "--key", &key, "--sig", &sig]).is_ok());
        assert!(output(&["verify", "texT", "--key", &key, "--sig", &sig]).is_err());
    }

    #[test]
    fn eval_with_vars_and_errors() {
        assert_eq!(
            output(&["eval", "x * y", "--var", "x=6", "--var", "y=7"]).unwrap(),
            "42\n"
        );
        assert!(output(&["eval", "1 / 0"])
            .unwrap_err()
            .contains("division by zero"));
        assert!(output(&["eval", "1", "--var", "x"]).is_err());
    }

    #[test]
    fn simulate_is_deterministic() {
        let a = output(&["simulate", "--agents", "4", "--seed", "3"]).unwrap();
        assert_eq!(
            a,
            output(&["simulate", "--agents", "4", "--seed", "3"]).unwrap()
        );
        assert!(a.starts_with("simulated 4 agents for 5 rounds (seed 3"));
    }

    #[test]
    fn envelope_is_json_that_opens() {
        let wire = output(&["envelope", "hi"]).unwrap();
        let env = Envelope::decode(wire.trim()).unwrap();
        assert!(env.open(&Directory::for_network(42, 1)).is_ok());
    }

    #[test]
    fn no_arguments_gives_the_demo() {
        let out = output(&[]).unwrap();
        for want in [
            "blake3(",
            "verified by ed25519-dalek and ring: ok",
            "opened and checked: ok",
            "agreement: yes",
            "=>  21",
            "openssl: OpenSSL ",
        ] {
            assert!(out.contains(want), "missing {want:?} in\n{out}");
        }
        assert!(out.lines().count() <= 24, "more than one screen:\n{out}");
    }

    #[test]
    fn tls_version() {
        assert!(output(&["tls-version"]).unwrap().starts_with("OpenSSL "));
    }
}
