//! OAS Desktop: the Tauri shell. All HTTP lives in `oas-api`; this crate holds the session, the
//! keychain, the settings and thin commands.

mod commands;
mod error;
mod ipc;
mod secrets;
mod session;
mod settings;

use tauri::{Builder, Runtime};

pub use error::{ErrorCode, IpcError};
pub use secrets::Keychain;
pub use session::SessionManager;
pub use settings::SettingsFile;

#[cfg(test)]
mod ipc_tests;

/// The app, generic over the runtime so tests can run it on Tauri's mock runtime.
pub fn app<R: Runtime>(builder: Builder<R>, keychain: Keychain, settings: SettingsFile) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .manage(SessionManager::new(keychain))
        .manage(settings)
        .invoke_handler(tauri::generate_handler![
            commands::auth::session_restore,
            commands::auth::sign_in,
            commands::auth::sign_out,
            commands::auth::demo_prefill,
            commands::auth::open_access_request,
        ])
}

pub fn run() {
    app(tauri::Builder::default(), Keychain::platform(), SettingsFile::default())
        .run(tauri::generate_context!())
        .expect("error while running OAS Desktop");
}
