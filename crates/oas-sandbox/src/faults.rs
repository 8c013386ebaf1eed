//! Fault injection: per route latency, proxy errors with HTML bodies, malformed JSON, bodies cut
//! short, dropped connections, oversized bodies and requests that are never answered.
//!
//! File format (JSON), either `{"rules": [...]}` or the bare list:
//! ```json
//! {"rules": [
//!   {"method": "GET", "path": "/api/organisations/", "latency_ms": 300},
//!   {"path": "/api/auth/login/", "fault": "http_503", "times": 2},
//!   {"path": "/api/organisations/*", "fault": "truncated_body"}
//! ]}
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use bytes::Bytes;
use serde::Deserialize;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FaultKind {
    /// 500 with Django's HTML error page.
    #[serde(rename = "http_500")]
    Http500,
    /// 502 with a proxy's HTML page.
    #[serde(rename = "http_502")]
    Http502,
    /// 503 with a proxy's HTML page.
    #[serde(rename = "http_503")]
    Http503,
    /// 429 as DRF throttling answers it (`Retry-After: 1`); the request is not processed.
    #[serde(rename = "http_429")]
    Http429,
    /// The route's real status and headers, its JSON body cut in half (complete HTTP message).
    #[serde(rename = "malformed_json")]
    MalformedJson,
    /// The route's real answer, `Content-Length` of the full body, then the connection closes
    /// halfway through the body.
    #[serde(rename = "truncated_body")]
    TruncatedBody,
    /// The connection closes without any answer.
    #[serde(rename = "drop_connection")]
    DropConnection,
    /// 200 with a valid JSON body of `size` bytes (default 32 MiB).
    #[serde(rename = "oversized_body")]
    OversizedBody,
    /// The request is accepted (and not processed) and no answer ever comes: the client's
    /// timeout decides. When the sandbox stops, the connection closes without an answer.
    #[serde(rename = "stall")]
    Stall,
}

/// One rule; the first rule that matches a request (and is not used up) applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match; absent = any.
    #[serde(default)]
    pub method: Option<String>,
    /// Exact path (`/api/organisations/`), or a prefix ending in `*` (`/api/*`), or `*`.
    pub path: String,
    /// Delay before answering.
    #[serde(default)]
    pub latency_ms: u64,
    /// The fault; absent = latency only.
    #[serde(default)]
    pub fault: Option<FaultKind>,
    /// Apply to the first N matching requests only; absent = always.
    #[serde(default)]
    pub times: Option<u64>,
    /// Size in bytes for `oversized_body`.
    #[serde(default)]
    pub size: Option<usize>,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => self.path == path,
        }
    }
}

/// A set of fault rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "FaultsFile")]
pub struct Faults {
    pub rules: Vec<FaultRule>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultsFile {
    Wrapped { rules: Vec<FaultRule> },
    Bare(Vec<FaultRule>),
}

impl From<FaultsFile> for Faults {
    fn from(f: FaultsFile) -> Self {
        match f {
            FaultsFile::Wrapped { rules } | FaultsFile::Bare(rules) => Faults { rules },
        }
    }
}

impl Faults {
    pub fn from_json(text: &str) -> anyhow::Result<Faults> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn from_file(path: &std::path::Path) -> anyhow::Result<Faults> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Faults::from_json(&text)
            .map_err(|e| anyhow::anyhow!("bad fault file {}: {e}", path.display()))
    }

    /// A single rule for `path` (any method).
    pub fn one(path: &str, fault: FaultKind) -> Faults {
        Faults {
            rules: vec![FaultRule {
                method: None,
                path: path.to_string(),
                latency_ms: 0,
                fault: Some(fault),
                times: None,
                size: None,
            }],
        }
    }
}

/// Faults plus how often each rule fired.
pub(crate) struct ActiveFaults {
    faults: Faults,
    used: Vec<AtomicU64>,
}

