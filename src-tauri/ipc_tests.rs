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
fn commands_and_plugins_not_granted_are_refused() {
    let h = harness();
    for (cmd, body) in [
        ("plugin:store|load", json!({"path": "x.json"})),
        ("plugin:opener|open_url", json!({"url": "https://example.com"})),
        ("plugin:dialog|save", json!({"options": {}})),
        // Updates go through the app's own commands, which enforce the unsaved-work rule.
        ("plugin:updater|check", json!({})),
        ("plugin:updater|download_and_install", json!({"rid": 0})),
    ] {
        let refusal = invoke(&h, cmd, body).unwrap_err();
        assert!(refusal.to_string().contains("not allowed"), "{cmd}: {refusal}");
    }
    assert_eq!(invoke(&h, "demo_prefill", json!({})).unwrap(), Value::Null);
}

#[test]
fn updates_wait_for_unsaved_work_and_a_build_without_a_feed_never_checks() {
    let h = harness();
    let version = env!("CARGO_PKG_VERSION");
    // tauri.conf.json has no feed or key: only the release and test configs add them.
    assert_eq!(
        invoke(&h, "update_check", json!({})).unwrap(),
        json!({"status": "disabled", "currentVersion": version})
    );

    invoke(&h, "unsaved_work_set", json!({"dirty": true})).unwrap();
    let refusal = invoke(&h, "update_install", json!({})).unwrap_err();
    assert_eq!(refusal["code"], "unsaved_work");

    invoke(&h, "unsaved_work_set", json!({"dirty": false})).unwrap();
    let nothing = invoke(&h, "update_install", json!({})).unwrap_err();
    assert_eq!(nothing["code"], "update_failed");
    assert!(nothing["message"].as_str().unwrap().contains("Check for updates first"));
}
