//! The HTTP side: DRF's request pipeline (authenticate → permissions → throttle → method),
//! dj-rest-auth / simplejwt / djangorestframework-api-key answers, organisations.

// An early answer is a whole `Response`; that is the point.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::faults::{self, ActiveFaults};
use crate::jwt::{self, Claims, TokenError};
use crate::store::{Contact, KeyStatus, OrgRow, OrgWrite, Snapshot, Store, UserRow};
use crate::{secrets, Config, Faults};

// ============================================================================ state

pub(crate) struct App {
    pub store: Store,
    secret: Vec<u8>,
    cfg: Config,
    throttle: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
    faults: RwLock<Option<Arc<ActiveFaults>>>,
    // Fields drop in this order: the database closes, then the temporary directory goes, then
    // `_gone` tells `Sandbox::shutdown` (its receiver sees the sender dropped).
    _tmp: Option<tempfile::TempDir>,
    _gone: tokio::sync::oneshot::Sender<()>,
}

impl App {
    /// The app, and a receiver that completes once the app is dropped and its temporary
    /// database (if any) removed.
    pub fn new(cfg: Config) -> anyhow::Result<(App, tokio::sync::oneshot::Receiver<()>)> {
        let (store, tmp) = match &cfg.db {
            Some(path) => (Store::open(path, cfg.clock.clone())?, None),
            None => {
                let dir = tempfile::Builder::new().prefix("oas-sandbox-").tempdir()?;
                (Store::open(&dir.path().join("sandbox.sqlite3"), cfg.clock.clone())?, Some(dir))
            }
        };
        let secret = store.jwt_secret()?;
        let faults = cfg.faults.clone().map(|f| Arc::new(ActiveFaults::new(f)));
        let (gone, gone_rx) = tokio::sync::oneshot::channel();
        let app = App {
            store,
            secret,
            cfg,
            throttle: Mutex::new(HashMap::new()),
            faults: RwLock::new(faults),
            _tmp: tmp,
            _gone: gone,
        };
        Ok((app, gone_rx))
    }

    pub fn set_faults(&self, faults: Option<Faults>) {
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) =
            faults.map(|f| Arc::new(ActiveFaults::new(f)));
    }
}

type AppState = Arc<App>;

/// Runs SQLite work on tokio's blocking pool, off the async workers, so that a request waiting
/// for the database (the writer, a busy file, a full reader pool) holds up no other request.
async fn db<T, F>(app: &AppState, f: F) -> Result<T, Response>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
{
    let app = app.clone();
    match tokio::task::spawn_blocking(move || f(&app.store)).await {
        Ok(r) => r.map_err(internal),
        Err(e) => {
            eprintln!("oas-sandbox: internal error: database task failed: {e}");
            Err(server_error())
        }
    }
}

pub(crate) fn router(app: AppState) -> Router {
    Router::new()
        .route("/api/auth/login/", any(login))
        .route("/api/auth/logout/", any(logout))
        .route("/api/auth/token/refresh/", any(token_refresh))
        .route("/api/auth/token/verify/", any(token_verify))
        .route("/api/auth/user/", any(user_details))
        .route("/api/auth/password/change/", any(password_change))
        .route("/api/organisations/", any(organisations))
        .route("/api/organisations/{id}/", any(organisation))
        .route("/api/organisations/{id}/make_active/", any(make_active))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), fault_layer))
        .with_state(app)
}

// ============================================================================ faults

async fn fault_layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let active = app.faults.read().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(active) = active else {
        return next.run(req).await;
    };
    let Some(rule) = active.pick(req.method().as_str(), req.uri().path()) else {
        return next.run(req).await;
    };
    if let Some(d) = faults::latency(&rule) {
        tokio::time::sleep(d).await;
    }
    if rule.fault.is_none() {
        return next.run(req).await;
    }
    if let Some(r) = faults::standalone(&rule) {
        return r;
    }
    let real = next.run(req).await;
    faults::mangle(&rule, real).await
}

// ============================================================================ responses

const NOT_FOUND_HTML: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let mut bytes = Vec::with_capacity(4096);
    serde_json::to_writer(&mut bytes, body).expect("serialisable body");
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

#[derive(Serialize)]
struct Detail<'a> {
    detail: &'a str,
}

fn detail(status: StatusCode, msg: &str) -> Response {
    json_response(status, &Detail { detail: msg })
}

#[derive(Serialize)]
struct DetailCode<'a> {
    detail: &'a str,
    code: &'a str,
}

#[derive(Serialize)]
struct TokenMessage<'a> {
    token_class: &'a str,
    token_type: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct InvalidAccess<'a> {
    detail: &'a str,
    code: &'a str,
    messages: [TokenMessage<'a>; 1],
}

fn with_www_authenticate(mut r: Response) -> Response {
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(WWW_AUTHENTICATE));
    r
}

/// simplejwt `InvalidToken` on a protected route (401 + WWW-Authenticate).
fn invalid_access(e: TokenError) -> Response {
    with_www_authenticate(json_response(
        StatusCode::UNAUTHORIZED,
        &InvalidAccess {
            detail: "Given token not valid for any token type",
            code: "token_not_valid",
            messages: [TokenMessage {
                token_class: "AccessToken",
                token_type: "access",
                message: e.message(),
            }],
        },
    ))
}

/// simplejwt `InvalidToken(e.args[0])` from the token views (401 + WWW-Authenticate).
fn invalid_token(e: TokenError) -> Response {
    with_www_authenticate(json_response(
        StatusCode::UNAUTHORIZED,
        &DetailCode { detail: e.message(), code: "token_not_valid" },
    ))
}

fn auth_failed(detail_msg: &str, code: &str) -> Response {
    with_www_authenticate(json_response(
        StatusCode::UNAUTHORIZED,
        &DetailCode { detail: detail_msg, code },
    ))
}

