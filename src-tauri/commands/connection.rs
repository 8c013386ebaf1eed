//! "Retry now" on the offline banner: connectivity probes the server at once.

use tauri::State;

use crate::connectivity::Connectivity;

#[tauri::command]
pub fn connection_retry(connectivity: State<'_, Connectivity>) {
    connectivity.retry_now();
}
