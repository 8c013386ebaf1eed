//! Stage 1: sign-in, refresh, logout and listing against the real sandbox.

mod common;

use common::*;
use oas_api::{ApiKey, Client, Error, Password, RefreshToken, ServerUrl};
use oas_sandbox::Config;

#[tokio::test]
async fn sign_in_success() {
    let env = env(Config::default()).await;
    let (session, user) = env.login().await;
    assert_eq!(user.username, USER);
    assert_eq!(user.email, EMAIL);
    assert!(user.is_active);
    assert!(user.id > 0);
    let again = session.user().await.unwrap();
    assert_eq!(again.id, user.id);
    assert!(!session.refresh_token().expose().is_empty());
    assert!(session.verify().await.unwrap());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_password() {
    let env = env(Config::default()).await;
    let err = env.client.login(USER, EMAIL, &Password::new("not-the-password")).await.unwrap_err();
    assert_eq!(err, Error::WrongCredentials);
    assert_eq!(err.code(), "wrong_credentials");
    // A missing password is a field error.
    let err = env.client.login(USER, EMAIL, &Password::new("")).await.unwrap_err();
    assert_eq!(err.code(), "validation", "{err:?}");
    assert!(err.fields().unwrap().contains_key("password"), "{err:?}");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_api_key() {
    let env = env(Config::default()).await;
    let server = ServerUrl::parse(&env.sandbox.base_url()).unwrap();
    for key in ["A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH", "not-even-the-right-format"] {
        let client = Client::with_options(server.clone(), ApiKey::new(key), test_options()).unwrap();
        // Sign-in does not use the key; the first protected route refuses it.
        let (session, _) = client.login(USER, EMAIL, &Password::new(PASSWORD)).await.unwrap();
        let err = session.organisations_page(1).await.unwrap_err();
        assert_eq!(err, Error::ApiKeyRejected, "{key}");
        assert_eq!(err.code(), "api_key_rejected");
        assert!(!err.to_string().contains(key));
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn refresh() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    session.refresh_now().await.unwrap();
    session.user().await.unwrap();
    // The app's start-up path: a saved refresh token becomes a session without the password.
    let resumed = env.client.resume(session.refresh_token()).await.unwrap();
    assert_eq!(resumed.user().await.unwrap().username, USER);
    let err = env.client.resume(RefreshToken::new("garbage")).await.unwrap_err();
    assert_eq!(err, Error::SessionExpired);
    assert_eq!(err.to_string(), "session expired");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn logout() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    let saved = session.refresh_token();
    session.logout().await.unwrap();
    assert!(session.is_ended());
    assert_eq!(session.user().await.unwrap_err(), Error::SessionExpired);
    // The server blacklisted the refresh token.
    assert_eq!(env.client.resume(saved).await.unwrap_err(), Error::SessionExpired);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn list_organisations() {
    let env = env(Config { page_size: 10, ..Config::default() }).await;
    env.sandbox.seed_orgs(USER, 25).unwrap();
    let (session, _) = env.login().await;
    let p1 = session.organisations_page(1).await.unwrap();
    assert_eq!(p1.count, 25);
    assert_eq!(p1.results.len(), 10);
    assert!(p1.next.is_some());
    assert!(p1.previous.is_none());
    let p3 = session.organisations_page(3).await.unwrap();
    assert_eq!(p3.results.len(), 5);
    assert!(p3.next.is_none());
    assert_eq!(session.organisations_page(4).await.unwrap_err(), Error::NotFound);

    let all = session.list_all_organisations().await.unwrap();
    assert_eq!(all.len(), 25);
    let p2 = session.organisations_page(2).await.unwrap();
    let by_pages: Vec<i64> = p1.results.iter().chain(&p2.results).chain(&p3.results).map(|o| o.id).collect();
    let listed: Vec<i64> = all.iter().map(|o| o.id).collect();
    assert_eq!(listed, by_pages, "server order, no gaps, no duplicates");
    env.sandbox.shutdown().await;
}
