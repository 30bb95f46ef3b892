//! Hashing and signing for Aura.
//!
//! * [`blake3_hex`], [`sha256`] (the `sha2` crate) and [`sha256_ring`]
//!   (`ring`, whose implementation is C and assembly) for hashing;
//! * [`Keypair`] (Ed25519 through `ed25519-dalek`) for signing, with keys
//!   derived deterministically from a seed with BLAKE3's key derivation;
//! * [`verify`] and [`verify_with_ring`]: two independent verifiers that must
//!   agree;
//! * [`hmac_sha256`] (ring) for message authentication with a shared key.

use aura_core::AgentId;
use ed25519_dalek::Signer;

/// Domain-separation context for key derivation.
const KEY_CONTEXT: &str = "aura example 2025-01-01 ed25519 signing key";

/// Errors from decoding keys and signatures and from verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("not hex: {0}")]
    Hex(String),
    #[error("{what} must be {expected} bytes, got {got}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("invalid public key")]
    BadKey,
    #[error("signature does not verify")]
    BadSignature,
}

/// A 32-byte digest.
pub type Digest = [u8; 32];

/// BLAKE3 of `data`.
pub fn blake3(data: &[u8]) -> Digest {
    *blake3::hash(data).as_bytes()
}

/// BLAKE3 of `data`, as lowercase hex.
///
/// ```
/// let hex = aura_crypto::blake3_hex(b"hello, aura");
/// assert_eq!(hex.len(), 64);
/// assert!(hex.starts_with("7bdba815"));
/// ```
///
/// A digest is bytes, not text:
///
/// ```compile_fail
/// let s: String = aura_crypto::blake3(b"x");
/// ```
pub fn blake3_hex(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

/// SHA-256 of `data` with the RustCrypto `sha2` crate.
pub fn sha256(data: &[u8]) -> Digest {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// SHA-256 of `data` with `ring`.
pub fn sha256_ring(data: &[u8]) -> Digest {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    d.as_ref().try_into().expect("SHA-256 is 32 bytes")
}

/// HMAC-SHA256 of `data` under `key`, with `ring`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Digest {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&key, data)
        .as_ref()
        .try_into()
        .expect("HMAC-SHA256 is 32 bytes")
}

/// Checks an HMAC in constant time.
pub fn hmac_sha256_verify(key: &[u8], data: &[u8], tag: &[u8]) -> Result<(), CryptoError> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::verify(&key, data, tag).map_err(|_| CryptoError::BadSignature)
}

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

/// An Ed25519 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(ed25519_dalek::Signature);

/// An Ed25519 signing key.
pub struct Keypair {
    signing: ed25519_dalek::SigningKey,
}

impl Keypair {
    /// Derives a key pair from arbitrary seed material.
    pub fn from_seed(seed: &[u8]) -> Self {
        let secret = blake3::derive_key(KEY_CONTEXT, seed);
        Keypair {
            signing: ed25519_dalek::SigningKey::from_bytes(&secret),
        }
    }

    /// The key pair of `agent` in a network seeded with `network_seed`.
    ///
    /// ```edition2018
    /// use aura_core::AgentId;
    /// use aura_crypto::Keypair;
    ///
    /// let key = Keypair::for_agent(42, AgentId(0));
    /// let sig = key.sign(b"hi");
    /// assert!(aura_crypto::verify(&key.public(), b"hi", &sig).is_ok());
    /// assert!(aura_crypto::verify(&key.public(), b"ho", &sig).is_err());
    /// ```
    pub fn for_agent(network_seed: u64, agent: AgentId) -> Self {
        let mut seed = [0u8; 12];
        seed[..8].copy_from_slice(&network_seed.to_be_bytes());
        seed[8..].copy_from_slice(&agent.0.to_be_bytes());
        Self::from_seed(&seed)
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.signing.verifying_key())
    }

    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature(self.signing.sign(msg))
    }
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("Keypair")
            .field("public", &self.public())
            .finish()
    }
}

fn decode_fixed<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], CryptoError> {
    let bytes = hex::decode(text).map_err(|e| CryptoError::Hex(e.to_string()))?;
    let got = bytes.len();
    bytes.try_into().map_err(|_| CryptoError::Length {
        what,
        expected: N,
        got,
    })
}

impl PublicKey {
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = decode_fixed::<32>("public key", text)?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| CryptoError::BadKey)
    }
    /// A short fingerprint for display: the first 8 hex digits of BLAKE3.
    pub fn fingerprint(&self) -> String {
        blake3_hex(&self.to_bytes())[..8].to_string()
    }
}

impl Signature {
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_bytes()
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }
    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let bytes = decode_fixed::<64>("signature", text)?;
        Ok(Signature(ed25519_dalek::Signature::from_bytes(&bytes)))
    }
}

/// Verifies `sig` over `msg` with `ed25519-dalek` (strict verification).
pub fn verify(key: &PublicKey, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
    key.0
        .verify_strict(msg, &sig.0)
        .map_err(|_| CryptoError::BadSignature)
}

/// Verifies `sig` over `msg` with `ring`, independently of `ed25519-dalek`.
pub fn verify_with_ring(key: &PublicKey, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
    let key_bytes = key.to_bytes();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &key_bytes)
        .verify(msg, &sig.to_bytes())
        .map_err(|_| CryptoError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_implementations_agree() {
        for data in [&b""[..], b"abc", &[0u8; 1000][..]] {
            assert_eq!(sha256(data), sha256_ring(data));
        }
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn blake3_known_answer() {
        assert_eq!(
            blake3_hex(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn keys_are_deterministic_and_distinct() {
        let a = Keypair::for_agent(7, AgentId(0));
        assert_eq!(a.public(), Keypair::for_agent(7, AgentId(0)).public());
        assert_ne!(a.public(), Keypair::for_agent(7, AgentId(1)).public());
        assert_ne!(a.public(), Keypair::for_agent(8, AgentId(0)).public());
        assert!(!format!("{a:?}").contains("signing"));
    }

    #[test]
    fn hmac_round_trip() {
        let tag = hmac_sha256(b"key", b"data");
        assert!(hmac_sha256_verify(b"key", b"data", &tag).is_ok());
        assert_eq!(
            hmac_sha256_verify(b"key", b"datb", &tag),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn hex_errors() {
        assert!(matches!(
            PublicKey::from_hex("zz"),
            Err(CryptoError::Hex(_))
        ));
        assert_eq!(
            Signature::from_hex("00ff").unwrap_err(),
            CryptoError::Length {
                what: "signature",
                expected: 64,
                got: 2
            }
        );
    }
}
