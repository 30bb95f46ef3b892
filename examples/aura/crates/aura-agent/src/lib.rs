//! The Aura agent daemon. Every agent is a tokio task that owns an
//! [`aura_protocol::Node`]; a router task carries JSON-encoded, signed
//! envelopes between them over channels; a clock starts one round after
//! another; a small TCP server on localhost answers every connection with a
//! one-line status.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use aura_core::{AgentId, Event, Recipient, Round};
use aura_protocol::{Envelope, Node};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// How to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    pub agents: u32,
    /// Rounds to run; `None` runs until the process is stopped.
    pub rounds: Option<u64>,
    pub seed: u64,
    /// Pause between rounds.
    pub interval: Duration,
    /// How long a round may take before the clock gives up on it.
    pub round_timeout: Duration,
    /// Where the status server listens; port 0 picks a free one.
    pub listen: SocketAddr,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            agents: 3,
            rounds: Some(3),
            seed: 42,
            interval: Duration::from_millis(50),
            round_timeout: Duration::from_secs(2),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// What happened, for printing and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Per round: the proposed value and, per agent, what it decided.
    pub rounds: BTreeMap<Round, (u64, BTreeMap<AgentId, Decision>)>,
    /// Envelopes sent by all agents.
    pub envelopes: usize,
    pub rejected: usize,
    /// The status line read back over TCP at the end.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Committed(u64),
    Aborted,
}

/// A value derived from the seed, so runs are reproducible.
fn derive(seed: u64, what: &str, n: u64, modulo: u64) -> u64 {
    let mut input = Vec::new();
    input.extend_from_slice(&seed.to_be_bytes());
    input.extend_from_slice(what.as_bytes());
    input.extend_from_slice(&n.to_be_bytes());
    let d = aura_crypto::blake3(&input);
    u64::from_be_bytes(d[..8].try_into().unwrap()) % modulo
}

/// The acceptance limit of agent `i`.
pub fn limit_of(seed: u64, i: u32) -> u64 {
    40 + derive(seed, "limit", u64::from(i), 60)
}

/// The value proposed in round `r`.
pub fn value_of(seed: u64, r: Round) -> u64 {
    derive(seed, "value", r.0, 100)
}

enum Control {
    Propose(Round, u64),
}

struct Note {
    agent: AgentId,
    event: Event,
}

async fn agent_task(
    mut node: Node,
    mut inbox: mpsc::Receiver<String>,
    mut control: mpsc::Receiver<Control>,
    outbox: mpsc::Sender<String>,
    notes: mpsc::UnboundedSender<Note>,
) {
    let mut seen = 0;
    loop {
        let replies = tokio::select! {
            Some(wire) = inbox.recv() => match Envelope::decode(&wire) {
                Ok(env) => node.handle(&env).unwrap_or_default(),
                Err(_) => vec![],
            },
            Some(Control::Propose(round, value)) = control.recv() => {
                node.propose(round, value).unwrap_or_default()
            }
            else => break,
        };
        for env in replies {
            if outbox.send(env.encode()).await.is_err() {
                return;
            }
        }
        for event in &node.log()[seen..] {
            let note = Note {
                agent: node.id(),
                event: event.clone(),
            };
            if notes.send(note).is_err() {
                return;
            }
        }
        seen = node.log().len();
    }
}

async fn router(mut wire_in: mpsc::Receiver<String>, inboxes: Vec<mpsc::Sender<String>>) {
    while let Some(wire) = wire_in.recv().await {
        let Ok(env) = Envelope::decode(&wire) else {
            continue;
        };
        let targets: Vec<usize> = match env.message.to {
            Recipient::One(a) => vec![a.0 as usize],
            Recipient::All => (0..inboxes.len())
                .filter(|&i| i != env.message.from.0 as usize)
                .collect(),
        };
        for i in targets {
            if let Some(tx) = inboxes.get(i) {
                let _ = tx.send(wire.clone()).await;
            }
        }
    }
}

