//! The only module that touches the OS keychain. Secrets are namespaced per app identity, server
//! and account; the API key and refresh token live here, nowhere else on disk.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use oas_api::{ApiKey, RefreshToken};

/// The keychain service name: the app's identifier, so entries are easy to find and remove.
pub const SERVICE: &str = "me.ottomate.oas.desktop";

/// Which account on which server a set of secrets belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub server: String,
    pub identity: String,
}

impl Account {
    fn entry_name(&self, what: &str) -> String {
        format!("{} {} {what}", self.server, self.identity)
    }
}

/// The keychain could not be used (locked, missing, no session bus). Never a plaintext fallback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the keychain is unavailable")]
pub struct KeychainUnavailable;

/// Where the secrets of one signed-in account are kept.
#[derive(Clone)]
pub struct Keychain {
    /// Opened on first use: connecting to the platform's store stays off the start-up path
    /// when there is no session to restore.
    store: Arc<OnceLock<Option<Arc<CredentialStore>>>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let available = self.store.get().map(Option::is_some);
        f.debug_struct("Keychain").field("available", &available).finish()
    }
}

pub struct StoredSecrets {
    pub api_key: ApiKey,
    pub refresh: RefreshToken,
}

impl Keychain {
    /// The platform's own store: Secret Service on Linux, Keychain on macOS, Credential Manager
    /// on Windows.
    pub fn platform() -> Self {
        Self { store: Arc::new(OnceLock::new()) }
    }

    fn fixed(store: Option<Arc<CredentialStore>>) -> Self {
        Self { store: Arc::new(OnceLock::from(store)) }
    }

    /// A keychain over any store (tests use keyring-core's mock store).
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self::fixed(Some(store))
    }

    /// A keychain that is never available, as on a machine with none.
    pub fn unavailable() -> Self {
        Self::fixed(None)
    }

    fn entry(&self, account: &Account, what: &str) -> Result<Entry, KeychainUnavailable> {
        let store = self.store.get_or_init(platform_store).as_ref().ok_or(KeychainUnavailable)?;
        Entry::new_in_store(store, SERVICE, &account.entry_name(what)).map_err(|_| KeychainUnavailable)
    }

    pub fn persist(
        &self,
        account: &Account,
        api_key: &ApiKey,
        refresh: &RefreshToken,
    ) -> Result<(), KeychainUnavailable> {
        self.entry(account, "api-key")?.set_password(api_key.expose()).map_err(|_| KeychainUnavailable)?;
        self.persist_refresh(account, refresh)
    }

    pub fn persist_refresh(
        &self,
        account: &Account,
        refresh: &RefreshToken,
    ) -> Result<(), KeychainUnavailable> {
        self.entry(account, "refresh-token")?
            .set_password(refresh.expose())
            .map_err(|_| KeychainUnavailable)
    }

    /// `Ok(None)` when nothing is stored for this account (signed out).
    pub fn retrieve(&self, account: &Account) -> Result<Option<StoredSecrets>, KeychainUnavailable> {
        let read = |what| match self.entry(account, what)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(_) => Err(KeychainUnavailable),
        };
        match (read("api-key")?, read("refresh-token")?) {
            (Some(key), Some(refresh)) => Ok(Some(StoredSecrets {
                api_key: ApiKey::new(key),
                refresh: RefreshToken::new(refresh),
            })),
            _ => Ok(None),
        }
    }

    pub fn delete(&self, account: &Account) -> Result<(), KeychainUnavailable> {
        for what in ["api-key", "refresh-token"] {
            match self.entry(account, what)?.delete_credential() {
                Ok(()) | Err(KeyringError::NoEntry) => {}
                Err(_) => return Err(KeychainUnavailable),
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Option<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = dbus_secret_service_keyring_store::Store::new().ok()?;
    Some(store)
}

#[cfg(target_os = "macos")]
fn platform_store() -> Option<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new().ok()?;
    Some(store)
}

#[cfg(target_os = "windows")]
fn platform_store() -> Option<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new().ok()?;
    Some(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Option<Arc<CredentialStore>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account { server: "http://127.0.0.1:8765/api/".into(), identity: "demo".into() }
    }

    fn mock() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap())
    }

    #[test]
    fn persists_retrieves_and_deletes() {
        let keychain = mock();
        assert!(keychain.retrieve(&account()).unwrap().is_none());
        keychain
            .persist(&account(), &ApiKey::new("A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH"), &RefreshToken::new("r1"))
            .unwrap();
        let stored = keychain.retrieve(&account()).unwrap().unwrap();
        assert_eq!(stored.api_key.expose(), "A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH");
        assert_eq!(stored.refresh.expose(), "r1");

        keychain.persist_refresh(&account(), &RefreshToken::new("r2")).unwrap();
        assert_eq!(keychain.retrieve(&account()).unwrap().unwrap().refresh.expose(), "r2");

        keychain.delete(&account()).unwrap();
        assert!(keychain.retrieve(&account()).unwrap().is_none());
        keychain.delete(&account()).unwrap();
    }

    #[test]
    fn accounts_do_not_share_secrets() {
        let keychain = mock();
        keychain.persist(&account(), &ApiKey::new("k"), &RefreshToken::new("r")).unwrap();
        let other = Account { identity: "someone".into(), ..account() };
        assert!(keychain.retrieve(&other).unwrap().is_none());
    }

    #[test]
    fn unavailable_keychain_is_an_error_not_a_crash() {
        let keychain = Keychain::unavailable();
        assert_eq!(keychain.retrieve(&account()).err(), Some(KeychainUnavailable));
        assert!(keychain.persist(&account(), &ApiKey::new("k"), &RefreshToken::new("r")).is_err());
        assert!(format!("{keychain:?}").contains("available"));
    }
}
