//! The signed-in session: the client, the access token in memory, the API key and refresh token
//! in the keychain. Tauri-free, so `cargo test` drives it against the real sandbox.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use oas_api::{ApiKey, Client, Password, ServerUrl, Session, User};
use tokio::sync::RwLock;

use crate::connectivity::{reach_of, Reach};
use crate::error::{ErrorCode, IpcError};
use crate::ipc::{Remembered, SessionState, SignInRequest, UserInfo};
use crate::secrets::{Account, Keychain, KeychainUnavailable};

/// How long sign-out waits for the server: the secrets are already gone by then.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(3);

/// Tells the UI that a session's state changed on its own (e.g. it will no longer be kept).
pub type StateListener = Arc<dyn Fn(SessionState) + Send + Sync>;

/// Keeps one session's rotated refresh tokens in the keychain, in order, until it ends.
struct Keeper {
    /// Serialises keychain writes; held while checking `latest` and `live`.
    write: Mutex<()>,
    latest: AtomicU64,
    live: AtomicBool,
    /// Whether the keychain holds this session (so the next start restores it).
    kept: AtomicBool,
}

impl Keeper {
    fn new(kept: bool) -> Arc<Self> {
        Arc::new(Self { write: Mutex::new(()), latest: AtomicU64::new(0), live: AtomicBool::new(true), kept: AtomicBool::new(kept) })
    }

    /// After this, no late rotation writes the ended session back into the keychain.
    fn close(&self) {
        let _guard = self.write.lock().unwrap_or_else(|e| e.into_inner());
        self.live.store(false, Ordering::SeqCst);
    }
}

/// One signed-in account.
#[derive(Clone)]
pub struct Active {
    /// Which sign-in this is: a late failure of an earlier session never ends this one.
    pub id: u64,
    pub account: Account,
    pub client: Client,
    pub session: Session,
    pub user: User,
    keeper: Arc<Keeper>,
}

impl Active {
    /// Whether the secrets are in the keychain (so the next start restores the session).
    pub fn persisted(&self) -> bool {
        self.keeper.kept.load(Ordering::SeqCst)
    }

    pub fn state(&self) -> SessionState {
        signed_in(&self.client, &self.user, self.persisted())
    }

    /// What the sign-in form should show after this account signs out.
    pub fn remembered(&self) -> Remembered {
        Remembered {
            server: self.client.server().as_str().to_string(),
            username: self.user.username.clone(),
            email: self.user.email.clone(),
            user_id: Some(self.user.id),
        }
    }
}

fn signed_in(client: &Client, user: &User, stays_signed_in: bool) -> SessionState {
    SessionState::SignedIn {
        server: client.server().as_str().to_string(),
        user: UserInfo::from(user),
        api_key_hint: client.api_key().hint(),
        stays_signed_in,
    }
}

/// The remembered account on this server, when the remembered profile names one.
fn remembered_account(remembered: &Remembered, server: &ServerUrl) -> Option<Account> {
    let same = ServerUrl::parse(&remembered.server).is_ok_and(|r| r.as_str() == server.as_str());
    Some(Account { server: server.as_str().to_string(), user_id: remembered.user_id.filter(|_| same)? })
}

impl Remembered {
    /// The account whose secrets the keychain may hold.
    pub fn account(&self) -> Option<Account> {
        remembered_account(self, &ServerUrl::parse(&self.server).ok()?)
    }
}

/// How versions before 0.2 named the keychain entries: what was typed, username first.
fn legacy_identity(username: &str, email: &str) -> String {
    let username = username.trim();
    if username.is_empty() { email.trim().to_string() } else { username.to_string() }
}

fn no_saved_key() -> IpcError {
    let mut error = IpcError::new(ErrorCode::Validation, "Type your API key: none is saved on this computer for this account.");
    error.fields = Some([("api_key".to_string(), vec![error.message.clone()])].into());
    error
}