fn not_authenticated() -> Response {
    with_www_authenticate(detail(
        StatusCode::UNAUTHORIZED,
        "Authentication credentials were not provided.",
    ))
}

fn permission_denied() -> Response {
    detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action.")
}

fn server_error() -> Response {
    let mut r = Response::new(Body::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n",
    ));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

fn html_not_found() -> Response {
    let mut r = Response::new(Body::from(NOT_FOUND_HTML));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

/// Internal errors are logged without detail about secrets and answered like Django does.
fn internal(e: anyhow::Error) -> Response {
    eprintln!("oas-sandbox: internal error: {e:#}");
    server_error()
}

/// DRF validation errors: `{"field": ["message", ...], ...}`.
type Errors = BTreeMap<String, Value>;

fn add_error(errors: &mut Errors, field: &str, msg: impl Into<String>) {
    let entry = errors.entry(field.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        list.push(Value::String(msg.into()));
    }
}

fn bad_request(errors: Errors) -> Response {
    json_response(StatusCode::BAD_REQUEST, &errors)
}

fn non_field_error(msg: &str) -> Response {
    let mut e = Errors::new();
    add_error(&mut e, "non_field_errors", msg);
    bad_request(e)
}

// ============================================================================ fallback

/// Django: APPEND_SLASH redirect when the path with a slash exists, else the HTML 404 page.
async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if !path.ends_with('/') {
        let with_slash = format!("{path}/");
        if is_known_route(&with_slash) {
            let location = match uri.query() {
                Some(q) => format!("{with_slash}?{q}"),
                None => with_slash,
            };
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
    }
    html_not_found()
}

fn is_known_route(path: &str) -> bool {
    const FIXED: &[&str] = &[
        "/api/auth/login/",
        "/api/auth/logout/",
        "/api/auth/token/refresh/",
        "/api/auth/token/verify/",
        "/api/auth/user/",
        "/api/auth/password/change/",
        "/api/organisations/",
    ];
    if FIXED.contains(&path) {
        return true;
    }
    if let Some(rest) = path.strip_prefix("/api/organisations/") {
        let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        return match segs.as_slice() {
            [id] => !id.is_empty() && !id.contains('.'),
            [id, "make_active"] => !id.is_empty() && !id.contains('.'),
            _ => false,
        };
    }
    false
}

// ============================================================================ request pipeline

/// What DRF knows about a request.
struct Ctx {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    peer: Option<IpAddr>,
}

impl Ctx {
    async fn read(req: Request) -> Result<Ctx, Response> {
        let (parts, body) = req.into_parts();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let body = axum::body::to_bytes(body, 10 * 1024 * 1024)
            .await
            .map_err(|_| detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large."))?;
        Ok(Ctx { method: parts.method, uri: parts.uri, headers: parts.headers, body, peer })
    }

    fn host(&self) -> String {
        self.headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| self.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_string())
    }

    fn is(&self, m: &Method) -> bool {
        self.method == *m || (m == Method::GET && self.method == Method::HEAD)
    }

    /// DRF's `request.data`: JSON, form-encoded, or `{}` without a body or content type.
    async fn data(&self) -> Result<Value, Response> {
        let ct = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string();
        let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if self.body.is_empty() || ct.is_empty() {
            return Ok(Value::Object(Map::new()));
        }
        match media.as_str() {
            "application/json" => serde_json::from_slice(&self.body).map_err(|e| {
                detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {e}"))
            }),
            "application/x-www-form-urlencoded" => {
                let mut map = Map::new();
                for (k, v) in url::form_urlencoded::parse(&self.body) {
                    push_form_value(&mut map, k.into_owned(), v.into_owned());
                }
                Ok(Value::Object(map))
            }
            "multipart/form-data" => self.multipart(&ct).await,
            _ => Err(detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("Unsupported media type \"{ct}\" in request."),
            )),
        }
    }

    /// DRF's `MultiPartParser`: text fields (files are ignored: no field takes one).
    async fn multipart(&self, ct: &str) -> Result<Value, Response> {
        let parse_error = |e: multer::Error| {
            detail(StatusCode::BAD_REQUEST, &format!("Multipart form parse error - {e}"))
        };
        let boundary = multer::parse_boundary(ct).map_err(parse_error)?;
        let body = self.body.clone();
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut form = multer::Multipart::new(stream, boundary);
        let mut map = Map::new();
        while let Some(field) = form.next_field().await.map_err(parse_error)? {
            let Some(name) = field.name().map(str::to_string) else { continue };
            if field.file_name().is_some() {
                continue;
            }
            let text = field.text().await.map_err(parse_error)?;
            push_form_value(&mut map, name, text);
        }
        Ok(Value::Object(map))
    }

    /// `request.data` that must be a JSON object (a serializer's first check).
    async fn object(&self) -> Result<Map<String, Value>, Response> {
        match self.data().await? {
            Value::Object(m) => Ok(m),
            other => Err(non_field_error(&format!(
                "Invalid data. Expected a dictionary, but got {}.",
                python_type(&other)
            ))),
        }
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// A form field: one value is a string, a repeated field becomes a list.
fn push_form_value(map: &mut Map<String, Value>, k: String, v: String) {
    let v = Value::String(v);
    match map.get_mut(&k) {
        Some(Value::Array(list)) => list.push(v),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, v]);
        }
        None => {
            map.insert(k, v);
        }
    }
}

fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Perm {
    AllowAny,
    IsAuthenticated,
    /// djangorestframework-api-key `HasAPIKey` and `IsAuthenticated`.
    ApiKeyAndUser,
}

