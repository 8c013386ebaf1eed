//! Listing every organisation against the real sandbox: progress page by page, a bound on the
//! requests in flight, and a `Retry-After` that holds the whole listing.

mod common;

use std::time::Duration;

use common::*;
use oas_api::Options;
use oas_sandbox::{Config, FaultKind, FaultRule, Faults, RequestSeen};

const ORGS: &str = "/api/organisations/";

fn list_requests(seen: &[RequestSeen]) -> Vec<&RequestSeen> {
    seen.iter().filter(|r| r.method == "GET" && r.uri.starts_with(ORGS)).collect()
}

/// The most list requests the server was answering at the same moment. Each one's time at the
/// server lies within the client's, so this never exceeds what the client had in flight.
fn most_at_once(seen: &[&RequestSeen]) -> usize {
    seen.iter()
        .map(|r| seen.iter().filter(|o| o.arrived <= r.arrived && o.answered > r.arrived).count())
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn progress_goes_page_by_page_up_to_the_total() {
    let env = env(Config { page_size: 3, ..Config::default() }).await;
    env.sandbox.seed_orgs(USER, 100).unwrap();
    let (session, _) = env.login().await;
    let mut batches: Vec<(Vec<i64>, u64, u64, bool)> = Vec::new();
    let all = session
        .list_organisations_progressively(|b| batches.push((b.items.iter().map(|o| o.id).collect(), b.loaded, b.total, b.restarted)))
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    // Page 1 first, on its own: the screen can show it before anything else arrives.
    let page1: Vec<i64> = session.organisations_page(1).await.unwrap().results.iter().map(|o| o.id).collect();
    assert_eq!(batches[0].0, page1);
    assert_eq!(batches.len(), 34, "one batch per page");
    let mut loaded = 0;
    for (items, l, total, restarted) in &batches {
        assert!(!restarted);
        assert_eq!(*total, 100);
        assert_eq!(*l, loaded + items.len() as u64, "loaded counts what was handed on");
        assert!(*l > loaded, "progress only moves forward");
        loaded = *l;
    }
    assert_eq!(loaded, 100);
    // In server order, each organisation once.
    let streamed: Vec<i64> = batches.iter().flat_map(|b| b.0.clone()).collect();
    assert_eq!(streamed, all.iter().map(|o| o.id).collect::<Vec<_>>());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn requests_in_flight_are_bounded() {
    let config = Config { page_size: 2, latency: Duration::from_millis(20), record_requests: true, ..Config::default() };
    let env = env_with(config, Options { list_concurrency: 4, ..test_options() }).await;
    env.sandbox.seed_orgs(USER, 80).unwrap();
    let (session, _) = env.login().await;
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 80);
    let seen = env.sandbox.requests();
    let list = list_requests(&seen);
    assert_eq!(list.len(), 40);
    let most = most_at_once(&list);
    assert!(most <= 4, "{most} list requests at once, with list_concurrency 4");
    assert!(most > 1, "the pages after the first are fetched concurrently");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_retry_after_holds_the_whole_listing() {
    // Page 1 passes; the next list request is throttled with `Retry-After: 1`.
    let rules = vec![
        FaultRule { method: Some("GET".into()), path: ORGS.into(), latency_ms: 0, fault: None, times: Some(1), size: None },
        FaultRule { method: Some("GET".into()), path: ORGS.into(), latency_ms: 0, fault: Some(FaultKind::Http429), times: Some(1), size: None },
    ];
    let config = Config { page_size: 1, record_requests: true, faults: Some(Faults { rules }), ..Config::default() };
    let concurrency = 4;
    let env = env_with(config, Options { list_concurrency: concurrency, ..test_options() }).await;
    env.sandbox.seed_orgs(USER, 60).unwrap();
    let (session, _) = env.login().await;
    let mut progress = Vec::new();
    let all = session.list_organisations_progressively(|b| progress.push(b.loaded)).await.unwrap();
    assert_eq!(all.len(), 60, "the throttled page was fetched again");
    assert_eq!(progress.last(), Some(&60));

    let seen = env.sandbox.requests();
    let list = list_requests(&seen);
    let throttled: Vec<&&RequestSeen> = list.iter().filter(|r| r.status == 429).collect();
    assert_eq!(throttled.len(), 1);
    let t = throttled[0];
    let window = t.answered..t.answered + Duration::from_secs(1);
    // Only requests the client had already sent before it read the 429 may arrive while the
    // Retry-After runs (without the pace, the other 58 pages would all arrive in it).
    let during = list.iter().filter(|r| window.contains(&r.arrived)).count();
    assert!(during < 2 * concurrency, "{during} list requests arrived during the Retry-After");
    // The throttled page itself was asked again only after it.
    let again = list.iter().find(|r| r.uri == t.uri && r.status == 200).expect("the throttled page again");
    assert!(again.arrived >= window.end);
    env.sandbox.shutdown().await;
}
