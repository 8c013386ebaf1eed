//! Origin pinning, headers, non-OAS answers and retries, against small fake servers on loopback
//! (what a faithful sandbox cannot do: links and redirects to another origin, HTML pages).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use oas_api::{ApiKey, Client, Error, Options, Password, ServerUrl, Session};

const KEY: &str = "A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH";

fn login_answer() -> String {
    json_response(
        "200 OK",
        r#"{"access":"acc-token","refresh":"ref-token","user":{"id":1,"username":"ana","email":"ana@example.com","last_login":null,"is_superuser":false,"is_staff":false,"is_active":true}}"#,
    )
}

fn org(id: i64) -> String {
    format!(r#"{{"id":{id},"name":"Org {id}","base_currency":"USD","currencies":"USD,EUR","image":null}}"#)
}

fn page(count: u64, ids: &[i64], next: Option<String>) -> String {
    let results: Vec<String> = ids.iter().map(|i| org(*i)).collect();
    let next = next.map(|n| format!("\"{n}\"")).unwrap_or_else(|| "null".into());
    json_response("200 OK", &format!(r#"{{"count":{count},"next":{next},"previous":null,"results":[{}]}}"#, results.join(",")))
}

fn client_for(base: &str) -> Client {
    Client::with_options(ServerUrl::parse(base).unwrap(), ApiKey::new(KEY), test_options()).unwrap()
}

async fn login(base: &str) -> Session {
    client_for(base).login("ana", "ana@example.com", &Password::new("pw")).await.unwrap().0
}

/// A server that must never be contacted with credentials.
async fn elsewhere() -> Fake {
    fake(|_, _| json_response("200 OK", r#"{"count":0,"next":null,"previous":null,"results":[]}"#)).await
}

fn assert_no_credentials(other: &Fake) {
    for s in other.seen() {
        assert!(!s.has_credentials(), "credentials sent to another origin: {:?}", s.request_line);
    }
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused() {
    let other = elsewhere().await;
    let other_base = other.base();
    let server = fake(move |line, _| {
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/ ") {
            page(4, &[1, 2], Some(format!("{other_base}/api/organisations/?page=2")))
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    let err = session.list_all_organisations().await.unwrap_err();
    assert_eq!(err, Error::OriginMismatch);
    assert_eq!(err.code(), "origin_mismatch");
    assert!(other.seen().is_empty(), "{:?}", other.seen());
    // organisations_page hands the link back without following it.
    let p = session.organisations_page(1).await.unwrap();
    assert!(p.next.unwrap().starts_with(&other.base()));
    assert_no_credentials(&other);
}

#[tokio::test]
async fn next_link_to_another_origin_on_a_later_page_is_refused() {
    let other = elsewhere().await;
    let other_base = other.base();
    let server = fake(move |line, port| {
        let me = format!("http://127.0.0.1:{port}");
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/ ") {
            page(6, &[1, 2], Some(format!("{me}/api/organisations/?page=2")))
        } else if line.starts_with("GET /api/organisations/?page=2 ") {
            page(6, &[3, 4], Some(format!("{other_base}/api/organisations/?page=3")))
        } else if line.starts_with("GET /api/organisations/?page=3 ") {
            page(6, &[5, 6], None)
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    assert_eq!(session.list_all_organisations().await.unwrap_err(), Error::OriginMismatch);
    assert!(other.seen().is_empty());
}

#[tokio::test]
async fn redirects_are_pinned_to_the_origin() {
    let other = elsewhere().await;
    let other_base = other.base();
    let server = fake(move |line, port| {
        let me = format!("http://127.0.0.1:{port}");
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/5/ ") {
            http_response("302 Found", "text/html", &format!("Location: {other_base}/steal/\r\n"), "")
        } else if line.starts_with("GET /api/organisations/6/ ") {
            http_response("301 Moved Permanently", "text/html", &format!("Location: {me}/api/organisations/7/\r\n"), "")
        } else if line.starts_with("GET /api/organisations/7/ ") {
            json_response("200 OK", &org(7))
        } else if line.starts_with("GET /api/organisations/8/ ") {
            http_response("302 Found", "text/html", &format!("Location: https://127.0.0.1:{port}/api/organisations/7/\r\n"), "")
        } else if line.starts_with("GET /api/organisations/9/ ") {
            http_response("302 Found", "text/html", "Location: /api/organisations/9/\r\n", "")
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    assert_eq!(session.organisation(5).await.unwrap_err(), Error::OriginMismatch);
    assert!(other.seen().is_empty(), "{:?}", other.seen());
    // Same origin: followed, credentials kept.
    assert_eq!(session.organisation(6).await.unwrap().id, 7);
    let followed = server.seen().into_iter().find(|s| s.request_line.starts_with("GET /api/organisations/7/")).unwrap();
    assert!(followed.header("x-api-key").is_some());
    // Another scheme is another origin.
    assert_eq!(session.organisation(8).await.unwrap_err(), Error::OriginMismatch);
    // A redirect loop ends.
    assert_eq!(session.organisation(9).await.unwrap_err().code(), "not_oas");
}

#[tokio::test]
async fn headers_on_each_route() {
    let server = fake(|line, _| {
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/auth/user/ ") {
            json_response("200 OK", r#"{"id":1,"username":"ana","email":"ana@example.com"}"#)
        } else if line.starts_with("POST /api/auth/logout/ ") {
            json_response("200 OK", r#"{"detail":"Successfully logged out."}"#)
        } else {
            page(1, &[1], None)
        }
    })
    .await;
    let session = login(&server.base()).await;
    session.user().await.unwrap();
    session.organisations_page(1).await.unwrap();
    session.logout().await.unwrap();
    let seen = server.seen();
    let find = |p: &str| seen.iter().find(|s| s.request_line.starts_with(p)).unwrap_or_else(|| panic!("{p}"));
    for s in &seen {
        assert!(s.header("user-agent").unwrap().starts_with("OAS-Desktop/"), "{:?}", s.headers);
    }
    let l = find("POST /api/auth/login/");
    assert!(!l.has_credentials(), "no Authorization or key on login: {:?}", l.headers);
    let u = find("GET /api/auth/user/");
    assert_eq!(u.header("authorization"), Some("Bearer acc-token"));
    assert_eq!(u.header("x-api-key"), None);
    let o = find("GET /api/organisations/");
    assert_eq!(o.header("authorization"), Some("Bearer acc-token"));
    assert_eq!(o.header("x-api-key"), Some(KEY));
    let out = find("POST /api/auth/logout/");
    assert!(!out.has_credentials());
}

#[tokio::test]
async fn html_and_foreign_json_are_not_oas() {
    for answer in [
        http_response("200 OK", "text/html; charset=utf-8", "", "<!doctype html><title>Welcome</title>"),
        http_response("404 Not Found", "text/html", "", "<h1>Not Found</h1>"),
        json_response("200 OK", r#"{"hello":"world"}"#),
        json_response("404 Not Found", r#"{"detail":"Not found."}"#),
        json_response("405 Method Not Allowed", r#"{"detail":"Method \"POST\" not allowed."}"#),
        http_response("200 OK", "application/json", "", "not json at all"),
    ] {
        let server = fake(move |_, _| answer.clone()).await;
        let err = client_for(&server.base()).login("ana", "", &Password::new("pw")).await.unwrap_err();
        assert_eq!(err, Error::NotOas);
    }
    // A proxy's HTML error page is a server error.
    let server = fake(|_, _| http_response("502 Bad Gateway", "text/html", "", "<html>502 Bad Gateway</html>")).await;
    let err = client_for(&server.base()).login("ana", "", &Password::new("pw")).await.unwrap_err();
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
    assert_eq!(err.code(), "tls");
    // A name that does not resolve (.invalid is reserved).
    // (On a machine whose resolver hangs, the connect timeout answers first.)
    let err = client_for("https://oas.invalid").login("a", "", &Password::new("p")).await.unwrap_err();
    assert!(matches!(err, Error::Unreachable | Error::Timeout), "{err:?}");
}

#[tokio::test]
async fn get_retries_429_with_retry_after_and_503_a_bounded_number_of_times() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = fake(move |line, _| {
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/ ") {
            if h.fetch_add(1, Ordering::SeqCst) == 0 {
                http_response("429 Too Many Requests", "application/json", "Retry-After: 1\r\n", r#"{"detail":"Request was throttled. Expected available in 1 second."}"#)
            } else {
                page(1, &[1], None)
            }
        } else if line.starts_with("GET /api/organisations/1/ ") {
            http_response("503 Service Unavailable", "text/html", "Retry-After: 0\r\n", "<html>busy</html>")
        } else if line.starts_with("POST /api/organisations/1/make_active/ ") {
            http_response("503 Service Unavailable", "text/html", "", "<html>busy</html>")
        } else if line.starts_with("GET /api/organisations/2/ ") {
            http_response("429 Too Many Requests", "application/json", "Retry-After: 3600\r\n", r#"{"detail":"Request was throttled. Expected available in 3600 seconds."}"#)
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    let started = Instant::now();
    assert_eq!(session.organisations_page(1).await.unwrap().count, 1);
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let count = |p: &str| server.seen().iter().filter(|s| s.request_line.starts_with(p)).count();
    assert_eq!(session.organisation(1).await.unwrap_err(), Error::Server { status: 503 });
    assert_eq!(count("GET /api/organisations/1/ "), 1 + Options::default().max_retries as usize);
    assert_eq!(session.make_active(1).await.unwrap_err(), Error::Server { status: 503 });
    assert_eq!(count("POST /api/organisations/1/make_active/ "), 1, "a POST is never re-sent");
    // A wait longer than the retry budget is handed to the user instead.
    let started = Instant::now();
    assert_eq!(session.organisation(2).await.unwrap_err(), Error::Throttled { retry_after: Some(Duration::from_secs(3600)) });
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(count("GET /api/organisations/2/ "), 1);
}

#[tokio::test]
async fn sequential_fallback_follows_relative_next_and_drops_duplicates() {
    let server = fake(|line, _| {
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/ ") {
            page(5, &[1, 2], Some("/api/organisations/?cursor=abc".into()))
        } else if line.starts_with("GET /api/organisations/?cursor=abc ") {
            page(5, &[2, 3], Some("?cursor=def".into()))
        } else if line.starts_with("GET /api/organisations/?cursor=def ") {
            page(5, &[4, 5], None)
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    let ids: Vec<i64> = session.list_all_organisations().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_list_that_changes_while_listed_falls_back_to_next() {
    // Page 2 answers with fewer items than page 1 promised: the concurrent result is discarded.
    let first = Arc::new(AtomicUsize::new(0));
    let f = first.clone();
    let server = fake(move |line, port| {
        let me = format!("http://127.0.0.1:{port}");
        if line.starts_with("POST /api/auth/login/") {
            login_answer()
        } else if line.starts_with("GET /api/organisations/ ") {
            if f.fetch_add(1, Ordering::SeqCst) == 0 {
                page(6, &[1, 2], Some(format!("{me}/api/organisations/?page=2")))
            } else {
                page(5, &[1, 2], Some(format!("{me}/api/organisations/?page=2")))
            }
        } else if line.starts_with("GET /api/organisations/?page=2 ") {
            page(5, &[3, 4], Some(format!("{me}/api/organisations/?page=3")))
        } else if line.starts_with("GET /api/organisations/?page=3 ") {
            page(5, &[5], None)
        } else {
            json_response("404 Not Found", r#"{"detail":"Invalid page."}"#)
        }
    })
    .await;
    let session = login(&server.base()).await;
    let ids: Vec<i64> = session.list_all_organisations().await.unwrap().iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn login_without_user_in_the_answer_fetches_it() {
    let server = fake(|line, _| {
        if line.starts_with("POST /api/auth/login/") {
            json_response("200 OK", r#"{"access_token":"acc-token","refresh_token":"ref-token"}"#)
        } else if line.starts_with("GET /api/auth/user/ ") {
            json_response("200 OK", r#"{"pk":1,"id":1,"username":"ana","email":"ana@example.com","first_name":""}"#)
        } else {
            json_response("404 Not Found", r#"{"detail":"Not found."}"#)
        }
    })
    .await;
    let (session, user) = client_for(&server.base()).login("ana", "", &Password::new("pw")).await.unwrap();
    assert_eq!(user.username, "ana");
    assert_eq!(session.refresh_token().expose(), "ref-token");
}