struct View {
    /// DRF's `Allow` header.
    allow: &'static str,
    /// Methods with a handler (besides OPTIONS; HEAD follows GET).
    methods: &'static [Method],
    /// Whether the view runs the authentication classes (simplejwt's token views do not).
    authenticate: bool,
    perm: Perm,
    /// dj-rest-auth's throttle scope.
    throttled: bool,
    name: &'static str,
}

/// DRF's `initial()` + method dispatch check. Returns the authenticated user, if any.
async fn initial(app: &AppState, ctx: &Ctx, view: &View) -> Result<Option<UserRow>, Response> {
    Ok(initial_then::<()>(app, ctx, view, None).await?.0)
}

/// Database work a view does for an authenticated, permitted user (read-only: it may run before
/// DRF's remaining checks, whose answers then win).
type Then<T> = Box<dyn for<'a, 'b> FnOnce(&Snapshot<'a>, &'b UserRow) -> anyhow::Result<T> + Send>;

/// [`initial`], and `then` in the same trip to the database when the user passes
/// authentication and permissions.
async fn initial_then<T: Send + 'static>(
    app: &AppState,
    ctx: &Ctx,
    view: &View,
    then: Option<Then<T>>,
) -> Result<(Option<UserRow>, Option<T>), Response> {
    let user_id = if view.authenticate { bearer_user_id(app, ctx)? } else { None };
    let key = ctx.headers.get("x-api-key").and_then(|h| h.to_str().ok()).unwrap_or("").to_string();
    // The user and (for HasAPIKey views, when it will be asked) the key, in one trip to the
    // database; the answers are then taken in DRF's order.
    let (user, key_status, then_out) = match user_id {
        None => (None, None, None),
        Some(user_id) => {
            let perm = view.perm;
            let want_key = perm == Perm::ApiKeyAndUser && !key.is_empty();
            let (user, status, out) = db(app, move |store| {
                store.read(|s| {
                    let user = s.user_by_id(user_id)?;
                    let status = match &user {
                        Some(u) if u.is_active && want_key => Some(s.check_key(&key)?),
                        _ => None,
                    };
                    let permitted = perm != Perm::ApiKeyAndUser || status == Some(KeyStatus::Valid);
                    let out = match (&user, then) {
                        (Some(u), Some(then)) if u.is_active && permitted => Some(then(s, u)?),
                        _ => None,
                    };
                    Ok((user, status, out))
                })
            })
            .await?;
            match user {
                None => return Err(auth_failed("User not found", "user_not_found")),
                Some(u) if !u.is_active => return Err(auth_failed("User is inactive", "user_inactive")),
                Some(u) => (Some(u), status, out),
            }
        }
    };
    match view.perm {
        Perm::AllowAny => {}
        Perm::IsAuthenticated => {
            if user.is_none() {
                return Err(not_authenticated());
            }
        }
        Perm::ApiKeyAndUser => {
            if user.is_none() {
                return Err(not_authenticated());
            }
            if key_status.unwrap_or(KeyStatus::Unknown) != KeyStatus::Valid {
                return Err(permission_denied());
            }
        }
    }
    if view.throttled {
        throttle(app, ctx)?;
    }
    if ctx.method == Method::OPTIONS {
        return Err(options(view));
    }
    if !view.methods.iter().any(|m| ctx.is(m)) {
        return Err(detail(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("Method \"{}\" not allowed.", ctx.method.as_str()),
        ));
    }
    Ok((user, then_out))
}

/// DRF's metadata answer to OPTIONS.
fn options(view: &View) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "name": view.name,
            "description": "",
            "renders": ["application/json", "text/html"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        }),
    )
}

/// Adds DRF's `Allow` and `Vary` headers to whatever the view answered.
fn finalize(view: &View, mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_static(view.allow));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    r
}

/// simplejwt's `JWTAuthentication`, up to the user lookup: the user id of a valid access token
/// (None without a Bearer header).
fn bearer_user_id(app: &App, ctx: &Ctx) -> Result<Option<i64>, Response> {
    let Some(raw) = ctx.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let raw = String::from_utf8_lossy(raw.as_bytes()).to_string();
    let parts: Vec<&str> = raw.split_whitespace().collect();
    if parts.is_empty() || parts[0] != "Bearer" {
        return Ok(None);
    }
    if parts.len() != 2 {
        return Err(auth_failed(
            "Authorization header must contain two space-delimited values",
            "bad_authorization_header",
        ));
    }
    let claims =
        jwt::decode(&app.secret, parts[1], Some("access"), app.store.clock().unix()).map_err(invalid_access)?;
    let Some(user_id) = claims.user_id() else {
        return Err(with_www_authenticate(json_response(
            StatusCode::UNAUTHORIZED,
            &DetailCode {
                detail: "Token contained no recognizable user identification",
                code: "token_not_valid",
            },
        )));
    };
    Ok(Some(user_id))
}

/// DRF's `ScopedRateThrottle` for the `dj_rest_auth` scope, keyed by client address.
fn throttle(app: &App, ctx: &Ctx) -> Result<(), Response> {
    let Some(rate) = app.cfg.login_rate_per_min else {
        return Ok(());
    };
    let duration = Duration::from_secs(60);
    let key = ctx.peer.unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let now = app.store.clock().now_utc();
    let since = |t: &DateTime<Utc>| (now - *t).to_std().unwrap_or(Duration::ZERO);
    let mut all = app.throttle.lock().unwrap_or_else(|e| e.into_inner());
    let history = all.entry(key).or_default();
    while history.back().is_some_and(|t| since(t) >= duration) {
        history.pop_back();
    }
    if history.len() >= rate as usize {
        let oldest = history.back().expect("non-empty history");
        let remaining = duration.saturating_sub(since(oldest));
        let wait = remaining.as_secs_f64().ceil().max(1.0) as u64;
        let unit = if wait == 1 { "second" } else { "seconds" };
        let mut r = detail(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Request was throttled. Expected available in {wait} {unit}."),
        );
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Err(r);
    }
    history.push_front(now);
    Ok(())
}

