//! The bottom layer: one reqwest client pinned to the configured server. Timeouts, the proxy
//! rules, "this computer only" name resolution for loopback servers, the response size cap,
//! bounded retries of idempotent requests, and reading an answer. It knows nothing of tokens
//! beyond putting the one it is handed on the wire.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde_json::Value;
use url::Url;

use crate::address::{AddressError, ServerUrl};
use crate::clock::Clock;
use crate::error::{classify, retry_after_from_detail, Answer, Error, Route};
use crate::secret::{AccessToken, ApiKey};

/// The user agent sent with every request.
pub fn default_user_agent() -> String {
    format!("OAS-Desktop/{}", env!("CARGO_PKG_VERSION"))
}

/// The longest wait between two retries, whatever the attempt.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Tunables of a [`Client`](crate::Client). The defaults suit the desktop app.
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
    /// First backoff delay; it doubles each retry (up to [`MAX_BACKOFF`]), with jitter.
    pub backoff_base: Duration,
    /// How many page requests a listing keeps in flight at most (a bound, not a target: a
    /// `Retry-After` holds them all).
    pub list_concurrency: usize,
    /// A listing with more items than this fails with [`Error::ListTooLarge`] (default 100,000).
    pub max_list_items: u64,
    /// A listing whose pages add up to more bytes than this fails with [`Error::ListTooLarge`]
    /// (default 256 MiB).
    pub max_list_bytes: u64,
    /// Refresh the access token this long before it expires (at most a fifth of its lifetime).
    pub refresh_margin: Duration,
    /// Refresh before `exp` (on by default); off, only a 401 triggers a refresh.
    pub proactive_refresh: bool,
    /// What "now" is for token deadlines (tests move an adjustable one instead of sleeping).
    pub clock: Clock,
    pub user_agent: String,
}

/// Default of [`Options::max_list_items`].
pub const DEFAULT_MAX_LIST_ITEMS: u64 = 100_000;
/// Default of [`Options::max_list_bytes`].
pub const DEFAULT_MAX_LIST_BYTES: u64 = 256 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 8 * 1024 * 1024,
            max_retries: 3,
            retry_budget: Duration::from_secs(20),
            backoff_base: Duration::from_millis(250),
            list_concurrency: 16,
            max_list_items: DEFAULT_MAX_LIST_ITEMS,
            max_list_bytes: DEFAULT_MAX_LIST_BYTES,
            refresh_margin: Duration::from_secs(30),
            proactive_refresh: true,
            clock: Clock::real(),
            user_agent: default_user_agent(),
        }
    }
}

/// Which credentials a request carries.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// `/auth/login/`, `token/refresh/`, `token/verify/`, `logout/`.
    None,
    /// `/auth/user/`, `/auth/password/change/`.
    Bearer(&'a AccessToken),
    /// Everything outside `/auth/`.
    BearerAndKey(&'a AccessToken),
    /// A protected call with a candidate key instead of the one in use (checking a new key).
    BearerAndCandidateKey(&'a AccessToken, &'a HeaderValue),
}

/// The HTTP client of one server and one API key. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    server: ServerUrl,
    /// Replaceable while the session goes on (an administrator rotated the key).
    key: std::sync::RwLock<KeyInUse>,
    opts: Options,
}

#[derive(Clone)]
struct KeyInUse {
    api_key: ApiKey,
    header: HeaderValue,
}

impl KeyInUse {
    fn new(api_key: ApiKey) -> Result<KeyInUse, Error> {
        Ok(KeyInUse { header: key_header(&api_key)?, api_key })
    }
}

/// The `X-Api-Key` header value of a key, marked sensitive (never logged).
pub(crate) fn key_header(api_key: &ApiKey) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(api_key.expose()).map_err(|_| Error::ApiKeyRejected)?;
    header.set_sensitive(true);
    Ok(header)
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

/// A loopback server's name resolved (also) to an address that is not this computer.
#[derive(Debug)]
struct NotThisComputer;
impl fmt::Display for NotThisComputer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the name resolves to an address that is not this computer")
    }
}
impl std::error::Error for NotThisComputer {}

