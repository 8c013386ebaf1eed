//! The error taxonomy, and the mapping of HTTP answers to it (all in one place).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::address::AddressError;

/// Everything that can go wrong talking to OAS. The variants carry data (status, fields,
/// retry-after), not sentences: the app's UI words each one in the person's language.
/// `Display` is a short English text for logs; it never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("server unreachable")]
    Unreachable,
    #[error("timed out")]
    Timeout,
    #[error("secure (TLS) connection failed")]
    Tls,
    #[error("not an OAS server")]
    NotOas,
    /// A success answer announced as JSON whose body is not valid JSON (cut short, garbled):
    /// the server is an OAS server, this one answer could not be read.
    #[error("unreadable answer")]
    BadAnswer,
    #[error("credentials not accepted")]
    WrongCredentials,
    #[error("API key rejected")]
    ApiKeyRejected,
    #[error("session expired")]
    SessionExpired,
    #[error("not found")]
    NotFound,
    #[error("throttled{}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    Throttled { retry_after: Option<Duration> },
    #[error("validation failed: {}", fields.keys().cloned().collect::<Vec<_>>().join(", "))]
    Validation { fields: BTreeMap<String, Vec<String>> },
    #[error("server error {status}")]
    Server { status: u16 },
    #[error("invalid address: {0}")]
    InvalidAddress(AddressError),
    #[error("response too large")]
    ResponseTooLarge,
    /// The server refused what was sent as too large (413).
    #[error("request too large")]
    RequestTooLarge,
    /// A listing went past [`Options::max_list_items`](crate::Options::max_list_items) or
    /// [`Options::max_list_bytes`](crate::Options::max_list_bytes).
    #[error("list too large (over {max_items} items or {max_bytes} bytes)")]
    ListTooLarge { max_items: u64, max_bytes: u64 },
    #[error("link or redirect to another origin refused")]
    OriginMismatch,
    /// For logs: never contains a secret.
    #[error("unexpected: {0}")]
    Unexpected(String),
}

pub(crate) const NON_FIELD: &str = "non_field_errors";

impl Error {
    /// Whether a request that failed this way may still have been carried out by the server
    /// (the answer was lost, not refused): a create must be looked for before anyone sends it
    /// again.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::Unreachable | Error::Timeout | Error::BadAnswer | Error::Server { status: 502 | 504 })
    }

    /// A snake_case label of the variant, for logs and tests (the app maps the variants
    /// themselves, exhaustively, to its IPC codes).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unreachable => "unreachable",
            Error::Timeout => "timeout",
            Error::Tls => "tls",
            Error::NotOas => "not_oas",
            Error::BadAnswer => "bad_answer",
            Error::WrongCredentials => "wrong_credentials",
            Error::ApiKeyRejected => "api_key_rejected",
            Error::SessionExpired => "session_expired",
            Error::NotFound => "not_found",
            Error::Throttled { .. } => "throttled",
            Error::Validation { .. } => "validation",
            Error::Server { .. } => "server_error",
            Error::InvalidAddress(e) => e.code(),
            Error::ResponseTooLarge => "response_too_large",
            Error::RequestTooLarge => "request_too_large",
            Error::ListTooLarge { .. } => "list_too_large",
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
        (413, _) => Error::RequestTooLarge,
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
        assert_eq!(classify(Route::Login, &disabled).fields().unwrap()[NON_FIELD], vec!["User account is disabled."]);
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
        assert_eq!(e.to_string(), "throttled, retry after 3 s");
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
            (Error::BadAnswer, "bad_answer"),
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
            (Error::RequestTooLarge, "request_too_large"),
            (Error::ListTooLarge { max_items: 1, max_bytes: 2 }, "list_too_large"),
            (Error::OriginMismatch, "origin_mismatch"),
            (Error::Unexpected("internal detail".into()), "unexpected"),
        ];
        for (e, code) in all {
            assert_eq!(e.code(), code);
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(Error::SessionExpired.to_string(), "session expired");
        assert_eq!(Error::Throttled { retry_after: Some(Duration::from_secs(600)) }.to_string(), "throttled, retry after 600 s");
        assert_eq!(Error::Unexpected("internal detail".into()).to_string(), "unexpected: internal detail");
    }
}
