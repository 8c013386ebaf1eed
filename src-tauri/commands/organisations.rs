use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::ipc::{Activation, Organisation, OrganisationDraft, OrganisationsView};
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

/// Saves an edit: `base` is the organisation as the form opened it. Only what changed is sent;
/// another admin's changes since are kept, and the same fields changed both ways come back as a
/// `conflict` error. Deleted on the server meanwhile: `not_found`.
#[tauri::command]
pub async fn organisation_update(
    sessions: State<'_, SessionManager>,
    id: i64,
    base: Organisation,
    draft: OrganisationDraft,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    let outcome = oas_api::edit::save_edit(&active.session, id, &base.fields(), &draft.fields()).await;
    organisations::edit_result(base, &draft, sessions.settle(&active, outcome).await?)
}

#[tauri::command]
pub async fn organisation_make_active<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    id: i64,
) -> Result<Activation, IpcError> {
    let active = sessions.current().await?;
    let message = sessions.settle(&active, active.session.make_active(id).await).await?;
    settings::set_last_activated(&app, &active.account, id);
    Ok(organisations::activation(message, id))
}