// ============================================================================ field helpers

const REQUIRED: &str = "This field is required.";
const BLANK: &str = "This field may not be blank.";
const NULL: &str = "This field may not be null.";

/// DRF `CharField` (trim_whitespace on). Ok(None) = absent and not required.
fn char_field(
    data: &Map<String, Value>,
    name: &str,
    required: bool,
    allow_blank: bool,
    max_length: Option<usize>,
    errors: &mut Errors,
) -> Option<String> {
    let v = match data.get(name) {
        None => {
            if required {
                add_error(errors, name, REQUIRED);
            }
            return None;
        }
        Some(v) => v,
    };
    let s = match v {
        Value::Null => {
            add_error(errors, name, NULL);
            return None;
        }
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        // A repeated form field: Django's QueryDict gives the last value.
        Value::Array(list) if list.iter().all(|x| x.is_string()) && !list.is_empty() => {
            list.last().and_then(|x| x.as_str()).unwrap_or("").trim().to_string()
        }
        _ => {
            add_error(errors, name, "Not a valid string.");
            return None;
        }
    };
    if s.is_empty() && !allow_blank {
        add_error(errors, name, BLANK);
        return None;
    }
    if let Some(max) = max_length {
        if s.chars().count() > max {
            add_error(errors, name, format!("Ensure this field has no more than {max} characters."));
            return None;
        }
    }
    Some(s)
}

/// A close approximation of Django's `EmailValidator`.
fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || domain.is_empty() || s.chars().any(|c| c.is_whitespace()) {
        return false;
    }
    let local_ok = local
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain == "localhost"
        || (labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit())));
    local_ok && domain_ok
}

fn email_field(
    data: &Map<String, Value>,
    name: &str,
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    let s = char_field(data, name, required, true, Some(254), errors)?;
    if !s.is_empty() && !valid_email(&s) {
        add_error(errors, name, "Enter a valid email address.");
        return None;
    }
    Some(s)
}

/// ISO 4217 alphabetic codes, without the "no currency" and testing codes.
pub(crate) fn valid_currency(code: &str) -> bool {
    code.len() == 3
        && code.chars().all(|c| c.is_ascii_uppercase())
        && !matches!(code, "XXX" | "XTS")
        && iso_currency::Currency::from_code(code).is_some()
}

fn invalid_choice(v: &str) -> String {
    format!("\"{v}\" is not a valid choice.")
}

/// DRF `ChoiceField` over the currency codes.
fn currency_field(data: &Map<String, Value>, name: &str, required: bool, errors: &mut Errors) -> Option<String> {
    let v = match data.get(name) {
        None => {
            if required {
                add_error(errors, name, REQUIRED);
            }
            return None;
        }
        Some(v) => v,
    };
    let s = match v {
        Value::Null => {
            add_error(errors, name, NULL);
            return None;
        }
        Value::String(s) => s.clone(),
        Value::Array(list) if !list.is_empty() && list.iter().all(|x| x.is_string()) => {
            list.last().and_then(|x| x.as_str()).unwrap_or("").to_string()
        }
        other => other.to_string(),
    };
    if !valid_currency(&s) {
        add_error(errors, name, invalid_choice(&s));
        return None;
    }
    Some(s)
}

/// `currencies`: a JSON list or a comma-separated string of codes.
fn currencies_field(data: &Map<String, Value>, name: &str, required: bool, errors: &mut Errors) -> Option<Vec<String>> {
    let v = match data.get(name) {
        None => {
            if required {
                add_error(errors, name, REQUIRED);
            }
            return None;
        }
        Some(v) => v,
    };
    let items: Vec<String> = match v {
        Value::Null => {
            add_error(errors, name, NULL);
            return None;
        }
        Value::String(s) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        Value::Array(list) => {
            let mut out = Vec::new();
            for item in list {
                match item {
                    // A form field may repeat, and each value may itself be "USD,EUR".
                    Value::String(s) if s.contains(',') => out.extend(
                        s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
                    ),
                    Value::String(s) => out.push(s.clone()),
                    other => out.push(other.to_string()),
                }
            }
            out
        }
        other => {
            add_error(
                errors,
                name,
                format!("Expected a list of items but got type \"{}\".", python_type(other)),
            );
            return None;
        }
    };
    if items.is_empty() {
        add_error(errors, name, "This selection may not be empty.");
        return None;
    }
    let mut unique: Vec<String> = Vec::new();
    for code in items {
        if !valid_currency(&code) {
            add_error(errors, name, invalid_choice(&code));
            return None;
        }
        if !unique.contains(&code) {
            unique.push(code);
        }
    }
    Some(unique)
}

/// Django's `URLValidator`, approximately: http(s)/ftp(s) with a host.
fn valid_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => {
            matches!(u.scheme(), "http" | "https" | "ftp" | "ftps")
                && u.host_str().is_some_and(|h| !h.is_empty())
                && !s.chars().any(|c| c.is_whitespace())
        }
        Err(_) => false,
    }
}

/// `image`: URL or null (blank is taken as null).
fn image_field(data: &Map<String, Value>, errors: &mut Errors) -> Option<Option<String>> {
    match data.get("image") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) if s.trim().is_empty() => Some(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.chars().count() > 200 {
                add_error(errors, "image", "Ensure this field has no more than 200 characters.");
                None
            } else if !valid_url(s) {
                add_error(errors, "image", "Enter a valid URL.");
                None
            } else {
                Some(Some(s.to_string()))
            }
        }
        Some(_) => {
            add_error(errors, "image", "Not a valid string.");
            None
        }
    }
}

