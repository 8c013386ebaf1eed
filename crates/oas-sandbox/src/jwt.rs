//! HS256 JSON Web Tokens shaped like djangorestframework-simplejwt's.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// simplejwt's claims, in its order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub token_type: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    /// simplejwt writes the user id as a string; integers are accepted when reading.
    pub user_id: serde_json::Value,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        match &self.user_id {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }
}

/// Why a token was refused, with simplejwt's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
    WrongType,
    NoId,
    Blacklisted,
}

impl TokenError {
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Invalid => "Token is invalid",
            TokenError::Expired => "Token is expired",
            TokenError::WrongType => "Token has wrong type",
            TokenError::NoId => "Token has no id",
            TokenError::Blacklisted => "Token is blacklisted",
        }
    }
}

pub fn encode(secret: &[u8], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signing_input = format!("{header}.{payload}");
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

/// Checks signature and expiry (like PyJWT), then the type (like simplejwt).
/// `expected_type` None = any type (`UntypedToken`).
pub fn decode(
    secret: &[u8],
    token: &str,
    expected_type: Option<&str>,
    now: i64,
) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Invalid);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Invalid)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenError::Invalid);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| TokenError::Invalid)?;
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
    let payload: serde_json::Value = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(TokenError::Invalid)?;
    match payload.get("exp").and_then(|e| e.as_f64()) {
        Some(exp) if (exp as i64) <= now => return Err(TokenError::Expired),
        Some(_) => {}
        None => return Err(TokenError::Invalid),
    }
    let token_type = payload.get("token_type").and_then(|t| t.as_str()).unwrap_or("");
    if let Some(expected) = expected_type {
        if token_type != expected {
            return Err(TokenError::WrongType);
        }
    }
    if payload.get("jti").and_then(|j| j.as_str()).is_none() {
        return Err(TokenError::NoId);
    }
    serde_json::from_value(payload).map_err(|_| TokenError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(kind: &str, exp: i64) -> Claims {
        Claims { token_type: kind.into(), exp, iat: 0, jti: "abc".into(), user_id: "7".into() }
    }

    #[test]
    fn roundtrip_and_errors() {
        let t = encode(b"k", &claims("access", 100));
        let c = decode(b"k", &t, Some("access"), 50).unwrap();
        assert_eq!(c.user_id(), Some(7));
        assert_eq!(decode(b"k", &t, Some("access"), 100).unwrap_err(), TokenError::Expired);
        assert_eq!(decode(b"k", &t, Some("refresh"), 50).unwrap_err(), TokenError::WrongType);
        assert_eq!(decode(b"x", &t, Some("access"), 50).unwrap_err(), TokenError::Invalid);
        assert_eq!(decode(b"k", "garbage", None, 50).unwrap_err(), TokenError::Invalid);
    }
}