/// Every signed-in server (one session each, keyed by its address: no two profiles share one)
/// and the one in use.
#[derive(Default)]
struct Signed {
    by_server: BTreeMap<String, Active>,
    current: Option<String>,
}

impl Signed {
    fn current(&self) -> Option<&Active> {
        self.by_server.get(self.current.as_ref()?)
    }

    /// Takes out the session of `server` and stops it writing to the keychain.
    fn end(&mut self, server: &str) -> Option<Active> {
        let ended = self.by_server.remove(server)?;
        ended.keeper.close();
        Some(ended)
    }
}

pub struct SessionManager {
    keychain: Keychain,
    active: RwLock<Signed>,
    next_id: AtomicU64,
    listener: OnceLock<StateListener>,
    reach: OnceLock<Arc<dyn Fn(Reach) + Send + Sync>>,
}

impl SessionManager {
    pub fn new(keychain: Keychain) -> Self {
        Self {
            keychain,
            active: RwLock::new(Signed::default()),
            next_id: AtomicU64::new(0),
            listener: OnceLock::new(),
            reach: OnceLock::new(),
        }
    }

    /// Called with what every signed-in call found out about reaching the server (connectivity).
    pub fn on_reach(&self, listener: impl Fn(Reach) + Send + Sync + 'static) {
        let _ = self.reach.set(Arc::new(listener));
    }

    /// Called when a session's state changes without a command asking (the app emits an event).
    pub fn on_state_change(&self, listener: impl Fn(SessionState) + Send + Sync + 'static) {
        let _ = self.listener.set(Arc::new(listener));
    }