/// `contacts` (extension): a list of `{name, email, phone, role}`; errors nest per item.
fn contacts_field(data: &Map<String, Value>, errors: &mut Errors) -> Option<Vec<Contact>> {
    let v = data.get("contacts")?;
    let list = match v {
        Value::Array(list) => list,
        Value::Null => {
            add_error(errors, "contacts", NULL);
            return None;
        }
        other => {
            errors.insert(
                "contacts".into(),
                json!({"non_field_errors": [format!("Expected a list of items but got type \"{}\".", python_type(other))]}),
            );
            return None;
        }
    };
    let mut out = Vec::new();
    let mut item_errors = Vec::new();
    let mut any_error = false;
    for item in list {
        let mut e = Errors::new();
        let Value::Object(obj) = item else {
            add_error(&mut e, "non_field_errors", format!("Invalid data. Expected a dictionary, but got {}.", python_type(item)));
            any_error = true;
            item_errors.push(json!(e));
            continue;
        };
        let name = char_field(obj, "name", true, false, Some(255), &mut e);
        let email = email_field(obj, "email", false, &mut e);
        let phone = char_field(obj, "phone", false, true, Some(32), &mut e);
        let role = char_field(obj, "role", false, true, Some(100), &mut e);
        if e.is_empty() {
            out.push(Contact {
                name: name.unwrap_or_default(),
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                role: role.unwrap_or_default(),
            });
            item_errors.push(json!({}));
        } else {
            any_error = true;
            item_errors.push(json!(e));
        }
    }
    if any_error {
        errors.insert("contacts".into(), Value::Array(item_errors));
        return None;
    }
    Some(out)
}

// ============================================================================ serializers

#[derive(Serialize)]
struct UserOut {
    id: i64,
    last_login: Option<String>,
    is_superuser: bool,
    username: String,
    email: String,
    is_staff: bool,
    is_active: bool,
}

impl From<&UserRow> for UserOut {
    fn from(u: &UserRow) -> Self {
        UserOut {
            id: u.id,
            last_login: u.last_login.clone(),
            is_superuser: u.is_superuser,
            username: u.username.clone(),
            email: u.email.clone(),
            is_staff: u.is_staff,
            is_active: u.is_active,
        }
    }
}

#[derive(Serialize)]
struct OrgOut {
    id: i64,
    owner: UserOut,
    name: String,
    base_currency: String,
    currencies: Value,
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts: Option<Vec<Contact>>,
}

fn org_out(app: &App, owner: &UserRow, o: OrgRow) -> OrgOut {
    let currencies = if app.cfg.currencies_as_string {
        Value::String(o.currencies.join(","))
    } else {
        json!(o.currencies)
    };
    OrgOut {
        id: o.id,
        owner: UserOut::from(owner),
        name: o.name,
        base_currency: o.base_currency,
        currencies,
        image: o.image,
        is_active: (!app.cfg.strict).then_some(o.is_active),
        contacts: (!app.cfg.strict).then_some(o.contacts),
    }
}

// ============================================================================ tokens

struct Issued {
    token: String,
    /// dj-rest-auth's `*_expiration`: now + lifetime, with microseconds.
    expiration: String,
}

fn issue(app: &App, token_type: &str, user_id: i64, ttl: Duration) -> Issued {
    let now = app.store.clock().now_utc();
    let exp = now.timestamp() + ttl.as_secs() as i64;
    let claims = Claims {
        token_type: token_type.to_string(),
        exp,
        iat: now.timestamp(),
        jti: secrets::random_hex(16),
        user_id: Value::String(user_id.to_string()),
    };
    let expiration = crate::util::drf_datetime(
        now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero()),
    );
    Issued { token: jwt::encode(&app.secret, &claims), expiration }
}

/// A refresh token as `RefreshToken(raw)` sees it: signature, expiry, type, then the blacklist.
async fn check_refresh(app: &AppState, raw: &str) -> Result<Result<Claims, TokenError>, Response> {
    let claims = match jwt::decode(&app.secret, raw, Some("refresh"), app.store.clock().unix()) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let jti = claims.jti.clone();
    if db(app, move |s| s.is_blacklisted(&jti)).await? {
        return Ok(Err(TokenError::Blacklisted));
    }
    Ok(Ok(claims))
}

// ============================================================================ auth views

macro_rules! try_resp {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

const LOGIN: View = View {
    allow: "POST, OPTIONS",
    methods: &[Method::POST],
    authenticate: true,
    perm: Perm::AllowAny,
    throttled: true,
    name: "Login",
};

#[derive(Serialize)]
struct LoginOut {
    access: String,
    refresh: String,
    user: UserOut,
    access_expiration: String,
    refresh_expiration: String,
}

async fn login(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    let r = login_inner(&app, &ctx).await;
    finalize(&LOGIN, r)
}

async fn login_inner(app: &AppState, ctx: &Ctx) -> Response {
    try_resp!(initial(app, ctx, &LOGIN).await);
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let username = char_field(&data, "username", false, true, None, &mut errors);
    let email = email_field(&data, "email", false, &mut errors);
    let password = char_field(&data, "password", true, false, None, &mut errors);
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let password = password.unwrap_or_default();
    // dj-rest-auth `get_auth_user_using_orm`: the e-mail, when it matches, decides the username.
    let mut username = username.unwrap_or_default();
    let email = email.unwrap_or_default();
    if !email.is_empty() {
        let e = email.clone();
        if let Some(u) = try_resp!(db(app, move |s| s.user_by_email_iexact(&e)).await) {
            username = u.username;
        }
    }
    let user = if username.is_empty() {
        None
    } else {
        let u = username.clone();
        try_resp!(db(app, move |s| s.user_by_username(&u)).await)
    };
    let Some(user) = user else {
        return non_field_error("Unable to log in with provided credentials.");
    };
    let hash = user.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    // Django's ModelBackend refuses inactive users the same way as a wrong password.
    if !ok || !user.is_active {
        return non_field_error("Unable to log in with provided credentials.");
    }
    let id = user.id;
    let last_login = try_resp!(db(app, move |s| s.touch_last_login(id)).await);
    let mut user = user;
    user.last_login = Some(last_login);
    let refresh = issue(app, "refresh", user.id, app.cfg.refresh_ttl);
    let access = issue(app, "access", user.id, app.cfg.access_ttl);
    json_response(
        StatusCode::OK,
        &LoginOut {
            access: access.token,
            refresh: refresh.token,
            user: UserOut::from(&user),
            access_expiration: access.expiration,
            refresh_expiration: refresh.expiration,
        },
    )
}

const LOGOUT: View = View {
    allow: "GET, POST, HEAD, OPTIONS",
    methods: &[Method::POST],
    authenticate: true,
    perm: Perm::AllowAny,
    throttled: true,
    name: "Logout",
};

async fn logout(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&LOGOUT, logout_inner(&app, &ctx).await)
}

