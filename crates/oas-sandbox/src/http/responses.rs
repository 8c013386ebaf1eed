//! Answers: JSON bodies, DRF's and simplejwt's error bodies, Django's HTML pages.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use crate::jwt::TokenError;

pub(super) const NOT_FOUND_HTML: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

pub(super) const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";

pub(super) fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let mut bytes = Vec::with_capacity(4096);
    serde_json::to_writer(&mut bytes, body).expect("serialisable body");
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

#[derive(Serialize)]
pub(super) struct Detail<'a> {
    detail: &'a str,
}

pub(super) fn detail(status: StatusCode, msg: &str) -> Response {
    json_response(status, &Detail { detail: msg })
}

#[derive(Serialize)]
pub(super) struct DetailCode<'a> {
    pub detail: &'a str,
    pub code: &'a str,
}

#[derive(Serialize)]
pub(super) struct TokenMessage<'a> {
    token_class: &'a str,
    token_type: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
pub(super) struct InvalidAccess<'a> {
    detail: &'a str,
    code: &'a str,
    messages: [TokenMessage<'a>; 1],
}

pub(super) fn with_www_authenticate(mut r: Response) -> Response {
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(WWW_AUTHENTICATE));
    r
}

/// simplejwt `InvalidToken` on a protected route (401 + WWW-Authenticate).
pub(super) fn invalid_access(e: TokenError) -> Response {
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
pub(super) fn invalid_token(e: TokenError) -> Response {
    with_www_authenticate(json_response(
        StatusCode::UNAUTHORIZED,
        &DetailCode { detail: e.message(), code: "token_not_valid" },
    ))
}

pub(super) fn auth_failed(detail_msg: &str, code: &str) -> Response {
    with_www_authenticate(json_response(
        StatusCode::UNAUTHORIZED,
        &DetailCode { detail: detail_msg, code },
    ))
}

pub(super) fn not_authenticated() -> Response {
    with_www_authenticate(detail(
        StatusCode::UNAUTHORIZED,
        "Authentication credentials were not provided.",
    ))
}

pub(super) fn permission_denied() -> Response {
    detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action.")
}

pub(super) fn server_error() -> Response {
    let mut r = Response::new(Body::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n",
    ));
    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

pub(super) fn html_not_found() -> Response {
    let mut r = Response::new(Body::from(NOT_FOUND_HTML));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

/// Internal errors are logged without detail about secrets and answered like Django does.
pub(super) fn internal(e: anyhow::Error) -> Response {
    eprintln!("oas-sandbox: internal error: {e:#}");
    server_error()
}

/// DRF validation errors: `{"field": ["message", ...], ...}`.
pub(super) type Errors = BTreeMap<String, Value>;

pub(super) fn add_error(errors: &mut Errors, field: &str, msg: impl Into<String>) {
    let entry = errors.entry(field.to_string()).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        list.push(Value::String(msg.into()));
    }
}

pub(super) fn bad_request(errors: Errors) -> Response {
    json_response(StatusCode::BAD_REQUEST, &errors)
}

pub(super) fn non_field_error(msg: &str) -> Response {
    let mut e = Errors::new();
    add_error(&mut e, "non_field_errors", msg);
    bad_request(e)
}
