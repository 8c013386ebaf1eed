#![allow(dead_code)]

use oas_sandbox::{Config, Sandbox};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const USER: &str = "alice";
pub const EMAIL: &str = "alice@example.com";
pub const PASSWORD: &str = "wonderland-42";

pub struct Env {
    pub sb: Sandbox,
    pub key: String,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }
    #[track_caller]
    pub fn expect(&self, status: u16, body: Value) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.json(), body);
    }
}

pub fn client() -> reqwest::Client {
    // The workspace's reqwest brings no crypto provider of its own (oas-api hands it ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub async fn env_with(config: Config) -> Env {
    let sb = Sandbox::start(config).await.unwrap();
    let key = sb.add_user(USER, EMAIL, PASSWORD).unwrap();
    Env { sb, key, http: client() }
}

pub async fn env() -> Env {
    env_with(Config::default()).await
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.base_url(), path)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = key {
            req = req.header("X-Api-Key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap(),
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, None, None, Some(body)).await
    }

    /// Logs in as alice; returns the whole answer body.
    pub async fn login(&self) -> Value {
        self.login_as(USER, PASSWORD).await
    }

    pub async fn login_as(&self, username: &str, password: &str) -> Value {
        let a = self
            .post("/api/auth/login/", json!({"username": username, "email": "", "password": password}))
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        a.json()
    }

    pub async fn access(&self) -> String {
        self.login().await["access"].as_str().unwrap().to_string()
    }

    /// An authenticated request to a protected route, with alice's token and key.
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let token = self.access().await;
        self.send(method, path, Some(&token), Some(&self.key), body).await
    }

    pub async fn create_org(&self, token: &str, name: &str) -> Value {
        let a = self
            .send(
                Method::POST,
                "/api/organisations/",
                Some(token),
                Some(&self.key),
                Some(json!({"name": name, "base_currency": "USD", "currencies": ["USD", "EUR"]})),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.text);
        a.json()
    }
}

/// The user object alice's answers carry, whatever her last login.
pub fn assert_user_object(u: &Value, username: &str, email: &str) {
    let obj = u.as_object().expect("user object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["email", "id", "is_active", "is_staff", "is_superuser", "last_login", "username"]
    );
    assert!(u["id"].is_i64());
    assert_eq!(u["username"], username);
    assert_eq!(u["email"], email);
    assert_eq!(u["is_superuser"], false);
    assert_eq!(u["is_staff"], false);
    assert_eq!(u["is_active"], true);
}

pub fn is_drf_datetime(s: &str) -> bool {
    // 2026-11-28T06:00:34.707641Z
    s.len() == 27 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
}
