//! Secret newtypes: their `Debug` and `Display` never show the secret, and their memory is
//! wiped (`zeroize`) when they are dropped.

use std::fmt;

use zeroize::Zeroize;

macro_rules! secret {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(secret: impl Into<String>) -> Self {
                Self(secret.into())
            }
            /// The secret itself: only for putting it on the wire or in the keychain.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }
    };
}

secret!(
    /// An OAS API key (sent as `X-Api-Key`), issued by an OAS administrator.
    ApiKey
);
secret!(
    /// A user's password: sent to `login/` only, never stored.
    Password
);
secret!(
    /// A short-lived JWT access token (kept in memory only).
    AccessToken
);
secret!(
    /// A JWT refresh token (the app keeps it in the OS keychain).
    RefreshToken
);

/// Why a pasted API key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("empty API key")]
    Empty,
    #[error("API key with spaces or characters that cannot be in a key")]
    Invalid,
}

impl ApiKeyError {
    pub fn code(&self) -> &'static str {
        "invalid_api_key"
    }
}

impl ApiKey {
    /// Loose check of a pasted key: surrounding spaces are removed; it must be non-empty and
    /// contain only visible ASCII characters (it becomes an HTTP header). The format is not
    /// otherwise checked: keys of another shape are accepted.
    pub fn parse(input: &str) -> Result<ApiKey, ApiKeyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ApiKeyError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiKeyError::Invalid);
        }
        Ok(ApiKey::new(s))
    }

    /// "…" followed by the key's last three characters (just "…" for a very short key), to tell
    /// keys apart on screen without showing them.
    pub fn hint(&self) -> String {
        let n = self.0.chars().count();
        if n < 8 {
            return "…".to_string();
        }
        let tail: String = self.0.chars().skip(n - 3).collect();
        format!("…{tail}")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.hint())
    }
}
impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hint())
    }
}

macro_rules! fully_masked {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }
    )*};
}
fully_masked!(Password, AccessToken, RefreshToken);

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH";

    #[test]
    fn debug_and_display_are_masked() {
        let k = ApiKey::new(KEY);
        assert_eq!(format!("{k:?}"), "ApiKey(…UjH)");
        assert_eq!(format!("{k}"), "…UjH");
        assert_eq!(k.hint(), "…UjH");
        assert_eq!(k.expose(), KEY);
        let p = Password::new("hunter2-secret");
        let a = AccessToken::new("eyJhbGciOi.eyJleHAiOjF9.sig");
        let r = RefreshToken::new("eyJhbGciOi.eyJleHAiOjJ9.sig2");
        for s in [format!("{p:?}"), format!("{p}"), format!("{a:?}"), format!("{a}"), format!("{r:?}"), format!("{r}"), format!("{:?}", (&k, &p, Some(&r)))] {
            assert!(!s.contains("hunter2"), "{s}");
            assert!(!s.contains("eyJ"), "{s}");
            assert!(!s.contains("2tBY21"), "{s}");
        }
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(format!("{a:?}"), "AccessToken(***)");
        assert_eq!(format!("{r:?}"), "RefreshToken(***)");
        assert_eq!(format!("{:#?}", ApiKey::new("short")), "ApiKey(…)");
    }

    #[test]
    fn parse_is_loose() {
        assert_eq!(ApiKey::parse(&format!("  {KEY}\n")).unwrap().expose(), KEY);
        assert_eq!(ApiKey::parse("some-other-format_key").unwrap().expose(), "some-other-format_key");
        assert_eq!(ApiKey::parse("  "), Err(ApiKeyError::Empty));
        assert_eq!(ApiKey::parse("abc def"), Err(ApiKeyError::Invalid));
        assert_eq!(ApiKey::parse("abc\tdef"), Err(ApiKeyError::Invalid));
        assert_eq!(ApiKey::parse("clé"), Err(ApiKeyError::Invalid));
    }
}
