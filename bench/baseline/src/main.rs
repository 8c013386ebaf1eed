//! The benchmark's baseline: an empty Tauri app. Its page calls `app_ready` once painted, and the
//! command writes the time to `$OAS_DESKTOP_READY_FILE`, exactly as OAS Desktop does; with
//! `$OAS_DESKTOP_PHASES_FILE` set, the same start-up phases as OAS Desktop's (see
//! src-tauri/commands/bench.rs) go there first.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const READY_FILE_ENV: &str = "OAS_DESKTOP_READY_FILE";
const PHASES_FILE_ENV: &str = "OAS_DESKTOP_PHASES_FILE";

static PHASES: Mutex<Vec<(&'static str, u128)>> = Mutex::new(Vec::new());

fn now_ns() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

fn mark(phase: &'static str) {
    if std::env::var_os(PHASES_FILE_ENV).is_none() {
        return;
    }
    let mut phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    if !phases.iter().any(|(p, _)| *p == phase) {
        phases.push((phase, now_ns()));
    }
}

#[tauri::command]
fn app_ready(marks: Option<BTreeMap<String, f64>>) {
    let ready = now_ns();
    if let Some(path) = std::env::var_os(PHASES_FILE_ENV) {
        let rust: Vec<String> =
            PHASES.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(p, t)| format!("\"{p}\": {t}")).collect();
        let page: Vec<String> = marks.unwrap_or_default().iter().map(|(p, t)| format!("\"{p}\": {t}")).collect();
        let json = format!("{{\"rust_ns\": {{{}}}, \"page_ms\": {{{}}}, \"ready_ns\": {ready}}}\n", rust.join(", "), page.join(", "));
        let _ = std::fs::write(path, json);
    }
    let Some(path) = std::env::var_os(READY_FILE_ENV) else { return };
    let _ = std::fs::write(path, format!("{ready}\n"));
}

/// The start-up floor with one IPC (`--features first-screen-ipc`): what its page waits for before
/// it shows the first screen, as OAS Desktop's page waits for the session. Asynchronous, as the
/// app's `session_start` is; the answer is already known, as the app's early restore's is.
#[cfg(feature = "first-screen-ipc")]
#[tauri::command]
async fn first_screen_data() -> &'static str {
    "signedOut"
}

#[cfg(feature = "floor")]
mod floor;
#[cfg(feature = "rows")]
mod rows;

#[cfg(not(any(feature = "floor", feature = "rows", feature = "first-screen-ipc")))]
fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_ready]
}

#[cfg(feature = "rows")]
fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_ready, rows::rows_sign_in, rows::rows_list]
}

#[cfg(all(feature = "first-screen-ipc", not(any(feature = "floor", feature = "rows"))))]
fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_ready, first_screen_data]
}

#[cfg(all(feature = "floor", not(feature = "rows")))]
fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_ready, floor::floor_exercise]
}

fn main() {
    mark("main");
    let builder = tauri::Builder::default();
    #[cfg(feature = "floor")]
    let builder = floor::plugins(builder);
    #[cfg(feature = "rows")]
    let builder = builder.manage(rows::Rows::default());
    builder
        .setup(|_| {
            mark("setup");
            Ok(())
        })
        .on_page_load(|_, payload| {
            mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page_load_started",
                tauri::webview::PageLoadEvent::Finished => "page_load_finished",
            })
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!())
        .expect("error while running the benchmark baseline");
}