async fn logout_inner(app: &AppState, ctx: &Ctx) -> Response {
    try_resp!(initial(app, ctx, &LOGOUT).await);
    let data = try_resp!(ctx.data().await);
    // dj-rest-auth: `RefreshToken(request.data['refresh'])`, then `blacklist()`.
    let raw = match data.get("refresh") {
        None => {
            return detail(StatusCode::UNAUTHORIZED, "Refresh token was not included in request data.")
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) if list.iter().all(|x| x.is_string()) && !list.is_empty() => {
            list.last().and_then(|x| x.as_str()).unwrap_or("").to_string()
        }
        // TypeError in simplejwt.
        Some(_) => return detail(StatusCode::INTERNAL_SERVER_ERROR, "An error has occurred."),
    };
    match try_resp!(check_refresh(app, &raw).await) {
        Ok(claims) => {
            let (jti, exp) = (claims.jti.clone(), claims.exp);
            try_resp!(db(app, move |s| s.blacklist(&jti, exp)).await);
            detail(StatusCode::OK, "Successfully logged out.")
        }
        Err(TokenError::Blacklisted) => detail(StatusCode::UNAUTHORIZED, "Token is blacklisted"),
        // dj-rest-auth only recognises "Token is blacklisted" and simplejwt's old
        // "Token is invalid or expired"; today's messages fall through to its generic 500.
        Err(_) => detail(StatusCode::INTERNAL_SERVER_ERROR, "An error has occurred."),
    }
}

const REFRESH: View = View {
    allow: "POST, OPTIONS",
    methods: &[Method::POST],
    authenticate: false,
    perm: Perm::AllowAny,
    throttled: false,
    name: "Token Refresh",
};

#[derive(Serialize)]
struct RefreshOut {
    access: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh: Option<String>,
    access_expiration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expiration: Option<String>,
}

async fn token_refresh(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&REFRESH, token_refresh_inner(&app, &ctx).await)
}

async fn token_refresh_inner(app: &AppState, ctx: &Ctx) -> Response {
    try_resp!(initial(app, ctx, &REFRESH).await);
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let raw = char_field(&data, "refresh", true, false, None, &mut errors);
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let raw = raw.unwrap_or_default();
    let claims = match try_resp!(check_refresh(app, &raw).await) {
        Ok(c) => c,
        Err(e) => return invalid_token(e),
    };
    let Some(user_id) = claims.user_id() else {
        return invalid_token(TokenError::Invalid);
    };
    match try_resp!(db(app, move |s| s.user_by_id(user_id)).await) {
        Some(u) if u.is_active => {}
        _ => {
            return auth_failed("No active account found for the given token.", "no_active_account")
        }
    }
    let access = issue(app, "access", user_id, app.cfg.access_ttl);
    let mut out = RefreshOut {
        access: access.token,
        refresh: None,
        access_expiration: access.expiration,
        refresh_expiration: None,
    };
    if app.cfg.rotate_refresh {
        // ROTATE_REFRESH_TOKENS + BLACKLIST_AFTER_ROTATION: the old one stops working.
        let (jti, exp) = (claims.jti.clone(), claims.exp);
        try_resp!(db(app, move |s| s.blacklist(&jti, exp)).await);
        let refresh = issue(app, "refresh", user_id, app.cfg.refresh_ttl);
        out.refresh = Some(refresh.token);
        out.refresh_expiration = Some(refresh.expiration);
    }
    json_response(StatusCode::OK, &out)
}

const VERIFY: View = View {
    allow: "POST, OPTIONS",
    methods: &[Method::POST],
    authenticate: false,
    perm: Perm::AllowAny,
    throttled: false,
    name: "Token Verify",
};

async fn token_verify(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&VERIFY, token_verify_inner(&app, &ctx).await)
}

async fn token_verify_inner(app: &AppState, ctx: &Ctx) -> Response {
    try_resp!(initial(app, ctx, &VERIFY).await);
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let raw = char_field(&data, "token", true, false, None, &mut errors);
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let claims = match jwt::decode(&app.secret, &raw.unwrap_or_default(), None, app.store.clock().unix()) {
        Ok(c) => c,
        Err(e) => return invalid_token(e),
    };
    // simplejwt checks the blacklist here only with BLACKLIST_AFTER_ROTATION, as a
    // validation error.
    let jti = claims.jti.clone();
    if app.cfg.rotate_refresh && try_resp!(db(app, move |s| s.is_blacklisted(&jti)).await) {
        return non_field_error("Token is blacklisted");
    }
    json_response(StatusCode::OK, &json!({}))
}

