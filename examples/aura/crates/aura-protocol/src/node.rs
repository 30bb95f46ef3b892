use std::collections::BTreeSet;

use aura_core::{AgentId, Body, Event, Message, MessageId, Recipient, Round};
use aura_crypto::Keypair;

use crate::{quorum, Directory, Envelope, ProtocolError};

/// Where a node is in the current round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// This node leads the round and is collecting votes.
    Collecting {
        round: Round,
        proposal: MessageId,
        value: u64,
        accepts: BTreeSet<AgentId>,
        rejects: BTreeSet<AgentId>,
    },
    /// This node voted and waits for the leader's decision.
    Voted {
        round: Round,
        value: u64,
        accepted: bool,
    },
}

/// One agent's protocol state.
#[derive(Debug)]
pub struct Node {
    id: AgentId,
    n: u32,
    key: Keypair,
    directory: Directory,
    limit: u64,
    seq: u32,
    round: Round,
    phase: Phase,
    log: Vec<Event>,
    committed: Vec<(Round, u64)>,
}

impl Node {
    /// Agent `id` of `n`, with keys derived from `seed`, accepting proposed
    /// values up to `limit`.
    pub fn new(id: AgentId, n: u32, seed: u64, limit: u64) -> Result<Self, ProtocolError> {
        id.check(n)?;
        Ok(Node {
            id,
            n,
            key: Keypair::for_agent(seed, id),
            directory: Directory::for_network(seed, n),
            limit,
            seq: 0,
            round: Round(0),
            phase: Phase::Idle,
            log: Vec::new(),
            committed: Vec::new(),
        })
    }

    pub fn id(&self) -> AgentId {
        self.id
    }
    pub fn phase(&self) -> &Phase {
        &self.phase
    }
    pub fn round(&self) -> Round {
        self.round
    }
    pub fn log(&self) -> &[Event] {
        &self.log
    }
    /// Values this node has seen committed, by round.
    pub fn committed(&self) -> &[(Round, u64)] {
        &self.committed
    }

    fn send(&mut self, to: Recipient, round: Round, body: Body) -> Result<Envelope, ProtocolError> {
        let msg = Message::new(self.id, self.seq, to, round, body)?;
        self.seq += 1;
        self.log.push(Event::Sent { id: msg.id, to });
        Ok(Envelope::seal(msg, &self.key))
    }

    /// Starts `round` with `value` as the proposal. Only the round's leader
    /// may do this. Returns the envelopes to deliver.
    pub fn propose(&mut self, round: Round, value: u64) -> Result<Vec<Envelope>, ProtocolError> {
        if round.leader(self.n) != self.id {
            return Err(ProtocolError::CannotPropose { round });
        }
        self.round = round;
        let env = self.send(Recipient::All, round, Body::Propose { value })?;
        let mut accepts = BTreeSet::new();
        let mut rejects = BTreeSet::new();
        if value <= self.limit {
            accepts.insert(self.id);
        } else {
            rejects.insert(self.id);
        }
        self.phase = Phase::Collecting {
            round,
            proposal: env.message.id,
            value,
            accepts,
            rejects,
        };
        let mut out = vec![env];
        out.extend(self.decide_if_possible()?);
        Ok(out)
    }

    /// Handles one envelope; returns the envelopes to send in answer. A
    /// refused envelope is logged as `Rejected` and returned as an error.
    pub fn handle(&mut self, env: &Envelope) -> Result<Vec<Envelope>, ProtocolError> {
        let result = self.handle_inner(env);
        if let Err(e) = &result {
            self.log.push(Event::Rejected {
                from: env.message.from,
                reason: e.to_string(),
            });
        }
        result
    }

