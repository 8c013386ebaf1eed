use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::error::{ErrorCode, IpcError};

/// Asks where to save the organisations list and writes it. `false` when the user cancels.
#[tauri::command]
pub async fn export_csv<R: Runtime>(app: AppHandle<R>, csv: String) -> Result<bool, IpcError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name("organizations.csv")
        .add_filter("CSV", &["csv"])
        .save_file(move |path| {
            let _ = tx.send(path);
        });
    let Some(path) = rx.await.ok().flatten() else { return Ok(false) };
    let path = path
        .into_path()
        .map_err(|_| IpcError::new(ErrorCode::NotWritten, "not a folder on this computer"))?;
    tokio::fs::write(&path, csv)
        .await
        .map_err(|_| IpcError::new(ErrorCode::NotWritten, "the export could not be written there"))?;
    Ok(true)
}
