//! Passwords (argon2id), API keys (djangorestframework-api-key format) and randomness.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha512};

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    v
}

fn random_string(len: usize) -> String {
    rand::rngs::OsRng.sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// argon2id with modest parameters: the sandbox runs inside debug-built test suites, where the
/// production defaults cost about a second a hash. The PHC string records the parameters.
fn argon2() -> Argon2<'static> {
    let params = Params::new(4096, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A new key: 8-character prefix, '.', 32-character secret (letters and digits).
pub fn generate_api_key() -> (String, String) {
    let prefix = random_string(8);
    let secret = random_string(32);
    let key = format!("{prefix}.{secret}");
    (prefix, key)
}

/// djangorestframework-api-key's `Sha512ApiKeyHasher` encoding: `sha512$$<hex digest>`.
pub fn hash_api_key(key: &str) -> String {
    let digest = Sha512::digest(key.as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(8 + digest.len() * 2);
    out.push_str("sha512$$");
    for b in digest {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random hex string of `bytes` bytes (for JWT ids).
pub fn random_hex(bytes: usize) -> String {
    random_bytes(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_format() {
        let (prefix, key) = generate_api_key();
        assert_eq!(prefix.len(), 8);
        assert_eq!(key.len(), 41);
        assert_eq!(&key[..8], prefix);
        assert_eq!(&key[8..9], ".");
        assert!(key[9..].chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn password_roundtrip() {
        let h = hash_password("s3cret-pass").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret-pass", &h));
        assert!(!verify_password("wrong", &h));
    }
}
