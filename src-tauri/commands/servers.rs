//! Server profiles: list, add, change, remove, switch. The rules are in `crate::servers`; each
//! answer carries the profiles and the session state of the one in use, which the UI shows.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::error::IpcError;
use crate::ipc::SessionState;
use crate::servers::{ServerColour, ServerInput, Servers};
use crate::session::SessionManager;
use crate::settings;

/// One profile as the server menu shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ServerEntry {
    pub id: String,
    pub name: String,
    pub colour: ServerColour,
    /// The API root.
    pub server: String,
    /// Signed in here, or kept in the keychain (switching to it restores the session).
    pub signed_in: bool,
}

/// Every profile, the one in use, the window title, and the session state of the one in use.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ServersView {
    pub profiles: Vec<ServerEntry>,
    pub current: Option<String>,
    pub title: String,
    pub state: SessionState,
}

/// The window title names the server in use ("OAS Desktop — Production").
pub fn show_title<R: Runtime>(app: &AppHandle<R>, servers: &Servers) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(&servers.window_title());
    }
}

async fn view<R: Runtime>(app: &AppHandle<R>, sessions: &SessionManager, state: SessionState) -> ServersView {
    let servers = settings::servers(app);
    show_title(app, &servers);
    let mut profiles = Vec::with_capacity(servers.profiles.len());
    for p in &servers.profiles {
        let signed_in = sessions.is_signed_in(&p.remembered).await;
        profiles.push(ServerEntry { id: p.id.clone(), name: p.name.clone(), colour: p.colour, server: p.server().to_string(), signed_in });
    }
    ServersView { profiles, title: servers.window_title(), current: servers.current, state }
}

/// The session state of the server in use, without asking any server.
async fn state_now<R: Runtime>(app: &AppHandle<R>, sessions: &SessionManager) -> SessionState {
    match sessions.current().await {
        Ok(active) => active.state(),
        Err(_) => super::auth::signed_out(sessions, settings::remembered(app)).await,
    }
}

#[tauri::command]
pub async fn servers_list<R: Runtime>(app: AppHandle<R>, sessions: State<'_, SessionManager>) -> Result<ServersView, IpcError> {
    let state = state_now(&app, &sessions).await;
    Ok(view(&app, &sessions, state).await)
}

/// Adds a profile; the one in use stays.
#[tauri::command]
pub async fn server_add<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    input: ServerInput,
) -> Result<ServersView, IpcError> {
    settings::update_servers(&app, |servers| servers.add(&input))?;
    let state = state_now(&app, &sessions).await;
    Ok(view(&app, &sessions, state).await)
}

/// Renames, recolours or readdresses a profile. A new address forgets the key and session kept
/// for the old one (a key belongs to a server): the next sign-in there asks for the key.
#[tauri::command]
pub async fn server_update<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: String,
    input: ServerInput,
) -> Result<ServersView, IpcError> {
    let edited = settings::update_servers(&app, |servers| servers.edit(&id, &input))?;
    if let Some(old) = &edited.moved_from {
        sessions.forget(old).await?;
    }
    let state = state_now(&app, &sessions).await;
    Ok(view(&app, &sessions, state).await)
}

/// Forgets a profile: its key and session leave the keychain (the UI asks first).
#[tauri::command]
pub async fn server_remove<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: String,
) -> Result<ServersView, IpcError> {
    let profile = settings::servers(&app).get(&id).cloned().ok_or_else(|| IpcError::new(crate::error::ErrorCode::NotFound, "no such server profile"))?;
    sessions.forget(&profile.remembered).await?;
    settings::update_servers(&app, |servers| servers.remove(&id))?;
    let state = super::auth::restore_current(&app, &sessions).await;
    Ok(view(&app, &sessions, state).await)
}

/// Switches to a profile (`None`: "another server" on the sign-in form). A signed-in one is in
/// use at once; one kept in the keychain is restored; else the sign-in form for it.
#[tauri::command]
pub async fn server_select<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: Option<String>,
) -> Result<ServersView, IpcError> {
    settings::update_servers(&app, |servers| servers.select(id.as_deref()))?;
    let state = super::auth::restore_current(&app, &sessions).await;
    // "Offline" was about the server left behind: ask the one now in use at once.
    if let Some(connectivity) = app.try_state::<crate::connectivity::Connectivity>() {
        if connectivity.is_offline() {
            connectivity.retry_now();
        }
    }
    Ok(view(&app, &sessions, state).await)
}
