//! The floor (`--features floor`): the baseline plus the third-party libraries OAS Desktop's
//! features need at run time, each used once the way the app uses it, so that link-time
//! optimisation keeps what the app keeps of them:
//!
//! - HTTPS to the OAS server: reqwest over rustls with ring, Mozilla's and the system's roots, JSON;
//! - the keychain: keyring-core over the Secret Service (libdbus);
//! - one instance at a time: a D-Bus name, polled with rustix;
//! - links opened in the browser: `open`;
//! - the password-strength hint: zxcvbn;
//! - import from a spreadsheet: csv, calamine (xlsx), encoding_rs;
//! - Tauri's dialog (file choosers), updater, log and window-state plugins.
//!
//! `./bench/run.sh` builds and packages it, and never runs it: its `.deb` is the smallest an app
//! with those features could be, the floor under the app's `.deb` figure.

use std::io::Cursor;
use std::sync::Arc;

use calamine::Reader;
use tauri::{Builder, Runtime};

/// Every library once. Registered as a command only so that it is linked; nothing calls it.
#[tauri::command]
pub async fn floor_exercise(url: String, password: String, sheet: Vec<u8>) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let (valid, _) = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder().tls_backend_preconfigured(tls).build().map_err(|e| e.to_string())?;
    let answer: serde_json::Value = client.get(url).send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;

    let store = dbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    let entry = keyring_core::Entry::new("floor", "user").map_err(|e| e.to_string())?;
    let stored = entry.get_password().unwrap_or_default();
    entry.set_password(&password).map_err(|e| e.to_string())?;

    let bus = dbus::blocking::Connection::new_session().map_err(|e| e.to_string())?;
    let owned = bus.request_name("me.ottomate.oas.floor", false, false, true).map_err(|e| e.to_string())?;
    bus.process(std::time::Duration::ZERO).map_err(|e| e.to_string())?;
    let (wake, woken) = std::os::unix::net::UnixStream::pair().map_err(|e| e.to_string())?;
    drop(wake);
    let mut fds = [rustix::event::PollFd::new(&woken, rustix::event::PollFlags::IN)];
    let _ = rustix::event::poll(&mut fds, None);

    let score = zxcvbn::zxcvbn(&password, &[&stored]).score();

    let text = match std::str::from_utf8(&sheet) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(&sheet).0.into_owned(),
    };
    let records = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes()).records().count();
    let mut book = calamine::Xlsx::new(Cursor::new(sheet)).map_err(|e| e.to_string())?;
    let cells = book.worksheet_range_at(0).and_then(Result::ok).map(|r| r.used_cells().count()).unwrap_or(0);

    open::that_detached("https://oas-beta.ottomate.me/").map_err(|e| e.to_string())?;
    log::info!("{valid} {answer} {owned:?} {} {records} {cells}", u8::from(score));
    Ok(format!("{answer}"))
}

/// The plugins the app registers, with the floor's command.
pub fn plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_log::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_window_state::Builder::default().build())
}
