use tauri::{AppHandle, Runtime, State};

use crate::account::{self, AppInfo, Link, PasswordChange, PasswordStrength, Profile, ProfileUpdate, Theme};
use crate::error::IpcError;
use crate::ipc::SessionState;
use crate::session::SessionManager;
use crate::settings;

/// The profile as the server returns it now (the header's copy may be older).
#[tauri::command]
pub async fn account_profile<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<Profile, IpcError> {
    let active = sessions.current().await?;
    let user = sessions.settle(&active, active.session.user().await).await?;
    let profile = Profile::from(&user);
    settings::remember(&app, &sessions.user_changed(&active, user).await?.remembered());
    Ok(profile)
}

/// "Edit personal information": username and email. The session, the keychain entries and the
/// remembered sign-in form follow the change.
#[tauri::command]
pub async fn account_update<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    update: ProfileUpdate,
) -> Result<(Profile, SessionState), IpcError> {
    let before = sessions.current().await?;
    let patch = update.patch(&before.user);
    let user = if patch == oas_api::UserPatch::default() {
        before.user.clone()
    } else {
        sessions.settle(&before, before.session.update_user(&patch).await).await?
    };
    // Drafts and the active organisation are filed under the user's id: nothing moves.
    let after = sessions.user_changed(&before, user).await?;
    settings::remember(&app, &after.remembered());
    Ok((Profile::from(&after.user), after.state()))
}

/// The strength hint shown under "New password" before anything is sent.
#[tauri::command]
pub async fn password_strength(sessions: State<'_, SessionManager>, password: String) -> Result<PasswordStrength, IpcError> {
    let user = sessions.current().await?.user;
    Ok(account::password_strength(&password, &user.username, &user.email))
}

/// "Change password". The session goes on afterwards; the next sign-in uses the new password.
#[tauri::command]
pub async fn password_change(sessions: State<'_, SessionManager>, change: PasswordChange) -> Result<(), IpcError> {
    let active = sessions.current().await?;
    let [current, new, confirm] = [change.current, change.new, change.confirm].map(oas_api::Password::new);
    sessions.settle(&active, active.session.change_password(&current, &new, &confirm).await).await
}

/// "Replace API key": checked with one protected call before it replaces the key in use.
#[tauri::command]
pub async fn api_key_replace(sessions: State<'_, SessionManager>, api_key: String) -> Result<SessionState, IpcError> {
    Ok(sessions.replace_api_key(&api_key).await?.state())
}

/// `async`, as every command here that reads or writes a file: a plain `fn` command runs on the
/// main thread, where it waits behind the window's own work.
#[tauri::command(async)]
pub fn theme_get<R: Runtime>(app: AppHandle<R>) -> Theme {
    settings::theme(&app)
}

#[tauri::command(async)]
pub fn theme_set<R: Runtime>(app: AppHandle<R>, theme: Theme) {
    settings::set_theme(&app, theme)
}

fn app_info_of<R: Runtime>(app: &AppHandle<R>) -> AppInfo {
    let mut info = AppInfo::current(tauri::VERSION, tauri::webview_version().ok());
    info.version = app.package_info().version.to_string();
    info.name = app.package_info().name.clone();
    info
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    app_info_of(&app)
}

/// The text "Copy diagnostic information" copies: versions, OS, server address, never a secret.
#[tauri::command]
pub async fn diagnostics<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    language: String,
) -> Result<String, IpcError> {
    let server = sessions.current().await.ok().map(|a| a.client.server().as_str().to_string());
    Ok(app_info_of(&app).diagnostics(server.as_deref(), &language, settings::theme(&app)))
}

#[tauri::command]
pub fn open_link(link: Link) -> Result<(), IpcError> {
    let url = match link {
        Link::Documentation => Some(account::DOCS_URL.to_string()),
        Link::Project => account::project_url(),
    };
    let url = url.ok_or_else(|| IpcError::unexpected("This build names no project page."))?;
    super::open_in_browser(&url)
}
