use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::ipc::SavedDraft;
use crate::session::SessionManager;
use crate::settings;

#[tauri::command]
pub async fn draft_load<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<Option<SavedDraft>, IpcError> {
    Ok(settings::draft(&app, &sessions.current().await?.account))
}

#[tauri::command]
pub async fn draft_save<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    saved: SavedDraft,
) -> Result<(), IpcError> {
    settings::set_draft(&app, &sessions.current().await?.account, Some(saved));
    Ok(())
}

#[tauri::command]
pub async fn draft_discard<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<(), IpcError> {
    settings::set_draft::<R>(&app, &sessions.current().await?.account, None);
    Ok(())
}
