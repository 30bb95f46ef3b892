//! Signing with ed25519-dalek and verifying with both ed25519-dalek and ring.

use aura_crypto::{verify, verify_with_ring, CryptoError, Keypair, PublicKey, Signature};

#[test]
fn both_verifiers_accept_a_good_signature() {
    let kp = Keypair::from_seed(b"integration");
    let sig = kp.sign(b"hello aura");
    assert_eq!(verify(&kp.public(), b"hello aura", &sig), Ok(()));
    assert_eq!(verify_with_ring(&kp.public(), b"hello aura", &sig), Ok(()));
}

#[test]
fn both_verifiers_reject_tampering() {
    let kp = Keypair::from_seed(b"integration");
    let other = Keypair::from_seed(b"someone else");
    let sig = kp.sign(b"hello aura");
    for (key, msg) in [
        (kp.public(), &b"hello aurb"[..]),
        (other.public(), b"hello aura"),
    ] {
        assert_eq!(verify(&key, msg, &sig), Err(CryptoError::BadSignature));
        assert_eq!(
            verify_with_ring(&key, msg, &sig),
            Err(CryptoError::BadSignature)
        );
    }
    let mut bytes = sig.to_bytes();
    bytes[10] ^= 1;
    let bent = Signature::from_hex(&hex_of(&bytes)).unwrap();
    assert!(verify(&kp.public(), b"hello aura", &bent).is_err());
    assert!(verify_with_ring(&kp.public(), b"hello aura", &bent).is_err());
}

#[test]
fn keys_and_signatures_survive_hex() {
    let kp = Keypair::from_seed(b"hex");
    let sig = kp.sign(b"m");
    let key = PublicKey::from_hex(&kp.public().to_hex()).unwrap();
    let sig2 = Signature::from_hex(&sig.to_hex()).unwrap();
    assert_eq!(key, kp.public());
    assert_eq!(sig2, sig);
    assert_eq!(kp.public().fingerprint().len(), 8);
}

#[test]
fn signatures_are_deterministic() {
    // Ed25519 signatures are deterministic: same key and message, same bytes.
    let a = Keypair::from_seed(b"det").sign(b"x");
    let b = Keypair::from_seed(b"det").sign(b"x");
    assert_eq!(a, b);
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