    /// Keychain calls block (D-Bus, or a prompt): never on the async workers.
    async fn keychain<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Keychain) -> Result<T, KeychainUnavailable> + Send + 'static,
    ) -> Result<T, KeychainUnavailable> {
        let keychain = self.keychain.clone();
        tokio::task::spawn_blocking(move || f(&keychain)).await.unwrap_or(Err(KeychainUnavailable))
    }

    /// The session of the server in use, or "not signed in". Every call to a server starts
    /// here, so it goes to the server in use; its answer is settled with this same session.
    pub async fn current(&self) -> Result<Active, IpcError> {
        self.active.read().await.current().cloned().ok_or_else(IpcError::not_signed_in)
    }

    /// Switches to the server at this address (an API root; `None`: none yet). Its session, if it
    /// has one here, is the one in use from now on; the others stay signed in.
    pub async fn select(&self, server: Option<&str>) -> Option<Active> {
        let mut signed = self.active.write().await;
        signed.current = server.map(str::to_string);
        signed.current().cloned()
    }

    /// The session signed in to this address (an API root), in use or not.
    pub async fn session_of(&self, server: &str) -> Option<Active> {
        self.active.read().await.by_server.get(server).cloned()
    }

    /// Whether the server at this address is signed in: here, or kept in the keychain for the
    /// next start or switch to restore.
    pub async fn is_signed_in(&self, remembered: &Remembered) -> bool {
        if self.active.read().await.by_server.contains_key(&remembered.server) {
            return true;
        }
        let Some(account) = remembered.account() else { return false };
        self.keychain(move |k| k.retrieve(&account)).await.ok().flatten().is_some()
    }

    /// Signs in. A blank API key means "the one saved for the remembered account".
    pub async fn sign_in(&self, request: SignInRequest, remembered: &Remembered) -> Result<Active, IpcError> {
        let server = ServerUrl::parse(&request.server)?;
        let typed = request.api_key.trim().to_string();
        let saved_for = remembered_account(remembered, &server).filter(|_| typed.is_empty());
        let api_key = match &saved_for {
            _ if !typed.is_empty() => ApiKey::new(typed),
            Some(account) => {
                let account = account.clone();
                self.keychain(move |k| k.api_key(&account))
                    .await
                    .map_err(|_| IpcError::keychain_unavailable())?
                    .ok_or_else(no_saved_key)?
            }
            None => return Err(no_saved_key()),
        };
        let password = Password::new(request.password);
        let client = Client::new(server.clone(), api_key.clone())?;
        let (session, user) =
            client.login(request.username.trim(), request.email.trim(), &password).await?;
        // The saved key belongs to the remembered account, not to whoever signs in now.
        if saved_for.as_ref().is_some_and(|a| a.user_id != user.id) {
            let _ = tokio::time::timeout(LOGOUT_TIMEOUT, session.logout()).await;
            return Err(no_saved_key());
        }
        // `login/` does not look at the API key; one protected call tells a wrong key now,
        // at the form, rather than on the first screen after it.
        if let Err(error) = session.organisations_page(1).await {
            let _ = session.logout().await;
            return Err(error.into());
        }
        let account = Account { server: server.as_str().to_string(), user_id: user.id };
        let legacy: Vec<String> =
            [&request.username, &request.email, &user.username, &user.email].map(|s| s.trim().to_string()).into();
        let refresh = session.refresh_token();
        let stored = account.clone();
        let persisted = self
            .keychain(move |k| {
                k.persist(&stored, &api_key, &refresh)?;
                k.delete_legacy(&stored.server, legacy.iter().map(String::as_str))
            })
            .await
            .is_ok();
        Ok(self.activate(account, client, session, user, persisted).await)
    }

    /// Restores the session the keychain holds for the remembered account, refreshing the
    /// access token. `Ok(None)` when there is nothing to restore or the session has ended.
    /// It becomes the server in use; a session already signed in here is simply selected.
    pub async fn restore(&self, remembered: &Remembered) -> Result<Option<Active>, IpcError> {
        if remembered.server.is_empty() {
            self.select(None).await;
            return Ok(None);
        }
        let server = ServerUrl::parse(&remembered.server)?;
        if let Some(active) = self.select(Some(server.as_str())).await {
            return Ok(Some(active));
        }
        let account = remembered.account();
        let legacy = (remembered.username.clone(), remembered.email.clone());
        let (stored, from_legacy) = {
            let account = account.clone();
            let (origin, legacy) = (server.as_str().to_string(), legacy.clone());
            self.keychain(move |k| match account {
                Some(account) => Ok((k.retrieve(&account)?, false)),
                // Remembered by an older version: its entries are named by the typed identity.
                None => Ok((k.retrieve_legacy(&origin, &legacy_identity(&legacy.0, &legacy.1))?, true)),
            })
            .await
            .map_err(|_| IpcError::keychain_unavailable())?
        };
        let Some(stored) = stored else { return Ok(None) };
        let client = Client::new(server.clone(), stored.api_key.clone())?;
        let session = match client.resume(stored.refresh).await {
            Ok(session) => session,
            Err(oas_api::Error::SessionExpired) => {
                let _ = match account {
                    Some(account) => self.keychain(move |k| k.delete_refresh(&account)).await,
                    None => {
                        let (origin, names) = (server.as_str().to_string(), legacy.clone());
                        self.keychain(move |k| k.delete_legacy(&origin, [names.0.as_str(), names.1.as_str()])).await
                    }
                };
                return Ok(None);
            }
            // Offline or the server is down: keep the secrets and let the user try again.
            Err(error) => return Err(error.into()),
        };
        let user = session.user().await?;
        let account = Account { server: server.as_str().to_string(), user_id: user.id };
        let (stored_account, api_key, refresh) = (account.clone(), stored.api_key, session.refresh_token());
        let names = [legacy.0, legacy.1, user.username.clone(), user.email.clone()];
        let persisted = self
            .keychain(move |k| {
                if from_legacy {
                    k.persist(&stored_account, &api_key, &refresh)?;
                } else {
                    k.persist_refresh(&stored_account, &refresh)?;
                }
                k.delete_legacy(&stored_account.server, names.iter().map(String::as_str))
            })
            .await
            .is_ok();
        Ok(Some(self.activate(account, client, session, user, persisted).await))
    }

    async fn activate(
        &self,
        account: Account,
        client: Client,
        session: Session,
        user: User,
        persisted: bool,
    ) -> Active {
        let keeper = Keeper::new(persisted);
        if persisted {
            let (keychain, keeper, account) = (self.keychain.clone(), keeper.clone(), account.clone());
            let listener = self.listener.get().cloned();
            let not_kept = signed_in(&client, &user, false);
            session.on_refresh_rotated(move |refresh| {
                let turn = keeper.latest.fetch_add(1, Ordering::SeqCst) + 1;
                let (keychain, keeper, account, refresh) = (keychain.clone(), keeper.clone(), account.clone(), refresh.clone());
                let (listener, not_kept) = (listener.clone(), not_kept.clone());
                let write = move || {
                    let _guard = keeper.write.lock().unwrap_or_else(|e| e.into_inner());
                    // A newer token is on its way, or the session has ended: nothing to keep.
                    if keeper.latest.load(Ordering::SeqCst) != turn || !keeper.live.load(Ordering::SeqCst) {
                        return;
                    }
                    if keychain.persist_refresh(&account, &refresh).is_err() && keeper.kept.swap(false, Ordering::SeqCst) {
                        log::warn!("the keychain refused the new refresh token; this sign-in will not be kept");
                        if let Some(listener) = listener {
                            listener(not_kept);
                        }
                    }
                };
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => drop(runtime.spawn_blocking(write)),
                    Err(_) => write(),
                }
            });
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let active = Active { id, account, client, session, user, keeper };
        let mut signed = self.active.write().await;
        let server = active.account.server.clone();
        signed.end(&server);
        signed.by_server.insert(server.clone(), active.clone());
        signed.current = Some(server);
        active
    }

    /// The result of a call made with the session `by`, for IPC. A session the server has ended
    /// is forgotten here (its refresh token deleted, the API key kept), so the next start asks
    /// to sign in instead of failing again. Only that session: a late failure of an earlier
    /// one leaves the current session alone.
    pub async fn settle<T>(&self, by: &Active, result: Result<T, oas_api::Error>) -> Result<T, IpcError> {
        // Only the server in use speaks for the banner: a late answer from the one switched away
        // from says nothing about the one on screen.
        if let Some(listener) = self.reach.get() {
            let in_use = self.active.read().await.current().is_some_and(|a| a.id == by.id);
            if in_use {
                listener(reach_of(&result));
            }
        }
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if matches!(error, oas_api::Error::SessionExpired) {
            let mut signed = self.active.write().await;
            let server = &by.account.server;
            if signed.by_server.get(server).is_some_and(|a| a.id == by.id) {
                let ended = signed.end(server).expect("checked above");
                drop(signed);
                let account = ended.account.clone();
                let _ = self.keychain(move |k| k.delete_refresh(&account)).await;
            }
        }
        Err(error.into())
    }

    /// The server changed the signed-in user (the profile was edited): the session shows the new
    /// details. The keychain entries are filed under the user's id, so a new username or e-mail
    /// does not move them and the next start still restores this session.
    /// `by` is the session the change was made with (the person may have switched since).
    pub async fn user_changed(&self, by: &Active, user: User) -> Result<Active, IpcError> {
        let mut signed = self.active.write().await;
        let active = signed.by_server.get_mut(&by.account.server).filter(|a| a.id == by.id).ok_or_else(IpcError::not_signed_in)?;
        active.user = user;
        Ok(active.clone())
    }

    /// Replaces the API key in use (an administrator rotated it) without signing out: the new
    /// key is tried with one protected call first; only if the server accepts it does it replace
    /// the old one, in the client and in the keychain. On `api_key_rejected` the old key stays.
    pub async fn replace_api_key(&self, new_key: &str) -> Result<Active, IpcError> {
        let api_key = ApiKey::parse(new_key).map_err(|e| IpcError::field(ErrorCode::Validation, "api_key", e.to_string()))?;
        let active = self.current().await?;
        let checked = active.session.check_api_key(&api_key).await;
        self.settle(&active, checked).await?;
        active.client.set_api_key(api_key.clone())?;
        if active.persisted() {
            let (account, refresh) = (active.account.clone(), active.session.refresh_token());
            self.keychain(move |k| k.persist(&account, &api_key, &refresh))
                .await
                .map_err(|_| IpcError::keychain_unavailable())?;
        }
        Ok(active)
    }

    /// Forgets the session here first (so quitting half-way still signs out), then tells the
    /// server, briefly and best effort. The API key stays: signing in again needs only the
    /// password. Returns what the sign-in form shows next.
    /// Only the server in use: the others stay signed in.
    pub async fn sign_out(&self) -> Option<(Remembered, String)> {
        let active = {
            let mut signed = self.active.write().await;
            let server = signed.current.clone()?;
            signed.end(&server)?
        };
        let account = active.account.clone();
        if self.keychain(move |k| k.delete_refresh(&account)).await.is_err() {
            log::warn!("the keychain could not delete the refresh token at sign-out");
        }
        if tokio::time::timeout(LOGOUT_TIMEOUT, active.session.logout()).await.is_err() {
            log::info!("sign-out: the server did not answer in time; signed out here");
        }
        Some((active.remembered(), active.client.api_key().hint()))
    }

    /// "Key ending …7Q2 saved" for the sign-in form, when the keychain keeps one.
    pub async fn saved_key_hint(&self, remembered: &Remembered) -> Option<String> {
        let account = remembered.account()?;
        self.keychain(move |k| k.api_key(&account)).await.ok().flatten().map(|key| key.hint())
    }

    /// "Forget this server": the API key, the session and anything older versions left.
    /// Only this server's: the others stay signed in.
    pub async fn forget(&self, remembered: &Remembered) -> Result<(), IpcError> {
        let Ok(server) = ServerUrl::parse(&remembered.server) else { return Ok(()) };
        if let Some(active) = self.active.write().await.end(server.as_str()) {
            // Best effort: the session ends here whether or not the server hears of it.
            let _ = tokio::time::timeout(LOGOUT_TIMEOUT, active.session.logout()).await;
        }
        let (account, origin) = (remembered.account(), server.as_str().to_string());
        let names = [remembered.username.clone(), remembered.email.clone()];
        self.keychain(move |k| {
            if let Some(account) = account {
                k.delete(&account)?;
            }
            k.delete_legacy(&origin, names.iter().map(String::as_str))
        })
        .await
        .map_err(|_| IpcError::keychain_unavailable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oas_sandbox::{Config, Sandbox};

    fn keychain() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap())
    }

    fn request(sandbox: &Sandbox, api_key: &str, password: &str) -> SignInRequest {
        SignInRequest {
            server: sandbox.base_url(),
            api_key: api_key.to_string(),
            username: "ana".into(),
            email: "ana@example.com".into(),
            password: password.into(),
        }
    }

    #[tokio::test]
    async fn sign_in_persists_and_a_new_manager_restores() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();

        let first = SessionManager::new(keychain.clone());
        let active = first.sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default()).await.unwrap();
        assert!(active.persisted());
        let remembered = active.remembered();
        assert_eq!(remembered.server, format!("{}/api/", sandbox.base_url()));

        // A restart: a new manager with only the keychain and the remembered fields.
        let second = SessionManager::new(keychain.clone());
        let restored = second.restore(&remembered).await.unwrap().expect("restored");
        assert_eq!(restored.user.username, "ana");
        match restored.state() {
            SessionState::SignedIn { api_key_hint, .. } => {
                assert!(key.ends_with(api_key_hint.trim_start_matches('…')))
            }
            other => panic!("{other:?}"),
        }

        let (after, hint) = second.sign_out().await.unwrap();
        assert_eq!(after, remembered);
        assert!(key.ends_with(hint.trim_start_matches('…')));
        let third = SessionManager::new(keychain);
        assert!(third.restore(&remembered).await.unwrap().is_none());
        assert_eq!(third.saved_key_hint(&remembered).await, Some(hint), "signing out keeps the API key");
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn an_ended_session_is_forgotten_other_errors_are_not() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let active = manager.sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default()).await.unwrap();

        let error = manager.settle::<()>(&active, Err(oas_api::Error::Unreachable)).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::Unreachable);
        assert!(manager.current().await.is_ok());
        assert!(keychain.retrieve(&active.account).unwrap().is_some());

        let error = manager.settle::<()>(&active, Err(oas_api::Error::SessionExpired)).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::SessionExpired);
        assert!(manager.current().await.is_err());
        assert!(keychain.retrieve(&active.account).unwrap().is_none());
        assert!(keychain.api_key(&active.account).unwrap().is_some(), "the API key outlives the session");
        assert_eq!(manager.settle(&active, Ok(7)).await.unwrap(), 7);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn wrong_password_is_a_plain_error_and_nothing_is_stored() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let error = manager.sign_in(request(&sandbox, &key, "wrong"), &Remembered::default()).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::WrongCredentials);
        assert!(!error.message.contains("wrong"), "no secret echoed: {}", error.message);
        let account = Account { server: format!("{}/api/", sandbox.base_url()), user_id: 1 };
        assert!(keychain.retrieve(&account).unwrap().is_none());
        assert!(manager.current().await.is_err());
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn a_wrong_api_key_is_refused_at_sign_in() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let manager = SessionManager::new(keychain());
        let wrong = "AAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
        let error = manager.sign_in(request(&sandbox, wrong, "correct horse"), &Remembered::default()).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::ApiKeyRejected);
        assert!(manager.current().await.is_err());

        let revoked = sandbox.add_user("bea", "bea@example.com", "pw-pw-pw-pw").unwrap();
        sandbox.revoke_key(&revoked).unwrap();
        let mut req = request(&sandbox, &revoked, "pw-pw-pw-pw");
        req.username = "bea".into();
        req.email = "bea@example.com".into();
        let error = manager.sign_in(req, &Remembered::default()).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::ApiKeyRejected);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn an_unavailable_keychain_still_signs_in_for_this_run() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let manager = SessionManager::new(Keychain::unavailable());
        let active = manager.sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default()).await.unwrap();
        assert!(!active.persisted());
        let restore = SessionManager::new(Keychain::unavailable()).restore(&active.remembered()).await;
        assert_eq!(restore.err().map(|e| e.code), Some(ErrorCode::KeychainUnavailable));
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn plain_http_to_a_remote_host_is_refused() {
        let manager = SessionManager::new(keychain());
        let error = manager
            .sign_in(
                SignInRequest {
                    server: "http://oas.example.com".into(),
                    api_key: "k".into(),
                    username: "ana".into(),
                    email: String::new(),
                    password: "p".into(),
                },
                &Remembered::default(),
            )
            .await
            .err()
            .unwrap();
        assert_eq!(error.code, ErrorCode::InsecureAddress);
    }

    fn by_email(sandbox: &Sandbox, api_key: &str, email: &str) -> SignInRequest {
        SignInRequest { username: String::new(), email: email.into(), ..request(sandbox, api_key, "correct horse") }
    }

    #[tokio::test]
    async fn signing_in_by_email_alone_is_restored_and_old_entries_are_cleaned_up() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let server = format!("{}/api/", sandbox.base_url());
        // What version 0.1 left behind when this person signed in by username, then by e-mail.
        keychain.plant_legacy(&server, "ana", &key, "stale");
        keychain.plant_legacy(&server, "Ana@Example.com", &key, "stale");

        let first = SessionManager::new(keychain.clone());
        let active = first.sign_in(by_email(&sandbox, &key, "  Ana@Example.com "), &Remembered::default()).await.unwrap();
        let remembered = active.remembered();
        assert_eq!(remembered.user_id, Some(active.user.id));

        let restored = SessionManager::new(keychain.clone()).restore(&remembered).await.unwrap();
        assert_eq!(restored.expect("restored").user.username, "ana");
        for identity in ["ana", "Ana@Example.com", "ana@example.com"] {
            assert!(keychain.retrieve_legacy(&server, identity).unwrap().is_none(), "{identity} left behind");
        }
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn a_profile_remembered_by_an_older_version_is_restored_and_moved() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let signed_in = SessionManager::new(keychain.clone())
            .sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default())
            .await
            .unwrap();
        let server = format!("{}/api/", sandbox.base_url());
        keychain.plant_legacy(&server, "ana", &key, signed_in.session.refresh_token().expose());
        keychain.delete(&signed_in.account).unwrap();
        let old = Remembered { user_id: None, ..signed_in.remembered() };

        let restored = SessionManager::new(keychain.clone()).restore(&old).await.unwrap().expect("restored");
        assert!(keychain.retrieve(&restored.account).unwrap().is_some());
        assert!(keychain.retrieve_legacy(&server, "ana").unwrap().is_none());
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn a_late_expiry_of_the_previous_session_does_not_end_the_new_one() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let ana_key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let bea_key = sandbox.add_user("bea", "bea@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let ana = manager.sign_in(request(&sandbox, &ana_key, "correct horse"), &Remembered::default()).await.unwrap();
        // Ana's list is in flight when she signs out and Bea signs in.
        let late = ana.session.list_all_organisations();
        manager.sign_out().await.unwrap();
        let bea = manager.sign_in(by_email(&sandbox, &bea_key, "bea@example.com"), &Remembered::default()).await.unwrap();
        let result = late.await;
        assert!(matches!(result, Err(oas_api::Error::SessionExpired)), "{result:?}");

        let error = manager.settle(&ana, result).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::SessionExpired);
        assert_eq!(manager.current().await.unwrap().id, bea.id, "Bea stays signed in");
        assert!(keychain.retrieve(&bea.account).unwrap().is_some(), "Bea's secrets stay");
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn a_refused_keychain_write_says_the_sign_in_will_not_be_kept() {
        let sandbox = Sandbox::start(Config { rotate_refresh: true, ..Config::default() }).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        manager.on_state_change(move |state| drop(tx.send(state)));
        let active = manager.sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default()).await.unwrap();
        assert!(active.persisted());

        keychain.fail_next_refresh_write(&active.account);
        active.session.refresh_now().await.unwrap();
        match rx.recv().await.expect("told") {
            SessionState::SignedIn { stays_signed_in, user, .. } => {
                assert!(!stays_signed_in);
                assert_eq!(user.username, "ana");
            }
            other => panic!("{other:?}"),
        }
        assert!(!manager.current().await.unwrap().persisted());
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn sign_out_keeps_the_key_then_only_the_password_is_needed_and_forget_removes_it() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        sandbox.add_user("bea", "bea@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let active = manager.sign_in(request(&sandbox, &key, "correct horse"), &Remembered::default()).await.unwrap();
        let (remembered, _) = manager.sign_out().await.unwrap();
        assert!(keychain.retrieve(&active.account).unwrap().is_none(), "the session is gone");

        let no_key = SignInRequest { api_key: String::new(), ..request(&sandbox, "", "correct horse") };
        let again = manager.sign_in(no_key, &remembered).await.unwrap();
        assert_eq!(again.client.api_key().expose(), key);
        manager.sign_out().await.unwrap();

        // The saved key is Ana's: Bea signing in with a blank key is asked for hers.
        let bea = SignInRequest { api_key: String::new(), username: "bea".into(), email: "bea@example.com".into(), ..request(&sandbox, "", "correct horse") };
        let error = manager.sign_in(bea, &remembered).await.err().unwrap();
        assert!(error.fields.unwrap().contains_key("api_key"));

        manager.forget(&remembered).await.unwrap();
        assert_eq!(manager.saved_key_hint(&remembered).await, None);
        let no_key = SignInRequest { api_key: String::new(), ..request(&sandbox, "", "correct horse") };
        assert_eq!(manager.sign_in(no_key, &remembered).await.err().unwrap().code, ErrorCode::Validation);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn two_servers_stay_signed_in_side_by_side_and_a_late_answer_stays_with_its_own() {
        let a = Sandbox::start(Config { clock: oas_sandbox::Clock::manual(), ..Config::default() }).await.unwrap();
        let b = Sandbox::start(Config::default()).await.unwrap();
        let a_key = a.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let b_key = b.add_user("ana", "ana@example.com", "correct horse").unwrap();
        a.seed_orgs("ana", 2).unwrap();
        b.seed_orgs("ana", 5).unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let on_a = manager.sign_in(request(&a, &a_key, "correct horse"), &Remembered::default()).await.unwrap();
        let on_b = manager.sign_in(request(&b, &b_key, "correct horse"), &Remembered::default()).await.unwrap();
        assert_eq!(manager.current().await.unwrap().id, on_b.id, "the last sign-in is in use");

        // A's list is in flight when the person switches to B; then A's session ends on the
        // server. The late answer ends A's session only, and never B's.
        let late = on_a.session.list_all_organisations();
        a.advance_clock(Duration::from_secs(2 * 86_400));
        let error = manager.settle(&on_a, late.await).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::SessionExpired);
        assert_eq!(manager.current().await.unwrap().id, on_b.id);
        assert!(keychain.retrieve(&on_b.account).unwrap().is_some(), "B's session is kept");
        assert!(keychain.retrieve(&on_a.account).unwrap().is_none(), "A's session is over");
        assert!(keychain.api_key(&on_a.account).unwrap().is_some(), "A's key stays for its next sign-in");
        assert!(manager.session_of(&on_a.account.server).await.is_none());

        // Sign in to A again; switching is choosing: each call goes to the one in use.
        manager.sign_in(request(&a, &a_key, "correct horse"), &Remembered::default()).await.unwrap();
        let in_use = manager.select(Some(&on_b.account.server)).await.unwrap();
        assert_eq!(in_use.session.list_all_organisations().await.unwrap().len(), 5);
        let in_use = manager.select(Some(&on_a.account.server)).await.unwrap();
        assert_eq!(in_use.session.list_all_organisations().await.unwrap().len(), 2);

        // Signing out of A leaves B signed in; a restart restores B by its own remembered details.
        manager.sign_out().await.unwrap();
        assert!(manager.current().await.is_err());
        assert!(manager.session_of(&on_b.account.server).await.is_some());
        assert!(manager.is_signed_in(&on_b.remembered()).await);
        assert!(!manager.is_signed_in(&on_a.remembered()).await);
        let restarted = SessionManager::new(keychain.clone());
        assert!(restarted.is_signed_in(&on_b.remembered()).await, "kept in the keychain");
        assert_eq!(restarted.restore(&on_b.remembered()).await.unwrap().unwrap().account, on_b.account);
        a.shutdown().await;
        b.shutdown().await;
    }

    #[tokio::test]
    async fn forgetting_one_server_leaves_the_other_signed_in() {
        let a = Sandbox::start(Config::default()).await.unwrap();
        let b = Sandbox::start(Config::default()).await.unwrap();
        let a_key = a.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let b_key = b.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let on_a = manager.sign_in(request(&a, &a_key, "correct horse"), &Remembered::default()).await.unwrap();
        let on_b = manager.sign_in(request(&b, &b_key, "correct horse"), &Remembered::default()).await.unwrap();
        manager.forget(&on_a.remembered()).await.unwrap();
        assert_eq!(keychain.api_key(&on_a.account).unwrap(), None);
        assert!(manager.session_of(&on_a.account.server).await.is_none());
        assert_eq!(manager.current().await.unwrap().id, on_b.id);
        assert!(keychain.retrieve(&on_b.account).unwrap().is_some());
        a.shutdown().await;
        b.shutdown().await;
    }
}
