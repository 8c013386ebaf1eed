//! Every fault mode, observed from a plain HTTP client.

mod common;

use std::time::{Duration, Instant};

use common::*;
use oas_sandbox::{Config, FaultKind, Faults};
use reqwest::Method;
use serde_json::json;

const LIST: &str = "/api/organisations/";

async fn get_list(e: &Env, token: &str) -> Result<reqwest::Response, reqwest::Error> {
    e.http.get(e.url(LIST)).bearer_auth(token).header("X-Api-Key", &e.key).send().await
}

#[tokio::test]
async fn fault_file_format() {
    let f = Faults::from_json(
        r#"{"rules": [
            {"method": "GET", "path": "/api/organisations/", "latency_ms": 300},
            {"path": "/api/auth/login/", "fault": "http_503", "times": 2},
            {"path": "/api/organisations/*", "fault": "truncated_body"},
            {"path": "*", "fault": "oversized_body", "size": 1000}
        ]}"#,
    )
    .unwrap();
    assert_eq!(f.rules.len(), 4);
    assert_eq!(f.rules[1].fault, Some(FaultKind::Http503));
    assert_eq!(f.rules[1].times, Some(2));
    let bare = Faults::from_json(r#"[{"path": "*", "fault": "drop_connection"}]"#).unwrap();
    assert_eq!(bare.rules[0].fault, Some(FaultKind::DropConnection));
    assert!(Faults::from_json(r#"[{"path": "*", "fault": "nonsense"}]"#).is_err());
    assert!(Faults::from_json(r#"[{"path": "*", "typo": 1}]"#).is_err());
}

#[tokio::test]
async fn latency_and_times() {
    let faults = Faults::from_json(
        r#"[{"method": "GET", "path": "/api/organisations/", "latency_ms": 400, "times": 1}]"#,
    )
    .unwrap();
    let e = env_with(Config { faults: Some(faults), ..Config::default() }).await;
    let token = e.access().await;
    let t = Instant::now();
    assert_eq!(get_list(&e, &token).await.unwrap().status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(400), "{:?}", t.elapsed());
    let t = Instant::now();
    assert_eq!(get_list(&e, &token).await.unwrap().status(), 200);
    assert!(t.elapsed() < Duration::from_millis(400), "used up after one request");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn html_error_statuses() {
    let e = env().await;
    let token = e.access().await;
    for (kind, status, words) in [
        (FaultKind::Http500, 500, "Server Error (500)"),
        (FaultKind::Http502, 502, "502 Bad Gateway"),
        (FaultKind::Http503, 503, "503 Service Temporarily Unavailable"),
    ] {
        e.sb.set_faults(Some(Faults::one(LIST, kind)));
        let resp = get_list(&e, &token).await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/html"), "{ct}");
        let text = resp.text().await.unwrap();
        assert!(text.contains(words), "{text}");
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    }
    // Other routes are unaffected; and faults can be switched off.
    let a = e.send(Method::GET, "/api/auth/user/", Some(&token), None, None).await;
    assert_eq!(a.status, 200);
    e.sb.set_faults(None);
    assert_eq!(get_list(&e, &token).await.unwrap().status(), 200);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn malformed_json() {
    let e = env().await;
    let token = e.access().await;
    e.sb.set_faults(Some(Faults::one(LIST, FaultKind::MalformedJson)));
    let resp = get_list(&e, &token).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err(), "{text}");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn truncated_body() {
    let e = env().await;
    let token = e.access().await;
    e.create_org(&token, "Something long enough to cut").await;
    e.sb.set_faults(Some(Faults::one(LIST, FaultKind::TruncatedBody)));
    let resp = get_list(&e, &token).await.unwrap();
    assert_eq!(resp.status(), 200);
    let declared: usize = resp.headers()["content-length"].to_str().unwrap().parse().unwrap();
    assert!(declared > 10);
    assert!(resp.bytes().await.is_err(), "the body must end early");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn dropped_connection() {
    let e = env().await;
    let token = e.access().await;
    e.sb.set_faults(Some(Faults::one(LIST, FaultKind::DropConnection)));
    let result = async {
        let resp = get_list(&e, &token).await?;
        resp.bytes().await
    }
    .await;
    assert!(result.is_err(), "expected a connection error, got {result:?}");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn oversized_body() {
    let e = env().await;
    let token = e.access().await;
    let mut f = Faults::one(LIST, FaultKind::OversizedBody);
    f.rules[0].size = Some(3 * 1024 * 1024);
    e.sb.set_faults(Some(f));
    let resp = get_list(&e, &token).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-length"], (3 * 1024 * 1024).to_string().as_str());
    let body = resp.bytes().await.unwrap();
    assert_eq!(body.len(), 3 * 1024 * 1024);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["count"], json!(0));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn faults_from_config_apply_to_login() {
    let faults = Faults::from_json(r#"[{"path": "/api/auth/login/", "fault": "http_502", "times": 1}]"#).unwrap();
    let e = env_with(Config { faults: Some(faults), ..Config::default() }).await;
    let a = e
        .post("/api/auth/login/", json!({"username": USER, "email": "", "password": PASSWORD}))
        .await;
    assert_eq!(a.status, 502);
    e.login().await;
    e.sb.shutdown().await;
}

#[tokio::test]
async fn stall_never_answers_and_ends_with_the_sandbox() {
    let e = env().await;
    let token = e.access().await;
    e.sb.set_faults(Some(Faults::one(LIST, FaultKind::Stall)));
    let create = |timeout: Option<Duration>| {
        let mut req = e
            .http
            .post(e.url(LIST))
            .bearer_auth(&token)
            .header("X-Api-Key", &e.key)
            .json(&json!({"name": "Held", "base_currency": "USD", "currencies": ["USD"]}));
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        req.send()
    };
    let err = create(Some(Duration::from_millis(300))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // A stalled request is not processed.
    e.sb.set_faults(None);
    let a = e.send(Method::GET, LIST, Some(&token), Some(&e.key), None).await;
    assert_eq!(a.json()["count"], 0, "{}", a.text);

    // A client without a timeout is released, without an answer, when the sandbox stops.
    e.sb.set_faults(Some(Faults::from_json(r#"[{"path": "*", "fault": "stall"}]"#).unwrap()));
    let waiting = tokio::spawn(create(None));
    let err = create(Some(Duration::from_millis(300))).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    e.sb.shutdown().await;
    let result = waiting.await.unwrap();
    assert!(result.is_err(), "no answer: {result:?}");
}

#[tokio::test]
async fn http_429_is_drf_throttling_and_creates_nothing() {
    let e = env().await;
    let token = e.access().await;
    e.sb.set_faults(Some(Faults::from_json(r#"[{"method": "POST", "path": "/api/organisations/", "fault": "http_429", "times": 1}]"#).unwrap()));
    let body = json!({"name": "Throttled", "base_currency": "USD", "currencies": ["USD"]});
    let a = e.send(Method::POST, LIST, Some(&token), Some(&e.key), Some(body.clone())).await;
    assert_eq!(a.status.as_u16(), 429);
    assert_eq!(a.headers["retry-after"], "1");
    assert_eq!(a.json()["detail"], "Request was throttled. Expected available in 1 second.");
    let list = e.send(Method::GET, LIST, Some(&token), Some(&e.key), None).await;
    assert_eq!(list.json()["count"], 0, "a throttled request is not processed");
    // Used up: the next one is created.
    let a = e.send(Method::POST, LIST, Some(&token), Some(&e.key), Some(body.clone())).await;
    assert_eq!(a.status.as_u16(), 201, "{}", a.text);
    e.sb.shutdown().await;
}
