//! The commands through real IPC on Tauri's mock runtime, with the app's own capabilities
//! (so a command that is not granted is refused), against the real sandbox.

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

use crate::{app, Keychain, SettingsFile};

struct Harness {
    _runtime: tokio::runtime::Runtime,
    sandbox_url: String,
    api_key: String,
    _dir: tempfile::TempDir,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _app: tauri::App<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (sandbox_url, api_key) = runtime.block_on(async {
        let sandbox = oas_sandbox::Sandbox::start(oas_sandbox::Config::default()).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        let url = sandbox.base_url();
        // Keep the server running for the whole test.
        std::mem::forget(sandbox);
        (url, key)
    });
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    let app = app(mock_builder(), keychain, SettingsFile(dir.path().join("settings.json")))
        .build(tauri::generate_context!())
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { _runtime: runtime, sandbox_url, api_key, _dir: dir, window, _app: app }
}

fn invoke(h: &Harness, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        &h.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

fn sign_in_body(h: &Harness, password: &str) -> Value {
    json!({"request": {
        "server": h.sandbox_url, "apiKey": h.api_key, "username": "ana",
        "email": "ana@example.com", "password": password,
    }})
}

#[test]
fn sign_in_restore_and_sign_out_through_ipc() {
    let h = harness();
    let out = invoke(&h, "session_restore", json!({})).unwrap();
    assert_eq!(out["status"], "signedOut");

    let out = invoke(&h, "sign_in", sign_in_body(&h, "correct horse")).unwrap();
    assert_eq!(out["status"], "signedIn");
    assert_eq!(out["user"]["username"], "ana");
    assert_eq!(out["apiKeyHint"], format!("…{}", &h.api_key[h.api_key.len() - 3..]));
    // The webview never receives a secret.
    let text = out.to_string();
    assert!(!text.contains(&h.api_key) && !text.contains("correct horse"));

    let out = invoke(&h, "sign_out", json!({})).unwrap();
    assert_eq!(out["status"], "signedOut");
    assert_eq!(
        out["remembered"],
        json!({"server": format!("{}/api/", h.sandbox_url), "username": "ana", "email": "ana@example.com"})
    );
}

#[test]
fn errors_cross_ipc_as_code_and_message() {
    let h = harness();
    let error = invoke(&h, "sign_in", sign_in_body(&h, "nope")).unwrap_err();
    assert_eq!(error["code"], "wrong_credentials");
    assert!(error["message"].as_str().unwrap().len() > 10);
    assert!(!error.to_string().contains(&h.api_key));
}

#[test]
fn the_sign_in_form_asks_rust_what_an_address_means() {
    let h = harness();
    let out = invoke(&h, "server_address_check", json!({"input": "127.0.0.1:8765"})).unwrap();
    assert_eq!(out, json!({"apiRoot": "http://127.0.0.1:8765/api/", "plainHttp": true, "thisComputer": true}));
    let error = invoke(&h, "server_address_check", json!({"input": "http://oas.example.com"})).unwrap_err();
    assert_eq!(error["code"], "insecure_address");
}

#[test]
fn commands_and_plugins_not_granted_are_refused() {
    let h = harness();
    for (cmd, body) in [
        ("plugin:store|load", json!({"path": "x.json"})),
        ("plugin:opener|open_url", json!({"url": "https://example.com"})),
        ("plugin:dialog|save", json!({"options": {}})),
    ] {
        let refusal = invoke(&h, cmd, body).unwrap_err();
        assert!(refusal.to_string().contains("not allowed"), "{cmd}: {refusal}");
    }
    assert_eq!(invoke(&h, "demo_prefill", json!({})).unwrap(), Value::Null);
}

/// Two admins through real IPC: the app edits, "another admin" edits the same organisation
/// directly against the server, and the app's save stops with a conflict instead of overwriting.
#[test]
fn an_edit_never_overwrites_another_admins_change() {
    let h = harness();
    invoke(&h, "sign_in", sign_in_body(&h, "correct horse")).unwrap();
    let draft = json!({"name": "Acme", "baseCurrency": "USD", "currencies": ["USD", "EUR"], "image": "", "contacts": []});
    let base = invoke(&h, "organisation_create", json!({"draft": draft})).unwrap();
    let id = base["id"].as_i64().unwrap();

    // Nothing changed: the base comes back as it was.
    let out = invoke(&h, "organisation_update", json!({"id": id, "base": base, "draft": draft})).unwrap();
    assert_eq!(out, base);

    // The other admin renames it and adds a currency.
    h._runtime.block_on(async {
        let client = oas_api::Client::new(oas_api::ServerUrl::parse(&h.sandbox_url).unwrap(), oas_api::ApiKey::new(h.api_key.clone())).unwrap();
        let (other, _) = client.login("ana", "ana@example.com", &oas_api::Password::new("correct horse")).await.unwrap();
        let patch = oas_api::OrganisationPatch { name: Some("Theirs".into()), currencies: Some(vec!["USD".into(), "EUR".into(), "GBP".into()]), ..Default::default() };
        other.update_organisation(id, &patch).await.unwrap();
    });

    let mine = json!({"name": "Mine", "baseCurrency": "USD", "currencies": ["USD", "EUR"], "image": "", "contacts": []});
    let error = invoke(&h, "organisation_update", json!({"id": id, "base": base, "draft": mine})).unwrap_err();
    assert_eq!(error["code"], "conflict");
    assert_eq!(error["conflict"]["fields"], json!(["name"]));
    assert_eq!(error["conflict"]["theirs"]["name"], "Theirs");
    assert_eq!(error["conflict"]["mine"]["name"], "Mine");

    // The person takes theirs for the name: saved against their version, nothing of theirs lost.
    let theirs = error["conflict"]["theirs"].clone();
    let mut chosen = error["conflict"]["merged"].clone();
    chosen["name"] = json!("Theirs");
    let saved = invoke(&h, "organisation_update", json!({"id": id, "base": theirs, "draft": chosen})).unwrap();
    assert_eq!(saved["name"], "Theirs");
    assert_eq!(saved["currencies"], json!(["USD", "EUR", "GBP"]));

    // Make active answers the active id; the list agrees.
    let activation = invoke(&h, "organisation_make_active", json!({"id": id})).unwrap();
    assert_eq!(activation["activeId"], json!(id));
    assert_eq!(invoke(&h, "organisations_list", json!({})).unwrap()["activeId"], json!(id));
}
