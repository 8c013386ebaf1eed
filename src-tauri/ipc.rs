//! Types that cross IPC. The TypeScript in `ui/src/lib/bindings/` is generated from these
//! (`UPDATE_BINDINGS=1 cargo test bindings`), and a test fails when the checked-in files drift.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the sign-in form remembers between runs. Never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Remembered {
    pub server: String,
    pub username: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UserInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub email: String,
}

impl From<&oas_api::User> for UserInfo {
    fn from(user: &oas_api::User) -> Self {
        Self { id: user.id, username: user.username.clone(), email: user.email.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SessionState {
    SignedOut {
        remembered: Remembered,
    },
    SignedIn {
        server: String,
        user: UserInfo,
        /// "…7Q2": enough to recognise the key, never the key.
        #[serde(rename = "apiKeyHint")]
        #[ts(rename = "apiKeyHint")]
        api_key_hint: String,
        /// False when the keychain was unavailable: the session lasts until the app closes.
        #[serde(rename = "staysSignedIn")]
        #[ts(rename = "staysSignedIn")]
        stays_signed_in: bool,
    },
}

/// What the sign-in form sends. It carries secrets, so it has no `Debug`.
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SignInRequest {
    pub server: String,
    pub api_key: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

/// The demo account a launcher script handed to the app (`OAS_DESKTOP_DEMO_CREDENTIALS`).
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoPrefill {
    pub server: String,
    pub api_key: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, IpcError};
    use std::path::PathBuf;
    use ts_rs::{Config, TS};

    fn bindings() -> Vec<(String, String)> {
        let cfg = Config::new();
        let mut out = Vec::new();
        macro_rules! collect {
            ($($t:ty),* $(,)?) => {$(
                out.push((<$t as TS>::name(&cfg), <$t as TS>::export_to_string(&cfg).unwrap()));
            )*};
        }
        collect!(
            Remembered,
            UserInfo,
            SessionState,
            SignInRequest,
            DemoPrefill,
            ErrorCode,
            IpcError,
        );
        out
    }

    /// Fails when the checked-in TypeScript differs from what the Rust types generate.
    #[test]
    fn bindings_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        let mut stale = Vec::new();
        for (name, text) in bindings() {
            let path = dir.join(format!("{name}.ts"));
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "TypeScript bindings out of date: {stale:?}. Run `UPDATE_BINDINGS=1 cargo test bindings`."
        );
    }

    #[test]
    fn session_state_json_shape() {
        let state = SessionState::SignedIn {
            server: "https://oas.example/api/".into(),
            user: UserInfo { id: 7, username: "ana".into(), email: "ana@example.com".into() },
            api_key_hint: "…jH".into(),
            stays_signed_in: true,
        };
        let value = serde_json::to_value(&state).unwrap();
        assert_eq!(value["status"], "signedIn");
        assert_eq!(value["apiKeyHint"], "…jH");
        assert_eq!(value["staysSignedIn"], true);
        let out = SessionState::SignedOut { remembered: Remembered::default() };
        assert_eq!(serde_json::to_value(&out).unwrap()["status"], "signedOut");
    }
}