impl ActiveFaults {
    pub fn new(faults: Faults) -> Self {
        let used = faults.rules.iter().map(|_| AtomicU64::new(0)).collect();
        ActiveFaults { faults, used }
    }

    /// The rule that applies to this request, counting it as used.
    pub fn pick(&self, method: &str, path: &str) -> Option<FaultRule> {
        for (rule, used) in self.faults.rules.iter().zip(&self.used) {
            if !rule.matches(method, path) {
                continue;
            }
            let n = used.fetch_add(1, Ordering::SeqCst);
            if let Some(times) = rule.times {
                if n >= times {
                    continue;
                }
            }
            return Some(rule.clone());
        }
        None
    }
}

pub(crate) fn latency(rule: &FaultRule) -> Option<Duration> {
    (rule.latency_ms > 0).then(|| Duration::from_millis(rule.latency_ms))
}

const HTML_500: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n";
const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const HTML_503: &str = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

fn html(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

/// No answer at all: a body whose first poll fails makes hyper give up on the connection
/// before the buffered head is written.
pub(crate) fn dropped_connection() -> Response<Body> {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("fault: dropped connection"))
    });
    Response::new(Body::from_stream(stream))
}

/// A fault answer that does not need the real one.
pub(crate) fn standalone(rule: &FaultRule) -> Option<Response<Body>> {
    match rule.fault? {
        FaultKind::Http500 => Some(html(StatusCode::INTERNAL_SERVER_ERROR, HTML_500)),
        FaultKind::Http502 => Some(html(StatusCode::BAD_GATEWAY, HTML_502)),
        FaultKind::Http503 => {
            let mut r = html(StatusCode::SERVICE_UNAVAILABLE, HTML_503);
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Some(r)
        }
        FaultKind::Http429 => {
            let mut r = Response::new(Body::from(r#"{"detail":"Request was throttled. Expected available in 1 second."}"#));
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Some(r)
        }
        FaultKind::DropConnection => Some(dropped_connection()),
        FaultKind::OversizedBody => {
            let size = rule.size.unwrap_or(32 * 1024 * 1024);
            let head: &'static [u8] = br#"{"count":0,"next":null,"previous":null,"results":[],"padding":""#;
            let tail: &'static [u8] = br#""}"#;
            let pad = size.saturating_sub(head.len() + tail.len());
            const CHUNK: usize = 64 * 1024;
            let chunk = Bytes::from(vec![b'x'; CHUNK]);
            let mut parts: Vec<Bytes> = vec![Bytes::from_static(head)];
            let mut left = pad;
            while left > 0 {
                let n = left.min(CHUNK);
                parts.push(chunk.slice(..n));
                left -= n;
            }
            parts.push(Bytes::from_static(tail));
            let stream = futures_util::stream::iter(parts.into_iter().map(Ok::<_, std::io::Error>));
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(size.max(head.len() + tail.len())));
            Some(r)
        }
        FaultKind::MalformedJson | FaultKind::TruncatedBody | FaultKind::Stall => None,
    }
}

/// A fault answer made from the real one.
pub(crate) async fn mangle(rule: &FaultRule, real: Response<Body>) -> Response<Body> {
    let (mut parts, body) = real.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    match rule.fault {
        Some(FaultKind::MalformedJson) => {
            let cut = bytes.slice(..(bytes.len() / 2).max(1).min(bytes.len()));
            let cut = if cut.is_empty() { Bytes::from_static(b"{") } else { cut };
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
            Response::from_parts(parts, Body::from(cut))
        }
        Some(FaultKind::TruncatedBody) => {
            let full = bytes.len().max(2);
            let first = bytes.slice(..bytes.len() / 2);
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            // Let hyper flush the head and the first half before the body fails.
            use futures_util::StreamExt;
            let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) })
                .chain(futures_util::stream::once(async {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    Err(std::io::Error::other("fault: body cut short"))
                }));
            Response::from_parts(parts, Body::from_stream(stream))
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}
