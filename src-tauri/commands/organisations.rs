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
    let all = sessions.settle(&active, active.session.list_all_organisations().await).await?;
    Ok(organisations::view(all, settings::last_activated(&app, &active.account)))
}

#[tauri::command]
pub async fn organisation_create(
    sessions: State<'_, SessionManager>,
    draft: OrganisationDraft,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    Ok(sessions.settle(&active, active.session.create_organisation(&draft.to_new()).await).await?.into())
}

#[tauri::command]
pub async fn organisation_update(
    sessions: State<'_, SessionManager>,
    id: i64,
    draft: OrganisationDraft,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    Ok(sessions.settle(&active, active.session.update_organisation(id, &draft.to_patch()).await).await?.into())
}

#[tauri::command]
pub async fn organisation_make_active<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: i64,
) -> Result<String, IpcError> {
    let active = sessions.current().await?;
    let message = sessions.settle(&active, active.session.make_active(id).await).await?;
    settings::set_last_activated(&app, &active.account, id);
    Ok(message)
}
