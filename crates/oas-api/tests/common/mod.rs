//! Shared helpers: a real sandbox on a random loopback port, and a tiny fake HTTP server for the
//! cases a faithful sandbox cannot produce (foreign `next` links, redirects, HTML answers).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oas_api::{ApiKey, Client, Clock, Options, Password, ServerUrl, Session, User};
use oas_sandbox::{Config, Sandbox};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const USER: &str = "alice";
pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "correct-horse-1";

pub struct Env {
    pub sandbox: Sandbox,
    pub key: String,
    pub client: Client,
}

/// Options for tests: quick backoff, short timeouts.
pub fn test_options() -> Options {
    Options {
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(10),
        backoff_base: Duration::from_millis(20),
        retry_budget: Duration::from_secs(5),
        ..Options::default()
    }
}

pub async fn env(config: Config) -> Env {
    env_with(config, test_options()).await
}

pub async fn env_with(config: Config, options: Options) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let key = sandbox.add_user(USER, EMAIL, PASSWORD).expect("user added");
    let server = ServerUrl::parse(&sandbox.base_url()).expect("sandbox address");
    let client = Client::with_options(server, ApiKey::new(key.clone()), options).expect("client");
    Env { sandbox, key, client }
}

/// A sandbox on a manual clock and a client on an adjustable one: [`Env::advance`] moves both,
/// so tests of token expiry move time instead of sleeping.
pub async fn env_clocked(config: Config, options: Options) -> Env {
    let config = Config { clock: oas_sandbox::Clock::manual(), ..config };
    env_with(config, Options { clock: Clock::adjustable(), ..options }).await
}

impl Env {
    pub async fn login(&self) -> (Session, User) {
        self.client.login(USER, EMAIL, &Password::new(PASSWORD)).await.expect("login")
    }

    /// Time passes for the server and for the client.
    pub fn advance(&self, by: Duration) {
        self.sandbox.advance_clock(by);
        self.client.options().clock.advance(by);
    }

    /// Time passes for the server only (the client did not notice: its token expired unseen).
    pub fn advance_server(&self, by: Duration) {
        self.sandbox.advance_clock(by);
    }
}

/// One request as a fake server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub request_line: String,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn has_credentials(&self) -> bool {
        self.header("authorization").is_some() || self.header("x-api-key").is_some()
    }
}

pub struct Fake {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Fake {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A fake HTTP/1.1 server on a random loopback port. `answer(request_line, port)` returns the
/// full response (status line, headers, body); the connection is closed after each answer.
/// Stops after 200 connections.
pub async fn fake<F>(answer: F) -> Fake
where
    F: Fn(&str, u16) -> String + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let answer = Arc::new(answer);
    let task = tokio::spawn(async move {
        for _ in 0..200 {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let seen = seen2.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut chunk)).await {
                        Ok(Ok(n)) if n > 0 => n,
                        _ => return,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i;
                    }
                    if buf.len() > 64 * 1024 {
                        return;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let request_line = lines.next().unwrap_or("").to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                // Read a declared body so the client is not cut off while sending it.
                let len: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
                let mut have = buf.len() - head_end - 4;
                while have < len {
                    match sock.read(&mut chunk).await {
                        Ok(n) if n > 0 => have += n,
                        _ => break,
                    }
                }
                seen.lock().unwrap().push(Seen { request_line: request_line.clone(), headers });
                let resp = answer(&request_line, port);
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Fake { port, seen, task }
}

pub fn http_response(status: &str, content_type: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

pub fn json_response(status: &str, body: &str) -> String {
    http_response(status, "application/json", "", body)
}
