//! The error taxonomy, and the mapping of HTTP answers to it (all in one place).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::address::AddressError;

/// Everything that can go wrong talking to OAS. `Display` is one plain-words sentence for a
/// non-technical admin; it never contains a secret or internals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("The server could not be reached. Check the address and your internet connection.")]
    Unreachable,
    #[error("The server took too long to answer. Try again in a moment.")]
    Timeout,
    #[error("A secure connection to the server could not be made. Check the address, or ask your administrator about the server's certificate.")]
    Tls,
    #[error("This address does not lead to an OAS server. Check the server address.")]
    NotOas,
    #[error("The username, email or password is not correct.")]
    WrongCredentials,
    #[error("The API key was not accepted: it may be wrong, revoked or expired. Ask your OAS administrator for a new one.")]
    ApiKeyRejected,
    #[error("Your session has ended — sign in again.")]
    SessionExpired,
    #[error("This item could not be found. It may have been deleted, or it may belong to someone else.")]
    NotFound,
    #[error("{}", throttled_message(.retry_after))]
    Throttled { retry_after: Option<Duration> },
    #[error("{}", validation_message(.fields))]
    Validation { fields: BTreeMap<String, Vec<String>> },
    #[error("The server had a problem (error {status}). Try again later.")]
    Server { status: u16 },
    #[error("{0}")]
    InvalidAddress(AddressError),
    #[error("The server sent an answer that is too large to handle.")]
    ResponseTooLarge,
    #[error("The server tried to send the app to a different address; this was refused to protect your credentials.")]
    OriginMismatch,
    /// The string is for logs: it never contains a secret; it is not shown by `Display`.
    #[error("Something unexpected went wrong. Try again, and contact your OAS administrator if it keeps happening.")]
    Unexpected(String),
}

fn throttled_message(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) if d.as_secs() > 90 => format!("The server is receiving too many requests. Try again in {} minutes.", d.as_secs().div_ceil(60)),
        Some(d) if d.as_secs() > 1 => format!("The server is receiving too many requests. Try again in {} seconds.", d.as_secs()),
        Some(_) => "The server is receiving too many requests. Try again in a second.".to_string(),
        None => "The server is receiving too many requests. Try again in a moment.".to_string(),
    }
}

fn validation_message(fields: &BTreeMap<String, Vec<String>>) -> String {
    if fields.keys().all(|k| k == NON_FIELD) {
        if let Some(first) = fields.get(NON_FIELD).and_then(|m| m.first()) {
            let m: String = first.chars().filter(|c| !c.is_control()).take(200).collect();
            if !m.trim().is_empty() {
                return m;
            }
        }
    }
    "Some of the information was not accepted. Check the marked fields.".to_string()
}

pub(crate) const NON_FIELD: &str = "non_field_errors";

impl Error {
    /// The snake_case code of the app's `{code, message, fields?}` error contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unreachable => "unreachable",
            Error::Timeout => "timeout",
            Error::Tls => "tls",
            Error::NotOas => "not_oas",
            Error::WrongCredentials => "wrong_credentials",
            Error::ApiKeyRejected => "api_key_rejected",
            Error::SessionExpired => "session_expired",
            Error::NotFound => "not_found",
            Error::Throttled { .. } => "throttled",
            Error::Validation { .. } => "validation",
            Error::Server { .. } => "server_error",
            Error::InvalidAddress(e) => e.code(),
            Error::ResponseTooLarge => "response_too_large",
            Error::OriginMismatch => "origin_mismatch",
            Error::Unexpected(_) => "unexpected",
        }
    }

    /// Per-field messages of a validation error.
    pub fn fields(&self) -> Option<&BTreeMap<String, Vec<String>>> {
        match self {
            Error::Validation { fields } => Some(fields),
            _ => None,
        }
    }
}

impl From<AddressError> for Error {
    fn from(e: AddressError) -> Self {
        Error::InvalidAddress(e)
    }
}

/// Flattens DRF validation errors: `{"a": {"b": ["m"]}}` → `a.b`, `{"contacts": [{}, {"email":
/// ["m"]}]}` → `contacts.1.email`. `non_field_errors` stays under that key; a bare `detail` goes
/// there too.
pub fn flatten_fields(v: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    match v {
        Value::Object(_) | Value::Array(_) => walk(v, "", &mut out, 0),
        Value::String(s) => out.entry(NON_FIELD.to_string()).or_insert_with(Vec::new).push(s.clone()),
        _ => {}
    }
    if let Some(d) = out.remove("detail") {
        out.entry(NON_FIELD.to_string()).or_default().extend(d);
    }
    out
}

