use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::error::IpcError;
use crate::ipc::{Activation, Organisation, OrganisationDraft, OrganisationRows, OrganisationsListed};
use crate::organisations::{self, LastListings, Listing, RowBatcher, ROWS_EVERY};
use crate::session::SessionManager;
use crate::settings;

/// Every organisation of the account, as rows sent on `rows` while the pages arrive (the first
/// page at once); answers, once all are sent, which one is active and whether the server has
/// contacts.
#[tauri::command]
pub async fn organisations_list<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    last: State<'_, LastListings>,
    rows: Channel<OrganisationRows>,
) -> Result<OrganisationsListed, IpcError> {
    let active = sessions.current().await?;
    let mut listing = Listing::new(settings::last_activated(&app, &active.account));
    let mut batcher = RowBatcher::new(ROWS_EVERY, |m| {
        // A window that went away stops listening; the listing ends on its own.
        let _ = rows.send(m);
    });
    let listed = active.session.list_organisations_progressively(|b| {
        listing.observe(&b);
        batcher.batch(&b, listing.active_id());
    });
    let all = sessions.settle(&active, listed.await).await?;
    let total = all.len() as u64;
    last.keep(active.id, all);
    Ok(listing.finish(total))
}

/// The whole organisation (contacts and all), for the form: the list holds only its rows.
#[tauri::command]
/// When the server cannot be reached, the copy from the last listing is answered instead, so the
/// form still opens offline (saving waits for the server, and then compares with its copy).
pub async fn organisation_get(
    sessions: State<'_, SessionManager>,
    last: State<'_, LastListings>,
    id: i64,
) -> Result<Organisation, IpcError> {
    let active = sessions.current().await?;
    let fetched = active.session.organisation(id).await;
    if matches!(fetched, Err(oas_api::Error::Unreachable | oas_api::Error::Timeout)) {
        if let Some(copy) = last.get(active.id, id) {
            // Settled all the same: the offline banner hears that the server is gone.
            let _ = sessions.settle(&active, fetched).await;
            return Ok(copy.into());
        }
    }
    let fetched = sessions.settle(&active, fetched).await?;
    last.put(active.id, &fetched);
    Ok(fetched.into())
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
