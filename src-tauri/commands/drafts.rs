use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::ipc::SavedDraft;
use crate::secrets::Account;
use crate::session::SessionManager;
use crate::settings;

/// Whose drafts: the account signed in to `server` (the address the form was opened for; the
/// server in use when not given), or, once its session has ended, the one remembered for that
/// server (so the last keystrokes of a form open when the session ended are still kept). A form
/// of one server that closes after a switch keeps its draft with its own server.
async fn owner<R: Runtime>(app: &AppHandle<R>, sessions: &SessionManager, server: Option<String>) -> Result<Account, IpcError> {
    let Some(server) = server else {
        return match sessions.current().await {
            Ok(active) => Ok(active.account),
            Err(not_signed_in) => settings::remembered(app).account().ok_or(not_signed_in),
        };
    };
    match sessions.session_of(&server).await {
        Some(active) => Ok(active.account),
        None => settings::servers(app).by_server(&server).and_then(|p| p.remembered.account()).ok_or_else(IpcError::not_signed_in),
    }
}

/// Every unsaved organisation form of this account (one per organisation, one for a new one).
#[tauri::command]
pub async fn draft_load<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    server: Option<String>,
) -> Result<Vec<SavedDraft>, IpcError> {
    Ok(settings::drafts(&app, &owner(&app, &sessions, server).await?))
}

/// Keeps the form as typed; the one clean-up happens when it is sent.
#[tauri::command]
pub async fn draft_save<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    saved: SavedDraft,
    server: Option<String>,
) -> Result<(), IpcError> {
    let account = owner(&app, &sessions, server).await?;
    settings::set_draft(&app, &account, saved.editing_id, Some(saved))
}

#[tauri::command]
pub async fn draft_discard<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    editing_id: Option<i64>,
    server: Option<String>,
) -> Result<(), IpcError> {
    let account = owner(&app, &sessions, server).await?;
    settings::set_draft(&app, &account, editing_id, None)
}

