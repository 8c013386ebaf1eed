//! The account rules against the real sandbox: profile edit, password change, API key
//! replacement, through `SessionManager` as the commands use it.

use oas_api::{Password, UserPatch};
use oas_sandbox::{Config, Sandbox};

use crate::error::ErrorCode;
use crate::ipc::{SessionState, SignInRequest};
use crate::{Keychain, SessionManager};

fn keychain() -> Keychain {
    Keychain::with_store(keyring_core::mock::Store::new().unwrap())
}

async fn signed_in(sandbox: &Sandbox, keychain: &Keychain, key: &str, password: &str) -> SessionManager {
    let manager = SessionManager::new(keychain.clone());
    manager
        .sign_in(SignInRequest {
            server: sandbox.base_url(),
            api_key: key.into(),
            username: "ana".into(),
            email: "ana@example.com".into(),
            password: password.into(),
        }, &crate::ipc::Remembered::default())
        .await
        .unwrap();
    manager
}

fn hint(state: SessionState) -> String {
    match state {
        SessionState::SignedIn { api_key_hint, .. } => api_key_hint,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_username_change_keeps_the_session_restorable_and_field_errors_come_back() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
    sandbox.add_user("bea", "bea@example.com", "pw-pw-pw-pw").unwrap();
    let keychain = keychain();
    let manager = signed_in(&sandbox, &keychain, &key, "correct horse").await;
    let active = manager.current().await.unwrap();

    let taken = UserPatch { username: Some("bea".into()), ..Default::default() };
    let error = manager.settle(&active, active.session.update_user(&taken).await).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert!(error.fields.as_ref().unwrap().contains_key("username"), "{error:?}");
    let bad_email = UserPatch { email: Some("not-an-email".into()), ..Default::default() };
    let error = manager.settle(&active, active.session.update_user(&bad_email).await).await.unwrap_err();
    assert!(error.fields.as_ref().unwrap().contains_key("email"), "{error:?}");

    let patch = UserPatch { username: Some("ana.b".into()), email: Some("ana.b@example.com".into()), ..Default::default() };
    let user = manager.settle(&active, active.session.update_user(&patch).await).await.unwrap();
    assert_eq!(user.username, "ana.b");
    let after = manager.user_changed(&active, user).await.unwrap();
    assert_eq!(after.remembered().username, "ana.b");
    assert_eq!(after.account, active.account, "the keychain entries are filed by user id: nothing moves");

    // A restart with what the sign-in form now remembers.
    let restored = SessionManager::new(keychain.clone()).restore(&after.remembered()).await.unwrap().expect("restored");
    assert_eq!(restored.user.username, "ana.b");
    assert_eq!(restored.user.email, "ana.b@example.com");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn password_change_reports_the_servers_rules_then_the_new_password_signs_in() {
    // With OLD_PASSWORD_FIELD_ENABLED, so a wrong current password is refused too.
    let sandbox = Sandbox::start(Config { check_old_password: true, ..Config::default() }).await.unwrap();
    let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
    let keychain = keychain();
    let manager = signed_in(&sandbox, &keychain, &key, "correct horse").await;
    let active = manager.current().await.unwrap();
    let session = active.session.clone();
    let p = Password::new;

    let error = manager
        .settle(&active, session.change_password(&p("correct horse"), &p("violet-harbour-41"), &p("violet-harbour-42")).await)
        .await
        .unwrap_err();
    assert_eq!(error.fields.unwrap()["new_password2"], vec!["The two password fields didn\u{2019}t match.".to_string()]);

    let error = manager.settle(&active, session.change_password(&p("correct horse"), &p("1234567"), &p("1234567")).await).await.unwrap_err();
    let messages = &error.fields.unwrap()["new_password2"];
    assert!(messages.iter().any(|m| m.contains("too short")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("entirely numeric")), "{messages:?}");

    let error = manager
        .settle(&active, session.change_password(&p("wrong"), &p("violet-harbour-41"), &p("violet-harbour-41")).await)
        .await
        .unwrap_err();
    assert!(error.fields.unwrap().contains_key("old_password"));

    manager
        .settle(&active, session.change_password(&p("correct horse"), &p("violet-harbour-41"), &p("violet-harbour-41")).await)
        .await
        .unwrap();
    // Still signed in.
    session.organisations_page(1).await.unwrap();
    // The next sign-in takes the new password and refuses the old one.
    let fresh = SessionManager::new(keychain.clone());
    let request = |password: &str| SignInRequest {
        server: sandbox.base_url(),
        api_key: key.clone(),
        username: "ana".into(),
        email: String::new(),
        password: password.into(),
    };
    assert_eq!(fresh.sign_in(request("correct horse"), &Default::default()).await.err().unwrap().code, ErrorCode::WrongCredentials);
    fresh.sign_in(request("violet-harbour-41"), &Default::default()).await.unwrap();
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_replaced_api_key_is_checked_first_and_kept_in_the_keychain() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let old_key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
    let keychain = keychain();
    let manager = signed_in(&sandbox, &keychain, &old_key, "correct horse").await;
    let remembered = manager.current().await.unwrap().remembered();

    // The administrator rotates the key: the old one is refused mid-session.
    let new_key = sandbox.issue_key("ana").unwrap();
    sandbox.revoke_key(&old_key).unwrap();
    let active = manager.current().await.unwrap();
    let session = active.session.clone();
    let error = manager.settle(&active, session.organisations_page(1).await).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::ApiKeyRejected);
    assert!(manager.current().await.is_ok(), "still signed in");

    // A revoked or malformed key is refused and the key in use stays.
    let error = manager.replace_api_key(&old_key).await.err().unwrap();
    assert_eq!(error.code, ErrorCode::ApiKeyRejected);
    let error = manager.replace_api_key("  ").await.err().unwrap();
    assert_eq!(error.code, ErrorCode::Validation);
    assert!(error.fields.unwrap().contains_key("api_key"));
    assert_eq!(manager.current().await.unwrap().client.api_key().expose(), old_key);

    // The new key works, in this session and after a restart.
    let state = manager.replace_api_key(&format!(" {new_key} ")).await.unwrap().state();
    assert!(new_key.ends_with(hint(state).trim_start_matches('…')));
    manager.current().await.unwrap().session.organisations_page(1).await.unwrap();
    let stored = keychain.retrieve(&manager.current().await.unwrap().account).unwrap().unwrap();
    assert_eq!(stored.api_key.expose(), new_key);
    let restored = SessionManager::new(keychain).restore(&remembered).await.unwrap().unwrap();
    restored.session.organisations_page(1).await.unwrap();
    sandbox.shutdown().await;
}
