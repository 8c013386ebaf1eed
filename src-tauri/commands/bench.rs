//! Doors for the demo and the benchmarks. Compiled only with the `demo` cargo feature (see
//! build.rs and lib.rs): a release build carries neither.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::ipc::DemoPrefill;

/// Set by the benchmark: the file that receives the moment the first screen was painted.
pub const READY_FILE_ENV: &str = "OAS_DESKTOP_READY_FILE";

/// Set by the demo launcher: a JSON file with the sandbox's demo account.
pub const DEMO_CREDENTIALS_ENV: &str = "OAS_DESKTOP_DEMO_CREDENTIALS";

/// The UI calls this once its first screen is painted and interactive.
#[tauri::command]
pub fn app_ready() {
    let Some(path) = std::env::var_os(READY_FILE_ENV) else { return };
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let _ = std::fs::write(path, format!("{nanos}\n"));
}

/// The demo account, read once: the file holds a password, so it is removed after reading.
#[tauri::command]
pub fn demo_prefill() -> Option<DemoPrefill> {
    let path = std::env::var_os(DEMO_CREDENTIALS_ENV)?;
    let bytes = std::fs::read(&path).ok()?;
    let _ = std::fs::remove_file(&path);
    serde_json::from_slice(&bytes).ok()
}
