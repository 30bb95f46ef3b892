//! Whole rounds between several nodes, delivering envelopes in order through
//! their JSON encoding, as a transport would.

use std::collections::VecDeque;

use aura_core::{AgentId, Body, Event, Message, Recipient, Round};
use aura_crypto::Keypair;
use aura_protocol::{Envelope, Node, Phase, ProtocolError};

const SEED: u64 = 2025;

fn network(limits: &[u64]) -> Vec<Node> {
    let n = limits.len() as u32;
    limits
        .iter()
        .enumerate()
        .map(|(i, &limit)| Node::new(AgentId(i as u32), n, SEED, limit).unwrap())
        .collect()
}

/// Delivers until quiet; returns how many envelopes were delivered.
fn run(nodes: &mut [Node], first: Vec<Envelope>) -> usize {
    let mut queue: VecDeque<String> = first.iter().map(Envelope::encode).collect();
    let mut delivered = 0;
    while let Some(wire) = queue.pop_front() {
        let env = Envelope::decode(&wire).unwrap();
        for node in nodes.iter_mut() {
            if env.message.is_for(node.id()) {
                delivered += 1;
                for reply in node.handle(&env).unwrap() {
                    queue.push_back(reply.encode());
                }
            }
        }
    }
    delivered
}

#[test]
fn three_nodes_commit_an_acceptable_value() {
    let mut nodes = network(&[100, 100, 5]);
    let first = nodes[0].propose(Round(0), 42).unwrap();
    // propose to 2, 2 votes back, commit to 2
    assert_eq!(run(&mut nodes, first), 6);
    for node in &nodes {
        assert_eq!(node.committed(), &[(Round(0), 42)], "{}", node.id());
        assert_eq!(node.phase(), &Phase::Idle);
        assert_eq!(node.round(), Round(1));
    }
}

#[test]
fn a_majority_of_rejections_aborts() {
    let mut nodes = network(&[100, 5, 5]);
    let first = nodes[0].propose(Round(0), 42).unwrap();
    run(&mut nodes, first);
    for node in &nodes {
        assert!(node.committed().is_empty());
        assert!(
            node.log().iter().any(|e| matches!(
                e,
                Event::Aborted {
                    round: Round(0),
                    ..
                }
            )),
            "{}: {:?}",
            node.id(),
            node.log()
        );
    }
}

#[test]
fn leadership_rotates_over_rounds() {
    let mut nodes = network(&[50, 50, 50, 50]);
    for r in 0..4u64 {
        let leader = Round(r).leader(4).0 as usize;
        let first = nodes[leader].propose(Round(r), 10 + r).unwrap();
        run(&mut nodes, first);
    }
    let want: Vec<(Round, u64)> = (0..4).map(|r| (Round(r), 10 + r)).collect();
    for node in &nodes {
        assert_eq!(node.committed(), want.as_slice());
    }
}

#[test]
fn tampered_and_misdirected_envelopes_are_rejected() {
    let mut nodes = network(&[10, 10, 10]);
    let mut env = nodes[0].propose(Round(0), 3).unwrap().remove(0);
    env.message.body = Body::Propose { value: 4 };
    assert_eq!(
        nodes[1].handle(&env),
        Err(ProtocolError::BadSignature(AgentId(0)))
    );
    assert!(matches!(
        nodes[1].log().last(),
        Some(Event::Rejected { .. })
    ));

    // A correctly signed proposal, but not from the round's leader.
    let key = Keypair::for_agent(SEED, AgentId(2));
    let msg = Message::new(
        AgentId(2),
        0,
        Recipient::All,
        Round(0),
        Body::Propose { value: 1 },
    )
    .unwrap();
    assert_eq!(
        nodes[1].handle(&Envelope::seal(msg, &key)),
        Err(ProtocolError::NotLeader {
            from: AgentId(2),
            round: Round(0)
        })
    );

    // Addressed to someone else.
    let msg = Message::new(
        AgentId(2),
        1,
        Recipient::One(AgentId(0)),
        Round(0),
        Body::Ping { nonce: 1 },
    )
    .unwrap();
    assert_eq!(
        nodes[1].handle(&Envelope::seal(msg, &key)),
        Err(ProtocolError::NotForMe(AgentId(1)))
    );
}

#[test]
fn ping_gets_pong() {
    let mut nodes = network(&[1, 1]);
    let key = Keypair::for_agent(SEED, AgentId(0));
    let ping = Message::new(
        AgentId(0),
        9,
        Recipient::One(AgentId(1)),
        Round(0),
        Body::Ping { nonce: 77 },
    )
    .unwrap();
    let replies = nodes[1].handle(&Envelope::seal(ping, &key)).unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].message.body, Body::Pong { nonce: 77 });
    assert_eq!(replies[0].message.to, Recipient::One(AgentId(0)));
}
