//! The commands through real IPC on Tauri's mock runtime, with the app's own capabilities
//! (so a command that is not granted is refused), against the real sandbox.

use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

use std::path::{Path, PathBuf};

use tauri::Manager;

use crate::session::SessionManager;
use crate::{app, DataDir, Keychain, LogTo};

struct Harness {
    runtime: tokio::runtime::Runtime,
    sandbox_url: String,
    api_key: String,
    dir: tempfile::TempDir,
    keychain: Keychain,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    app: tauri::App<tauri::test::MockRuntime>,
}

fn harness() -> Harness {
    harness_with(oas_sandbox::Config::default(), LogTo::Nowhere)
}

fn harness_with(config: oas_sandbox::Config, log_to: LogTo) -> Harness {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (sandbox_url, api_key) = runtime.block_on(async {
        let sandbox = oas_sandbox::Sandbox::start(config).await.unwrap();
        let key = sandbox.add_user("ana", "ana@example.com", "correct horse").unwrap();
        sandbox.seed_orgs("ana", 3).unwrap();
        let url = sandbox.base_url();
        // Keep the server running for the whole test.
        std::mem::forget(sandbox);
        (url, key)
    });
    let dir = tempfile::tempdir().unwrap();
    let keychain = Keychain::with_store(keyring_core::mock::Store::new().unwrap());
    let (window, app) = launch(&keychain, Some(dir.path().to_path_buf()), log_to);
    Harness { runtime, sandbox_url, api_key, dir, keychain, window, app }
}

type Launched = (tauri::WebviewWindow<tauri::test::MockRuntime>, tauri::App<tauri::test::MockRuntime>);

/// One run of the app over the given keychain and data folder (a relaunch reuses both).
fn launch(keychain: &Keychain, data: Option<PathBuf>, log_to: LogTo) -> Launched {
    let mut app = app(mock_builder(), keychain.clone(), DataDir(data), log_to, crate::Start::Test).build(tauri::generate_context!()).unwrap();
    // Runs the app's setup, as the real event loop does before the first window's first call.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    // Setup opened the configured main window, as in the real app.
    let window = app.get_webview_window("main").unwrap();
    (window, app)
}

impl Harness {
    /// Quits and starts the app again on the same keychain and data folder.
    fn relaunch(&mut self) {
        let (window, app) = launch(&self.keychain, Some(self.dir.path().to_path_buf()), LogTo::Nowhere);
        self.window = window;
        self.app = app;
    }
}

fn invoke(h: &Harness, cmd: &str, body: Value) -> Result<Value, Value> {
    invoke_on(&h.window, cmd, body)
}

fn invoke_on(window: &tauri::WebviewWindow<tauri::test::MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
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
        json!({"server": format!("{}/api/", h.sandbox_url), "username": "ana", "email": "ana@example.com", "userId": 1})
    );
    assert_eq!(out["savedKeyHint"], format!("…{}", &h.api_key[h.api_key.len() - 3..]));
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
        ("plugin:dialog|save", json!({"options": {}})),
        // Updates go through the app's own commands, which enforce the unsaved-work rule.
        ("plugin:updater|check", json!({})),
        ("plugin:updater|download_and_install", json!({"rid": 0})),
    ] {
        let refusal = invoke(&h, cmd, body).unwrap_err();
        assert!(refusal.to_string().contains("not allowed"), "{cmd}: {refusal}");
    }
    // The benchmark's door exists only in builds with the `demo` feature (the demo's prefill comes
    // with `session_start`, which never has one without it).
    let answer = invoke(&h, "app_ready", json!({}));
    if cfg!(feature = "demo") {
        assert!(answer.is_ok(), "app_ready: {answer:?}");
    } else {
        assert!(answer.is_err(), "app_ready must not exist in this build: {answer:?}");
    }
    assert!(invoke(&h, "demo_prefill", json!({})).is_err(), "the prefill has no command of its own");
}