const USER: View = View {
    allow: "GET, PUT, PATCH, HEAD, OPTIONS",
    methods: &[Method::GET, Method::PUT, Method::PATCH],
    authenticate: true,
    perm: Perm::IsAuthenticated,
    throttled: true,
    name: "User Details",
};

async fn user_details(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&USER, user_details_inner(&app, &ctx).await)
}

fn valid_username(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
}

async fn user_details_inner(app: &AppState, ctx: &Ctx) -> Response {
    let user = try_resp!(initial(app, ctx, &USER).await).expect("authenticated");
    if ctx.is(&Method::GET) {
        return json_response(StatusCode::OK, &UserOut::from(&user));
    }
    let partial = ctx.method == Method::PATCH;
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let username = char_field(&data, "username", !partial, false, Some(150), &mut errors);
    if let Some(u) = &username {
        if !valid_username(u) {
            add_error(
                &mut errors,
                "username",
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            );
        } else if try_resp!({
            let (u, id) = (u.clone(), user.id);
            db(app, move |s| s.username_taken_by_other(&u, id)).await
        }) {
            add_error(&mut errors, "username", "A user with that username already exists.");
        }
    }
    let email = email_field(&data, "email", false, &mut errors);
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let id = user.id;
    let updated = try_resp!(
        db(app, move |s| {
            s.update_user(id, username.as_deref(), email.as_deref())?;
            s.user_by_id(id)
        })
        .await
    );
    match updated {
        Some(u) => json_response(StatusCode::OK, &UserOut::from(&u)),
        None => server_error(),
    }
}

const PASSWORD_CHANGE: View = View {
    allow: "POST, OPTIONS",
    methods: &[Method::POST],
    authenticate: true,
    perm: Perm::IsAuthenticated,
    throttled: true,
    name: "Password Change",
};

async fn password_change(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&PASSWORD_CHANGE, password_change_inner(&app, &ctx).await)
}

const COMMON_PASSWORDS: &[&str] = &[
    "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123",
    "qwertyuiop", "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1",
    "abc12345", "letmein1", "trustno1", "passw0rd", "superman", "11111111", "00000000",
];

/// Django's default AUTH_PASSWORD_VALIDATORS, approximately.
fn password_problems(p: &str, user: &UserRow) -> Vec<String> {
    let mut out = Vec::new();
    let lower = p.to_lowercase();
    if !user.username.is_empty()
        && (lower == user.username.to_lowercase()
            || (!user.email.is_empty() && lower == user.email.to_lowercase()))
    {
        out.push("The password is too similar to the username.".to_string());
    }
    if p.chars().count() < 8 {
        out.push("This password is too short. It must contain at least 8 characters.".to_string());
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        out.push("This password is too common.".to_string());
    }
    if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
        out.push("This password is entirely numeric.".to_string());
    }
    out
}

async fn password_change_inner(app: &AppState, ctx: &Ctx) -> Response {
    let user = try_resp!(initial(app, ctx, &PASSWORD_CHANGE).await).expect("authenticated");
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let old = char_field(&data, "old_password", false, true, Some(128), &mut errors);
    let p1 = char_field(&data, "new_password1", true, false, Some(128), &mut errors);
    let p2 = char_field(&data, "new_password2", true, false, Some(128), &mut errors);
    if !errors.is_empty() {
        return bad_request(errors);
    }
    // OLD_PASSWORD_FIELD_ENABLED is off by default; an old password that is sent is checked.
    if let Some(old) = old.filter(|o| !o.is_empty()) {
        let hash = user.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&old, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            add_error(
                &mut errors,
                "old_password",
                "Your old password was entered incorrectly. Please enter it again.",
            );
            return bad_request(errors);
        }
    }
    let (p1, p2) = (p1.unwrap_or_default(), p2.unwrap_or_default());
    if p1 != p2 {
        add_error(&mut errors, "new_password2", "The two password fields didn\u{2019}t match.");
        return bad_request(errors);
    }
    for problem in password_problems(&p2, &user) {
        add_error(&mut errors, "new_password2", problem);
    }
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let id = user.id;
    let res = tokio::task::spawn_blocking(move || secrets::hash_password(&p2)).await;
    let hash = match res {
        Ok(Ok(h)) => h,
        _ => return server_error(),
    };
    try_resp!(db(app, move |s| s.set_password_hash(id, &hash)).await);
    detail(StatusCode::OK, "New password has been saved.")
}

// ============================================================================ organisations

const ORG_LIST: View = View {
    allow: "GET, POST, HEAD, OPTIONS",
    methods: &[Method::GET, Method::POST],
    authenticate: true,
    perm: Perm::ApiKeyAndUser,
    throttled: false,
    name: "Organisation List",
};

const ORG_DETAIL: View = View {
    allow: "GET, PUT, PATCH, HEAD, OPTIONS",
    methods: &[Method::GET, Method::PUT, Method::PATCH],
    authenticate: true,
    perm: Perm::ApiKeyAndUser,
    throttled: false,
    name: "Organisation Instance",
};

const ORG_ACTIVATE: View = View {
    allow: "POST, OPTIONS",
    methods: &[Method::POST],
    authenticate: true,
    perm: Perm::ApiKeyAndUser,
    throttled: false,
    name: "Make Active",
};

const NO_ORG: &str = "No Organisation matches the given query.";

async fn organisations(State(app): State<AppState>, req: Request) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&ORG_LIST, organisations_inner(&app, &ctx).await)
}

#[derive(Serialize)]
struct Page {
    count: usize,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<OrgOut>,
}

