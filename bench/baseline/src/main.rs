//! The benchmark's baseline: an empty Tauri app. Its page calls `app_ready` once painted, and the
//! command writes the time to `$OAS_DESKTOP_READY_FILE`, exactly as OAS Desktop does.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::{SystemTime, UNIX_EPOCH};

const READY_FILE_ENV: &str = "OAS_DESKTOP_READY_FILE";

#[tauri::command]
fn app_ready() {
    let Some(path) = std::env::var_os(READY_FILE_ENV) else { return };
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let _ = std::fs::write(path, format!("{nanos}\n"));
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![app_ready])
        .run(tauri::generate_context!())
        .expect("error while running the benchmark baseline");
}
