//! Non-secret settings kept with tauri-plugin-store: the last server address and account, so
//! the sign-in form comes back filled in. Secrets never go here.

use std::path::PathBuf;

use serde::{de::DeserializeOwned, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::ipc::Remembered;

const REMEMBERED: &str = "remembered";

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