    fn handle_inner(&mut self, env: &Envelope) -> Result<Vec<Envelope>, ProtocolError> {
        let msg = env.open(&self.directory)?.clone();
        if !msg.is_for(self.id) {
            return Err(ProtocolError::NotForMe(self.id));
        }
        // A vote that arrives after its round was decided is harmless.
        let late_vote = matches!(msg.body, Body::Vote { .. });
        if msg.round < self.round && !late_vote {
            return Err(ProtocolError::StaleRound {
                got: msg.round,
                current: self.round,
            });
        }
        self.log.push(Event::Received {
            id: msg.id,
            from: msg.from,
        });
        let leader = msg.round.leader(self.n);
        match msg.body {
            Body::Propose { value } => {
                if msg.from != leader {
                    return Err(ProtocolError::NotLeader {
                        from: msg.from,
                        round: msg.round,
                    });
                }
                self.round = msg.round;
                let accept = value <= self.limit;
                self.phase = Phase::Voted {
                    round: msg.round,
                    value,
                    accepted: accept,
                };
                let vote = Body::Vote {
                    proposal: msg.id,
                    accept,
                };
                Ok(vec![self.send(Recipient::One(leader), msg.round, vote)?])
            }
            Body::Vote { proposal, accept } => {
                if let Phase::Collecting {
                    proposal: p,
                    accepts,
                    rejects,
                    ..
                } = &mut self.phase
                {
                    if *p == proposal {
                        if accept {
                            accepts.insert(msg.from);
                        } else {
                            rejects.insert(msg.from);
                        }
                    }
                }
                self.decide_if_possible()
            }
            Body::Commit { .. } | Body::Abort { .. } if msg.from != leader => {
                Err(ProtocolError::NotLeader {
                    from: msg.from,
                    round: msg.round,
                })
            }
            Body::Commit { value } => {
                self.finish(msg.round, Ok(value));
                Ok(vec![])
            }
            Body::Abort { reason } => {
                self.finish(msg.round, Err(reason));
                Ok(vec![])
            }
            Body::Ping { nonce } => Ok(vec![self.send(
                Recipient::One(msg.from),
                msg.round,
                Body::Pong { nonce },
            )?]),
            Body::Pong { .. } | Body::Hello { .. } => Ok(vec![]),
        }
    }

    fn decide_if_possible(&mut self) -> Result<Vec<Envelope>, ProtocolError> {
        let Phase::Collecting {
            round,
            value,
            accepts,
            rejects,
            ..
        } = &self.phase
        else {
            return Ok(vec![]);
        };
        let (round, value) = (*round, *value);
        let need = quorum(self.n);
        if accepts.len() >= need {
            let env = self.send(Recipient::All, round, Body::Commit { value })?;
            self.finish(round, Ok(value));
            Ok(vec![env])
        } else if rejects.len() > self.n as usize - need {
            let reason = format!("{} of {} rejected {value}", rejects.len(), self.n);
            let env = self.send(
                Recipient::All,
                round,
                Body::Abort {
                    reason: reason.clone(),
                },
            )?;
            self.finish(round, Err(reason));
            Ok(vec![env])
        } else {
            Ok(vec![])
        }
    }

    fn finish(&mut self, round: Round, outcome: Result<u64, String>) {
        match outcome {
            Ok(value) => {
                self.committed.push((round, value));
                self.log.push(Event::Committed { round, value });
            }
            Err(reason) => self.log.push(Event::Aborted { round, reason }),
        }
        self.phase = Phase::Idle;
        self.round = round.next();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_leader_proposes() {
        let mut n1 = Node::new(AgentId(1), 3, 0, 10).unwrap();
        assert_eq!(
            n1.propose(Round(0), 1).unwrap_err(),
            ProtocolError::CannotPropose { round: Round(0) }
        );
        assert!(n1.propose(Round(1), 1).is_ok());
    }

    #[test]
    fn a_single_node_commits_alone() {
        let mut n0 = Node::new(AgentId(0), 1, 0, 10).unwrap();
        let out = n0.propose(Round(0), 4).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(n0.committed(), &[(Round(0), 4)]);
        assert_eq!(n0.round(), Round(1));
        assert_eq!(n0.phase(), &Phase::Idle);
    }

    #[test]
    fn unknown_agents_are_refused() {
        assert!(Node::new(AgentId(3), 3, 0, 0).is_err());
    }
}
