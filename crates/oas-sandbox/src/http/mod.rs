//! The HTTP side, in DRF's shape:
//! - [`routes`]: the one table of routes and their views (the router, `APPEND_SLASH` and the
//!   `Allow` header all read it);
//! - [`pipeline`]: what DRF does before a view's method runs (parse the request, authenticate →
//!   permissions → throttle → method check) and after (`Allow`, `Vary`);
//! - [`fields`]: serializer field validation with DRF's messages;
//! - [`responses`]: answers and error bodies (DRF, simplejwt, Django's HTML pages);
//! - [`auth`] (dj-rest-auth + simplejwt views) and [`organisations`] (the OAS views).

// An early answer is a whole `Response`; that is the point.
#![allow(clippy::result_large_err)]

mod auth;
mod fields;
mod organisations;
mod pipeline;
mod responses;
mod routes;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use chrono::{DateTime, Utc};

use crate::faults::{self, ActiveFaults};
use crate::store::Store;
use crate::{Config, Faults};
use responses::{html_not_found, internal, server_error};

/// What a view answers: `Err` is an early answer (DRF's raised exceptions), sent as it is.
type Reply = Result<Response, Response>;

// ============================================================================ state

pub(crate) struct App {
    pub store: Store,
    secret: Vec<u8>,
    cfg: Config,
    /// Requests per client address in the throttling window, newest first.
    throttle: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
    faults: RwLock<Option<Arc<ActiveFaults>>>,
    /// The requests served, when `Config::record_requests`.
    seen: Mutex<Vec<RequestSeen>>,
    /// Set when the sandbox stops: stalled requests end.
    stopping: tokio::sync::watch::Sender<bool>,
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
            seen: Mutex::new(Vec::new()),
            faults: RwLock::new(faults),
            stopping: tokio::sync::watch::Sender::new(false),
            _tmp: tmp,
            _gone: gone,
        };
        Ok((app, gone_rx))
    }

    /// Ends the requests that a `stall` fault holds (the server is stopping).
    pub fn stop_stalls(&self) {
        self.stopping.send_replace(true);
    }

    pub fn requests(&self) -> Vec<RequestSeen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
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
    let mut router = Router::new();
    for route in routes::ROUTES {
        router = router.route(
            route.path,
            any(move |State(app): State<AppState>, req: Request| routes::serve(app, route, req)),
        );
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), fault_layer))
        .layer(axum::middleware::from_fn_with_state(app.clone(), network_layer))
        .with_state(app)
}

// ============================================================================ the network

/// A request the sandbox served (see `Config::record_requests`).
#[derive(Debug, Clone)]
pub struct RequestSeen {
    pub method: String,
    /// Path and query, e.g. `/api/organisations/?page=3`.
    pub uri: String,
    /// When it arrived, and when its answer's head was ready to go back.
    pub arrived: std::time::Instant,
    pub answered: std::time::Instant,
    pub status: u16,
}

/// The round trip of a real network (`Config::latency`), and the request log.
async fn network_layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let arrived = std::time::Instant::now();
    let seen = app.cfg.record_requests.then(|| (req.method().to_string(), req.uri().to_string()));
    if !app.cfg.latency.is_zero() {
        tokio::time::sleep(app.cfg.latency).await;
    }
    let r = next.run(req).await;
    if let Some((method, uri)) = seen {
        let entry = RequestSeen { method, uri, arrived, answered: std::time::Instant::now(), status: r.status().as_u16() };
        app.seen.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    }
    r
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
    if rule.fault == Some(faults::FaultKind::Stall) {
        // Held until the sandbox stops (so that its shutdown need not wait for the client).
        let mut stopping = app.stopping.subscribe();
        let _ = stopping.wait_for(|stopping| *stopping).await;
        return faults::dropped_connection();
    }
    if let Some(r) = faults::standalone(&rule) {
        return r;
    }
    let real = next.run(req).await;
    faults::mangle(&rule, real).await
}

// ============================================================================ fallback

/// Django: APPEND_SLASH redirect when the path with a slash exists, else the HTML 404 page.
async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if !path.ends_with('/') {
        let with_slash = format!("{path}/");
        if routes::is_known(&with_slash) {
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
