//! What the client writes to the app's log (at the app's level, info): one line per request,
//! except a listing's pages, which make one line for the whole listing; a page that failed still
//! has its own. A log of its own process: the logger is set once.

mod common;

use std::sync::Mutex;

use common::*;
use oas_sandbox::{Config, FaultKind, FaultRule, Faults};

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info
    }
    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            LINES.lock().unwrap().push(record.args().to_string());
        }
    }
    fn flush(&self) {}
}

/// The log is one for the process: each test holds this for its whole run.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The lines logged while `f` ran.
async fn logged<F: std::future::Future<Output = ()>>(f: F) -> Vec<String> {
    if log::set_logger(&Capture).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    LINES.lock().unwrap().clear();
    f.await;
    std::mem::take(&mut *LINES.lock().unwrap())
}

/// A sandbox of 30 organisations, 3 a page, with `config`'s faults; signed in.
async fn thirty(config: Config) -> (Env, oas_api::Session) {
    let env = env(Config { page_size: 3, ..config }).await;
    env.sandbox.seed_orgs(USER, 30).unwrap();
    let (session, _) = env.login().await;
    (env, session)
}

/// What listing every organisation logs.
async fn listing_logged(session: &oas_api::Session) -> Vec<String> {
    logged(async {
        assert_eq!(session.list_all_organisations().await.unwrap().len(), 30);
    })
    .await
}

#[tokio::test]
async fn a_listing_is_one_line_not_one_per_page() {
    let _turn = TURN.lock().await;
    let (env, session) = thirty(Config::default()).await;
    let lines = listing_logged(&session).await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with("GET /api/organisations/ (every page) -> 30 items in "), "{}", lines[0]);
    // Other requests keep their line each.
    let lines = logged(async {
        session.organisations_page(2).await.unwrap();
    })
    .await;
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].starts_with("GET /api/organisations/ -> 200 in "), "{}", lines[0]);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_page_that_failed_keeps_its_line() {
    let _turn = TURN.lock().await;
    // Page 1 passes; the next list request is answered 503 once, then fetched again.
    let rules = vec![
        FaultRule { method: Some("GET".into()), path: "/api/organisations/".into(), latency_ms: 0, fault: None, times: Some(1), size: None },
        FaultRule { method: Some("GET".into()), path: "/api/organisations/".into(), latency_ms: 0, fault: Some(FaultKind::Http503), times: Some(1), size: None },
    ];
    let (env, session) = thirty(Config { faults: Some(Faults { rules }), ..Config::default() }).await;
    let lines = listing_logged(&session).await;
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with("GET /api/organisations/ -> 503 in "), "{}", lines[0]);
    assert!(lines[1].starts_with("GET /api/organisations/ (every page) -> 30 items in "), "{}", lines[1]);
    env.sandbox.shutdown().await;
}