fn sign_in_by_email(h: &Harness) -> Value {
    invoke(h, "sign_in", json!({"request": {
        "server": h.sandbox_url, "apiKey": h.api_key, "username": "", "email": "ana@example.com",
        "password": "correct horse",
    }}))
    .unwrap()
}

fn draft(name: &str) -> Value {
    json!({"name": name, "baseCurrency": "EUR", "currencies": ["EUR"], "image": "", "contacts": null})
}

#[test]
fn signed_in_by_email_stays_signed_in_after_a_relaunch_and_sign_out_keeps_the_key() {
    let mut h = harness();
    assert_eq!(sign_in_by_email(&h)["status"], "signedIn");
    h.relaunch();
    let out = invoke(&h, "session_restore", json!({})).unwrap();
    assert_eq!(out["status"], "signedIn", "{out}");

    invoke(&h, "sign_out", json!({})).unwrap();
    h.relaunch();
    let out = invoke(&h, "session_restore", json!({})).unwrap();
    assert_eq!(out["status"], "signedOut");
    assert_eq!(out["savedKeyHint"], format!("…{}", &h.api_key[h.api_key.len() - 3..]));
    let again = invoke(&h, "sign_in", json!({"request": {
        "server": h.sandbox_url, "apiKey": "", "username": "ana", "email": "", "password": "correct horse",
    }}))
    .unwrap();
    assert_eq!(again["status"], "signedIn");

    let out = invoke(&h, "forget_server", json!({})).unwrap();
    assert_eq!(out, json!({"status": "signedOut", "remembered": {"server": "", "username": "", "email": "", "userId": null}, "savedKeyHint": null}));
    h.relaunch();
    assert_eq!(invoke(&h, "session_restore", json!({})).unwrap()["savedKeyHint"], Value::Null);
}

