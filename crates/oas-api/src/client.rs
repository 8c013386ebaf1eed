//! The HTTP layer: one reqwest client pinned to the configured server, with timeouts, a response
//! size cap, bounded retries of idempotent requests, and the unauthenticated `/auth/` routes.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::address::ServerUrl;
use crate::error::{classify, retry_after_from_detail, Answer, Error, Route};
use crate::model::User;
use crate::secret::{AccessToken, ApiKey, Password, RefreshToken};
use crate::session::Session;

/// The user agent sent with every request.
pub fn default_user_agent() -> String {
    format!("OAS-Desktop/{}", env!("CARGO_PKG_VERSION"))
}

/// Tunables of a [`Client`]. The defaults suit the desktop app.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, body included.
    pub request_timeout: Duration,
    /// Larger answers fail with [`Error::ResponseTooLarge`].
    pub max_response_bytes: usize,
    /// Retries of one idempotent request (GET) after a connection error, 502/503/504 or 429.
    pub max_retries: u32,
    /// Total time a request may spend waiting between retries.
    pub retry_budget: Duration,
    /// First backoff delay; it doubles each retry, with jitter.
    pub backoff_base: Duration,
    /// How many pages `list_all` fetches at once.
    pub list_concurrency: usize,
    /// Refresh the access token this long before it expires (at most a fifth of its lifetime).
    pub refresh_margin: Duration,
    /// Refresh before `exp` (on by default); off, only a 401 triggers a refresh.
    pub proactive_refresh: bool,
    pub user_agent: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 8 * 1024 * 1024,
            max_retries: 3,
            retry_budget: Duration::from_secs(20),
            backoff_base: Duration::from_millis(250),
            list_concurrency: 6,
            refresh_margin: Duration::from_secs(30),
            proactive_refresh: true,
            user_agent: default_user_agent(),
        }
    }
}

/// A client of one OAS server with one API key. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    server: ServerUrl,
    api_key: ApiKey,
    key_header: HeaderValue,
    opts: Options,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("server", &self.inner.server).field("api_key", &self.inner.api_key).finish()
    }
}

#[derive(Debug)]
struct OriginRefused;
impl fmt::Display for OriginRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("redirect to another origin refused")
    }
}
impl std::error::Error for OriginRefused {}

#[derive(Debug)]
struct TooManyRedirects;
impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many redirects")
    }
}
impl std::error::Error for TooManyRedirects {}

