//! Token lifecycle against the sandbox: expiry, proactive and reactive refresh, rotation, single
//! flight, revoked/expired keys, an expired refresh token. Time is moved (the sandbox's manual
//! clock and the client's adjustable one), never slept.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use oas_api::{Error, Options};
use oas_sandbox::Config;

/// The sandbox's access token lives 300 s; the client refreshes 30 s before it expires.
const ACCESS_TTL: Duration = Duration::from_secs(300);
/// Past the client's refresh point, before the token expires.
const NEARLY_EXPIRED: Duration = Duration::from_secs(285);
/// Past the token's expiry.
const EXPIRED: Duration = Duration::from_secs(301);

fn config(rotate: bool) -> Config {
    Config { access_ttl: ACCESS_TTL, rotate_refresh: rotate, ..Config::default() }
}

fn reactive_only() -> Options {
    Options { proactive_refresh: false, ..test_options() }
}

#[tokio::test]
async fn proactive_refresh_before_the_token_expires() {
    let env = env_clocked(config(false), test_options()).await;
    env.sandbox.seed_orgs(USER, 3).unwrap();
    let (session, _) = env.login().await;
    session.user().await.unwrap();
    assert_eq!(session.refresh_count(), 0, "a fresh token is used as it is");
    for round in 1..=3 {
        // Still valid on the server, so only a proactive refresh can explain a new one.
        env.advance(NEARLY_EXPIRED);
        assert_eq!(session.organisations_page(1).await.unwrap().count, 3);
        assert_eq!(session.user().await.unwrap().username, USER);
        assert_eq!(session.refresh_count(), round);
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn reactive_refresh_on_401() {
    let env = env_clocked(config(false), reactive_only()).await;
    let (session, _) = env.login().await;
    env.advance(EXPIRED);
    assert!(!session.verify().await.unwrap(), "the access token has expired");
    assert_eq!(session.user().await.unwrap().username, USER);
    assert_eq!(session.refresh_count(), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_expiry_the_client_did_not_see_coming_is_refreshed_on_401() {
    // The server's clock ran ahead of the client's: the proactive deadline has not come, the
    // server refuses the token, the client refreshes once and retries.
    let env = env_clocked(config(false), test_options()).await;
    let (session, _) = env.login().await;
    env.advance_server(EXPIRED);
    assert_eq!(session.user().await.unwrap().username, USER);
    assert_eq!(session.refresh_count(), 1);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn rotation_hands_back_the_new_refresh_token() {
    let env = env(Config { rotate_refresh: true, ..Config::default() }).await;
    let (session, _) = env.login().await;
    let first = session.refresh_token();
    let saved: Arc<Mutex<Vec<String>>> = Arc::default();
    let s2 = saved.clone();
    session.on_refresh_rotated(move |t| s2.lock().unwrap().push(t.expose().to_string()));
    session.refresh_now().await.unwrap();
    let second = session.refresh_token();
    assert_ne!(first, second);
    assert_eq!(*saved.lock().unwrap(), vec![second.expose().to_string()]);
    // The old one was blacklisted after rotation; the new one resumes.
    assert_eq!(env.client.resume(first).await.unwrap_err(), Error::SessionExpired);
    let resumed = env.client.resume(second.clone()).await.unwrap();
    assert_ne!(resumed.refresh_token(), second, "resume rotates too; the caller saves refresh_token()");
    resumed.user().await.unwrap();
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn concurrent_failures_share_one_refresh() {
    // Rotation + blacklisting: a second refresh with the old token would end the session.
    let env = env_clocked(config(true), reactive_only()).await;
    env.sandbox.seed_orgs(USER, 30).unwrap();
    let (session, _) = env.login().await;
    let rotations = Arc::new(AtomicUsize::new(0));
    let r2 = rotations.clone();
    session.on_refresh_rotated(move |_| {
        r2.fetch_add(1, Ordering::SeqCst);
    });
    env.advance(EXPIRED);
    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let s = session.clone();
        tasks.push(tokio::spawn(async move { s.organisations_page(1 + i % 3).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(session.refresh_count(), 1, "one refresh, not eight");
    assert_eq!(rotations.load(Ordering::SeqCst), 1);
    // Same with list_all after the next expiry (its pages run concurrently).
    env.advance(EXPIRED);
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 30);
    assert_eq!(session.refresh_count(), 2);
    assert_eq!(rotations.load(Ordering::SeqCst), 2);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn proactive_concurrent_refresh_is_single_flight() {
    let env = env_clocked(config(true), test_options()).await;
    let (session, _) = env.login().await;
    env.advance(NEARLY_EXPIRED);
    let results = futures_join(&session, 6).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(session.refresh_count(), 1);
    env.sandbox.shutdown().await;
}

async fn futures_join(session: &oas_api::Session, n: usize) -> Vec<Result<oas_api::User, Error>> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let s = session.clone();
        tasks.push(tokio::spawn(async move { s.user().await }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn revoked_key_mid_session() {
    let env = env(Config::default()).await;
    env.sandbox.seed_orgs(USER, 2).unwrap();
    let (session, _) = env.login().await;
    session.organisations_page(1).await.unwrap();
    env.sandbox.revoke_key(&env.key).unwrap();
    assert_eq!(session.organisations_page(1).await.unwrap_err(), Error::ApiKeyRejected);
    assert_eq!(session.organisation(1).await.unwrap_err(), Error::ApiKeyRejected);
    // The session itself is fine: the user route needs no key.
    assert!(!session.is_ended());
    session.user().await.unwrap();
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn expired_key() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    env.sandbox.expire_key(&env.key).unwrap();
    let err = session.list_all_organisations().await.unwrap_err();
    assert_eq!(err, Error::ApiKeyRejected);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn expired_refresh_token_ends_the_session() {
    let refresh_ttl = Duration::from_secs(3600);
    let env = env_clocked(Config { access_ttl: ACCESS_TTL, refresh_ttl, ..Config::default() }, test_options()).await;
    let (session, _) = env.login().await;
    env.advance(refresh_ttl + Duration::from_secs(1));
    let err = session.user().await.unwrap_err();
    assert_eq!(err, Error::SessionExpired);
    assert!(session.is_ended());
    assert_eq!(session.organisations_page(1).await.unwrap_err(), Error::SessionExpired);
    assert_eq!(env.client.resume(session.refresh_token()).await.unwrap_err(), Error::SessionExpired);
    // Signing in again works: nothing else was lost.
    let (again, _) = env.login().await;
    again.user().await.unwrap();
    env.sandbox.shutdown().await;
}
