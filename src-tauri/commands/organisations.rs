use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::ipc::{Organisation, OrganisationDraft, OrganisationsView};
use crate::organisations;
use crate::session::SessionManager;
use crate::settings;

#[tauri::command]
pub async fn organisations_list<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<OrganisationsView, IpcError> {
    let active = sessions.current().await?;
    match active.session.list_all_organisations().await {
        Ok(all) => Ok(organisations::view(all, settings::last_activated(&app, &active.account))),
        Err(error) => Err(sessions.failed(error).await),
    }
}

#[tauri::command]
pub async fn organisation_create(
    sessions: State<'_, SessionManager>,
    draft: OrganisationDraft,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    match active.session.create_organisation(&draft.to_new()).await {
        Ok(created) => Ok(created.into()),
        Err(error) => Err(sessions.failed(error).await),
    }
}

#[tauri::command]
pub async fn organisation_update(
    sessions: State<'_, SessionManager>,
    id: i64,
    draft: OrganisationDraft,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    match active.session.update_organisation(id, &draft.to_patch()).await {
        Ok(updated) => Ok(updated.into()),
        Err(error) => Err(sessions.failed(error).await),
    }
}

#[tauri::command]
pub async fn organisation_make_active<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: i64,
) -> Result<String, IpcError> {
    let active = sessions.current().await?;
    match active.session.make_active(id).await {
        Ok(message) => {
            settings::set_last_activated(&app, &active.account, id);
            Ok(message)
        }
        Err(error) => Err(sessions.failed(error).await),
    }
}
