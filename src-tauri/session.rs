//! The signed-in session: the client, the access token in memory, the API key and refresh token
//! in the keychain. Tauri-free, so `cargo test` drives it against the real sandbox.

use std::sync::Arc;

use oas_api::{ApiKey, Client, Password, ServerUrl, Session, User};
use tokio::sync::RwLock;

use crate::error::{ErrorCode, IpcError};
use crate::ipc::{Remembered, SessionState, SignInRequest, UserInfo};
use crate::secrets::{Account, Keychain};

/// One signed-in account.
#[derive(Clone)]
pub struct Active {
    pub account: Account,
    pub client: Client,
    pub session: Session,
    pub user: User,
    /// Whether the secrets reached the keychain (so the next start restores the session).
    pub persisted: bool,
    /// Where a rotated refresh token is saved; follows the account when its username changes.
    keychain_account: Arc<std::sync::Mutex<Account>>,
}

impl Active {
    pub fn state(&self) -> SessionState {
        SessionState::SignedIn {
            server: self.client.server().as_str().to_string(),
            user: UserInfo::from(&self.user),
            api_key_hint: self.client.api_key().hint(),
            stays_signed_in: self.persisted,
        }
    }

    /// What the sign-in form should show after this account signs out.
    pub fn remembered(&self) -> Remembered {
        Remembered {
            server: self.client.server().as_str().to_string(),
            username: self.user.username.clone(),
            email: self.user.email.clone(),
        }
    }
}

/// The account the keychain entries belong to: username, or email when signing in by email.
fn identity(username: &str, email: &str) -> String {
    let username = username.trim();
    if username.is_empty() { email.trim().to_string() } else { username.to_string() }
}

pub struct SessionManager {
    keychain: Keychain,
    active: RwLock<Option<Active>>,
}

impl SessionManager {
    pub fn new(keychain: Keychain) -> Self {
        Self { keychain, active: RwLock::new(None) }
    }

    /// The signed-in session, or "not signed in".
    pub async fn current(&self) -> Result<Active, IpcError> {
        self.active.read().await.clone().ok_or_else(IpcError::not_signed_in)
    }

    pub async fn sign_in(&self, request: SignInRequest) -> Result<Active, IpcError> {
        let server = ServerUrl::parse(&request.server)?;
        let api_key = ApiKey::new(request.api_key.trim().to_string());
        let password = Password::new(request.password);
        let client = Client::new(server.clone(), api_key.clone())?;
        let (session, user) =
            client.login(request.username.trim(), request.email.trim(), &password).await?;
        // `login/` does not look at the API key; one protected call tells a wrong key now,
        // at the form, rather than on the first screen after it.
        if let Err(error) = session.organisations_page(1).await {
            let _ = session.logout().await;
            return Err(error.into());
        }
        let account = Account {
            server: server.as_str().to_string(),
            identity: identity(&request.username, &request.email),
        };
        let persisted = self.keychain.persist(&account, &api_key, &session.refresh_token()).is_ok();
        let active = self.activate(account, client, session, user, persisted);
        Ok(active.await)
    }

    /// Restores the session the keychain holds for the remembered account, refreshing the
    /// access token. `Ok(None)` when there is nothing to restore or the session has ended.
    pub async fn restore(&self, remembered: &Remembered) -> Result<Option<Active>, IpcError> {
        if let Some(active) = self.active.read().await.clone() {
            return Ok(Some(active));
        }
        if remembered.server.is_empty() {
            return Ok(None);
        }
        let account = Account {
            server: remembered.server.clone(),
            identity: identity(&remembered.username, &remembered.email),
        };
        let Some(stored) = self.keychain.retrieve(&account).map_err(|_| IpcError::keychain_unavailable())? else {
            return Ok(None);
        };
        let server = ServerUrl::parse(&remembered.server)?;
        let client = Client::new(server, stored.api_key)?;
        let session = match client.resume(stored.refresh).await {
            Ok(session) => session,
            Err(oas_api::Error::SessionExpired) => {
                let _ = self.keychain.delete(&account);
                return Ok(None);
            }
            // Offline or the server is down: keep the secrets and let the user try again.
            Err(error) => return Err(error.into()),
        };
        let _ = self.keychain.persist_refresh(&account, &session.refresh_token());
        let user = session.user().await?;
        Ok(Some(self.activate(account, client, session, user, true).await))
    }

    async fn activate(
        &self,
        account: Account,
        client: Client,
        session: Session,
        user: User,
        persisted: bool,
    ) -> Active {
        let keychain_account = Arc::new(std::sync::Mutex::new(account.clone()));
        if persisted {
            let keychain = self.keychain.clone();
            let rotated_for = keychain_account.clone();
            session.on_refresh_rotated(move |refresh| {
                let account = rotated_for.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let _ = keychain.persist_refresh(&account, refresh);
            });
        }
        let active = Active { account, client, session, user, persisted, keychain_account };
        *self.active.write().await = Some(active.clone());
        active
    }

