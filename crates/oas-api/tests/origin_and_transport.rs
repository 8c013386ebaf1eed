//! Origin pinning, headers, non-OAS answers and retries, against wiremock servers on loopback
//! (what a faithful sandbox cannot do: links and redirects to another origin, HTML pages).

mod common;

use common::*;
use oas_api::{ApiKey, Client, Error, Options, Password, ServerUrl, Session};
use std::time::{Duration, Instant};
use wiremock::matchers::{any, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH";

fn body(status: u16, content_type: &str, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(text.to_owned(), content_type)
}

fn json(status: u16, text: &str) -> ResponseTemplate {
    body(status, "application/json", text)
}

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    body(status, "text/html", "").insert_header("Location", location)
}

fn login_answer() -> ResponseTemplate {
    json(
        200,
        r#"{"access":"acc-token","refresh":"ref-token","user":{"id":1,"username":"ana","email":"ana@example.com","last_login":null,"is_superuser":false,"is_staff":false,"is_active":true}}"#,
    )
}

fn org(id: i64) -> String {
    format!(r#"{{"id":{id},"name":"Org {id}","base_currency":"USD","currencies":"USD,EUR","image":null}}"#)
}

fn page(count: u64, ids: &[i64], next: Option<String>) -> ResponseTemplate {
    let results: Vec<String> = ids.iter().map(|i| org(*i)).collect();
    let next = next.map(|n| format!("\"{n}\"")).unwrap_or_else(|| "null".into());
    json(200, &format!(r#"{{"count":{count},"next":{next},"previous":null,"results":[{}]}}"#, results.join(",")))
}

/// A server that signs in and answers DRF's JSON 404 to anything it was not told about.
async fn server() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("POST")).and(path("/api/auth/login/")).respond_with(login_answer()).mount(&s).await;
    Mock::given(any()).respond_with(json(404, r#"{"detail":"Not found."}"#)).with_priority(u8::MAX).mount(&s).await;
    s
}

async fn on(s: &MockServer, verb: &str, route: &str, answer: ResponseTemplate) {
    Mock::given(method(verb)).and(path(route)).respond_with(answer).mount(s).await;
}

/// The organisations list without a query (page 1).
async fn first_page(s: &MockServer, answer: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/api/organisations/"))
        .and(query_param_is_missing("page"))
        .and(query_param_is_missing("cursor"))
        .respond_with(answer)
        .mount(s)
        .await;
}

async fn nth_page(s: &MockServer, key: &str, value: &str, answer: ResponseTemplate) {
    Mock::given(method("GET")).and(path("/api/organisations/")).and(query_param(key, value)).respond_with(answer).mount(s).await;
}

async fn seen(s: &MockServer) -> Vec<Request> {
    s.received_requests().await.expect("recording is on")
}

fn has_credentials(r: &Request) -> bool {
    r.headers.contains_key("authorization") || r.headers.contains_key("x-api-key")
}

fn header<'a>(r: &'a Request, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

fn client_for(base: &str) -> Client {
    Client::with_options(ServerUrl::parse(base).unwrap(), ApiKey::new(KEY), test_options()).unwrap()
}

async fn login(base: &str) -> Session {
    client_for(base).login("ana", "ana@example.com", &Password::new("pw")).await.unwrap().0
}

/// A server that must never be contacted with credentials.
async fn elsewhere() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(any()).respond_with(page(0, &[], None)).mount(&s).await;
    s
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused() {
    let other = elsewhere().await;
    let s = server().await;
    first_page(&s, page(4, &[1, 2], Some(format!("{}/api/organisations/?page=2", other.uri())))).await;
    let session = login(&s.uri()).await;
    let err = session.list_all_organisations().await.unwrap_err();
    assert_eq!(err, Error::OriginMismatch);
    assert!(seen(&other).await.is_empty());
    // organisations_page hands the link back without following it.
    let p = session.organisations_page(1).await.unwrap();
    assert!(p.next.unwrap().starts_with(&other.uri()));
    assert!(seen(&other).await.is_empty());
}

#[tokio::test]
async fn next_link_to_another_origin_on_a_later_page_is_refused() {
    let other = elsewhere().await;
    let s = server().await;
    let me = s.uri();
    first_page(&s, page(6, &[1, 2], Some(format!("{me}/api/organisations/?page=2")))).await;
    nth_page(&s, "page", "2", page(6, &[3, 4], Some(format!("{}/api/organisations/?page=3", other.uri())))).await;
    nth_page(&s, "page", "3", page(6, &[5, 6], None)).await;
    let session = login(&me).await;
    assert_eq!(session.list_all_organisations().await.unwrap_err(), Error::OriginMismatch);
    assert!(seen(&other).await.is_empty());
}

#[tokio::test]
async fn redirects_are_pinned_to_the_origin() {
    let other = elsewhere().await;
    let s = server().await;
    let me = s.uri();
    let port = s.address().port();
    on(&s, "GET", "/api/organisations/5/", redirect(302, &format!("{}/steal/", other.uri()))).await;
    on(&s, "GET", "/api/organisations/6/", redirect(301, &format!("{me}/api/organisations/7/"))).await;
    on(&s, "GET", "/api/organisations/7/", json(200, &org(7))).await;
    on(&s, "GET", "/api/organisations/8/", redirect(302, &format!("https://127.0.0.1:{port}/api/organisations/7/"))).await;
    on(&s, "GET", "/api/organisations/9/", redirect(302, "/api/organisations/9/")).await;
    let session = login(&me).await;
    assert_eq!(session.organisation(5).await.unwrap_err(), Error::OriginMismatch);
    assert!(seen(&other).await.is_empty());
    // Same origin: followed, credentials kept.
    assert_eq!(session.organisation(6).await.unwrap().id, 7);
    let requests = seen(&s).await;
    let followed = requests.iter().find(|r| r.url.path() == "/api/organisations/7/").unwrap();
    assert_eq!(header(followed, "x-api-key"), Some(KEY));
    // Another scheme is another origin.
    assert_eq!(session.organisation(8).await.unwrap_err(), Error::OriginMismatch);
    // A redirect loop ends.
    assert_eq!(session.organisation(9).await.unwrap_err(), Error::NotOas);
}

#[tokio::test]
async fn headers_on_each_route() {
    let s = server().await;
    on(&s, "GET", "/api/auth/user/", json(200, r#"{"id":1,"username":"ana","email":"ana@example.com"}"#)).await;
    on(&s, "POST", "/api/auth/logout/", json(200, r#"{"detail":"Successfully logged out."}"#)).await;
    first_page(&s, page(1, &[1], None)).await;
    let session = login(&s.uri()).await;
    session.user().await.unwrap();
    session.organisations_page(1).await.unwrap();
    session.logout().await.unwrap();
    let requests = seen(&s).await;
    let find = |m: &str, p: &str| {
        requests.iter().find(|r| r.method.as_str() == m && r.url.path() == p).unwrap_or_else(|| panic!("{m} {p}"))
    };
    for r in &requests {
        assert!(header(r, "user-agent").unwrap().starts_with("OAS-Desktop/"), "{:?}", r.headers);
    }
    let l = find("POST", "/api/auth/login/");
    assert!(!has_credentials(l), "no Authorization or key on login: {:?}", l.headers);
    let u = find("GET", "/api/auth/user/");
    assert_eq!(header(u, "authorization"), Some("Bearer acc-token"));
    assert_eq!(header(u, "x-api-key"), None);
    let o = find("GET", "/api/organisations/");
    assert_eq!(header(o, "authorization"), Some("Bearer acc-token"));
    assert_eq!(header(o, "x-api-key"), Some(KEY));
    let out = find("POST", "/api/auth/logout/");
    assert!(!has_credentials(out));
}

#[tokio::test]
async fn html_and_foreign_json_are_not_oas() {
    for answer in [
        body(200, "text/html; charset=utf-8", "<!doctype html><title>Welcome</title>"),
        body(404, "text/html", "<h1>Not Found</h1>"),
        json(200, r#"{"hello":"world"}"#),
        json(404, r#"{"detail":"Not found."}"#),
        json(405, r#"{"detail":"Method \"POST\" not allowed."}"#),
        body(200, "application/json", "not json at all"),
    ] {
        let s = MockServer::start().await;
        Mock::given(any()).respond_with(answer).mount(&s).await;
        let err = client_for(&s.uri()).login("ana", "", &Password::new("pw")).await.unwrap_err();
        assert_eq!(err, Error::NotOas);
    }
    // A proxy's HTML error page is a server error.
    let s = MockServer::start().await;
    Mock::given(any()).respond_with(body(502, "text/html", "<html>502 Bad Gateway</html>")).mount(&s).await;
    let err = client_for(&s.uri()).login("ana", "", &Password::new("pw")).await.unwrap_err();
    assert_eq!(err, Error::Server { status: 502 });
}

#[tokio::test]
async fn unreachable_and_tls() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = client_for(&format!("http://127.0.0.1:{port}")).login("a", "", &Password::new("p")).await.unwrap_err();
    assert_eq!(err, Error::Unreachable);
    // https to a server that speaks plain http (it answers the TLS hello with an HTTP 400).
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut sock, _)) = plain.accept().await {
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            let _ = sock.shutdown().await;
        }
    });
    let err = client_for(&format!("https://127.0.0.1:{plain_port}")).login("a", "", &Password::new("p")).await.unwrap_err();
    task.abort();
    assert_eq!(err, Error::Tls);
    // A name that does not resolve (.invalid is reserved).
    // (On a machine whose resolver hangs, the connect timeout answers first.)
    let err = client_for("https://oas.invalid").login("a", "", &Password::new("p")).await.unwrap_err();
    assert!(matches!(err, Error::Unreachable | Error::Timeout), "{err:?}");
}

#[tokio::test]
async fn get_retries_429_with_retry_after_and_503_a_bounded_number_of_times() {
    let s = server().await;
    // The first GET of the list is throttled, the next one answers.
    Mock::given(method("GET"))
        .and(path("/api/organisations/"))
        .respond_with(json(429, r#"{"detail":"Request was throttled. Expected available in 1 second."}"#).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    first_page(&s, page(1, &[1], None)).await;
    on(&s, "GET", "/api/organisations/1/", body(503, "text/html", "<html>busy</html>").insert_header("Retry-After", "0")).await;
    on(&s, "POST", "/api/organisations/1/make_active/", body(503, "text/html", "<html>busy</html>")).await;
    on(
        &s,
        "GET",
        "/api/organisations/2/",
        json(429, r#"{"detail":"Request was throttled. Expected available in 3600 seconds."}"#).insert_header("Retry-After", "3600"),
    )
    .await;
    let session = login(&s.uri()).await;
    let count = |requests: &[Request], m: &str, p: &str| requests.iter().filter(|r| r.method.as_str() == m && r.url.path() == p).count();

    let started = Instant::now();
    assert_eq!(session.organisations_page(1).await.unwrap().count, 1);
    assert!(started.elapsed() >= Duration::from_millis(950), "Retry-After: 1 was honoured");
    assert_eq!(count(&seen(&s).await, "GET", "/api/organisations/"), 2);

    assert_eq!(session.organisation(1).await.unwrap_err(), Error::Server { status: 503 });
    assert_eq!(count(&seen(&s).await, "GET", "/api/organisations/1/"), 1 + Options::default().max_retries as usize);
    assert_eq!(session.make_active(1).await.unwrap_err(), Error::Server { status: 503 });
    assert_eq!(count(&seen(&s).await, "POST", "/api/organisations/1/make_active/"), 1, "a POST is never re-sent");
    // A wait longer than the retry budget is handed to the user instead, at once.
    assert_eq!(session.organisation(2).await.unwrap_err(), Error::Throttled { retry_after: Some(Duration::from_secs(3600)) });
    assert_eq!(count(&seen(&s).await, "GET", "/api/organisations/2/"), 1);
}

#[tokio::test]
async fn sequential_fallback_follows_relative_next_and_drops_duplicates() {
    let s = server().await;
    first_page(&s, page(5, &[1, 2], Some("/api/organisations/?cursor=abc".into()))).await;
    nth_page(&s, "cursor", "abc", page(5, &[2, 3], Some("?cursor=def".into()))).await;
    nth_page(&s, "cursor", "def", page(5, &[4, 5], None)).await;
    let session = login(&s.uri()).await;
    let ids: Vec<i64> = session.list_all_organisations().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_list_that_changes_while_listed_falls_back_to_next() {
    // Page 2 answers with fewer items than page 1 promised: the concurrent result is discarded.
    let s = server().await;
    let me = s.uri();
    Mock::given(method("GET"))
        .and(path("/api/organisations/"))
        .and(query_param_is_missing("page"))
        .respond_with(page(6, &[1, 2], Some(format!("{me}/api/organisations/?page=2"))))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    first_page(&s, page(5, &[1, 2], Some(format!("{me}/api/organisations/?page=2")))).await;
    nth_page(&s, "page", "2", page(5, &[3, 4], Some(format!("{me}/api/organisations/?page=3")))).await;
    nth_page(&s, "page", "3", page(5, &[5], None)).await;
    let session = login(&me).await;
    let ids: Vec<i64> = session.list_all_organisations().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn login_without_user_in_the_answer_fetches_it() {
    let s = MockServer::start().await;
    on(&s, "POST", "/api/auth/login/", json(200, r#"{"access_token":"acc-token","refresh_token":"ref-token"}"#)).await;
    on(&s, "GET", "/api/auth/user/", json(200, r#"{"pk":1,"id":1,"username":"ana","email":"ana@example.com","first_name":""}"#)).await;
    let (session, user) = client_for(&s.uri()).login("ana", "", &Password::new("pw")).await.unwrap();
    assert_eq!(user.username, "ana");
    assert_eq!(session.refresh_token().expose(), "ref-token");
}
