//! WAL mode, concurrent writes, restarts, isolation of temporary sandboxes.

mod common;

use common::*;
use oas_sandbox::{Config, Sandbox};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_parallel_creates_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oas.sqlite3");
    let e = env_with(Config { db: Some(db.clone()), ..Config::default() }).await;
    let token = e.access().await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let http = e.http.clone();
        let url = e.url("/api/organisations/");
        let (token, key) = (token.clone(), e.key.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .header("X-Api-Key", key)
                .json(&json!({"name": format!("Parallel {i:03}"), "base_currency": "EUR", "currencies": ["EUR", "USD"]}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let key = e.key.clone();
    e.sb.shutdown().await;

    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
    }

    let sb = Sandbox::start(Config { db: Some(db.clone()), page_size: 1000, ..Config::default() }).await.unwrap();
    let http = client();
    let login: serde_json::Value = http
        .post(format!("{}/api/auth/login/", sb.base_url()))
        .json(&json!({"username": USER, "email": "", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list: serde_json::Value = http
        .get(format!("{}/api/organisations/", sb.base_url()))
        .bearer_auth(login["access"].as_str().unwrap())
        .header("X-Api-Key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["count"], 100);
    let mut names: Vec<String> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 100);
    sb.shutdown().await;
    assert!(db.exists(), "a given database is kept");
}

#[tokio::test]
async fn tokens_survive_a_restart_and_temp_dbs_are_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("oas.sqlite3");
    let e = env_with(Config { db: Some(db.clone()), ..Config::default() }).await;
    let token = e.access().await;
    e.sb.shutdown().await;
    let sb = Sandbox::start(Config { db: Some(db), ..Config::default() }).await.unwrap();
    let resp = client()
        .get(format!("{}/api/auth/user/", sb.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    sb.shutdown().await;

    // Two temporary sandboxes share nothing, and their files go away.
    let a = env().await;
    let b = Sandbox::start(Config::default()).await.unwrap();
    assert_ne!(a.sb.base_url(), b.base_url());
    assert_ne!(a.sb.db_path(), b.db_path());
    let path = b.db_path();
    assert!(b.add_user(USER, EMAIL, PASSWORD).is_ok(), "same username in another sandbox");
    assert!(a.sb.add_user(USER, EMAIL, PASSWORD).is_err(), "duplicate username refused");
    let t = a.access().await;
    let r = a.send(Method::GET, "/api/auth/user/", Some(&t), None, None).await;
    assert_eq!(r.status, 200);
    b.shutdown().await;
    assert!(!path.exists(), "temporary database deleted when shutdown returns");
    a.sb.shutdown().await;
}