    /// The result of a call made with the session, for IPC. A session the server has ended is
    /// forgotten here, so the next start asks to sign in instead of failing again.
    pub async fn settle<T>(&self, result: Result<T, oas_api::Error>) -> Result<T, IpcError> {
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if matches!(error, oas_api::Error::SessionExpired) {
            if let Some(active) = self.active.write().await.take() {
                let _ = self.keychain.delete(&active.account);
            }
        }
        Err(error.into())
    }

    /// The server changed the signed-in user (the profile was edited): the session shows the new
    /// details, and when the identity the keychain entries are filed under changes (a new
    /// username), the entries move with it, so the next start still restores this session.
    pub async fn user_changed(&self, user: User) -> Result<Active, IpcError> {
        let mut guard = self.active.write().await;
        let active = guard.as_mut().ok_or_else(IpcError::not_signed_in)?;
        let moved = Account { server: active.account.server.clone(), identity: identity(&user.username, &user.email) };
        if active.persisted && moved != active.account {
            // Saved under the new name before the old entries go: a failure leaves the old ones.
            let api_key = active.client.api_key();
            if self.keychain.persist(&moved, &api_key, &active.session.refresh_token()).is_ok() {
                let _ = self.keychain.delete(&active.account);
                *active.keychain_account.lock().unwrap_or_else(|e| e.into_inner()) = moved.clone();
                active.account = moved;
            }
        } else if !active.persisted {
            active.account = moved;
        }
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
        self.settle(checked).await?;
        active.client.set_api_key(api_key.clone())?;
        if active.persisted {
            let account = active.keychain_account.lock().unwrap_or_else(|e| e.into_inner()).clone();
            self.keychain
                .persist(&account, &api_key, &active.session.refresh_token())
                .map_err(|_| IpcError::keychain_unavailable())?;
        }
        self.current().await
    }

    /// Tells the server, forgets the secrets. Signing out always succeeds locally, even offline.
    pub async fn sign_out(&self) -> Option<Remembered> {
        let active = self.active.write().await.take()?;
        let _ = active.session.logout().await;
        let _ = self.keychain.delete(&active.account);
        Some(active.remembered())
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
        let active = first.sign_in(request(&sandbox, &key, "correct horse")).await.unwrap();
        assert!(active.persisted);
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

        assert_eq!(second.sign_out().await, Some(remembered.clone()));
        let third = SessionManager::new(keychain);
        assert!(third.restore(&remembered).await.unwrap().is_none());
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn an_ended_session_is_forgotten_other_errors_are_not() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let active = manager.sign_in(request(&sandbox, &key, "correct horse")).await.unwrap();

        let error = manager.settle::<()>(Err(oas_api::Error::Unreachable)).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::Unreachable);
        assert!(manager.current().await.is_ok());
        assert!(keychain.retrieve(&active.account).unwrap().is_some());

        let error = manager.settle::<()>(Err(oas_api::Error::SessionExpired)).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::SessionExpired);
        assert!(manager.current().await.is_err());
        assert!(keychain.retrieve(&active.account).unwrap().is_none());
        assert_eq!(manager.settle(Ok(7)).await.unwrap(), 7);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn wrong_password_is_a_plain_error_and_nothing_is_stored() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let keychain = keychain();
        let manager = SessionManager::new(keychain.clone());
        let error = manager.sign_in(request(&sandbox, &key, "wrong")).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::WrongCredentials);
        assert!(!error.message.contains("wrong"), "no secret echoed: {}", error.message);
        let account = Account { server: format!("{}/api/", sandbox.base_url()), identity: "ana".into() };
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
        let error = manager.sign_in(request(&sandbox, wrong, "correct horse")).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::ApiKeyRejected);
        assert!(manager.current().await.is_err());

        let revoked = sandbox.add_user("bea", "bea@example.com", "pw-pw-pw-pw").unwrap();
        sandbox.revoke_key(&revoked).unwrap();
        let mut req = request(&sandbox, &revoked, "pw-pw-pw-pw");
        req.username = "bea".into();
        req.email = "bea@example.com".into();
        let error = manager.sign_in(req).await.err().unwrap();
        assert_eq!(error.code, ErrorCode::ApiKeyRejected);
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn an_unavailable_keychain_still_signs_in_for_this_run() {
        let sandbox = Sandbox::start(Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let manager = SessionManager::new(Keychain::unavailable());
        let active = manager.sign_in(request(&sandbox, &key, "correct horse")).await.unwrap();
        assert!(!active.persisted);
        let restore = SessionManager::new(Keychain::unavailable()).restore(&active.remembered()).await;
        assert_eq!(restore.err().map(|e| e.code), Some(ErrorCode::KeychainUnavailable));
        sandbox.shutdown().await;
    }

    #[tokio::test]
    async fn plain_http_to_a_remote_host_is_refused() {
        let manager = SessionManager::new(keychain());
        let error = manager
            .sign_in(SignInRequest {
                server: "http://oas.example.com".into(),
                api_key: "k".into(),
                username: "ana".into(),
                email: String::new(),
                password: "p".into(),
            })
            .await
            .err()
            .unwrap();
        assert_eq!(error.code, ErrorCode::InsecureAddress);
    }
}