fn walk(v: &Value, prefix: &str, out: &mut BTreeMap<String, Vec<String>>, depth: usize) {
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    let here = || if prefix.is_empty() { NON_FIELD.to_string() } else { prefix.to_string() };
    if depth > 32 {
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                walk(child, &key(k), out, depth + 1);
            }
        }
        Value::Array(items) => {
            let all_scalar = items.iter().all(|i| !i.is_object() && !i.is_array());
            if all_scalar {
                let msgs: Vec<String> = items.iter().filter_map(scalar_text).collect();
                if !msgs.is_empty() {
                    out.entry(here()).or_default().extend(msgs);
                }
            } else {
                for (i, child) in items.iter().enumerate() {
                    match child {
                        Value::Object(_) | Value::Array(_) => walk(child, &key(&i.to_string()), out, depth + 1),
                        other => {
                            if let Some(t) = scalar_text(other) {
                                out.entry(here()).or_default().push(t);
                            }
                        }
                    }
                }
            }
        }
        other => {
            if let Some(t) = scalar_text(other) {
                out.entry(here()).or_default().push(t);
            }
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Which route an answer came from: the same status means different things on different routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Login,
    Refresh,
    Verify,
    Logout,
    /// Any route that needs the user's token (and, outside /auth/, the API key).
    Protected,
}