async fn status_server(listener: TcpListener, status: watch::Receiver<String>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let line = format!("{}\n", *status.borrow());
        tokio::spawn(async move {
            let _ = sock.write_all(line.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}

/// Connects to a status server and reads its line.
pub async fn read_status(addr: SocketAddr) -> std::io::Result<String> {
    let mut sock = TcpStream::connect(addr).await?;
    let mut text = String::new();
    sock.read_to_string(&mut text).await?;
    Ok(text.trim_end().to_string())
}

/// Runs the daemon. `say` gets one line per thing worth printing, as it
/// happens. Returns when the configured rounds are done.
pub async fn run(cfg: AgentConfig, mut say: impl FnMut(&str)) -> std::io::Result<Report> {
    let n = cfg.agents.max(1);
    let listener = TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    say(&format!(
        "aura-agent: {n} agents, seed {}, status on tcp://{addr}",
        cfg.seed
    ));

    let (wire_tx, wire_rx) = mpsc::channel::<String>(256);
    let (notes_tx, mut notes_rx) = mpsc::unbounded_channel::<Note>();
    let (status_tx, status_rx) = watch::channel(String::from("starting"));

    let mut tasks = JoinSet::new();
    let mut inboxes = Vec::new();
    let mut controls = Vec::new();
    for i in 0..n {
        let id = AgentId(i);
        let node = Node::new(id, n, cfg.seed, limit_of(cfg.seed, i))
            .expect("ids are in range by construction");
        let (in_tx, in_rx) = mpsc::channel(64);
        let (ctl_tx, ctl_rx) = mpsc::channel(4);
        inboxes.push(in_tx);
        controls.push(ctl_tx);
        tasks.spawn(agent_task(
            node,
            in_rx,
            ctl_rx,
            wire_tx.clone(),
            notes_tx.clone(),
        ));
    }
    drop(wire_tx);
    drop(notes_tx);
    tasks.spawn(router(wire_rx, inboxes));
    let server = tokio::spawn(status_server(listener, status_rx));

    let mut report = Report::default();
    let mut round = Round(0);
    while cfg.rounds.is_none_or(|r| round.0 < r) {
        let leader = round.leader(n);
        let value = value_of(cfg.seed, round);
        say(&format!("{round}: {leader} proposes {value}"));
        report.rounds.insert(round, (value, BTreeMap::new()));
        let _ = controls[leader.0 as usize]
            .send(Control::Propose(round, value))
            .await;

        // Collect until every agent has decided this round, or time runs out.
        let deadline = tokio::time::sleep(cfg.round_timeout);
        tokio::pin!(deadline);
        loop {
            let decided = report.rounds[&round].1.len() as u32;
            if decided == n {
                break;
            }
            tokio::select! {
                note = notes_rx.recv() => {
                    let Some(Note { agent, event }) = note else { break };
                    let (r, d) = match event {
                        Event::Committed { round: r, value } => (r, Decision::Committed(value)),
                        Event::Aborted { round: r, .. } => (r, Decision::Aborted),
                        Event::Sent { .. } => {
                            // An agent reports a send after handing the
                            // envelope to the router and before handling
                            // anything else, so counting here is exact.
                            report.envelopes += 1;
                            continue;
                        }
                        Event::Rejected { from, reason } => {
                            report.rejected += 1;
                            say(&format!("  {agent} rejected a message from {from}: {reason}"));
                            continue;
                        }
                        _ => continue,
                    };
                    if let Some((_, decisions)) = report.rounds.get_mut(&r) {
                        decisions.insert(agent, d);
                    }
                }
                _ = &mut deadline => {
                    say(&format!("  {round}: timed out"));
                    break;
                }
            }
        }
        let decisions = &report.rounds[&round].1;
        let commits = decisions
            .values()
            .filter(|d| matches!(d, Decision::Committed(_)))
            .count();
        let line = if commits > 0 {
            format!("  {round}: committed {value} at {commits}/{n} agents")
        } else {
            format!("  {round}: aborted at {}/{n} agents", decisions.len())
        };
        say(&line);
        let committed_rounds = report
            .rounds
            .values()
            .filter(|(_, d)| d.values().any(|x| matches!(x, Decision::Committed(_))))
            .count();
        status_tx.send_replace(format!(
            "aura-agent ok: {n} agents, {} rounds, {committed_rounds} committed, {} envelopes",
            report.rounds.len(),
            report.envelopes
        ));
        round = round.next();
        tokio::time::sleep(cfg.interval).await;
    }

    report.status = read_status(addr).await?;
    say(&format!("status from tcp://{addr}: {}", report.status));
    drop(controls);
    server.abort();
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_are_stable_and_in_range() {
        for i in 0..10 {
            let l = limit_of(1, i);
            assert!((40..100).contains(&l));
            assert_eq!(l, limit_of(1, i));
            assert!(value_of(1, Round(i.into())) < 100);
        }
        assert_ne!(
            (0..10).map(|r| value_of(1, Round(r))).collect::<Vec<_>>(),
            (0..10).map(|r| value_of(2, Round(r))).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn three_agents_decide_three_rounds() {
        let mut lines = Vec::new();
        let cfg = AgentConfig {
            interval: Duration::from_millis(1),
            ..AgentConfig::default()
        };
        let report = run(cfg.clone(), |l| lines.push(l.to_string()))
            .await
            .unwrap();
        assert_eq!(report.rounds.len(), 3);
        for (round, (value, decisions)) in &report.rounds {
            assert_eq!(decisions.len(), 3, "{round}: {decisions:?}");
            let committed: Vec<_> = decisions.values().collect();
            // Everyone decided the same way.
            assert!(committed.windows(2).all(|w| w[0] == w[1]), "{round}");
            if let Decision::Committed(v) = committed[0] {
                assert_eq!(v, value);
            }
        }
        assert_eq!(report.rejected, 0);
        // 3 agents: propose + 2 votes + commit/abort = 4 envelopes a round.
        assert_eq!(report.envelopes, 12);
        assert!(report
            .status
            .starts_with("aura-agent ok: 3 agents, 3 rounds"));
        assert!(lines[0].contains("status on tcp://127.0.0.1:"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_single_agent_decides_alone() {
        let cfg = AgentConfig {
            agents: 1,
            rounds: Some(2),
            interval: Duration::ZERO,
            ..AgentConfig::default()
        };
        let report = run(cfg, |_| {}).await.unwrap();
        assert_eq!(report.rounds.len(), 2);
        assert!(report.rounds.values().all(|(_, d)| d.len() == 1));
    }
}
