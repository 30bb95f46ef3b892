//! The Aura protocol: messages travel in signed [`Envelope`]s encoded as
//! JSON, and every agent runs a [`Node`], a small state machine for
//! leader-based agreement on one value per round:
//!
//! 1. the round's leader broadcasts `Propose { value }`;
//! 2. every other agent answers the leader with `Vote { accept }`, accepting
//!    values up to its own limit;
//! 3. with a majority of accepts (the leader counts itself) the leader
//!    broadcasts `Commit`; once a majority is out of reach, `Abort`.

mod envelope;
mod node;

pub use envelope::{Directory, Envelope};
pub use node::{Node, Phase};

use aura_core::{AgentId, CoreError, Round};
use aura_crypto::CryptoError;

/// Why an envelope was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("cannot decode envelope: {0}")]
    Decode(String),
    #[error("no key known for {0}")]
    UnknownSigner(AgentId),
    #[error("envelope from {from} is signed by another key")]
    WrongSigner { from: AgentId },
    #[error("bad signature on a message from {0}")]
    BadSignature(AgentId),
    #[error("message is not addressed to {0}")]
    NotForMe(AgentId),
    #[error("{from} is not the leader of {round}")]
    NotLeader { from: AgentId, round: Round },
    #[error("message for {got} but the node is at {current}")]
    StaleRound { got: Round, current: Round },
    #[error("only the leader of {round} may propose")]
    CannotPropose { round: Round },
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Votes needed for a decision among `n` agents.
///
/// ```
/// assert_eq!(aura_protocol::quorum(3), 2);
/// assert_eq!(aura_protocol::quorum(4), 3);
/// ```
///
/// Checked under libtest, as a test of its own:
///
/// ```test_harness
/// #[test]
/// fn a_quorum_is_a_majority() {
///     for n in 1..10 {
///         assert!(2 * aura_protocol::quorum(n) > n as usize);
///     }
/// }
/// ```
///
/// A network runs until stopped; compiled, never run:
///
/// ```no_run
/// loop {
///     std::thread::park();
/// }
/// ```
///
/// ```ignore
/// // Needs a live network: see aura-agent.
/// aura_agent::run_forever();
/// ```
pub fn quorum(n: u32) -> usize {
    n as usize / 2 + 1
}

#[cfg(test)]
mod tests {
    use super::quorum;

    #[test]
    fn quorum_is_a_strict_majority() {
        assert_eq!([1, 2, 3, 4, 5].map(quorum), [1, 2, 2, 3, 3]);
    }
}
