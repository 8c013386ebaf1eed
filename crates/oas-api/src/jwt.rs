//! Reads `exp`/`iat` from a JWT payload, without verifying it (the server verifies).

/// The claims the client uses for proactive refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub exp: Option<i64>,
    pub iat: Option<i64>,
}

/// Decodes the middle part of `header.payload.signature`. `None` for anything else.
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.split('.');
    let (_h, payload, _s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > 16 * 1024 {
        return None;
    }
    let bytes = base64url_decode(payload)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let num = |k: &str| {
        v.get(k).and_then(|n| n.as_i64().or_else(|| n.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| f as i64)))
    };
    if !v.is_object() {
        return None;
    }
    Some(Claims { exp: num("exp"), iat: num("iat") })
}

/// base64url, as lenient as the server may be: padding optional, the standard alphabet's `+` and
/// `/` accepted, stray trailing bits ignored.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    use base64::engine::{general_purpose::GeneralPurposeConfig, DecodePaddingMode, GeneralPurpose};
    use base64::{alphabet, Engine};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(s.replace('+', "-").replace('/', "_")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_simplejwt_token() {
        // {"token_type":"access","exp":1764309600,"iat":1764309300,"jti":"x","user_id":1}
        let payload = "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY0MzA5NjAwLCJpYXQiOjE3NjQzMDkzMDAsImp0aSI6IngiLCJ1c2VyX2lkIjoxfQ";
        let c = claims(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")).unwrap();
        assert_eq!(c, Claims { exp: Some(1764309600), iat: Some(1764309300) });
        assert_eq!(claims("not a jwt"), None);
        assert_eq!(claims("a.b"), None);
        assert_eq!(claims("a.!!!.c"), None);
        assert_eq!(base64url_decode("aGk").unwrap(), b"hi");
        assert_eq!(base64url_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64url_decode("_-8").unwrap(), vec![0xff, 0xef]);
    }
}
