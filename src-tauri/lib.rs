//! OAS Desktop: the Tauri shell. All HTTP lives in `oas-api`; this crate holds the session, the
//! keychain, the settings and thin commands.

mod commands;
mod error;
mod ipc;
mod organisations;
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
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(commands::updates::Updates::default())
        .manage(SessionManager::new(keychain))
        .manage(settings)
        .invoke_handler(tauri::generate_handler![
            commands::bench::app_ready,
            commands::auth::session_restore,
            commands::auth::sign_in,
            commands::auth::sign_out,
            commands::auth::demo_prefill,
            commands::auth::open_access_request,
            commands::organisations::organisations_list,
            commands::organisations::organisation_create,
            commands::organisations::organisation_update,
            commands::organisations::organisation_make_active,
            commands::drafts::draft_load,
            commands::drafts::draft_save,
            commands::drafts::draft_discard,
            commands::export::export_csv,
            commands::updates::update_check,
            commands::updates::update_install,
            commands::updates::unsaved_work_set,
        ])
}

pub fn run() {
    app(tauri::Builder::default(), Keychain::platform(), SettingsFile::default())
        .run(tauri::generate_context!())
        .expect("error while running OAS Desktop");
}
