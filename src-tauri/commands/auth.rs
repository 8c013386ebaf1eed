use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::IpcError;
use crate::ipc::{DemoPrefill, SessionState, SignInRequest};
use crate::session::SessionManager;
use crate::settings;

/// Where people ask an OAS administrator for access (OAS has no self-service sign-up).
pub const ACCESS_REQUEST_URL: &str = "https://oas-beta.ottomate.me/";

/// Set by the demo launcher: a JSON file with the sandbox's demo account.
pub const DEMO_CREDENTIALS_ENV: &str = "OAS_DESKTOP_DEMO_CREDENTIALS";

#[tauri::command]
pub async fn session_restore<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    let remembered = settings::remembered(&app);
    Ok(match sessions.restore(&remembered).await? {
        Some(active) => active.state(),
        None => SessionState::SignedOut { remembered },
    })
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    request: SignInRequest,
) -> Result<SessionState, IpcError> {
    let active = sessions.sign_in(request).await?;
    settings::remember(&app, &active.remembered());
    Ok(active.state())
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    let remembered = match sessions.sign_out().await {
        Some(remembered) => {
            settings::remember(&app, &remembered);
            remembered
        }
        None => settings::remembered(&app),
    };
    Ok(SessionState::SignedOut { remembered })
}

#[tauri::command]
pub fn demo_prefill() -> Option<DemoPrefill> {
    let path = std::env::var_os(DEMO_CREDENTIALS_ENV)?;
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

#[tauri::command]
pub fn open_access_request<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    app.opener()
        .open_url(ACCESS_REQUEST_URL, None::<&str>)
        .map_err(|_| IpcError::unexpected("The browser could not be opened. Visit oas-beta.ottomate.me to request access."))
}
