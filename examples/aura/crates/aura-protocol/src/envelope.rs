use std::collections::BTreeMap;

use aura_core::{AgentId, Message};
use aura_crypto::{Keypair, PublicKey, Signature};
use serde::{Deserialize, Serialize};

use crate::ProtocolError;

/// A message with its signer's public key and an Ed25519 signature over the
/// message's canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub message: Message,
    /// Hex of the signer's public key.
    pub signer: String,
    /// Hex of the signature over `message.signing_bytes()`.
    pub signature: String,
}

impl Envelope {
    /// Signs `message` with `key`.
    pub fn seal(message: Message, key: &Keypair) -> Self {
        let signature = key.sign(&message.signing_bytes()).to_hex();
        Envelope {
            message,
            signer: key.public().to_hex(),
            signature,
        }
    }

    /// Checks the signature against the sender's key in `directory` and
    /// returns the message.
    pub fn open(&self, directory: &Directory) -> Result<&Message, ProtocolError> {
        let from = self.message.from;
        let expected = directory
            .key(from)
            .ok_or(ProtocolError::UnknownSigner(from))?;
        if PublicKey::from_hex(&self.signer)? != *expected {
            return Err(ProtocolError::WrongSigner { from });
        }
        let sig = Signature::from_hex(&self.signature)?;
        aura_crypto::verify(expected, &self.message.signing_bytes(), &sig)
            .map_err(|_| ProtocolError::BadSignature(from))?;
        Ok(&self.message)
    }

    /// JSON, one line.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("an envelope always serialises")
    }

    pub fn decode(text: &str) -> Result<Self, ProtocolError> {
        serde_json::from_str(text).map_err(|e| ProtocolError::Decode(e.to_string()))
    }
}

/// The public keys of a network's agents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    keys: BTreeMap<AgentId, PublicKey>,
}

impl Directory {
    /// The directory of `n` agents whose keys derive from `seed`.
    pub fn for_network(seed: u64, n: u32) -> Self {
        Directory {
            keys: AgentId::all(n)
                .map(|a| (a, Keypair::for_agent(seed, a).public()))
                .collect(),
        }
    }

    pub fn insert(&mut self, agent: AgentId, key: PublicKey) {
        self.keys.insert(agent, key);
    }

    pub fn key(&self, agent: AgentId) -> Option<&PublicKey> {
        self.keys.get(&agent)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aura_core::{Body, Recipient, Round};

    #[test]
    fn seal_and_open() {
        let dir = Directory::for_network(1, 2);
        let key = Keypair::for_agent(1, AgentId(1));
        let msg = Message::new(
            AgentId(1),
            0,
            Recipient::All,
            Round(0),
            Body::Ping { nonce: 5 },
        )
        .unwrap();
        let env = Envelope::seal(msg.clone(), &key);
        assert_eq!(env.open(&dir), Ok(&msg));

        // Signed by agent 0's key but claiming to be from agent 1.
        let forged = Envelope::seal(msg, &Keypair::for_agent(1, AgentId(0)));
        assert_eq!(
            forged.open(&dir),
            Err(ProtocolError::WrongSigner { from: AgentId(1) })
        );
    }

    #[test]
    fn decode_errors_are_reported() {
        assert!(matches!(
            Envelope::decode("{"),
            Err(ProtocolError::Decode(_))
        ));
    }
}
