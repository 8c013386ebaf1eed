//! DRF's request pipeline: the request as a view sees it ([`Ctx`]: `request.data`, query
//! parameters), then `initial()` — authentication → permissions → throttling → method check —
//! and `finalize_response()` (`Allow`, `Vary`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Path, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::responses::{
    auth_failed, detail, invalid_access, json_response, non_field_error, not_authenticated,
    permission_denied, with_www_authenticate, DetailCode,
};
use super::{db, App, AppState};
use crate::jwt;
use crate::store::{KeyStatus, Snapshot, UserRow};

/// What DRF knows about a request, and the view it is for.
pub(super) struct Ctx {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    body: Bytes,
    peer: Option<IpAddr>,
    view: &'static View,
    /// The route's `{id}`, percent-decoded.
    id: Option<String>,
}

impl Ctx {
    /// Reads a request for `view`; `has_id` when its route has an `{id}` segment.
    pub async fn read(req: Request, view: &'static View, has_id: bool) -> Result<Ctx, Response> {
        let (mut parts, body) = req.into_parts();
        let id = if has_id {
            let Path(id) = Path::<String>::from_request_parts(&mut parts, &())
                .await
                .map_err(IntoResponse::into_response)?;
            Some(id)
        } else {
            None
        };
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let body = axum::body::to_bytes(body, 10 * 1024 * 1024)
            .await
            .map_err(|_| detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large."))?;
        Ok(Ctx {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
            peer,
            view,
            id,
        })
    }

    /// The route's `{id}` parameter as the view received it.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or("")
    }

    /// DRF's `initial()` and method check for this request's view: the authenticated user, if
    /// any, or the early answer.
    pub async fn initial(&self, app: &AppState) -> Result<Option<UserRow>, Response> {
        Ok(initial_then::<()>(app, self, None).await?.0)
    }

    /// [`Ctx::initial`] for a view that needs a user (its permission refuses anonymous requests).
    pub async fn user(&self, app: &AppState) -> Result<UserRow, Response> {
        Ok(self.initial(app).await?.expect("the view's permission requires a user"))
    }

    /// [`Ctx::initial`], and `then` in the same trip to the database when the user passes
    /// authentication and permissions.
    pub async fn initial_then<T: Send + 'static>(
        &self,
        app: &AppState,
        then: Option<Then<T>>,
    ) -> Result<(Option<UserRow>, Option<T>), Response> {
        initial_then(app, self, then).await
    }

    pub fn host(&self) -> String {
        self.headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| self.uri.authority().map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost".to_string())
    }

    pub fn is(&self, m: &Method) -> bool {
        self.method == *m || (m == Method::GET && self.method == Method::HEAD)
    }

    /// DRF's `request.data`: JSON, form-encoded, or `{}` without a body or content type.
    pub async fn data(&self) -> Result<Value, Response> {
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
    pub async fn object(&self) -> Result<Map<String, Value>, Response> {
        match self.data().await? {
            Value::Object(m) => Ok(m),
            other => Err(non_field_error(&format!(
                "Invalid data. Expected a dictionary, but got {}.",
                python_type(&other)
            ))),
        }
    }

    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// A form field: one value is a string, a repeated field becomes a list.
pub(super) fn push_form_value(map: &mut Map<String, Value>, k: String, v: String) {
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

pub(super) fn python_type(v: &Value) -> &'static str {
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

/// The view's permission classes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Perm {
    AllowAny,
    IsAuthenticated,
    /// djangorestframework-api-key `HasAPIKey` and `IsAuthenticated`.
    ApiKeyAndUser,
}

/// What DRF knows about a view class.
pub(super) struct View {
    /// The view's name (OPTIONS metadata).
    pub name: &'static str,
    /// Methods with a handler (besides OPTIONS; HEAD follows GET).
    pub methods: &'static [Method],
    /// Methods the view defines that answer 405 anyway (listed in `Allow`).
    pub listed_only: &'static [Method],
    /// Whether the view runs the authentication classes (simplejwt's token views do not).
    pub authenticate: bool,
    pub perm: Perm,
    /// dj-rest-auth's throttle scope.
    pub throttled: bool,
}

impl View {
    /// DRF's `Allow` header: the methods the view defines, in Django's `http_method_names`
    /// order, HEAD with GET, and OPTIONS.
    pub fn allow(&self) -> String {
        let defined = |m: &Method| self.methods.contains(m) || self.listed_only.contains(m);
        let mut out: Vec<&str> = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE]
            .iter()
            .filter(|m| defined(m))
            .map(Method::as_str)
            .collect();
        if defined(&Method::GET) {
            out.push("HEAD");
        }
        out.push("OPTIONS");
        out.join(", ")
    }
}

/// Database work a view does for an authenticated, permitted user (read-only: it may run before
/// DRF's remaining checks, whose answers then win).
pub(super) type Then<T> = Box<dyn for<'a, 'b> FnOnce(&Snapshot<'a>, &'b UserRow) -> anyhow::Result<T> + Send>;

/// DRF's `initial()` + method dispatch check, with `then` (see [`Ctx::initial_then`]).
async fn initial_then<T: Send + 'static>(
    app: &AppState,
    ctx: &Ctx,
    then: Option<Then<T>>,
) -> Result<(Option<UserRow>, Option<T>), Response> {
    let view = ctx.view;
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
pub(super) fn finalize(view: &View, mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::ALLOW, HeaderValue::from_str(&view.allow()).expect("method names are ASCII"));
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