/// Name resolution for a loopback server (`http://localhost:8765`): the name must lead to this
/// computer only, or nothing is sent (plain http and the sandbox's credentials stay local).
struct ThisComputerOnly;

impl reqwest::dns::Resolve for ThisComputerOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs = only_this_computer(addrs)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The TLS configuration of every client: ring, TLS 1.2 and 1.3, certificates verified against
/// Mozilla's roots and the system's (read at each client's start, invalid ones skipped), HTTP/1.1.
/// What reqwest 0.12 built with its `rustls-tls` and `rustls-tls-native-roots` features; built
/// here because reqwest 0.13 (the one tauri-plugin-updater uses too) verifies with the platform's
/// verifier instead, without Mozilla's roots.
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let native = rustls_native_certs::load_native_certs();
    let (valid, invalid) = roots.add_parsable_certificates(native.certs);
    log::debug!("TLS roots: {valid} from the system ({invalid} unreadable), {} built in", webpki_roots::TLS_SERVER_ROOTS.len());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Unexpected(format!("the HTTP client could not start: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The addresses, if every one of them is this computer (and there is at least one).
fn only_this_computer(addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, NotThisComputer> {
    if addrs.is_empty() || addrs.iter().any(|a| !a.ip().is_loopback()) {
        Err(NotThisComputer)
    } else {
        Ok(addrs)
    }
}

impl Transport {
    pub(crate) fn new(server: ServerUrl, api_key: ApiKey, opts: Options) -> Result<Transport, Error> {
        let key = std::sync::RwLock::new(KeyInUse::new(api_key)?);
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
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .user_agent(opts.user_agent.clone())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .redirect(policy);
        // A remote server is reached through the system's proxy (HTTP(S)_PROXY, ALL_PROXY,
        // NO_PROXY; the system settings on macOS and Windows). A server on this computer never
        // is: its plain-http password and key must not travel to a proxy.
        if server.is_loopback() {
            builder = builder.no_proxy().dns_resolver(Arc::new(ThisComputerOnly));
        }
        let http = builder
            .build()
            .map_err(|e| Error::Unexpected(format!("the HTTP client could not start: {}", e.without_url())))?;
        Ok(Transport { inner: Arc::new(Inner { http, server, key, opts }) })
    }

    pub(crate) fn server(&self) -> &ServerUrl {
        &self.inner.server
    }

    pub(crate) fn api_key(&self) -> ApiKey {
        self.key().api_key
    }

    fn key(&self) -> KeyInUse {
        self.inner.key.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the API key for every later request of this transport.
    pub(crate) fn set_api_key(&self, api_key: ApiKey) -> Result<(), Error> {
        let key = KeyInUse::new(api_key)?;
        *self.inner.key.write().unwrap_or_else(|e| e.into_inner()) = key;
        Ok(())
    }

    pub(crate) fn options(&self) -> &Options {
        &self.inner.opts
    }

    /// `path` relative to the API root.
    pub(crate) fn url(&self, path: &str) -> Url {
        self.inner.server.join(path)
    }

    /// A link from the server (`next`, `previous`): absolute or relative, it must be on the
    /// configured origin.
    pub(crate) fn pinned(&self, from: &Url, link: &str) -> Result<Url, Error> {
        let u = from.join(link).map_err(|_| Error::NotOas)?;
        if self.inner.server.same_origin(&u) {
            Ok(u)
        } else {
            Err(Error::OriginMismatch)
        }
    }

    /// Sends one request to the pinned server, retrying idempotent ones when that is safe.
    pub(crate) async fn execute(&self, method: Method, url: &Url, auth: Auth<'_>, body: Option<&Value>) -> Result<Answer, Error> {
        self.execute_paced(method, url, auth, body, None).await
    }

    /// [`Transport::execute`], sharing `pace` with other requests: none is sent while a
    /// `Retry-After` that one of them was given runs.
    pub(crate) async fn execute_paced(&self, method: Method, url: &Url, auth: Auth<'_>, body: Option<&Value>, pace: Option<&Pace>) -> Result<Answer, Error> {
        if !self.inner.server.same_origin(url) {
            return Err(Error::OriginMismatch);
        }
        let opts = &self.inner.opts;
        let idempotent = method == Method::GET || method == Method::HEAD;
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            if let Some(pace) = pace {
                pace.ready().await;
            }
            let sent = Instant::now();
            let result = self.once(&method, url, auth, body).await;
            // Method, path, outcome and time only: never a query, a header or a body. A page of a
            // listing (the requests with a `pace`) that came back is the listing's to log, once
            // for all its pages (`Session::list_all`): a line each would be a thousand lines, and
            // as many writes, for a big account.
            let outcome = result.as_ref().map_or_else(|e| e.code().to_string(), |a| a.status.to_string());
            let level = match (pace, &result) {
                (Some(_), Ok(a)) if (200..300).contains(&a.status) => log::Level::Debug,
                _ => log::Level::Info,
            };
            log::log!(level, "{method} {} -> {outcome} in {} ms", url.path(), sent.elapsed().as_millis());
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
            if let (Some(pace), Ok(a)) = (pace, &result) {
                if a.status == 429 || a.retry_after.is_some() {
                    pace.hold(wait);
                }
            }
            if started.elapsed().saturating_add(wait) > opts.retry_budget {
                return result;
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff_delay(self.inner.opts.backoff_base, attempt, random_fraction())
    }

    async fn once(&self, method: &Method, url: &Url, auth: Auth<'_>, body: Option<&Value>) -> Result<Answer, Error> {
        let mut rb = self.inner.http.request(method.clone(), url.clone()).header(ACCEPT, "application/json");
        match auth {
            Auth::None => {}
            Auth::Bearer(t) => rb = rb.header(AUTHORIZATION, bearer(t)?),
            Auth::BearerAndKey(t) => rb = rb.header(AUTHORIZATION, bearer(t)?).header("X-Api-Key", self.key().header),
            Auth::BearerAndCandidateKey(t, key) => {
                rb = rb.header(AUTHORIZATION, bearer(t)?).header("X-Api-Key", key.clone())
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

/// Shared by the requests of one listing: once the server says "wait" (429, or a
/// `Retry-After`), none of them is sent before that time, not only the one that was told.
#[derive(Clone, Default)]
pub(crate) struct Pace {
    not_before: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

impl Pace {
    /// Returns once no wait asked by the server is running.
    pub(crate) async fn ready(&self) {
        loop {
            let until = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(t) if t > tokio::time::Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    /// Nothing more is sent for `wait` from now (a later deadline already set stays).
    fn hold(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut not_before = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }
}

/// The wait before retry `attempt` (0-based): `base · 2^attempt`, at most [`MAX_BACKOFF`], of
/// which a random part (`fraction` in [0, 1)) of the second half is kept (jitter).
fn backoff_delay(base: Duration, attempt: u32, fraction: f64) -> Duration {
    let full = base.saturating_mul(1u32 << attempt.min(16)).min(MAX_BACKOFF);
    full.mul_f64(0.5 + 0.5 * fraction.clamp(0.0, 1.0))
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
        // Signed in, the server is known to be OAS: a garbled JSON answer is that one answer's
        // fault. Before that (sign-in), anything but JSON means the address is not OAS.
        let announced_json = a.content_type.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("json"));
        a.json().ok_or(if announced_json && route == Route::Protected { Error::BadAnswer } else { Error::NotOas })
    } else {
        Err(classify(route, &a))
    }
}

/// Jitter: uniform in [0, 1).
fn random_fraction() -> f64 {
    fastrand::f64()
}

/// What a transport failure was, from the types in its source chain (never from its text).
#[derive(Debug, Default, PartialEq, Eq)]
struct Causes {
    origin_refused: bool,
    not_this_computer: bool,
    tls: bool,
    timed_out: bool,
}

fn causes(e: &(dyn std::error::Error + 'static)) -> Causes {
    let mut c = Causes::default();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut depth = 0;
    while let Some(s) = src {
        note(s, &mut c);
        depth += 1;
        // `io::Error::source()` skips the error it wraps (which may be another io::Error).
        let wrapped = s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|w| w as &(dyn std::error::Error + 'static));
        src = if depth > 32 { None } else { wrapped.or_else(|| s.source()) };
    }
    c
}

fn note(s: &(dyn std::error::Error + 'static), c: &mut Causes) {
    if s.is::<OriginRefused>() {
        c.origin_refused = true;
    }
    if s.is::<NotThisComputer>() {
        c.not_this_computer = true;
    }
    if s.is::<rustls::Error>() {
        c.tls = true;
    }
    if let Some(io) = s.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::TimedOut {
            c.timed_out = true;
        }
    }
}

/// Maps a transport failure. Never includes the URL or any header.
pub(crate) fn map_transport(e: reqwest::Error) -> Error {
    let c = causes(&e);
    if e.is_redirect() {
        return if c.origin_refused { Error::OriginMismatch } else { Error::NotOas };
    }
    if c.not_this_computer {
        return Error::InvalidAddress(AddressError::InsecureHttp);
    }
    if e.is_timeout() || c.timed_out {
        return Error::Timeout;
    }
    if c.tls {
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
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let base = Duration::from_millis(250);
        for attempt in 0..20u32 {
            let full = (base * 2u32.pow(attempt.min(16))).min(MAX_BACKOFF);
            // The extremes of the jitter.
            assert_eq!(backoff_delay(base, attempt, 0.0), full / 2, "attempt {attempt}");
            assert_eq!(backoff_delay(base, attempt, 1.0), full, "attempt {attempt}");
            // And what the transport actually waits.
            let t = Transport::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("k.k"), Options::default()).unwrap();
            for _ in 0..20 {
                let d = t.backoff(attempt);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
        // The doubling itself, before the cap.
        assert_eq!(backoff_delay(base, 0, 1.0), Duration::from_millis(250));
        assert_eq!(backoff_delay(base, 1, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(base, 2, 1.0), Duration::from_millis(1000));
        assert_eq!(backoff_delay(base, 3, 1.0), Duration::from_millis(2000));
        assert_eq!(backoff_delay(base, 4, 1.0), Duration::from_millis(4000));
        assert_eq!(backoff_delay(base, 5, 1.0), MAX_BACKOFF);
        assert_eq!(backoff_delay(base, 3, 0.0), Duration::from_millis(1000));
        let f = random_fraction();
        assert!((0.0..1.0).contains(&f));
    }

    #[test]
    fn loopback_names_must_resolve_only_to_this_computer() {
        let at = |ip: IpAddr| SocketAddr::new(ip, 0);
        let v4 = at(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let v6 = at(IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(only_this_computer(vec![v4, v6]).unwrap(), vec![v4, v6]);
        assert!(only_this_computer(vec![at(IpAddr::V4(Ipv4Addr::new(127, 9, 9, 9)))]).is_ok());
        assert!(only_this_computer(vec![]).is_err());
        assert!(only_this_computer(vec![v4, at(IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)))]).is_err());
        // An IPv4-mapped loopback is not taken on trust either.
        assert!(only_this_computer(vec![at("::ffff:127.0.0.1".parse().unwrap())]).is_err());
    }

    #[test]
    fn transport_failures_are_recognised_by_type() {
        let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        assert!(causes(&wrapped).tls);
        let wrapped = std::io::Error::other(NotThisComputer);
        assert!(causes(&wrapped).not_this_computer);
        // As tokio-rustls and hyper nest them.
        let nested = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)));
        assert!(causes(&nested).tls);
        let plain = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "certificate tls ssl handshake");
        assert_eq!(causes(&plain), Causes::default(), "words in a message are not types");
        assert!(causes(&std::io::Error::from(std::io::ErrorKind::TimedOut)).timed_out);
    }

    #[test]
    fn bad_key_bytes_are_refused() {
        let r = Transport::new(ServerUrl::parse("https://example.com").unwrap(), ApiKey::new("a\nb"), Options::default());
        assert_eq!(r.err(), Some(Error::ApiKeyRejected));
    }
}
