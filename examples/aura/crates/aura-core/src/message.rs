use serde::{Deserialize, Serialize};

use crate::{AgentId, CoreError, MessageId, Round, PROTOCOL_VERSION};

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    One(AgentId),
    All,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Hello { name: String },
    Propose { value: u64 },
    Vote { proposal: MessageId, accept: bool },
    Commit { value: u64 },
    Abort { reason: String },
    Ping { nonce: u64 },
    Pong { nonce: u64 },
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub from: AgentId,
    pub to: Recipient,
    pub round: Round,
    pub body: Body,
}

/// Something that happened to an agent, as recorded in a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Sent { id: MessageId, to: Recipient },
    Received { id: MessageId, from: AgentId },
    Rejected { from: AgentId, reason: String },
    Committed { round: Round, value: u64 },
    Aborted { round: Round, reason: String },
}

impl Body {
    /// A short name for logs and summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Hello { .. } => "hello",
            Body::Propose { .. } => "propose",
            Body::Vote { .. } => "vote",
            Body::Commit { .. } => "commit",
            Body::Abort { .. } => "abort",
            Body::Ping { .. } => "ping",
            Body::Pong { .. } => "pong",
        }
    }
}

impl Message {
    /// Builds a message, refusing one addressed to its own sender.
    pub fn new(
        from: AgentId,
        seq: u32,
        to: Recipient,
        round: Round,
        body: Body,
    ) -> Result<Self, CoreError> {
        if to == Recipient::One(from) {
            return Err(CoreError::SelfAddressed(from));
        }
        if let Body::Hello { name } = &body {
            if name.trim().is_empty() {
                return Err(CoreError::EmptyName);
            }
        }
        Ok(Message {
            id: MessageId::new(from, seq),
            from,
            to,
            round,
            body,
        })
    }

    /// Whether `agent` should handle this message.
    pub fn is_for(&self, agent: AgentId) -> bool {
        match self.to {
            Recipient::One(a) => a == agent,
            Recipient::All => agent != self.from,
        }
    }

    /// A canonical binary encoding, independent of any serialisation format:
    /// this is what gets signed.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"aura-msg");
        out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
        out.extend_from_slice(&self.id.0.to_be_bytes());
        out.extend_from_slice(&self.from.0.to_be_bytes());
        match self.to {
            Recipient::One(a) => {
                out.push(1);
                out.extend_from_slice(&a.0.to_be_bytes());
            }
            Recipient::All => out.push(0),
        }
        out.extend_from_slice(&self.round.0.to_be_bytes());
        let kind = self.body.kind().as_bytes();
        out.push(kind.len() as u8);
        out.extend_from_slice(kind);
        match &self.body {
            Body::Hello { name } | Body::Abort { reason: name } => {
                out.extend_from_slice(&(name.len() as u32).to_be_bytes());
                out.extend_from_slice(name.as_bytes());
            }
            Body::Propose { value } | Body::Commit { value } => {
                out.extend_from_slice(&value.to_be_bytes())
            }
            Body::Ping { nonce } | Body::Pong { nonce } => {
                out.extend_from_slice(&nonce.to_be_bytes())
            }
            Body::Vote { proposal, accept } => {
                out.extend_from_slice(&proposal.0.to_be_bytes());
                out.push(u8::from(*accept));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn propose(value: u64) -> Message {
        Message::new(
            AgentId(0),
            1,
            Recipient::All,
            Round(2),
            Body::Propose { value },
        )
        .unwrap()
    }

    #[test]
    fn refuses_self_addressed_and_empty_names() {
        let me = AgentId(4);
        assert_eq!(
            Message::new(me, 0, Recipient::One(me), Round(0), Body::Ping { nonce: 1 }),
            Err(CoreError::SelfAddressed(me))
        );
        assert_eq!(
            Message::new(
                me,
                0,
                Recipient::All,
                Round(0),
                Body::Hello { name: " ".into() }
            ),
            Err(CoreError::EmptyName)
        );
    }

    #[test]
    fn broadcast_is_for_everyone_else() {
        let m = propose(5);
        assert!(!m.is_for(AgentId(0)));
        assert!(m.is_for(AgentId(1)));
    }

    #[test]
    fn signing_bytes_differ_when_anything_differs() {
        let a = propose(5).signing_bytes();
        assert_eq!(a, propose(5).signing_bytes());
        assert_ne!(a, propose(6).signing_bytes());
        let mut other_round = propose(5);
        other_round.round = Round(3);
        assert_ne!(a, other_round.signing_bytes());
        assert!(a.starts_with(b"aura-msg\x00\x01"));
    }
}
