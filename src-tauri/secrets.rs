//! The only module that touches the OS keychain. Secrets are namespaced per app identity, server
//! and account; the API key and refresh token live here, nowhere else on disk.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use oas_api::{ApiKey, RefreshToken};

/// The keychain service name: the app's identifier, so entries are easy to find and remove.
pub const SERVICE: &str = "me.ottomate.oas.desktop";

/// Which account on which server a set of secrets belongs to: the server's user id, stable
/// however the person typed their username or e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub server: String,
    pub user_id: i64,
}

impl Account {
    fn entry_name(&self, what: &str) -> String {
        format!("{} user#{} {what}", self.server, self.user_id)
    }
}

/// How versions before 0.2 named entries: by what was typed (`"<server> <identity> <what>"`).
fn legacy_entry_name(server: &str, identity: &str, what: &str) -> String {
    format!("{server} {identity} {what}")
}

const API_KEY: &str = "api-key";
const REFRESH: &str = "refresh-token";

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

    fn named(&self, name: &str) -> Result<Entry, KeychainUnavailable> {
        let store = self.store.get_or_init(platform_store).as_ref().ok_or(KeychainUnavailable)?;
        Entry::new_in_store(store, SERVICE, name).map_err(|_| KeychainUnavailable)
    }

    fn entry(&self, account: &Account, what: &str) -> Result<Entry, KeychainUnavailable> {
        self.named(&account.entry_name(what))
    }

    fn read(&self, name: &str) -> Result<Option<String>, KeychainUnavailable> {
        match self.named(name)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(_) => Err(KeychainUnavailable),
        }
    }

    fn remove(&self, name: &str) -> Result<(), KeychainUnavailable> {
        match self.named(name)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(_) => Err(KeychainUnavailable),
        }
    }

    pub fn persist(
        &self,
        account: &Account,
        api_key: &ApiKey,
        refresh: &RefreshToken,
    ) -> Result<(), KeychainUnavailable> {
        self.entry(account, API_KEY)?.set_password(api_key.expose()).map_err(|_| KeychainUnavailable)?;
        self.persist_refresh(account, refresh)
    }

    pub fn persist_refresh(
        &self,
        account: &Account,
        refresh: &RefreshToken,
    ) -> Result<(), KeychainUnavailable> {
        self.entry(account, REFRESH)?
            .set_password(refresh.expose())
            .map_err(|_| KeychainUnavailable)
    }

    /// `Ok(None)` when nothing is stored for this account (signed out).
    pub fn retrieve(&self, account: &Account) -> Result<Option<StoredSecrets>, KeychainUnavailable> {
        let key = self.read(&account.entry_name(API_KEY))?;
        let refresh = self.read(&account.entry_name(REFRESH))?;
        Ok(pair(key, refresh))
    }

    /// The API key kept for this account, signed in or not (it outlives sign-out).
    pub fn api_key(&self, account: &Account) -> Result<Option<ApiKey>, KeychainUnavailable> {
        Ok(self.read(&account.entry_name(API_KEY))?.map(ApiKey::new))
    }

    /// Ends the stored session; the API key stays.
    pub fn delete_refresh(&self, account: &Account) -> Result<(), KeychainUnavailable> {
        self.remove(&account.entry_name(REFRESH))
    }

    /// Everything kept for this account: the session and the API key.
    pub fn delete(&self, account: &Account) -> Result<(), KeychainUnavailable> {
        self.remove(&account.entry_name(API_KEY))?;
        self.remove(&account.entry_name(REFRESH))
    }

    /// Secrets an older version kept under what was typed at sign-in.
    pub fn retrieve_legacy(&self, server: &str, identity: &str) -> Result<Option<StoredSecrets>, KeychainUnavailable> {
        let key = self.read(&legacy_entry_name(server, identity, API_KEY))?;
        let refresh = self.read(&legacy_entry_name(server, identity, REFRESH))?;
        Ok(pair(key, refresh))
    }

    /// Removes what older versions may have left under each name the person may have typed
    /// (the store cannot list entries, so every candidate is named).
    pub fn delete_legacy<'a>(
        &self,
        server: &str,
        identities: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), KeychainUnavailable> {
        for identity in identities.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
            for what in [API_KEY, REFRESH] {
                self.remove(&legacy_entry_name(server, identity, what))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
impl Keychain {
    /// Makes the next write of this account's refresh token fail, as a locked keychain would.
    pub fn fail_next_refresh_write(&self, account: &Account) {
        let entry = self.entry(account, REFRESH).unwrap();
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(KeyringError::Invalid("mock".into(), "the keychain refused".into()));
    }

    /// Writes an entry the way versions before 0.2 named it.
    pub fn plant_legacy(&self, server: &str, identity: &str, api_key: &str, refresh: &str) {
        self.named(&legacy_entry_name(server, identity, API_KEY)).unwrap().set_password(api_key).unwrap();
        self.named(&legacy_entry_name(server, identity, REFRESH)).unwrap().set_password(refresh).unwrap();
    }
}

fn pair(key: Option<String>, refresh: Option<String>) -> Option<StoredSecrets> {
    match (key, refresh) {
        (Some(key), Some(refresh)) => Some(StoredSecrets { api_key: ApiKey::new(key), refresh: RefreshToken::new(refresh) }),
        _ => None,
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
        Account { server: "http://127.0.0.1:8765/api/".into(), user_id: 1 }
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

        keychain.delete_refresh(&account()).unwrap();
        assert!(keychain.retrieve(&account()).unwrap().is_none());
        assert!(keychain.api_key(&account()).unwrap().is_some(), "signing out keeps the key");

        keychain.delete(&account()).unwrap();
        assert!(keychain.api_key(&account()).unwrap().is_none());
        keychain.delete(&account()).unwrap();
    }

    #[test]
    fn legacy_entries_are_read_and_removed_by_every_typed_name() {
        let keychain = mock();
        let server = "http://127.0.0.1:8765/api/";
        for identity in ["demo", "demo@example.com"] {
            for what in [API_KEY, REFRESH] {
                keychain.named(&legacy_entry_name(server, identity, what)).unwrap().set_password("old").unwrap();
            }
        }
        assert!(keychain.retrieve_legacy(server, "demo@example.com").unwrap().is_some());
        keychain.delete_legacy(server, ["demo", " demo@example.com ", ""]).unwrap();
        assert!(keychain.retrieve_legacy(server, "demo").unwrap().is_none());
        assert!(keychain.retrieve_legacy(server, "demo@example.com").unwrap().is_none());
    }

    #[test]
    fn accounts_do_not_share_secrets() {
        let keychain = mock();
        keychain.persist(&account(), &ApiKey::new("k"), &RefreshToken::new("r")).unwrap();
        let other = Account { user_id: 2, ..account() };
        assert!(keychain.retrieve(&other).unwrap().is_none());
    }

    #[test]
    fn unavailable_keychain_is_an_error_not_a_crash() {
        let keychain = Keychain::unavailable();
        assert_eq!(keychain.retrieve(&account()).err(), Some(KeychainUnavailable));
        assert!(keychain.persist(&account(), &ApiKey::new("k"), &RefreshToken::new("r")).is_err());
        // Debug says whether the store could be opened, and nothing else.
        assert_eq!(format!("{keychain:?}"), "Keychain { available: Some(false) }");
        assert_eq!(format!("{:?}", mock()), "Keychain { available: Some(true) }");
        assert_eq!(format!("{:?}", Keychain::platform()), "Keychain { available: None }", "not opened until first use");
    }
}
