use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{ErrorCode, IpcError};
use crate::ipc::{Remembered, SessionState, SignInRequest};
use crate::session::SessionManager;
use crate::settings;

/// Where people ask an OAS administrator for access (OAS has no self-service sign-up).
pub const ACCESS_REQUEST_URL: &str = "https://oas-beta.ottomate.me/";

async fn signed_out(sessions: &SessionManager, remembered: Remembered) -> SessionState {
    let saved_key_hint = sessions.saved_key_hint(&remembered).await;
    SessionState::SignedOut { remembered, saved_key_hint, restore_error: None }
}

#[tauri::command]
pub async fn session_restore<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    let remembered = settings::remembered(&app);
    let restored = match sessions.restore(&remembered).await {
        Ok(restored) => restored,
        // Not restored now (keychain locked, server down): the form keeps the remembered
        // details and says why.
        Err(error) => {
            let mut state = signed_out(&sessions, remembered).await;
            if let SessionState::SignedOut { restore_error, .. } = &mut state {
                *restore_error = Some(error);
            }
            return Ok(state);
        }
    };
    match restored {
        Some(active) => {
            // Profiles remembered by older versions gain the user id here.
            if active.remembered() != remembered {
                settings::remember(&app, &active.remembered());
            }
            Ok(active.state())
        }
        None => Ok(signed_out(&sessions, remembered).await),
    }
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    request: SignInRequest,
) -> Result<SessionState, IpcError> {
    let active = sessions.sign_in(request, &settings::remembered(&app)).await?;
    settings::remember(&app, &active.remembered());
    Ok(active.state())
}

/// Ends the session; the API key stays in the keychain for the next sign-in.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    Ok(match sessions.sign_out().await {
        Some((remembered, hint)) => SessionState::SignedOut { remembered, saved_key_hint: Some(hint), restore_error: None },
        None => signed_out(&sessions, settings::remembered(&app)).await,
    })
}

/// "Forget this server": the saved API key, any session and the remembered profile.
#[tauri::command]
pub async fn forget_server<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    sessions.forget(&settings::remembered(&app)).await?;
    settings::remember(&app, &Remembered::default());
    Ok(SessionState::SignedOut { remembered: Remembered::default(), saved_key_hint: None, restore_error: None })
}

#[tauri::command]
pub fn open_access_request<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    app.opener()
        .open_url(ACCESS_REQUEST_URL, None::<&str>)
        .map_err(|_| IpcError::new(ErrorCode::BrowserUnavailable, "the browser could not be opened"))
}