/// DRF's `replace_query_param` / `remove_query_param`: sorted keys, values kept in order.
fn page_link(ctx: &Ctx, page: Option<usize>) -> String {
    let mut q: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in ctx.query_pairs() {
        q.entry(k).or_default().push(v);
    }
    match page {
        Some(p) => {
            q.insert("page".into(), vec![p.to_string()]);
        }
        None => {
            q.remove("page");
        }
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, vs) in &q {
        for v in vs {
            ser.append_pair(k, v);
        }
    }
    let query = ser.finish();
    let base = format!("http://{}{}", ctx.host(), ctx.uri.path());
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

/// The count, and the offset and rows of the page (None = "Invalid page.").
type OrgPage = (usize, Option<(usize, Vec<OrgRow>)>);

/// DRF's `PageNumberPagination`: the count decides which page numbers exist (`last` included);
/// the count and the page come from one snapshot.
fn org_page(s: &Snapshot<'_>, owner: i64, size: usize, page_param: Option<String>) -> anyhow::Result<OrgPage> {
    s.org_page(owner, size, |count| {
        let num_pages = count.div_ceil(size).max(1);
        let page = match page_param {
            None => 1,
            Some(p) if p == "last" => num_pages,
            Some(p) => match p.trim().parse::<i64>() {
                Ok(n) if n >= 1 && (n as usize) <= num_pages => n as usize,
                _ => return None,
            },
        };
        Some((page - 1) * size)
    })
}

async fn organisations_inner(app: &AppState, ctx: &Ctx) -> Response {
    let size = app.cfg.page_size.max(1);
    // A GET reads its page in the same trip to the database as the authentication.
    let then: Option<Then<OrgPage>> = ctx.is(&Method::GET).then(|| {
        let page_param =
            ctx.query_pairs().into_iter().rev().find(|(k, _)| k == "page").map(|(_, v)| v);
        Box::new(move |s: &Snapshot<'_>, u: &UserRow| org_page(s, u.id, size, page_param)) as Then<OrgPage>
    });
    let (user, page) = try_resp!(initial_then(app, ctx, &ORG_LIST, then).await);
    let user = user.expect("authenticated");
    if ctx.method == Method::POST {
        return org_write(app, ctx, &user, None).await;
    }
    let Some((count, found)) = page else {
        return server_error();
    };
    let Some((offset, rows)) = found else {
        return detail(StatusCode::NOT_FOUND, "Invalid page.");
    };
    let page = offset / size + 1;
    let num_pages = count.div_ceil(size).max(1);
    let next = (page < num_pages).then(|| page_link(ctx, Some(page + 1)));
    let previous = match page {
        1 => None,
        2 => Some(page_link(ctx, None)),
        p => Some(page_link(ctx, Some(p - 1))),
    };
    let results = rows.into_iter().map(|o| org_out(app, &user, o)).collect();
    json_response(StatusCode::OK, &Page { count, next, previous, results })
}

/// Create (`id` None) or update an organisation from the request body.
async fn org_write(app: &AppState, ctx: &Ctx, user: &UserRow, id: Option<i64>) -> Response {
    let partial = ctx.method == Method::PATCH;
    let data = try_resp!(ctx.object().await);
    let mut errors = Errors::new();
    let name = char_field(&data, "name", !partial, false, Some(255), &mut errors);
    let base_currency = currency_field(&data, "base_currency", !partial, &mut errors);
    let currencies = currencies_field(&data, "currencies", !partial, &mut errors);
    let image = image_field(&data, &mut errors);
    let contacts = if app.cfg.strict { None } else { contacts_field(&data, &mut errors) };
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let w = OrgWrite { name, base_currency, currencies, image, contacts };
    match id {
        None => {
            let owner = user.id;
            let org = try_resp!(db(app, move |s| s.create_org(owner, &w)).await);
            json_response(StatusCode::CREATED, &org_out(app, user, org))
        }
        Some(id) => match try_resp!({
            let owner = user.id;
            db(app, move |s| s.update_org(owner, id, &w)).await
        }) {
            Some(org) => json_response(StatusCode::OK, &org_out(app, user, org)),
            None => detail(StatusCode::NOT_FOUND, NO_ORG),
        },
    }
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok()
}

async fn organisation(
    State(app): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    req: Request,
) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&ORG_DETAIL, organisation_inner(&app, &ctx, &id).await)
}

async fn organisation_inner(app: &AppState, ctx: &Ctx, raw_id: &str) -> Response {
    let user = try_resp!(initial(app, ctx, &ORG_DETAIL).await).expect("authenticated");
    let Some(id) = parse_id(raw_id) else {
        return detail(StatusCode::NOT_FOUND, NO_ORG);
    };
    let owner = user.id;
    let Some(org) = try_resp!(db(app, move |s| s.get_org(owner, id)).await) else {
        return detail(StatusCode::NOT_FOUND, NO_ORG);
    };
    if ctx.is(&Method::GET) {
        return json_response(StatusCode::OK, &org_out(app, &user, org));
    }
    org_write(app, ctx, &user, Some(id)).await
}

async fn make_active(
    State(app): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    req: Request,
) -> Response {
    let ctx = try_resp!(Ctx::read(req).await);
    finalize(&ORG_ACTIVATE, make_active_inner(&app, &ctx, &id).await)
}

#[derive(Serialize)]
struct Message {
    message: String,
}

async fn make_active_inner(app: &AppState, ctx: &Ctx, raw_id: &str) -> Response {
    let user = try_resp!(initial(app, ctx, &ORG_ACTIVATE).await).expect("authenticated");
    let Some(id) = parse_id(raw_id) else {
        return detail(StatusCode::NOT_FOUND, NO_ORG);
    };
    let owner = user.id;
    match try_resp!(db(app, move |s| s.make_active(owner, id)).await) {
        Some(org) => json_response(
            StatusCode::OK,
            &Message { message: format!("Organisation \"{}\" is now active.", org.name) },
        ),
        None => detail(StatusCode::NOT_FOUND, NO_ORG),
    }
}
