//! The `oas-sandbox` binary: serve (with --demo), add-user and the admin commands.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_oas-sandbox");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The workspace's reqwest brings no crypto provider of its own (oas-api hands it ring).
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn is_key(s: &str) -> bool {
    s.len() == 41 && s.as_bytes()[8] == b'.' && s.chars().filter(|c| *c != '.').all(|c| c.is_ascii_alphanumeric())
}

struct Server {
    child: Child,
    base: String,
    lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[allow(clippy::zombie_processes)] // waited for in Server's Drop
fn serve(args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("server exited before listening; output: {lines:?}");
        }
        let line = line.trim_end().to_string();
        if let Some(url) = line.strip_prefix("listening on ") {
            let base = url.to_string();
            assert!(base.starts_with("http://127.0.0.1:"));
            assert!(!base.ends_with(":0"));
            lines.push(line);
            return Server { child, base, lines };
        }
        lines.push(line);
    }
}

async fn login(base: &str, username: &str, password: &str) -> Value {
    let resp = http()
        .post(format!("{base}/api/auth/login/"))
        .json(&json!({"username": username, "email": "", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn list(base: &str, access: &str, key: &str) -> (u16, Value) {
    let resp = http()
        .get(format!("{base}/api/organisations/"))
        .bearer_auth(access)
        .header("X-Api-Key", key)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn db_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn add_user_and_admin_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.sqlite3");
    let (ok, out, err) = run(&["add-user", "--db", db_arg(&db), "--username", "carol", "--email", "carol@example.com", "--password", "carol-pass-1"]);
    assert!(ok, "{err}");
    let key = out.trim();
    assert_eq!(out.lines().count(), 1);
    assert!(is_key(key), "{out:?}");
    assert!(!err.contains("carol-pass-1"), "no password in output");

    let (ok, _, _) = run(&["add-user", "--db", db_arg(&db), "--username", "carol", "--email", "c@example.com", "--password", "x-pass-123"]);
    assert!(!ok, "duplicate user refused");

    let (ok, out2, err) = run(&["issue-key", "--db", db_arg(&db), "--username", "carol"]);
    assert!(ok, "{err}");
    let key2 = out2.trim().to_string();
    assert!(is_key(&key2));

    let (ok, _, err) = run(&["seed-orgs", "--db", db_arg(&db), "--username", "carol", "--count", "10000"]);
    assert!(ok, "{err}");

    let server = serve(&["--db", db_arg(&db)]);
    let access = login(&server.base, "carol", "carol-pass-1").await["access"].as_str().unwrap().to_string();
    let (status, body) = list(&server.base, &access, key).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 10_000);

    // Keys revoked / expired while the server runs.
    let (ok, _, err) = run(&["revoke-key", "--db", db_arg(&db), "--key", key]);
    assert!(ok, "{err}");
    assert_eq!(list(&server.base, &access, key).await.0, 403);
    assert_eq!(list(&server.base, &access, &key2).await.0, 200);
    let (ok, _, err) = run(&["expire-key", "--db", db_arg(&db), "--key", &key2[..8]]);
    assert!(ok, "{err}");
    assert_eq!(list(&server.base, &access, &key2).await.0, 403);
    let (ok, _, _) = run(&["revoke-key", "--db", db_arg(&db), "--key", "nosuchke"]);
    assert!(!ok);
}

#[tokio::test]
async fn serve_demo_and_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite3");
    let creds_path = dir.path().join("creds.json");
    let server = serve(&["--db", db_arg(&db), "--demo", "--credentials-out", creds_path.to_str().unwrap()]);
    let text = server.lines.join("\n");
    assert!(text.contains("demo@example.com"), "{text}");
    assert!(text.contains("demo-password-1"));
    let creds: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    assert_eq!(creds["server"], server.base);
    assert_eq!(creds["username"], "demo");
    assert_eq!(creds["email"], "demo@example.com");
    assert_eq!(creds["password"], "demo-password-1");
    let key = creds["apiKey"].as_str().unwrap().to_string();
    assert!(is_key(&key));
    assert!(text.contains(&key));
    let access = login(&server.base, "demo", "demo-password-1").await["access"].as_str().unwrap().to_string();
    let (status, body) = list(&server.base, &access, &key).await;
    assert_eq!(status, 200);
    let count = body["count"].as_u64().unwrap();
    assert!((6..=10).contains(&count));
    let active = body["results"].as_array().unwrap().iter().filter(|o| o["is_active"] == true).count();
    assert_eq!(active, 1);
    drop(server);

    // Again on the same database: no duplicates, a fresh working key.
    let server = serve(&["--db", db_arg(&db), "--demo", "--credentials-out", creds_path.to_str().unwrap()]);
    let creds: Value = serde_json::from_slice(&std::fs::read(&creds_path).unwrap()).unwrap();
    let key2 = creds["apiKey"].as_str().unwrap().to_string();
    assert_ne!(key, key2);
    let access = login(&server.base, "demo", "demo-password-1").await["access"].as_str().unwrap().to_string();
    let (status, body) = list(&server.base, &access, &key2).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"].as_u64().unwrap(), count);
}

#[tokio::test]
async fn serve_flags() {
    let dir = tempfile::tempdir().unwrap();
    let faults = dir.path().join("faults.json");
    std::fs::write(&faults, r#"{"rules":[{"path":"/api/organisations/","fault":"http_502"}]}"#).unwrap();
    let server = serve(&[
        "--demo",
        "--page-size", "3",
        "--access-ttl", "60",
        "--refresh-ttl", "120",
        "--rotate-refresh",
        "--strict",
        "--currencies-as", "string",
        "--login-rate", "100/min",
        "--check-old-password",
        "--faults", faults.to_str().unwrap(),
    ]);
    let body = login(&server.base, "demo", "demo-password-1").await;
    assert!(body.get("access_expiration").is_none(), "strict login: {body}");
    let resp = http()
        .post(format!("{}/api/auth/token/refresh/", server.base))
        .json(&json!({"refresh": body["refresh"]}))
        .send()
        .await
        .unwrap();
    let out: Value = resp.json().await.unwrap();
    assert!(out["refresh"].is_string(), "rotation on: {out}");
    let (status, _) = list(&server.base, body["access"].as_str().unwrap(), "x").await;
    assert_eq!(status, 502);

    let (ok, _, err) = run(&["serve", "--login-rate", "fast"]);
    assert!(!ok);
    assert!(err.contains("login-rate"), "{err}");
}

async fn get_org(base: &str, access: &str, key: &str, id: i64) -> (u16, Value) {
    let resp = http()
        .get(format!("{base}/api/organisations/{id}/"))
        .bearer_auth(access)
        .header("X-Api-Key", key)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn another_admin_resets_a_password_changes_and_deletes_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other-admin.sqlite3");
    let (ok, out, err) = run(&["add-user", "--db", db_arg(&db), "--username", "dave", "--password", "dave-pass-1"]);
    assert!(ok, "{err}");
    let key = out.trim().to_string();
    let (ok, _, err) = run(&["seed-orgs", "--db", db_arg(&db), "--username", "dave", "--count", "3"]);
    assert!(ok, "{err}");
    let server = serve(&["--db", db_arg(&db)]);
    let access = login(&server.base, "dave", "dave-pass-1").await["access"].as_str().unwrap().to_string();
    let (status, before) = get_org(&server.base, &access, &key, 2).await;
    assert_eq!(status, 200, "{before}");

    // Changed while the server runs: the next read sees it; fields not given stay.
    let (ok, _, err) = run(&["update-org", "--db", db_arg(&db), "--id", "2", "--name", "Renamed Elsewhere", "--currencies", "EUR,CHF,EUR"]);
    assert!(ok, "{err}");
    let (status, after) = get_org(&server.base, &access, &key, 2).await;
    assert_eq!(status, 200);
    assert_eq!(after["name"], "Renamed Elsewhere");
    assert_eq!(after["currencies"], json!(["EUR", "CHF"]));
    assert_eq!(after["base_currency"], before["base_currency"]);
    let (ok, _, err) = run(&["update-org", "--db", db_arg(&db), "--id", "2", "--base-currency", "JPY"]);
    assert!(ok, "{err}");
    assert_eq!(get_org(&server.base, &access, &key, 2).await.1["base_currency"], "JPY");
    // What the API would refuse, the command refuses too.
    for bad in [&["--base-currency", "XXX"][..], &["--currencies", "USD,nope"], &["--name", "  "], &[]] {
        let mut args = vec!["update-org", "--db", db_arg(&db), "--id", "2"];
        args.extend_from_slice(bad);
        let (ok, _, err) = run(&args);
        assert!(!ok, "{bad:?} accepted");
        assert!(!err.is_empty());
    }
    let (ok, _, err) = run(&["update-org", "--db", db_arg(&db), "--id", "99", "--name", "X"]);
    assert!(!ok);
    assert!(err.contains("no organisation with id 99"), "{err}");

    // Deleted while the server runs.
    let (ok, _, err) = run(&["delete-org", "--db", db_arg(&db), "--id", "2"]);
    assert!(ok, "{err}");
    assert_eq!(
        get_org(&server.base, &access, &key, 2).await,
        (404, json!({"detail": "No Organisation matches the given query."}))
    );
    let (status, list_body) = list(&server.base, &access, &key).await;
    assert_eq!(status, 200);
    assert_eq!(list_body["count"], 2);
    let (ok, _, _) = run(&["delete-org", "--db", db_arg(&db), "--id", "2"]);
    assert!(!ok, "already gone");

    // A password reset: the old one stops working, the new one logs in.
    let (ok, _, err) = run(&["reset-password", "--db", db_arg(&db), "--username", "dave", "--password", "new-dave-2"]);
    assert!(ok, "{err}");
    assert!(!err.contains("new-dave-2"), "no password in output");
    let resp = http()
        .post(format!("{}/api/auth/login/", server.base))
        .json(&json!({"username": "dave", "email": "", "password": "dave-pass-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    login(&server.base, "dave", "new-dave-2").await;
    let (ok, _, _) = run(&["reset-password", "--db", db_arg(&db), "--username", "nobody", "--password", "x-1234567"]);
    assert!(!ok);
}
