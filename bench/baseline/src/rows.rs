//! The rows floor (`--features rows`): the baseline listing an account with OAS Desktop's own
//! client (`oas_api::Session::list_all_organisations`, its options as the app's) and answering its
//! page with every row at once, only the fields the app's rows have. Its page
//! (`rows-page/`) sorts them by name as the app does and shows the first of them as a plain
//! table: the least a screen of all the rows, sorted, costs on top of listing them, without the
//! app's screen, its rows as they arrive, its search index or its progress bar.
//! `bench/rows_floor.mjs` times it as `bench/ui_organisations.mjs` times the app.

use std::sync::Mutex;

use oas_api::{ApiKey, Client, Password, ServerUrl, Session};
use serde::Serialize;
use tauri::State;

/// The session of the last `rows_sign_in`.
#[derive(Default)]
pub struct Rows(Mutex<Option<Session>>);

/// What one row of the app's list has (src-tauri/ipc.rs's `OrganisationRow`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    id: i64,
    name: String,
    base_currency: String,
    currencies: Vec<String>,
    image: Option<String>,
}

#[tauri::command]
pub async fn rows_sign_in(
    rows: State<'_, Rows>,
    server: String,
    api_key: String,
    username: String,
    email: String,
    password: String,
) -> Result<(), String> {
    let server = ServerUrl::parse(&server).map_err(|e| e.to_string())?;
    let client = Client::new(server, ApiKey::new(api_key)).map_err(|e| e.to_string())?;
    let (session, _) = client.login(&username, &email, &Password::new(password)).await.map_err(|e| e.to_string())?;
    *rows.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(session);
    Ok(())
}

#[tauri::command]
pub async fn rows_list(rows: State<'_, Rows>) -> Result<Vec<Row>, String> {
    let session = rows.0.lock().unwrap_or_else(|e| e.into_inner()).clone().ok_or("not signed in")?;
    let all = session.list_all_organisations().await.map_err(|e| e.to_string())?;
    Ok(all
        .into_iter()
        .map(|o| Row { id: o.id, name: o.name, base_currency: o.base_currency, currencies: o.currencies, image: o.image })
        .collect())
}