#[test]
fn one_draft_per_organisation_survives_a_relaunch_and_the_session_ending() {
    let mut h = harness();
    sign_in_by_email(&h);
    invoke(&h, "draft_save", json!({"saved": {"editingId": 1, "draft": draft("A edited")}})).unwrap();
    invoke(&h, "draft_save", json!({"saved": {"editingId": 2, "draft": draft("B edited")}})).unwrap();
    invoke(&h, "draft_save", json!({"saved": {"editingId": null, "draft": draft("New one")}})).unwrap();
    h.relaunch();
    invoke(&h, "session_restore", json!({})).unwrap();
    let drafts = invoke(&h, "draft_load", json!({})).unwrap();
    let names: Vec<&str> = drafts.as_array().unwrap().iter().map(|d| d["draft"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["A edited", "B edited", "New one"], "{drafts}");

    invoke(&h, "draft_discard", json!({"editingId": 2})).unwrap();
    assert_eq!(invoke(&h, "draft_load", json!({})).unwrap().as_array().unwrap().len(), 2);

    // The session ends while a form is open: its last keystrokes are still kept.
    invoke(&h, "sign_out", json!({})).unwrap();
    invoke(&h, "draft_save", json!({"saved": {"editingId": 1, "draft": draft("A, last keystrokes")}})).unwrap();
    sign_in_by_email(&h);
    let drafts = invoke(&h, "draft_load", json!({})).unwrap();
    assert_eq!(drafts[0]["draft"]["name"], "A, last keystrokes");
}

#[test]
fn a_draft_that_cannot_be_written_is_an_error_not_a_success() {
    let h = harness();
    sign_in_by_email(&h);
    let (window, _app) = launch(&h.keychain, Some(PathBuf::from("/proc/self/no-such-folder")), LogTo::Nowhere);
    // The second app shares the keychain but not the session: sign in there.
    invoke_on(&window, "sign_in", json!({"request": {
        "server": h.sandbox_url, "apiKey": h.api_key, "username": "ana", "email": "", "password": "correct horse",
    }}))
    .unwrap();
    let error = invoke_on(&window, "draft_save", json!({"saved": {"editingId": null, "draft": draft("x")}})).unwrap_err();
    assert_eq!(error["code"], "not_written", "{error}");
}

#[test]
fn an_unreadable_settings_file_is_kept_aside_and_reported_once() {
    let mut h = harness();
    sign_in_by_email(&h);
    std::fs::write(h.dir.path().join("settings.json"), b"{\"remembered\": {\"ser").unwrap();
    h.relaunch();
    let start = invoke(&h, "session_start", json!({"updates": "__CHANNEL__:1"})).unwrap();
    let problems = &start["storageProblems"];
    assert_eq!(problems[0]["file"], "settings.json", "{problems}");
    let kept = PathBuf::from(problems[0]["keptAs"].as_str().unwrap());
    assert_eq!(std::fs::read(&kept).unwrap(), b"{\"remembered\": {\"ser");
    assert_eq!(start["session"]["status"], "signedOut");
    // Told once: a second start of the page (a reload) does not tell it again.
    assert_eq!(invoke(&h, "session_start", json!({"updates": "__CHANNEL__:2"})).unwrap()["storageProblems"], json!([]));
}

#[test]
fn the_start_answers_the_session_and_no_demo_account_without_a_launchers_file() {
    let h = harness();
    let start = invoke(&h, "session_start", json!({"updates": "__CHANNEL__:1"})).unwrap();
    assert_eq!(start["session"]["status"], "signedOut", "{start}");
    assert_eq!(start["storageProblems"], json!([]));
    // Without a launcher's file there is no demo account, in any build; without the feature
    // there is never one (the command has no way to read it).
    assert_eq!(start["prefill"], Value::Null);
    // The start asks for nothing else: without its channel the request is refused.
    assert!(invoke(&h, "session_start", json!({})).is_err());
}

fn all_text_under(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&all_text_under(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

#[test]
fn a_whole_session_leaves_no_secret_in_the_log_the_settings_or_the_drafts() {
    let config = oas_sandbox::Config { rotate_refresh: true, ..Default::default() };
    let logs = tempfile::tempdir().unwrap();
    let h = harness_with(config, LogTo::Folder(logs.path().to_path_buf()));
    sign_in_by_email(&h);
    let sessions = h.app.state::<SessionManager>();
    let active = h.runtime.block_on(sessions.current()).unwrap();
    let mut refresh_tokens = vec![active.session.refresh_token().expose().to_string()];
    invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap();
    h.runtime.block_on(active.session.refresh_now()).unwrap();
    refresh_tokens.push(active.session.refresh_token().expose().to_string());
    invoke(&h, "draft_save", json!({"saved": {"editingId": null, "draft": draft("Acme")}})).unwrap();
    invoke(&h, "sign_out", json!({})).unwrap();
    log::logger().flush();

    let log = all_text_under(logs.path());
    assert!(log.contains("POST /api/auth/login/ -> 200"), "requests are logged: {log}");
    // A listing is one line for all its pages.
    assert!(log.contains("GET /api/organisations/ (every page) -> "), "{log}");
    assert!(log.contains("POST /api/auth/token/refresh/ -> 200"), "{log}");
    assert!(log.contains("POST /api/auth/logout/"), "{log}");
    let stored = all_text_under(h.dir.path());
    assert!(stored.contains("Acme"), "the draft is there: {stored}");
    for (place, text) in [("log", &log), ("settings and drafts", &stored)] {
        assert!(!text.contains("correct horse"), "password in the {place}");
        assert!(!text.contains(&h.api_key), "API key in the {place}");
        assert!(!text.contains(&h.api_key[h.api_key.len() - 20..]), "part of the API key in the {place}");
        for token in &refresh_tokens {
            assert!(!text.contains(token.as_str()), "refresh token in the {place}");
        }
        // Every token (access or refresh) is a JWT, and every JWT starts with `eyJ`.
        assert!(!text.contains("eyJ"), "a token in the {place}");
    }
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
    h.runtime.block_on(async {
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
    let listed = invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap();
    assert_eq!(listed["activeId"], json!(id));
    assert!(listed["total"].as_u64().unwrap() >= 1);
    // The form fetches the whole organisation: the list sends only rows.
    assert_eq!(invoke(&h, "organisation_get", json!({"id": id})).unwrap()["name"], "Theirs");
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

/// A second sandbox with its own account "bea" and `orgs` organisations, kept running.
fn second_sandbox(h: &Harness, orgs: usize) -> (String, String) {
    h.runtime.block_on(async {
        let sandbox = oas_sandbox::Sandbox::start(oas_sandbox::Config::default()).await.unwrap();
        let key = sandbox.add_user("bea", "bea@example.com", "correct horse").unwrap();
        sandbox.seed_orgs("bea", orgs).unwrap();
        let url = sandbox.base_url();
        std::mem::forget(sandbox);
        (url, key)
    })
}

fn profile<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} in {view}"))
}

#[test]
fn two_server_profiles_keep_their_own_sessions_lists_and_drafts_across_a_relaunch() {
    let mut h = harness();
    let (b_url, b_key) = second_sandbox(&h, 5);
    invoke(&h, "sign_in", sign_in_body(&h, "correct horse")).unwrap();
    let a_id = invoke(&h, "servers_list", json!({})).unwrap()["current"].clone();

    let view = invoke(&h, "server_add", json!({"input": {"name": "Training sandbox", "address": b_url, "colour": "orange"}})).unwrap();
    assert_eq!(view["current"], a_id, "adding does not switch");
    let b_id = profile(&view, "Training sandbox")["id"].clone();
    assert_eq!(profile(&view, "Training sandbox")["signedIn"], false);

    // Choosing B, signed out: its sign-in form; A stays signed in.
    let view = invoke(&h, "server_select", json!({"id": b_id})).unwrap();
    assert_eq!(view["state"]["status"], "signedOut");
    assert_eq!(view["state"]["remembered"]["server"], format!("{b_url}/api/"));
    assert_eq!(view["title"], "OAS Desktop — Training sandbox");
    assert_eq!(view["profiles"][0]["signedIn"], true);
    assert_eq!(invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap_err()["code"], "session_expired");
    let bea = invoke(&h, "sign_in", json!({"request": {
        "server": b_url, "apiKey": b_key, "username": "bea", "email": "", "password": "correct horse",
    }}))
    .unwrap();
    assert_eq!(bea["user"]["username"], "bea");
    assert_eq!(invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap()["total"], 5);
    let view = invoke(&h, "servers_list", json!({})).unwrap();
    assert_eq!(view["profiles"].as_array().unwrap().len(), 2, "signing in to B did not add a third: {view}");
    assert_eq!(view["current"], b_id);

    // A form of A that closes after the switch keeps its draft with A.
    invoke(&h, "draft_save", json!({"saved": {"editingId": null, "draft": draft("Of A")}, "server": format!("{}/api/", h.sandbox_url)})).unwrap();
    assert_eq!(invoke(&h, "draft_load", json!({})).unwrap(), json!([]), "B has no draft");

    // Back to A: at once, no sign-in.
    let view = invoke(&h, "server_select", json!({"id": a_id})).unwrap();
    assert_eq!(view["state"]["status"], "signedIn");
    assert_eq!(view["state"]["user"]["username"], "ana");
    assert_eq!(invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap()["total"], 3);
    assert_eq!(invoke(&h, "draft_load", json!({})).unwrap()[0]["draft"]["name"], "Of A");

    // After a relaunch both are restored: A (in use) at start, B when chosen.
    h.relaunch();
    assert_eq!(invoke(&h, "session_restore", json!({})).unwrap()["user"]["username"], "ana");
    let view = invoke(&h, "servers_list", json!({})).unwrap();
    assert!(view["profiles"].as_array().unwrap().iter().all(|p| p["signedIn"] == true), "{view}");
    let view = invoke(&h, "server_select", json!({"id": b_id})).unwrap();
    assert_eq!(view["state"]["user"]["username"], "bea");
    assert_eq!(invoke(&h, "organisations_list", json!({"rows": "__CHANNEL__:1"})).unwrap()["total"], 5);
    assert!(!view.to_string().contains(&b_key) && !view.to_string().contains(&h.api_key));

    // Removing B forgets its key and session; A is in use again and still signed in.
    let view = invoke(&h, "server_remove", json!({"id": b_id})).unwrap();
    assert_eq!(view["current"], a_id);
    assert_eq!(view["state"]["user"]["username"], "ana");
    assert_eq!(view["profiles"].as_array().unwrap().len(), 1);
    let b_account = crate::secrets::Account { server: format!("{b_url}/api/"), user_id: bea["user"]["id"].as_i64().unwrap() };
    assert!(h.keychain.api_key(&b_account).unwrap().is_none());
}

#[test]
fn the_one_server_remembered_before_profiles_becomes_the_first_profile_still_signed_in() {
    let mut h = harness();
    invoke(&h, "sign_in", sign_in_body(&h, "correct horse")).unwrap();
    // settings.json as the version before profiles wrote it (the keychain is as it left it).
    let path = h.dir.path().join("settings.json");
    let remembered = json!({"server": format!("{}/api/", h.sandbox_url), "username": "ana", "email": "ana@example.com", "userId": 1});
    std::fs::write(&path, json!({"remembered": remembered, "theme": "dark"}).to_string()).unwrap();
    h.relaunch();

    let out = invoke(&h, "session_restore", json!({})).unwrap();
    assert_eq!(out["status"], "signedIn", "{out}");
    let view = invoke(&h, "servers_list", json!({})).unwrap();
    let host = h.sandbox_url.trim_start_matches("http://").to_string();
    assert_eq!(view["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(view["profiles"][0]["name"], host.as_str());
    assert_eq!(view["current"], view["profiles"][0]["id"]);
    assert_eq!(view["title"], format!("OAS Desktop — {host}"));
    // Renaming keeps the session (the keychain entries are not named by the profile).
    let id = view["current"].clone();
    let view = invoke(&h, "server_update", json!({"id": id, "input": {"name": "Production", "address": h.sandbox_url, "colour": "red"}})).unwrap();
    assert_eq!(view["state"]["status"], "signedIn");
    assert_eq!(view["title"], "OAS Desktop — Production");
    h.relaunch();
    assert_eq!(invoke(&h, "session_restore", json!({})).unwrap()["status"], "signedIn");
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(saved["theme"], "dark", "other settings are untouched");
}

#[test]
fn a_new_address_for_a_profile_asks_for_the_key_again() {
    let h = harness();
    invoke(&h, "sign_in", sign_in_body(&h, "correct horse")).unwrap();
    let id = invoke(&h, "servers_list", json!({})).unwrap()["current"].clone();
    let view = invoke(&h, "server_update", json!({"id": id, "input": {"name": "Beta", "address": "127.0.0.1:1", "colour": "blue"}})).unwrap();
    assert_eq!(view["state"]["status"], "signedOut");
    assert_eq!(view["state"]["savedKeyHint"], Value::Null);
    assert_eq!(view["state"]["remembered"], json!({"server": "http://127.0.0.1:1/api/", "username": "ana", "email": "ana@example.com", "userId": null}));
    let old = crate::secrets::Account { server: format!("{}/api/", h.sandbox_url), user_id: 1 };
    assert!(h.keychain.api_key(&old).unwrap().is_none(), "the old server's key is not kept for the new one");
    // The rules answer at their fields.
    let error = invoke(&h, "server_add", json!({"input": {"name": "beta", "address": "oas.example.com", "colour": "blue"}})).unwrap_err();
    assert_eq!(error["code"], "server_name_taken");
    assert!(error["fields"]["name"].is_array());
}
