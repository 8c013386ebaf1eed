//! OAS Desktop: the Tauri shell. All HTTP lives in `oas-api`; this crate holds the session, the
//! keychain, the settings and thin commands.

mod account;
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
mod account_tests;
#[cfg(test)]
mod ipc_tests;

/// The app, generic over the runtime so tests can run it on Tauri's mock runtime.
pub fn app<R: Runtime>(builder: Builder<R>, keychain: Keychain, settings: SettingsFile) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
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
            commands::account::account_profile,
            commands::account::account_update,
            commands::account::password_strength,
            commands::account::password_change,
            commands::account::api_key_replace,
            commands::account::theme_get,
            commands::account::theme_set,
            commands::account::app_info,
            commands::account::diagnostics,
            commands::account::open_link,
        ])
}

/// Desktop-only window behaviour, outside `app()` so the mock-runtime tests do without it: a
/// second launch focuses the running window; the window's size and position are remembered.
fn window_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    #[cfg(desktop)]
    let builder = builder
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            use tauri::Manager;
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build());
    builder
}

pub fn run() {
    let builder = window_plugins(tauri::Builder::default());
    app(builder, Keychain::platform(), SettingsFile::default())
        .run(tauri::generate_context!())
        .expect("error while running OAS Desktop");
}
