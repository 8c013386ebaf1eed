//! Token lifecycle against the sandbox: 1-second access tokens, rotation, single flight,
//! revoked/expired keys, an expired refresh token.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use oas_api::{Error, Options};
use oas_sandbox::Config;

fn short(rotate: bool) -> Config {
    Config { access_ttl: Duration::from_secs(1), rotate_refresh: rotate, ..Config::default() }
}

#[tokio::test]
async fn proactive_refresh_with_one_second_tokens() {
    let env = env(short(false)).await;
    env.sandbox.seed_orgs(USER, 3).unwrap();
    let (session, _) = env.login().await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(session.organisations_page(1).await.unwrap().count, 3);
        assert_eq!(session.user().await.unwrap().username, USER);
    }
    assert!(session.refresh_count() >= 3, "{}", session.refresh_count());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn reactive_refresh_on_401() {
    let env = env_with(short(false), Options { proactive_refresh: false, ..test_options() }).await;
    let (session, _) = env.login().await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(!session.verify().await.unwrap(), "the access token has expired");
    assert_eq!(session.user().await.unwrap().username, USER);
    assert!((1..=2).contains(&session.refresh_count()), "{}", session.refresh_count());
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
    let env = env_with(short(true), Options { proactive_refresh: false, ..test_options() }).await;
    env.sandbox.seed_orgs(USER, 30).unwrap();
    let (session, _) = env.login().await;
    let rotations = Arc::new(AtomicUsize::new(0));
    let r2 = rotations.clone();
    session.on_refresh_rotated(move |_| {
        r2.fetch_add(1, Ordering::SeqCst);
    });
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let mut tasks = Vec::new();
    for i in 0..8u32 {
        let s = session.clone();
        tasks.push(tokio::spawn(async move { s.organisations_page(1 + i % 3).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // One refresh (two when the new token was issued in the last instant of its second and
    // had to be replaced at once), not eight.
    let after_first = session.refresh_count();
    assert!((1..=2).contains(&after_first), "{after_first}");
    assert_eq!(rotations.load(Ordering::SeqCst) as u64, after_first);
    // Same with list_all after the next expiry (its pages run concurrently).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 30);
    let more = session.refresh_count() - after_first;
    assert!((1..=2).contains(&more), "{more}");
    assert_eq!(rotations.load(Ordering::SeqCst) as u64, session.refresh_count());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn proactive_concurrent_refresh_is_single_flight() {
    let env = env(short(true)).await;
    let (session, _) = env.login().await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    let results = futures_join(&session, 6).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!((1..=2).contains(&session.refresh_count()), "{}", session.refresh_count());
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
    let env = env(Config { access_ttl: Duration::from_secs(1), refresh_ttl: Duration::from_secs(1), ..Config::default() }).await;
    let (session, _) = env.login().await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let err = session.user().await.unwrap_err();
    assert_eq!(err, Error::SessionExpired);
    assert_eq!(err.to_string(), "session expired");
    assert!(session.is_ended());
    assert_eq!(session.organisations_page(1).await.unwrap_err(), Error::SessionExpired);
    assert_eq!(env.client.resume(session.refresh_token()).await.unwrap_err(), Error::SessionExpired);
    // Signing in again works: nothing else was lost.
    let (again, _) = env.login().await;
    again.user().await.unwrap();
    env.sandbox.shutdown().await;
}
