use std::time::{SystemTime, UNIX_EPOCH};

/// Set by the benchmark: the file that receives the moment the first screen was painted.
pub const READY_FILE_ENV: &str = "OAS_DESKTOP_READY_FILE";

/// The UI calls this once its first screen is painted and interactive.
#[tauri::command]
pub fn app_ready() {
    let Some(path) = std::env::var_os(READY_FILE_ENV) else { return };
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let _ = std::fs::write(path, format!("{nanos}\n"));
}
