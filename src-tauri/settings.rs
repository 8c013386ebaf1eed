//! Non-secret settings kept with tauri-plugin-store: the last server address and account, so
//! the sign-in form comes back filled in. Secrets never go here.

use std::path::PathBuf;

use serde::{de::DeserializeOwned, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use std::collections::BTreeMap;

use crate::ipc::{Remembered, SavedDraft};
use crate::secrets::Account;

const REMEMBERED: &str = "remembered";
const ACTIVE_ORGANISATIONS: &str = "activeOrganisations";
const DRAFTS: &str = "drafts";

/// Where the settings file lives: relative paths resolve in the app's data folder.
#[derive(Debug, Clone)]
pub struct SettingsFile(pub PathBuf);

impl Default for SettingsFile {
    fn default() -> Self {
        Self(PathBuf::from("settings.json"))
    }
}

fn store<R: Runtime>(app: &AppHandle<R>) -> Option<std::sync::Arc<tauri_plugin_store::Store<R>>> {
    let file = app.try_state::<SettingsFile>().map(|f| f.0.clone()).unwrap_or_default();
    app.store(file).ok()
}

fn read<R: Runtime, T: DeserializeOwned>(app: &AppHandle<R>, key: &str) -> Option<T> {
    serde_json::from_value(store(app)?.get(key)?).ok()
}

fn write<R: Runtime, T: Serialize>(app: &AppHandle<R>, key: &str, value: &T) {
    // A setting that fails to save costs the user a little typing next time, nothing more.
    if let (Some(store), Ok(value)) = (store(app), serde_json::to_value(value)) {
        store.set(key, value);
        let _ = store.save();
    }
}

pub fn remembered<R: Runtime>(app: &AppHandle<R>) -> Remembered {
    read(app, REMEMBERED).unwrap_or_default()
}

pub fn remember<R: Runtime>(app: &AppHandle<R>, remembered: &Remembered) {
    write(app, REMEMBERED, remembered)
}

fn account_key(account: &Account) -> String {
    format!("{} {}", account.server, account.identity)
}

fn read_map<R: Runtime, T: DeserializeOwned>(app: &AppHandle<R>, key: &str) -> BTreeMap<String, T> {
    read(app, key).unwrap_or_default()
}

fn update_map<R: Runtime, T: Serialize + DeserializeOwned>(
    app: &AppHandle<R>,
    key: &str,
    account: &Account,
    value: Option<T>,
) {
    let mut map: BTreeMap<String, T> = read_map(app, key);
    match value {
        Some(value) => map.insert(account_key(account), value),
        None => map.remove(&account_key(account)),
    };
    write(app, key, &map)
}

/// The organisation this app last activated for this server and user.
pub fn last_activated<R: Runtime>(app: &AppHandle<R>, account: &Account) -> Option<i64> {
    read_map::<R, i64>(app, ACTIVE_ORGANISATIONS).get(&account_key(account)).copied()
}

pub fn set_last_activated<R: Runtime>(app: &AppHandle<R>, account: &Account, id: i64) {
    update_map(app, ACTIVE_ORGANISATIONS, account, Some(id))
}

/// The unsaved organisation form of this account, if any. Drafts hold no secrets.
pub fn draft<R: Runtime>(app: &AppHandle<R>, account: &Account) -> Option<SavedDraft> {
    read_map::<R, SavedDraft>(app, DRAFTS).remove(&account_key(account))
}

pub fn set_draft<R: Runtime>(app: &AppHandle<R>, account: &Account, draft: Option<SavedDraft>) {
    update_map(app, DRAFTS, account, draft)
}

const THEME: &str = "theme";

/// The colour scheme chosen in the app (System until one is chosen).
pub fn theme<R: Runtime>(app: &AppHandle<R>) -> crate::account::Theme {
    read(app, THEME).unwrap_or_default()
}

pub fn set_theme<R: Runtime>(app: &AppHandle<R>, theme: crate::account::Theme) {
    write(app, THEME, &theme)
}
