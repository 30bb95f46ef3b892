use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// An agent in an Aura network, written `a<number>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentId(pub u32);

/// A message identifier, unique per sender: the sender in the high half and
/// a per-sender sequence number in the low half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u64);

/// A protocol round.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Round(pub u64);

impl AgentId {
    /// Checks that this agent is one of `count` agents numbered from 0.
    ///
    /// ```
    /// # use aura_core::AgentId;
    /// assert_eq!(AgentId(2).check(3), Ok(AgentId(2)));
    /// assert!(AgentId(3).check(3).is_err());
    /// ```
    pub fn check(self, count: u32) -> Result<Self, CoreError> {
        if self.0 < count {
            Ok(self)
        } else {
            Err(CoreError::UnknownAgent { agent: self, count })
        }
    }

    /// All agents of a network of `count`.
    ///
    /// ```
    /// use aura_core::AgentId;
    ///
    /// fn main() {
    ///     let names: Vec<String> = AgentId::all(3).map(|a| a.to_string()).collect();
    ///     assert_eq!(names, ["a0", "a1", "a2"]);
    /// }
    /// ```
    pub fn all(count: u32) -> impl Iterator<Item = AgentId> {
        (0..count).map(AgentId)
    }
}

impl MessageId {
    pub fn new(sender: AgentId, seq: u32) -> Self {
        MessageId((u64::from(sender.0) << 32) | u64::from(seq))
    }
    pub fn sender(self) -> AgentId {
        AgentId((self.0 >> 32) as u32)
    }
    pub fn seq(self) -> u32 {
        self.0 as u32
    }
}

impl Round {
    pub fn next(self) -> Round {
        Round(self.0 + 1)
    }
    /// The leader of this round among `count` agents: round-robin.
    ///
    /// ```
    /// # use aura_core::{AgentId, Round};
    /// assert_eq!(Round(4).leader(3), AgentId(1));
    /// // No agents at all still names a leader, never divides by zero.
    /// assert_eq!(Round(4).leader(0), AgentId(0));
    /// ```
    pub fn leader(self, count: u32) -> AgentId {
        AgentId((self.0 % u64::from(count.max(1))) as u32)
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a{}", self.0)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.sender(), self.seq())
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

impl FromStr for AgentId {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, CoreError> {
        s.strip_prefix('a')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
            .map(AgentId)
            .ok_or_else(|| CoreError::InvalidAgentId(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_id_round_trips_through_text() {
        for n in [0, 7, 4_000_000_000] {
            let id = AgentId(n);
            assert_eq!(id.to_string().parse::<AgentId>(), Ok(id));
        }
        for bad in ["", "a", "b1", "a-1", "a1x", "a99999999999"] {
            assert!(bad.parse::<AgentId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn message_id_packs_sender_and_seq() {
        let id = MessageId::new(AgentId(3), 41);
        assert_eq!(id.sender(), AgentId(3));
        assert_eq!(id.seq(), 41);
        assert_eq!(id.to_string(), "a3#41");
    }

    #[test]
    fn leaders_rotate() {
        let leaders: Vec<_> = (0..5).map(|r| Round(r).leader(3).0).collect();
        assert_eq!(leaders, [0, 1, 2, 0, 1]);
        assert_eq!(Round(9).leader(0), AgentId(0));
    }

    #[test]
    fn check_bounds() {
        assert!(AgentId(2).check(3).is_ok());
        assert_eq!(
            AgentId(3).check(3),
            Err(CoreError::UnknownAgent {
                agent: AgentId(3),
                count: 3
            })
        );
    }
}
