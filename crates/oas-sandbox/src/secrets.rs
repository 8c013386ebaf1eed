//! Passwords (argon2id), API keys (djangorestframework-api-key format) and randomness.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

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
    format!("sha512$${}", hex::encode(Sha512::digest(key.as_bytes())))
}

/// Whether `key` hashes to `hashed` (a [`hash_api_key`] result), compared in constant time.
pub fn api_key_matches(key: &str, hashed: &str) -> bool {
    hash_api_key(key).as_bytes().ct_eq(hashed.as_bytes()).into()
}

/// A random hex string of `bytes` bytes (for JWT ids).
pub fn random_hex(bytes: usize) -> String {
    hex::encode(random_bytes(bytes))
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
    fn api_key_hash_is_djangos_sha512_encoding() {
        // SHA-512("abc"), the FIPS 180-2 test vector.
        assert_eq!(
            hash_api_key("abc"),
            "sha512$$ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        let (_, key) = generate_api_key();
        let hashed = hash_api_key(&key);
        assert!(api_key_matches(&key, &hashed));
        assert!(!api_key_matches(&key, &hash_api_key("abc")));
        assert!(!api_key_matches(&key, &hashed[..hashed.len() - 1]));
        assert!(!api_key_matches(&key, ""));
    }

    #[test]
    fn random_hex_is_lowercase_hex_of_the_byte_count() {
        let h = random_hex(16);
        assert_eq!(h.len(), 32);
        assert!(h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(h, random_hex(16));
    }

    #[test]
    fn password_roundtrip() {
        let h = hash_password("s3cret-pass").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret-pass", &h));
        assert!(!verify_password("wrong", &h));
    }
}
