//! OAS Desktop: the Tauri shell. All HTTP lives in `oas-api`; this crate holds the session, the
//! keychain, the settings and thin commands.

mod account;
mod commands;
mod connectivity;
mod error;
mod ipc;
mod organisations;
mod secrets;
mod session;
mod servers;
mod settings;
#[cfg(target_os = "linux")]
mod single_instance;

use std::path::PathBuf;

use tauri::{Builder, Emitter, Manager, Runtime};
use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

pub use error::{ErrorCode, IpcError};
pub use secrets::Keychain;
pub use session::SessionManager;
pub use settings::DataDir;

#[cfg(test)]
mod account_tests;
#[cfg(test)]
mod link_order;
#[cfg(test)]
mod ipc_tests;

/// The event that says whether the server can be reached (connectivity.rs).
pub const CONNECTION_STATE_EVENT: &str = "connection-state";

/// Where the app writes its log.
#[derive(Debug, Clone)]
pub enum LogTo {
    /// The OS log folder (`~/.local/share/<id>/logs` on Linux), rotated.
    LogFolder,
    Folder(PathBuf),
    /// No logger (tests that build many apps in one process: a logger is set once per process).
    Nowhere,
}

fn log_plugin<R: Runtime>(to: &LogTo) -> Option<tauri::plugin::TauriPlugin<R>> {
    let target = match to {
        LogTo::LogFolder => TargetKind::LogDir { file_name: None },
        LogTo::Folder(path) => TargetKind::Folder { path: path.clone(), file_name: None },
        LogTo::Nowhere => return None,
    };
    Some(
        tauri_plugin_log::Builder::new()
            .clear_targets()
            .target(Target::new(target))
            .level(log::LevelFilter::Info)
            .max_file_size(2_000_000)
            .rotation_strategy(RotationStrategy::KeepSome(5))
            .build(),
    )
}

/// How the app starts: a launch restores the session while its window loads (`EarlyRestore`);
/// tests call `session_restore` themselves, when their setting-up is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Launch,
    Test,
}

/// The app, generic over the runtime so tests can run it on Tauri's mock runtime.
pub fn app<R: Runtime>(builder: Builder<R>, keychain: Keychain, data: DataDir, log_to: LogTo, start: Start) -> Builder<R> {
    let builder = match log_plugin(&log_to) {
        Some(plugin) => builder.plugin(plugin),
        None => builder,
    };
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(commands::updates::Updates::default())
        .manage(commands::import::ImportState::default())
        .manage(organisations::LastListings::default())
        .manage(SessionManager::new(keychain))
        .manage(commands::auth::EarlyRestore::default())
        .manage(commands::auth::SessionUpdates::default())
        .manage(data)
        .setup(move |app| {
            log::info!(
                "OAS Desktop {} (Tauri {}) on {} {}",
                env!("CARGO_PKG_VERSION"),
                tauri::VERSION,
                std::env::consts::OS,
                std::env::consts::ARCH
            );
            let handle = app.handle().clone();
            app.state::<SessionManager>().on_state_change(move |state| {
                handle.state::<commands::auth::SessionUpdates>().send(state);
            });
            watch_connection(app);
            if start == Start::Launch {
                commands::auth::EarlyRestore::begin(app.handle());
            }
            #[cfg(feature = "demo")]
            commands::bench::mark("setup");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            #[cfg(feature = "demo")]
            commands::bench::app_ready,
            commands::auth::session_start,
            commands::auth::session_restore,
            commands::auth::sign_in,
            commands::auth::sign_out,
            commands::address::server_address_check,
            commands::auth::forget_server,
            commands::auth::open_access_request,
            commands::organisations::organisations_list,
            commands::organisations::organisation_create,
            commands::organisations::organisation_update,
            commands::organisations::organisation_make_active,
            commands::organisations::organisation_get,
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
            commands::updates::update_check,
            commands::updates::update_install,
            commands::updates::unsaved_work_set,
            commands::servers::servers_list,
            commands::servers::server_add,
            commands::servers::server_update,
            commands::servers::server_remove,
            commands::servers::server_select,
            commands::connection::connection_retry,
            commands::import::import_open,
            commands::import::import_preview,
            commands::import::import_run,
            commands::import::import_cancel,
            commands::import::import_report_save,
        ])
}

/// Every signed-in call tells connectivity whether the server answered; while it does not,
/// connectivity probes with the session's lightest call and the UI hears each change.
fn watch_connection<R: Runtime>(app: &mut tauri::App<R>) {
    use connectivity::{reach_of, Backoff, Connectivity, Reach};
    let connectivity = Connectivity::new(Backoff::STANDARD);
    let handle = app.handle().clone();
    connectivity.on_change(move |state| {
        let _ = handle.emit(CONNECTION_STATE_EVENT, state);
    });
    let handle = app.handle().clone();
    connectivity.set_probe(move || {
        let handle = handle.clone();
        async move {
            match handle.state::<SessionManager>().current().await {
                Ok(active) => reach_of(&active.session.verify().await),
                Err(_) => Reach::Unknown,
            }
        }
    });
    let observer = connectivity.clone();
    app.state::<SessionManager>().on_reach(move |reach| observer.observe(reach));
    app.manage(connectivity);
}

/// Desktop-only window behaviour, outside `app()` so the mock-runtime tests do without it: a
/// second launch focuses the running window; the window's size and position are remembered.
fn window_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    #[cfg(target_os = "linux")]
    let builder = builder.plugin(single_instance::init(show_main_window));
    #[cfg(any(target_os = "macos", windows))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| show_main_window(app)));
    #[cfg(desktop)]
    let builder = builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .on_window_event(|window, event| {
            if matches!(event, tauri::WindowEvent::Moved(_) | tauri::WindowEvent::Resized(_)) {
                save_window_state_soon(window.app_handle());
            }
        });
    builder
}

/// What a second launch does: brings the running window forward.
#[cfg(desktop)]
fn show_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The plugin writes the window's state when the app exits normally; a session that ends by
/// logout, a crash or a kill would lose it. So it is also written once a move or resize settles.
#[cfg(desktop)]
fn save_window_state_soon<R: Runtime>(app: &tauri::AppHandle<R>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tauri_plugin_window_state::{AppHandleExt, StateFlags};
    static LATEST: AtomicU64 = AtomicU64::new(0);
    let turn = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        if LATEST.load(Ordering::SeqCst) == turn {
            if let Err(error) = app.save_window_state(StateFlags::all()) {
                log::warn!("the window's size and position could not be saved: {error}");
            }
        }
    });
}

pub fn run() {
    #[cfg(feature = "demo")]
    commands::bench::mark("main");
    let builder = window_plugins(tauri::Builder::default());
    // The start-up benchmark's phases: when the page starts and ends loading.
    #[cfg(feature = "demo")]
    let builder = builder.on_page_load(|_, payload| {
        commands::bench::mark(match payload.event() {
            tauri::webview::PageLoadEvent::Started => "page_load_started",
            tauri::webview::PageLoadEvent::Finished => "page_load_finished",
        })
    });
    app(builder, Keychain::platform(), DataDir::default(), LogTo::LogFolder, Start::Launch)
        .run(tauri::generate_context!())
        .expect("error while running OAS Desktop");
}
