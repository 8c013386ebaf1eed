//! The sandbox's fault modes: proxy errors with HTML, malformed and cut bodies, dropped
//! connections, oversized bodies, latency.

mod common;

use std::time::{Duration, Instant};

use common::*;
use oas_api::{Error, NewOrganisation, Options};
use oas_sandbox::{Config, FaultKind, FaultRule, Faults};

fn rule(method: Option<&str>, path: &str, fault: Option<FaultKind>, times: Option<u64>) -> FaultRule {
    FaultRule { method: method.map(str::to_string), path: path.into(), latency_ms: 0, fault, times, size: None }
}

fn faults(rules: Vec<FaultRule>) -> Option<Faults> {
    Some(Faults { rules })
}

const ORGS: &str = "/api/organisations/";

#[tokio::test]
async fn transient_503_on_get_is_retried() {
    let env = env(Config::default()).await;
    env.sandbox.seed_orgs(USER, 3).unwrap();
    let (session, _) = env.login().await;
    env.sandbox.set_faults(faults(vec![rule(Some("GET"), ORGS, Some(FaultKind::Http503), Some(2))]));
    let started = Instant::now();
    assert_eq!(session.organisations_page(1).await.unwrap().count, 3);
    // Retry-After: 1 was honoured, twice.
    assert!(started.elapsed() >= Duration::from_millis(1900), "{:?}", started.elapsed());
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn persistent_proxy_errors_are_bounded() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    for (kind, status) in [(FaultKind::Http502, 502), (FaultKind::Http503, 503), (FaultKind::Http500, 500)] {
        env.sandbox.set_faults(faults(vec![rule(None, ORGS, Some(kind), None)]));
        // Bounded: it ends with the error (origin_and_transport.rs counts the attempts).
        let err = session.organisations_page(1).await.unwrap_err();
        assert_eq!(err, Error::Server { status });
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn post_is_never_resent() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    // Only the first POST fails: a client that re-sent it would succeed and create it.
    env.sandbox.set_faults(faults(vec![rule(Some("POST"), ORGS, Some(FaultKind::Http503), Some(1))]));
    let new = NewOrganisation { name: "Once".into(), base_currency: "USD".into(), currencies: vec!["USD".into()], ..Default::default() };
    assert_eq!(session.create_organisation(&new).await.unwrap_err(), Error::Server { status: 503 });
    assert_eq!(session.organisations_page(1).await.unwrap().count, 0);
    env.sandbox.set_faults(faults(vec![rule(Some("POST"), ORGS, Some(FaultKind::DropConnection), Some(1))]));
    assert_eq!(session.create_organisation(&new).await.unwrap_err(), Error::Unreachable);
    assert_eq!(session.organisations_page(1).await.unwrap().count, 0);
    // And sign-in (a POST) is not re-sent either.
    env.sandbox.set_faults(faults(vec![rule(None, "/api/auth/login/", Some(FaultKind::Http502), Some(1))]));
    assert_eq!(env.login_err().await, Error::Server { status: 502 });
    env.sandbox.set_faults(None);
    env.login().await;
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_not_sent_again() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    let new = NewOrganisation { name: "Lost Answer Ltd".into(), base_currency: "EUR".into(), currencies: vec!["EUR".into(), "USD".into()], ..Default::default() };
    // The server creates it, then the connection breaks halfway through the answer.
    env.sandbox.set_faults(faults(vec![rule(Some("POST"), ORGS, Some(FaultKind::TruncatedBody), Some(1))]));
    let created = session.create_organisation(&new).await.unwrap();
    assert_eq!(created.name, "Lost Answer Ltd");
    let all = session.list_all_organisations().await.unwrap();
    assert_eq!(all.len(), 1, "created once: {all:?}");
    assert_eq!(all[0].id, created.id);
    // The same answer garbled: found the same way.
    env.sandbox.set_faults(faults(vec![rule(Some("POST"), ORGS, Some(FaultKind::MalformedJson), Some(1))]));
    let other = NewOrganisation { name: "Garbled Answer Ltd".into(), ..new.clone() };
    assert_eq!(session.create_organisation(&other).await.unwrap().name, "Garbled Answer Ltd");
    assert_eq!(session.list_all_organisations().await.unwrap().len(), 2);
    env.sandbox.shutdown().await;
}

trait LoginErr {
    async fn login_err(&self) -> Error;
}
impl LoginErr for Env {
    async fn login_err(&self) -> Error {
        self.client.login(USER, EMAIL, &oas_api::Password::new(PASSWORD)).await.unwrap_err()
    }
}

#[tokio::test]
async fn malformed_json_is_an_unreadable_answer() {
    let env = env(Config::default()).await;
    let (session, _) = env.login().await;
    // Announced as JSON, garbled: the server is OAS, this answer could not be read.
    env.sandbox.set_faults(faults(vec![rule(None, "/api/auth/user/", Some(FaultKind::MalformedJson), None)]));
    assert_eq!(session.user().await.unwrap_err(), Error::BadAnswer);
    // Before signing in, the server is not known to be OAS yet.
    env.sandbox.set_faults(faults(vec![rule(None, "/api/auth/login/", Some(FaultKind::MalformedJson), None)]));
    assert_eq!(env.login_err().await, Error::NotOas);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn cut_bodies_and_dropped_connections() {
    let env = env(Config::default()).await;
    env.sandbox.seed_orgs(USER, 3).unwrap();
    let (session, _) = env.login().await;
    for kind in [FaultKind::TruncatedBody, FaultKind::DropConnection] {
        // Once: the GET is retried and succeeds.
        env.sandbox.set_faults(faults(vec![rule(None, ORGS, Some(kind), Some(1))]));
        assert_eq!(session.organisations_page(1).await.unwrap().count, 3, "{kind:?}");
        // Always: a clear error, after bounded retries.
        env.sandbox.set_faults(faults(vec![rule(None, ORGS, Some(kind), None)]));
        assert_eq!(session.organisations_page(1).await.unwrap_err(), Error::Unreachable, "{kind:?}");
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let env = env_with(Config::default(), Options { max_response_bytes: 1024 * 1024, ..test_options() }).await;
    let (session, _) = env.login().await;
    for size in [2 * 1024 * 1024, 32 * 1024 * 1024] {
        let mut r = rule(None, ORGS, Some(FaultKind::OversizedBody), None);
        r.size = Some(size);
        env.sandbox.set_faults(faults(vec![r]));
        let err = session.organisations_page(1).await.unwrap_err();
        assert_eq!(err, Error::ResponseTooLarge);
        assert_eq!(err.code(), "response_too_large");
    }
    // Below the cap it is a (useless but valid) page.
    let mut r = rule(None, ORGS, Some(FaultKind::OversizedBody), None);
    r.size = Some(512 * 1024);
    env.sandbox.set_faults(faults(vec![r]));
    assert_eq!(session.organisations_page(1).await.unwrap().count, 0);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn slow_server_times_out() {
    let env = env_with(Config::default(), Options { request_timeout: Duration::from_millis(2000), ..test_options() }).await;
    let (session, _) = env.login().await;
    let mut r = rule(None, ORGS, None, None);
    // (The timeout leaves room for a loaded machine: the login above must fit in it.)
    r.latency_ms = 6000;
    env.sandbox.set_faults(faults(vec![r]));
    assert_eq!(session.organisations_page(1).await.unwrap_err(), Error::Timeout);
    // Latency below the timeout is fine.
    let mut r = rule(None, ORGS, None, None);
    r.latency_ms = 100;
    env.sandbox.set_faults(faults(vec![r]));
    session.organisations_page(1).await.unwrap();
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn refresh_during_an_outage_keeps_the_session() {
    let env = env_clocked(Config::default(), test_options()).await;
    let (session, _) = env.login().await;
    env.advance(Config::default().access_ttl + Duration::from_secs(1));
    env.sandbox.set_faults(faults(vec![rule(None, "/api/auth/token/refresh/", Some(FaultKind::Http502), None)]));
    assert_eq!(session.user().await.unwrap_err(), Error::Server { status: 502 });
    assert!(!session.is_ended(), "a proxy error does not end the session");
    env.sandbox.set_faults(None);
    session.user().await.unwrap();
    env.sandbox.shutdown().await;
}
