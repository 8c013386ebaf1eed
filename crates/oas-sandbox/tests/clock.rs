//! The manual clock: lifetimes and windows pass without sleeping.

mod common;

use std::time::{Duration, SystemTime};

use common::*;
use oas_sandbox::{Clock, Config};
use reqwest::Method;
use serde_json::json;

fn manual() -> Config {
    Config { clock: Clock::manual(), ..Config::default() }
}

#[tokio::test]
async fn tokens_are_dated_by_the_clock_and_expire_when_it_moves() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    let e = env_with(Config { clock: Clock::manual_at(start), ..Config::default() }).await;
    let body = e.login().await;
    assert_eq!(body["user"]["last_login"], "2030-03-17T17:46:40.000000Z");
    assert_eq!(body["access_expiration"], "2030-03-17T17:51:40.000000Z");
    assert_eq!(body["refresh_expiration"], "2030-03-18T17:46:40.000000Z");
    let refresh = body["refresh"].clone();

    e.sb.advance_clock(Duration::from_secs(86_399));
    let a = e.post("/api/auth/token/refresh/", json!({"refresh": refresh})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["access_expiration"], "2030-03-18T17:51:39.000000Z");
    let fresh = a.json()["access"].as_str().unwrap().to_string();
    e.send(Method::GET, "/api/auth/user/", Some(&fresh), None, None).await.expect(
        200,
        json!({"id": 1, "last_login": "2030-03-17T17:46:40.000000Z", "is_superuser": false,
               "username": USER, "email": EMAIL, "is_staff": false, "is_active": true}),
    );

    e.sb.advance_clock(Duration::from_secs(1));
    e.post("/api/auth/token/refresh/", json!({"refresh": refresh}))
        .await
        .expect(401, json!({"detail": "Token is expired", "code": "token_not_valid"}));
    e.post("/api/auth/token/verify/", json!({"token": refresh}))
        .await
        .expect(401, json!({"detail": "Token is expired", "code": "token_not_valid"}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn the_throttle_window_follows_the_clock() {
    let e = env_with(Config { login_rate_per_min: Some(1), ..manual() }).await;
    e.login().await;
    e.sb.advance_clock(Duration::from_secs(15));
    let login = json!({"username": USER, "email": "", "password": PASSWORD});
    let a = e.post("/api/auth/login/", login.clone()).await;
    a.expect(429, json!({"detail": "Request was throttled. Expected available in 45 seconds."}));
    assert_eq!(a.header("retry-after").as_deref(), Some("45"));
    e.sb.advance_clock(Duration::from_secs(44));
    e.post("/api/auth/login/", login.clone())
        .await
        .expect(429, json!({"detail": "Request was throttled. Expected available in 1 second."}));
    e.sb.advance_clock(Duration::from_secs(1));
    let a = e.post("/api/auth/login/", login).await;
    assert_eq!(a.status, 200, "{}", a.text);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn an_expired_key_is_expired_by_the_sandbox_clock() {
    // A clock far ahead of the system's: the key expires at its time, not the system's.
    let ahead = SystemTime::now() + Duration::from_secs(10 * 365 * 86_400);
    let e = env_with(Config { clock: Clock::manual_at(ahead), ..Config::default() }).await;
    let token = e.access().await;
    let list = |token: String| {
        let e = &e;
        async move { e.send(Method::GET, "/api/organisations/", Some(&token), Some(&e.key), None).await }
    };
    assert_eq!(list(token.clone()).await.status, 200);
    e.sb.expire_key(&e.key).unwrap();
    list(token)
        .await
        .expect(403, json!({"detail": "You do not have permission to perform this action."}));
    e.sb.shutdown().await;
}

#[test]
#[should_panic(expected = "needs a manual clock")]
fn advancing_the_real_clock_is_a_mistake() {
    Clock::real().advance(Duration::from_secs(1));
}