/// The parts of an HTTP answer the mapping looks at.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON, when it is JSON (whatever the Content-Type says about it).
    pub fn json(&self) -> Option<Value> {
        let looks_html = self
            .content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("html"));
        if looks_html {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

/// `detail` of a DRF error body.
pub(crate) fn detail(v: &Value) -> Option<&str> {
    v.get("detail").and_then(Value::as_str)
}

/// Seconds from `Retry-After`, or from "Expected available in N seconds." in the body.
pub(crate) fn retry_after_from_detail(v: &Value) -> Option<Duration> {
    let d = detail(v)?;
    let i = d.find("available in ")? + "available in ".len();
    let n: String = d[i..].chars().take_while(|c| c.is_ascii_digit()).collect();
    n.parse::<u64>().ok().map(Duration::from_secs)
}

/// Maps a non-success answer to an error.
pub(crate) fn classify(route: Route, a: &Answer) -> Error {
    let json = a.json();
    let status = a.status;
    if status == 429 {
        let retry_after = a.retry_after.or_else(|| json.as_ref().and_then(retry_after_from_detail));
        return Error::Throttled { retry_after };
    }
    if status >= 500 {
        return Error::Server { status };
    }
    let Some(v) = json else {
        // Not JSON (an HTML page from a proxy or another site).
        return Error::NotOas;
    };
    let d = detail(&v).unwrap_or("");
    match (status, route) {
        (400, Route::Login) => {
            let fields = flatten_fields(&v);
            let wrong = fields.keys().all(|k| k == NON_FIELD)
                && fields
                    .get(NON_FIELD)
                    .is_some_and(|m| m.iter().any(|m| m.to_ascii_lowercase().contains("unable to log in")));
            if wrong {
                Error::WrongCredentials
            } else if fields.is_empty() {
                Error::NotOas
            } else {
                Error::Validation { fields }
            }
        }
        (400, _) => {
            let fields = flatten_fields(&v);
            if fields.is_empty() {
                Error::Unexpected("400 without error details".into())
            } else {
                Error::Validation { fields }
            }
        }
        (401, Route::Login) => Error::WrongCredentials,
        (401, _) => Error::SessionExpired,
        (403, Route::Protected) => {
            if d.contains("credentials were not provided") {
                Error::SessionExpired
            } else {
                Error::ApiKeyRejected
            }
        }
        (403, Route::Login) => Error::WrongCredentials,
        (403, _) => Error::SessionExpired,
        (404, Route::Protected) => Error::NotFound,
        (404, _) | (405, _) => Error::NotOas,
        (413, _) => Error::Validation {
            fields: BTreeMap::from([(NON_FIELD.to_string(), vec!["The information sent is too large.".to_string()])]),
        },
        _ => Error::Unexpected(format!("unexpected HTTP status {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ans(status: u16, body: Value) -> Answer {
        Answer { status, content_type: Some("application/json".into()), retry_after: None, body: serde_json::to_vec(&body).unwrap() }
    }
    fn html(status: u16) -> Answer {
        Answer { status, content_type: Some("text/html; charset=utf-8".into()), retry_after: None, body: b"<!doctype html><h1>Bad Gateway</h1>".to_vec() }
    }

    #[test]
    fn login_errors() {
        let wrong = ans(400, json!({"non_field_errors": ["Unable to log in with provided credentials."]}));
        assert_eq!(classify(Route::Login, &wrong), Error::WrongCredentials);
        let missing = ans(400, json!({"password": ["This field is required."]}));
        let e = classify(Route::Login, &missing);
        assert_eq!(e.code(), "validation");
        assert_eq!(e.fields().unwrap()["password"], vec!["This field is required."]);
        let disabled = ans(400, json!({"non_field_errors": ["User account is disabled."]}));
        assert_eq!(classify(Route::Login, &disabled).to_string(), "User account is disabled.");
        assert_eq!(classify(Route::Login, &html(404)), Error::NotOas);
        assert_eq!(classify(Route::Login, &ans(404, json!({"detail": "Not found."}))), Error::NotOas);
        assert_eq!(classify(Route::Login, &ans(405, json!({"detail": "Method \"POST\" not allowed."}))), Error::NotOas);
    }

    #[test]
    fn protected_errors() {
        let expired = ans(401, json!({"detail": "Given token not valid for any token type", "code": "token_not_valid", "messages": []}));
        assert_eq!(classify(Route::Protected, &expired), Error::SessionExpired);
        assert_eq!(classify(Route::Refresh, &ans(401, json!({"detail": "Token is blacklisted", "code": "token_not_valid"}))), Error::SessionExpired);
        let perm = ans(403, json!({"detail": "You do not have permission to perform this action."}));
        assert_eq!(classify(Route::Protected, &perm), Error::ApiKeyRejected);
        assert_eq!(classify(Route::Protected, &ans(403, json!({"detail": "Authentication credentials were not provided."}))), Error::SessionExpired);
        assert_eq!(classify(Route::Protected, &ans(404, json!({"detail": "No Organisation matches the given query."}))), Error::NotFound);
        assert_eq!(classify(Route::Protected, &ans(404, json!({"detail": "Invalid page."}))), Error::NotFound);
        assert_eq!(classify(Route::Protected, &html(404)), Error::NotOas);
        assert_eq!(classify(Route::Protected, &html(502)), Error::Server { status: 502 });
        assert_eq!(classify(Route::Protected, &ans(500, json!({}))), Error::Server { status: 500 });
        assert_eq!(classify(Route::Protected, &ans(418, json!({}))).code(), "unexpected");
    }

    #[test]
    fn throttling() {
        let mut a = ans(429, json!({"detail": "Request was throttled. Expected available in 17 seconds."}));
        assert_eq!(classify(Route::Login, &a), Error::Throttled { retry_after: Some(Duration::from_secs(17)) });
        a.retry_after = Some(Duration::from_secs(3));
        let e = classify(Route::Protected, &a);
        assert_eq!(e, Error::Throttled { retry_after: Some(Duration::from_secs(3)) });
        assert_eq!(e.to_string(), "The server is receiving too many requests. Try again in 3 seconds.");
        assert_eq!(classify(Route::Protected, &html(429)), Error::Throttled { retry_after: None });
    }

    #[test]
    fn nested_fields_are_flattened() {
        let v = json!({
            "name": ["This field is required."],
            "non_field_errors": ["Nope."],
            "owner": {"email": ["Enter a valid email address."]},
            "contacts": [{}, {"email": ["Bad."], "phones": [{"number": ["Too long."]}]}],
            "currencies": {"1": ["\"XXX\" is not a valid choice."]}
        });
        let f = flatten_fields(&v);
        assert_eq!(f["name"], vec!["This field is required."]);
        assert_eq!(f["non_field_errors"], vec!["Nope."]);
        assert_eq!(f["owner.email"], vec!["Enter a valid email address."]);
        assert_eq!(f["contacts.1.email"], vec!["Bad."]);
        assert_eq!(f["contacts.1.phones.0.number"], vec!["Too long."]);
        assert_eq!(f["currencies.1"], vec!["\"XXX\" is not a valid choice."]);
        assert_eq!(flatten_fields(&json!({"detail": "JSON parse error - x"}))["non_field_errors"], vec!["JSON parse error - x"]);
        let e = classify(Route::Protected, &ans(400, json!({"new_password2": ["The two password fields didn’t match."]})));
        assert_eq!(e.fields().unwrap()["new_password2"], vec!["The two password fields didn’t match."]);
    }

    #[test]
    fn codes_and_messages() {
        let all = [
            (Error::Unreachable, "unreachable"),
            (Error::Timeout, "timeout"),
            (Error::Tls, "tls"),
            (Error::NotOas, "not_oas"),
            (Error::WrongCredentials, "wrong_credentials"),
            (Error::ApiKeyRejected, "api_key_rejected"),
            (Error::SessionExpired, "session_expired"),
            (Error::NotFound, "not_found"),
            (Error::Throttled { retry_after: None }, "throttled"),
            (Error::Validation { fields: BTreeMap::new() }, "validation"),
            (Error::Server { status: 503 }, "server_error"),
            (Error::InvalidAddress(AddressError::Invalid), "invalid_address"),
            (Error::InvalidAddress(AddressError::InsecureHttp), "insecure_address"),
            (Error::ResponseTooLarge, "response_too_large"),
            (Error::OriginMismatch, "origin_mismatch"),
            (Error::Unexpected("internal detail".into()), "unexpected"),
        ];
        for (e, code) in all {
            assert_eq!(e.code(), code);
            let m = e.to_string();
            assert!(m.ends_with('.'), "{m}");
            assert!(!m.contains("internal detail"));
            assert!(m.chars().next().unwrap().is_uppercase());
        }
        assert_eq!(Error::SessionExpired.to_string(), "Your session has ended — sign in again.");
        assert_eq!(Error::Throttled { retry_after: Some(Duration::from_secs(600)) }.to_string(), "The server is receiving too many requests. Try again in 10 minutes.");
    }
}
