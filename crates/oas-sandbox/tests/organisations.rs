//! `/api/organisations/`: API key rules, pagination, create/retrieve/update/make_active.

mod common;

use common::*;
use oas_sandbox::{Config, OrgUpdate};
use reqwest::Method;
use serde_json::json;

const FORBIDDEN: &str = "You do not have permission to perform this action.";

#[tokio::test]
async fn api_key_rules() {
    let e = env().await;
    let token = e.access().await;
    let path = "/api/organisations/";
    let ok = e.send(Method::GET, path, Some(&token), Some(&e.key), None).await;
    ok.expect(200, json!({"count": 0, "next": null, "previous": null, "results": []}));

    e.send(Method::GET, path, Some(&token), None, None).await.expect(403, json!({"detail": FORBIDDEN}));
    e.send(Method::GET, path, Some(&token), Some("AAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"), None)
        .await
        .expect(403, json!({"detail": FORBIDDEN}));
    // Right prefix, wrong secret.
    let forged = format!("{}.{}", &e.key[..8], "C".repeat(32));
    e.send(Method::GET, path, Some(&token), Some(&forged), None).await.expect(403, json!({"detail": FORBIDDEN}));
    // No token: 401 even with a good key.
    let a = e.send(Method::GET, path, None, Some(&e.key), None).await;
    a.expect(401, json!({"detail": "Authentication credentials were not provided."}));
    assert_eq!(a.header("www-authenticate").as_deref(), Some("Bearer realm=\"api\""));

    // Revoked and expired keys.
    let second = e.sb.add_user("bob", "bob@example.com", "builder-123").unwrap();
    let bob = e.login_as("bob", "builder-123").await["access"].as_str().unwrap().to_string();
    e.send(Method::GET, path, Some(&bob), Some(&second), None).await.status.is_success().then_some(()).unwrap();
    e.sb.revoke_key(&second).unwrap();
    e.send(Method::GET, path, Some(&bob), Some(&second), None).await.expect(403, json!({"detail": FORBIDDEN}));
    e.sb.expire_key(&e.key[..8]).unwrap();
    e.send(Method::GET, path, Some(&token), Some(&e.key), None).await.expect(403, json!({"detail": FORBIDDEN}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn pagination_links_and_invalid_pages() {
    let e = env_with(Config { page_size: 10, ..Config::default() }).await;
    e.sb.seed_orgs(USER, 25).unwrap();
    let token = e.access().await;
    let host = e.sb.addr().to_string();
    let get = |path: String| {
        let (e, token) = (&e, token.clone());
        async move { e.send(Method::GET, &path, Some(&token), Some(&e.key), None).await }
    };

    let p1 = get("/api/organisations/".into()).await;
    assert_eq!(p1.status, 200);
    let b = p1.json();
    assert_eq!(b["count"], 25);
    assert_eq!(b["results"].as_array().unwrap().len(), 10);
    assert_eq!(b["next"], format!("http://{host}/api/organisations/?page=2"));
    assert_eq!(b["previous"], serde_json::Value::Null);

    let b = get("/api/organisations/?page=2".into()).await.json();
    assert_eq!(b["next"], format!("http://{host}/api/organisations/?page=3"));
    assert_eq!(b["previous"], format!("http://{host}/api/organisations/"));

    let b = get("/api/organisations/?page=3".into()).await.json();
    assert_eq!(b["results"].as_array().unwrap().len(), 5);
    assert_eq!(b["next"], serde_json::Value::Null);
    assert_eq!(b["previous"], format!("http://{host}/api/organisations/?page=2"));

    // Other query parameters are kept, sorted, like DRF's replace_query_param.
    let b = get("/api/organisations/?page=2&format=json".into()).await.json();
    assert_eq!(b["previous"], format!("http://{host}/api/organisations/?format=json"));
    assert_eq!(b["next"], format!("http://{host}/api/organisations/?format=json&page=3"));

    for bad in ["4", "0", "-1", "abc"] {
        get(format!("/api/organisations/?page={bad}"))
            .await
            .expect(404, json!({"detail": "Invalid page."}));
    }
    // All ids distinct across pages.
    let mut ids = Vec::new();
    for p in 1..=3 {
        let b = get(format!("/api/organisations/?page={p}")).await.json();
        ids.extend(b["results"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()));
    }
    ids.dedup();
    assert_eq!(ids.len(), 25);

    // Links follow the request's Host header.
    let resp = e
        .http
        .get(e.url("/api/organisations/"))
        .bearer_auth(&token)
        .header("X-Api-Key", &e.key)
        .header("Host", "oas.test:8000")
        .send()
        .await
        .unwrap();
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(b["next"], "http://oas.test:8000/api/organisations/?page=2");
    e.sb.shutdown().await;
}

#[tokio::test]
async fn create_retrieve_and_validation() {
    let e = env().await;
    let token = e.access().await;
    let org = e.create_org(&token, "Acme Music").await;
    assert_eq!(org["name"], "Acme Music");
    assert_eq!(org["base_currency"], "USD");
    assert_eq!(org["currencies"], json!(["USD", "EUR"]));
    assert_eq!(org["image"], serde_json::Value::Null);
    assert_eq!(org["is_active"], false);
    assert_eq!(org["contacts"], json!([]));
    assert_user_object(&org["owner"], USER, EMAIL);
    let id = org["id"].as_i64().unwrap();

    let a = e.send(Method::GET, &format!("/api/organisations/{id}/"), Some(&token), Some(&e.key), None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), org);

    let post = |body: serde_json::Value| {
        let (e, token) = (&e, token.clone());
        async move { e.send(Method::POST, "/api/organisations/", Some(&token), Some(&e.key), Some(body)).await }
    };
    post(json!({})).await.expect(
        400,
        json!({"base_currency": ["This field is required."], "currencies": ["This field is required."], "name": ["This field is required."]}),
    );
    post(json!({"name": "X", "base_currency": "XXX", "currencies": ["USD"]}))
        .await
        .expect(400, json!({"base_currency": ["\"XXX\" is not a valid choice."]}));
    post(json!({"name": "X", "base_currency": "USD", "currencies": ["USD", "XXX"]}))
        .await
        .expect(400, json!({"currencies": ["\"XXX\" is not a valid choice."]}));
    post(json!({"name": "", "base_currency": "USD", "currencies": ["USD"]}))
        .await
        .expect(400, json!({"name": ["This field may not be blank."]}));
    post(json!({"name": "X", "base_currency": "USD", "currencies": ["USD"], "image": "not a url"}))
        .await
        .expect(400, json!({"image": ["Enter a valid URL."]}));

    // Comma-separated string accepted.
    let a = post(json!({"name": "Comma", "base_currency": "MXN", "currencies": "MXN, USD", "image": "https://example.com/logo.png"})).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.json()["currencies"], json!(["MXN", "USD"]));
    assert_eq!(a.json()["image"], "https://example.com/logo.png");

    // Form-encoded create.
    let resp = e
        .http
        .post(e.url("/api/organisations/"))
        .bearer_auth(&token)
        .header("X-Api-Key", &e.key)
        .form(&[("name", "Formed"), ("base_currency", "EUR"), ("currencies", "EUR,GBP")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(b["currencies"], json!(["EUR", "GBP"]));

    // 404 for unknown ids and another owner's organisation.
    let not_found = json!({"detail": "No Organisation matches the given query."});
    e.send(Method::GET, "/api/organisations/99999/", Some(&token), Some(&e.key), None).await.expect(404, not_found.clone());
    e.send(Method::GET, "/api/organisations/abc/", Some(&token), Some(&e.key), None).await.expect(404, not_found.clone());
    let bob_key = e.sb.add_user("bob", "bob@example.com", "builder-123").unwrap();
    let bob = e.login_as("bob", "builder-123").await["access"].as_str().unwrap().to_string();
    e.send(Method::GET, &format!("/api/organisations/{id}/"), Some(&bob), Some(&bob_key), None)
        .await
        .expect(404, not_found.clone());
    e.send(Method::PATCH, &format!("/api/organisations/{id}/"), Some(&bob), Some(&bob_key), Some(json!({"name": "Mine"})))
        .await
        .expect(404, not_found.clone());
    e.send(Method::POST, &format!("/api/organisations/{id}/make_active/"), Some(&bob), Some(&bob_key), None)
        .await
        .expect(404, not_found);
    // Bob's list does not show alice's organisations.
    let b = e.send(Method::GET, "/api/organisations/", Some(&bob), Some(&bob_key), None).await.json();
    assert_eq!(b["count"], 0);
    // DELETE is not offered.
    e.send(Method::DELETE, &format!("/api/organisations/{id}/"), Some(&token), Some(&e.key), None)
        .await
        .expect(405, json!({"detail": "Method \"DELETE\" not allowed."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn update_and_make_active() {
    let e = env().await;
    let token = e.access().await;
    let a = e.create_org(&token, "First").await;
    let b = e.create_org(&token, "Second").await;
    let (ida, idb) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let send = |m: Method, path: String, body: Option<serde_json::Value>| {
        let (e, token) = (&e, token.clone());
        async move { e.send(m, &path, Some(&token), Some(&e.key), body).await }
    };

    let r = send(Method::PATCH, format!("/api/organisations/{ida}/"), Some(json!({"name": "Renamed", "id": 777, "is_active": true}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = r.json();
    assert_eq!(r["name"], "Renamed");
    assert_eq!(r["id"], ida);
    assert_eq!(r["is_active"], false, "is_active is read-only");
    assert_eq!(r["currencies"], json!(["USD", "EUR"]));

    send(Method::PUT, format!("/api/organisations/{ida}/"), Some(json!({"name": "Only name"})))
        .await
        .expect(400, json!({"base_currency": ["This field is required."], "currencies": ["This field is required."]}));
    let r = send(
        Method::PUT,
        format!("/api/organisations/{ida}/"),
        Some(json!({"name": "Put", "base_currency": "GBP", "currencies": ["GBP"], "image": null})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["base_currency"], "GBP");

    // Contacts (extension) through PATCH, with nested errors.
    let r = send(
        Method::PATCH,
        format!("/api/organisations/{ida}/"),
        Some(json!({"contacts": [{"name": "Ana", "email": "ana@example.com", "phone": "+52 55 1234 5678", "role": "Finance"}]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["contacts"],
        json!([{"name": "Ana", "email": "ana@example.com", "phone": "+52 55 1234 5678", "role": "Finance"}])
    );
    send(
        Method::PATCH,
        format!("/api/organisations/{ida}/"),
        Some(json!({"contacts": [{"name": "Ok"}, {"name": "", "email": "bad"}]})),
    )
    .await
    .expect(
        400,
        json!({"contacts": [{}, {"email": ["Enter a valid email address."], "name": ["This field may not be blank."]}]}),
    );

    // make_active: one active organisation per user.
    let r = send(Method::POST, format!("/api/organisations/{idb}/make_active/"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json()["message"].is_string());
    let r = send(Method::POST, format!("/api/organisations/{ida}/make_active/"), None).await;
    assert_eq!(r.status, 200);
    let list = send(Method::GET, "/api/organisations/".into(), None).await.json();
    let active: Vec<i64> = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["is_active"] == true)
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(active, vec![ida]);
    send(Method::GET, format!("/api/organisations/{ida}/make_active/"), None)
        .await
        .expect(405, json!({"detail": "Method \"GET\" not allowed."}));
    e.sb.shutdown().await;
}

#[tokio::test]
async fn strict_mode_and_currencies_as_string() {
    let e = env_with(Config { strict: true, currencies_as_string: true, ..Config::default() }).await;
    let token = e.access().await;
    let org = e.create_org(&token, "Strict").await;
    let mut keys: Vec<&str> = org.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["base_currency", "currencies", "id", "image", "name", "owner"]);
    assert_eq!(org["currencies"], "USD,EUR");
    // Contacts are ignored like any unknown field.
    let id = org["id"].as_i64().unwrap();
    let r = e
        .send(Method::PATCH, &format!("/api/organisations/{id}/"), Some(&token), Some(&e.key), Some(json!({"contacts": "nonsense"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn seed_ten_thousand_quickly() {
    let e = env().await;
    let started = std::time::Instant::now();
    e.sb.seed_orgs(USER, 10_000).unwrap();
    let took = started.elapsed();
    assert!(took.as_secs() < 20, "seeding took {took:?}");
    let b = e.api(Method::GET, "/api/organisations/?page=last", None).await.json();
    assert_eq!(b["count"], 10_000);
    assert_eq!(b["next"], serde_json::Value::Null);
    e.sb.shutdown().await;
}

#[tokio::test]
async fn another_admin_changes_and_deletes_through_the_library() {
    let e = env().await;
    let token = e.access().await;
    let org = e.create_org(&token, "Mine").await;
    let id = org["id"].as_i64().unwrap();
    let path = format!("/api/organisations/{id}/");
    e.sb
        .update_org(id, &OrgUpdate { name: Some("Theirs".into()), ..OrgUpdate::default() })
        .unwrap();
    let a = e.send(Method::GET, &path, Some(&token), Some(&e.key), None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["name"], "Theirs");
    assert_eq!(a.json()["currencies"], json!(["USD", "EUR"]));
    let bad = OrgUpdate { currencies: Some(vec![]), ..OrgUpdate::default() };
    assert!(e.sb.update_org(id, &bad).is_err());
    e.sb.delete_org(id).unwrap();
    e.send(Method::GET, &path, Some(&token), Some(&e.key), None)
        .await
        .expect(404, json!({"detail": "No Organisation matches the given query."}));
    assert!(e.sb.delete_org(id).is_err());

    e.sb.reset_password(USER, "reset-by-admin-1").unwrap();
    e.login_as(USER, "reset-by-admin-1").await;
    // The session's tokens are untouched.
    let a = e.send(Method::GET, "/api/auth/user/", Some(&token), None, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    e.sb.shutdown().await;
}