/// Which credentials a request carries.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// `/auth/login/`, `token/refresh/`, `token/verify/`, `logout/`.
    None,
    /// `/auth/user/`, `/auth/password/change/`.
    Bearer(&'a AccessToken),
    /// Everything outside `/auth/`.
    BearerAndKey(&'a AccessToken),
}

#[derive(Deserialize)]
struct LoginAnswer {
    #[serde(alias = "access_token")]
    access: String,
    #[serde(alias = "refresh_token", default)]
    refresh: String,
    /// Always there with dj-rest-auth; fetched from `auth/user/` if a server leaves it out.
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct RefreshAnswer {
    access: String,
    #[serde(default)]
    refresh: Option<String>,
}

impl Client {
    pub fn new(server: ServerUrl, api_key: ApiKey) -> Result<Client, Error> {
        Client::with_options(server, api_key, Options::default())
    }

    pub fn with_options(server: ServerUrl, api_key: ApiKey, opts: Options) -> Result<Client, Error> {
        let mut key_header = HeaderValue::from_str(api_key.expose()).map_err(|_| Error::ApiKeyRejected)?;
        key_header.set_sensitive(true);
        let origin = server.url().origin();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error(TooManyRedirects)
            } else if attempt.url().origin() != origin {
                attempt.error(OriginRefused)
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .redirect(policy)
            .build()
            .map_err(|e| Error::Unexpected(format!("the HTTP client could not start: {}", e.without_url())))?;
        Ok(Client { inner: Arc::new(Inner { http, server, api_key, key_header, opts }) })
    }

    pub fn server(&self) -> &ServerUrl {
        &self.inner.server
    }

    pub fn api_key(&self) -> &ApiKey {
        &self.inner.api_key
    }

    pub fn options(&self) -> &Options {
        &self.inner.opts
    }

    /// Signs in. Sends no `Authorization` and no API key (a stale token would be rejected).
    pub async fn login(&self, username: &str, email: &str, password: &Password) -> Result<(Session, User), Error> {
        let url = self.inner.server.join("auth/login/");
        let body = json!({"username": username, "email": email, "password": password.expose()});
        let a = self.execute(Method::POST, &url, Auth::None, Some(&body)).await?;
        let v = expect_json(Route::Login, a)?;
        let answer: LoginAnswer = serde_json::from_value(v).map_err(|_| Error::NotOas)?;
        if answer.access.is_empty() {
            return Err(Error::NotOas);
        }
        let session = Session::new(self.clone(), AccessToken::new(answer.access), RefreshToken::new(answer.refresh));
        let user = match answer.user {
            Some(u) => u,
            None => session.user().await?,
        };
        Ok((session, user))
    }

    /// Starts a session from a saved refresh token, refreshing the access token now.
    /// `Err(SessionExpired)` if the refresh token is no longer valid. If the server rotated the
    /// refresh token, [`Session::refresh_token`] has the new one: save it.
    pub async fn resume(&self, refresh: RefreshToken) -> Result<Session, Error> {
        if refresh.expose().is_empty() {
            return Err(Error::SessionExpired);
        }
        let (access, rotated) = self.refresh_tokens(&refresh).await?;
        Ok(Session::new(self.clone(), access, rotated.unwrap_or(refresh)))
    }

    /// `POST auth/token/verify/`: whether the server still accepts this access token.
    pub async fn verify_token(&self, token: &AccessToken) -> Result<bool, Error> {
        let url = self.inner.server.join("auth/token/verify/");
        let a = self.execute(Method::POST, &url, Auth::None, Some(&json!({"token": token.expose()}))).await?;
        match a.status {
            200..=299 => {
                if a.body.iter().all(u8::is_ascii_whitespace) || a.json().is_some() {
                    Ok(true)
                } else {
                    Err(Error::NotOas)
                }
            }
            400 | 401 if a.json().is_some() => Ok(false),
            _ => Err(classify(Route::Verify, &a)),
        }
    }

    /// `POST auth/token/refresh/`: a new access token, and a new refresh token when rotated.
    pub(crate) async fn refresh_tokens(&self, refresh: &RefreshToken) -> Result<(AccessToken, Option<RefreshToken>), Error> {
        let url = self.inner.server.join("auth/token/refresh/");
        let a = self.execute(Method::POST, &url, Auth::None, Some(&json!({"refresh": refresh.expose()}))).await?;
        if a.status == 400 {
            // e.g. {"refresh": ["This field may not be blank."]}
            return Err(if a.json().is_some() { Error::SessionExpired } else { Error::NotOas });
        }
        let v = expect_json(Route::Refresh, a)?;
        let r: RefreshAnswer = serde_json::from_value(v).map_err(|_| Error::NotOas)?;
        if r.access.is_empty() {
            return Err(Error::NotOas);
        }
        let rotated = r.refresh.filter(|n| !n.is_empty() && n != refresh.expose()).map(RefreshToken::new);
        Ok((AccessToken::new(r.access), rotated))
    }

    /// Sends one request to the pinned server, retrying idempotent ones when that is safe.
    pub(crate) async fn execute(&self, method: Method, url: &Url, auth: Auth<'_>, body: Option<&Value>) -> Result<Answer, Error> {
        if !self.inner.server.same_origin(url) {
            return Err(Error::OriginMismatch);
        }
        let opts = &self.inner.opts;
        let idempotent = method == Method::GET || method == Method::HEAD;
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let sent = Instant::now();
            let result = self.once(&method, url, auth, body).await;
            // Method, path, outcome and time only: never a query, a header or a body.
            let outcome = result.as_ref().map_or_else(|e| e.code().to_string(), |a| a.status.to_string());
            log::info!("{method} {} -> {outcome} in {} ms", url.path(), sent.elapsed().as_millis());
            if !idempotent || attempt >= opts.max_retries {
                return result;
            }
            let wait = match &result {
                Err(Error::Unreachable) => Some(self.backoff(attempt)),
                Ok(a) if matches!(a.status, 502..=504) => Some(a.retry_after.unwrap_or_else(|| self.backoff(attempt))),
                Ok(a) if a.status == 429 => a.retry_after.or_else(|| a.json().as_ref().and_then(retry_after_from_detail)),
                _ => None,
            };
            let Some(wait) = wait else { return result };
            if started.elapsed().saturating_add(wait) > opts.retry_budget {
                return result;
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.opts.backoff_base.saturating_mul(1u32 << attempt.min(10));
        let base = base.min(Duration::from_secs(5));
        // Jitter: somewhere between half and all of the delay.
        base.mul_f64(0.5 + 0.5 * random_fraction())
    }

    async fn once(&self, method: &Method, url: &Url, auth: Auth<'_>, body: Option<&Value>) -> Result<Answer, Error> {
        let mut rb = self.inner.http.request(method.clone(), url.clone()).header(ACCEPT, "application/json");
        match auth {
            Auth::None => {}
            Auth::Bearer(t) => rb = rb.header(AUTHORIZATION, bearer(t)?),
            Auth::BearerAndKey(t) => {
                rb = rb.header(AUTHORIZATION, bearer(t)?).header("X-Api-Key", self.inner.key_header.clone())
            }
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let mut resp = rb.send().await.map_err(map_transport)?;
        let status = resp.status().as_u16();
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        let content_type = header(CONTENT_TYPE);
        let retry_after = header(RETRY_AFTER)
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s.min(86_400)));
        let max = self.inner.opts.max_response_bytes;
        if resp.content_length().is_some_and(|n| n > max as u64) {
            return Err(Error::ResponseTooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(map_transport)? {
            if body.len() + chunk.len() > max {
                return Err(Error::ResponseTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, content_type, retry_after, body })
    }
}

fn bearer(t: &AccessToken) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose()))
        .map_err(|_| Error::Unexpected("the access token cannot be sent as a header".into()))?;
    v.set_sensitive(true);
    Ok(v)
}

/// The JSON of a success answer (`Null` for an empty body), or the mapped error.
pub(crate) fn expect_json(route: Route, a: Answer) -> Result<Value, Error> {
    if (200..300).contains(&a.status) {
        if a.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        a.json().ok_or(Error::NotOas)
    } else {
        Err(classify(route, &a))
    }
}

fn random_fraction() -> f64 {
    use std::hash::BuildHasher;
    let r = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    (r >> 11) as f64 / (1u64 << 53) as f64
}

/// Maps a transport failure. Never includes the URL or any header.
pub(crate) fn map_transport(e: reqwest::Error) -> Error {
    let mut text = String::new();
    let mut origin_refused = false;
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = src {
        if s.downcast_ref::<OriginRefused>().is_some() {
            origin_refused = true;
        }
        text.push_str(&s.to_string().to_ascii_lowercase());
        text.push(' ');
        src = s.source();
    }
    if e.is_redirect() {
        return if origin_refused { Error::OriginMismatch } else { Error::NotOas };
    }
    if e.is_timeout() {
        return Error::Timeout;
    }
    // (Not "peer": "connection reset by peer" is a network failure.)
    let tls = ["certificate", "tls", "ssl", "handshake", "corrupt message", "invalidcontenttype"]
        .iter()
        .any(|m| text.contains(m));
    if tls {
        return Error::Tls;
    }
    // A body cut short surfaces as a body or "decoding" error: the connection broke.
    if e.is_connect() || e.is_request() || e.is_body() || e.is_decode() {
        return Error::Unreachable;
    }
    Error::Unexpected(e.without_url().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let c = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("k.k")).unwrap();
        for attempt in 0..20 {
            let d = c.backoff(attempt);
            assert!(d <= Duration::from_secs(5), "{d:?}");
            assert!(d >= Duration::from_millis(125).min(Duration::from_millis(250) * (1 << attempt.min(4))) / 2);
        }
        let f = random_fraction();
        assert!((0.0..1.0).contains(&f));
    }

    #[test]
    fn user_agent_and_debug() {
        assert!(default_user_agent().starts_with("OAS-Desktop/"));
        let c = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH")).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("2tBY21"), "{d}");
        assert!(d.contains("…UjH"));
    }

    #[test]
    fn bad_key_bytes_are_refused() {
        let r = Client::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("a\nb"));
        assert_eq!(r.unwrap_err(), Error::ApiKeyRejected);
    }
}
