//! Doors for the demo and the benchmarks. Compiled only with the `demo` cargo feature (see
//! build.rs and lib.rs): a release build carries neither.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ipc::DemoPrefill;

/// Set by the benchmark: the file that receives the moment the first screen was painted.
pub const READY_FILE_ENV: &str = "OAS_DESKTOP_READY_FILE";

/// Set by the demo launcher: a JSON file with the sandbox's demo account.
pub const DEMO_CREDENTIALS_ENV: &str = "OAS_DESKTOP_DEMO_CREDENTIALS";

/// Set by the benchmark: the file that receives the start-up's phases (JSON), written just before
/// the ready file.
pub const PHASES_FILE_ENV: &str = "OAS_DESKTOP_PHASES_FILE";

/// The Rust side's phase marks (Unix time in ns), kept only when the benchmark asks for them.
static PHASES: Mutex<Vec<(&'static str, u128)>> = Mutex::new(Vec::new());

fn now_ns() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// Notes when a start-up phase ends (the first time only), for the benchmark's breakdown.
pub fn mark(phase: &'static str) {
    if std::env::var_os(PHASES_FILE_ENV).is_none() {
        return;
    }
    let mut phases = PHASES.lock().unwrap_or_else(|e| e.into_inner());
    if !phases.iter().any(|(p, _)| *p == phase) {
        phases.push((phase, now_ns()));
    }
}

/// The UI calls this once its first screen is painted and interactive, with its own phase marks
/// (Unix time in ms, from the page's clock).
#[tauri::command]
pub fn app_ready(marks: Option<BTreeMap<String, f64>>) {
    let ready = now_ns();
    if let Some(path) = std::env::var_os(PHASES_FILE_ENV) {
        let rust: BTreeMap<&str, u128> = PHASES.lock().unwrap_or_else(|e| e.into_inner()).iter().copied().collect();
        let json = serde_json::json!({ "rust_ns": rust, "page_ms": marks.unwrap_or_default(), "ready_ns": ready });
        let _ = std::fs::write(path, format!("{json}\n"));
    }
    let Some(path) = std::env::var_os(READY_FILE_ENV) else { return };
    let _ = std::fs::write(path, format!("{ready}\n"));
}

/// The demo account, read once: the file holds a password, so it is removed after reading
/// (`session_start` hands it to the page).
pub fn demo_prefill() -> Option<DemoPrefill> {
    let path = std::env::var_os(DEMO_CREDENTIALS_ENV)?;
    let bytes = std::fs::read(&path).ok()?;
    let _ = std::fs::remove_file(&path);
    serde_json::from_slice(&bytes).ok()
}
