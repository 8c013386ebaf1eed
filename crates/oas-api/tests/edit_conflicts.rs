//! Two admins editing one organisation: the second save sends only its own changes, stops on a
//! conflict, and keeps fields and contact fields this app does not know.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use common::*;
use oas_api::edit::{merge, save_edit};
use oas_api::{ApiKey, Client, EditField, EditOutcome, Error, NewOrganisation, OrganisationFields, OrganisationPatch, ServerUrl};
use oas_sandbox::Config;
use serde_json::{json, Value};

fn acme() -> NewOrganisation {
    NewOrganisation { name: "Acme".into(), base_currency: "USD".into(), currencies: vec!["USD".into(), "EUR".into()], ..Default::default() }
}

#[tokio::test]
async fn another_admins_changes_are_never_overwritten() {
    let env = env(Config::default()).await;
    let (me, _) = env.login().await;
    let (other, _) = env.login().await;
    let opened = me.create_organisation(&acme()).await.unwrap();
    let base = OrganisationFields::from(&opened);

    // The other admin renames it and adds a currency.
    let patch = OrganisationPatch { name: Some("Acme (theirs)".into()), currencies: Some(vec!["USD".into(), "EUR".into(), "GBP".into()]), ..Default::default() };
    other.update_organisation(opened.id, &patch).await.unwrap();

    // I rename it too: a conflict on the name only, and nothing is sent.
    let mine = OrganisationFields { name: "Acme (mine)".into(), ..base.clone() };
    let EditOutcome::Conflict { theirs, merge: m } = save_edit(&me, opened.id, &base, &mine).await.unwrap() else { panic!("expected a conflict") };
    assert_eq!(m.conflicts, vec![EditField::Name]);
    assert_eq!(theirs.name, "Acme (theirs)");
    assert_eq!(me.organisation(opened.id).await.unwrap().name, "Acme (theirs)");
    // Their currency is already in what I would save next.
    assert_eq!(m.merged.currencies, vec!["USD", "EUR", "GBP"]);

    // I keep my name: saved against their version, their currency intact.
    let EditOutcome::Saved(saved) = save_edit(&me, opened.id, &OrganisationFields::from(&theirs), &m.merged).await.unwrap() else { panic!("expected a save") };
    assert_eq!(saved.name, "Acme (mine)");
    assert_eq!(saved.currencies, vec!["USD", "EUR", "GBP"]);

    // They change only the image; I change only the name: no conflict, both kept.
    let base = OrganisationFields::from(&saved);
    other.update_organisation(opened.id, &OrganisationPatch { image: Some(Some("https://example.com/a.png".into())), ..Default::default() }).await.unwrap();
    let mine = OrganisationFields { name: "Acme Music".into(), ..base.clone() };
    let EditOutcome::Saved(saved) = save_edit(&me, opened.id, &base, &mine).await.unwrap() else { panic!("expected a save") };
    assert_eq!((saved.name.as_str(), saved.image.as_deref()), ("Acme Music", Some("https://example.com/a.png")));

    // Nothing changed: no request at all (the server's copy is not even read).
    assert_eq!(save_edit(&me, 999_999, &base, &base).await.unwrap(), EditOutcome::Unchanged);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_organisation_deleted_while_open_is_reported_and_nothing_is_sent() {
    let env = env(Config::default()).await;
    let (me, _) = env.login().await;
    let opened = me.create_organisation(&acme()).await.unwrap();
    let base = OrganisationFields::from(&opened);
    env.sandbox.delete_org(opened.id).unwrap();
    let mine = OrganisationFields { name: "Renamed".into(), ..base.clone() };
    assert_eq!(save_edit(&me, opened.id, &base, &mine).await.unwrap_err(), Error::NotFound);
    // Created again as new, everything typed is there.
    let again = me.create_organisation(&NewOrganisation { name: mine.name.clone(), ..acme() }).await.unwrap();
    assert_ne!(again.id, opened.id);
    assert_eq!(again.name, "Renamed");
    env.sandbox.shutdown().await;
}

/// A stub OAS server that stores organisations as raw JSON, unknown fields included, and
/// records every PATCH body.
#[derive(Clone, Default)]
struct Stub {
    org: Arc<Mutex<Option<Value>>>,
    patches: Arc<Mutex<Vec<Value>>>,
}

async fn stub_server(stub: Stub) -> String {
    async fn login() -> Json<Value> {
        Json(json!({"access": "a.b.c", "refresh": "r", "user": {"id": 1, "username": "alice", "email": "a@x"}}))
    }
    async fn read(State(s): State<Stub>, Path(_id): Path<i64>) -> Result<Json<Value>, (axum::http::StatusCode, Json<Value>)> {
        s.org.lock().unwrap().clone().map(Json).ok_or((axum::http::StatusCode::NOT_FOUND, Json(json!({"detail": "No Organisation matches the given query."}))))
    }
    async fn patch(State(s): State<Stub>, Path(_id): Path<i64>, Json(body): Json<Value>) -> Json<Value> {
        s.patches.lock().unwrap().push(body.clone());
        let mut org = s.org.lock().unwrap();
        let o = org.as_mut().unwrap().as_object_mut().unwrap();
        for (k, v) in body.as_object().unwrap() {
            o.insert(k.clone(), v.clone());
        }
        Json(Value::Object(o.clone()))
    }
    let app = Router::new()
        .route("/api/auth/login/", post(login))
        .route("/api/organisations/{id}/", get(read).patch(patch))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn unknown_fields_and_contact_fields_survive_an_edit() {
    let stub = Stub::default();
    *stub.org.lock().unwrap() = Some(json!({
        "id": 5, "name": "Acme", "base_currency": "USD", "currencies": ["USD"], "image": null,
        "created_at": "2026-01-02T03:04:05Z", "region": {"code": "EU"},
        "contacts": [
            {"id": 71, "name": "Ana", "email": "ana@x", "linkedin": "ana-l", "tags": ["billing"]},
            {"id": 72, "name": "Bo", "email": null, "linkedin": "bo-l"}
        ]
    }));
    let server = stub_server(stub.clone()).await;
    let client = Client::with_options(ServerUrl::parse(&server).unwrap(), ApiKey::new("k.k"), test_options()).unwrap();
    let (session, _) = client.login("alice", "a@x", &oas_api::Password::new("p")).await.unwrap();
    let opened = session.organisation(5).await.unwrap();
    let base = OrganisationFields::from(&opened);

    // I change Bo's e-mail. The PATCH carries the contacts with their unknown fields, nothing else.
    let mut mine = base.clone();
    mine.contacts.as_mut().unwrap()[1].email = Some("bo@x".into());
    let EditOutcome::Saved(saved) = save_edit(&session, 5, &base, &mine).await.unwrap() else { panic!("expected a save") };
    let patches = stub.patches.lock().unwrap().clone();
    assert_eq!(
        patches,
        vec![json!({"contacts": [
            {"id": 71, "name": "Ana", "email": "ana@x", "linkedin": "ana-l", "tags": ["billing"]},
            {"id": 72, "name": "Bo", "email": "bo@x", "linkedin": "bo-l"}
        ]})]
    );
    let stored = stub.org.lock().unwrap().clone().unwrap();
    assert_eq!(stored["created_at"], json!("2026-01-02T03:04:05Z"));
    assert_eq!(stored["region"], json!({"code": "EU"}));
    assert_eq!(saved.extra.get("region"), Some(&json!({"code": "EU"})));

    // Deleted on the server while open: NotFound, and nothing sent.
    *stub.org.lock().unwrap() = None;
    let mine = OrganisationFields { name: "Renamed".into(), ..OrganisationFields::from(&saved) };
    let err = save_edit(&session, 5, &OrganisationFields::from(&saved), &mine).await.unwrap_err();
    assert_eq!(err, Error::NotFound);
    assert_eq!(stub.patches.lock().unwrap().len(), 1);

    // (merge is what save_edit uses: pinned here for the stub's shape too.)
    assert!(merge(&base, &base, &base).patch.is_empty());
}
