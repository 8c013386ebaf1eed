//! Updates: the app checks its signed feed (at start and on demand), shows what is new, and
//! installs only when the person agrees and no form holds unsaved work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::error::{ErrorCode, IpcError};
use crate::ipc::UpdateCheck;

/// The update found by the last check, and whether the UI holds unsaved work right now.
#[derive(Default)]
pub struct Updates {
    pending: Mutex<Option<Update>>,
    unsaved_work: AtomicBool,
}

/// The app's one version (Cargo.toml's, which tauri.conf.json does not override).
fn current_version<R: Runtime>(app: &AppHandle<R>) -> String {
    app.package_info().version.to_string()
}

#[tauri::command]
pub async fn update_check<R: Runtime>(
    app: AppHandle<R>,
    updates: State<'_, Updates>,
) -> Result<UpdateCheck, IpcError> {
    let current_version = current_version(&app);
    // A build without a feed or a key (a local `tauri build`) has nothing to check.
    let configured = app.config().plugins.0.get("updater").is_some_and(|c| {
        c["pubkey"].as_str().is_some_and(|k| !k.is_empty())
            && c["endpoints"].as_array().is_some_and(|e| !e.is_empty())
    });
    if !configured {
        return Ok(UpdateCheck::Disabled { current_version });
    }
    let found = app.updater().map_err(update_error)?.check().await.map_err(update_error)?;
    let check = match &found {
        None => UpdateCheck::UpToDate { current_version },
        Some(update) => UpdateCheck::Available {
            current_version,
            version: update.version.clone(),
            date: update.raw_json["pub_date"].as_str().map(str::to_owned),
            notes: update.body.clone().filter(|b| !b.trim().is_empty()),
        },
    };
    *updates.pending.lock().unwrap() = found;
    Ok(check)
}

/// The UI says whether a form holds unsaved work; installing waits until it does not.
#[tauri::command]
pub fn unsaved_work_set(updates: State<'_, Updates>, dirty: bool) {
    updates.unsaved_work.store(dirty, Ordering::SeqCst);
}

/// Downloads the update found by the last check, verifies its signature, installs it and
/// restarts the app as the new version. Refused while a form holds unsaved work.
#[tauri::command]
pub async fn update_install<R: Runtime>(
    app: AppHandle<R>,
    updates: State<'_, Updates>,
) -> Result<(), IpcError> {
    if updates.unsaved_work.load(Ordering::SeqCst) {
        return Err(IpcError::new(
            ErrorCode::UnsavedWork,
            "Save or discard your changes first; the update restarts OAS Desktop.",
        ));
    }
    let update = updates.pending.lock().unwrap().clone().ok_or_else(|| {
        IpcError::new(ErrorCode::UpdateFailed, "There is no update to install. Check for updates first.")
    })?;
    update.download_and_install(|_, _| {}, || {}).await.map_err(update_error)?;
    log::info!("installed OAS Desktop {}; restarting", update.version);
    app.restart()
}

/// Plain words for what went wrong; the installed version keeps working in every case.
pub(crate) fn update_error(error: tauri_plugin_updater::Error) -> IpcError {
    use tauri_plugin_updater::Error as E;
    log::warn!("update failed: {error}");
    match error {
        // A signature by another key, unreadable, or made for another version than announced
        // (requireSignedVersion in tauri.conf.json: an old release cannot pose as a new one).
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::MissingSignedVersion
        | E::SignedVersionMismatch { .. } => IpcError::new(
            ErrorCode::UpdateRejected,
            "The update was refused: its signature is not valid, so it may not come from the \
             makers of OAS Desktop. Your current version keeps working.",
        ),
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound | E::Serialization(_) => IpcError::new(
            ErrorCode::UpdateFailed,
            "We could not reach the update server. Your current version keeps working.",
        ),
        E::AuthenticationFailed | E::PackageInstallFailed | E::DebInstallFailed => IpcError::new(
            ErrorCode::UpdateFailed,
            "The update needs an administrator's permission to be installed, and it was not \
             given. Your current version keeps working.",
        ),
        _ => IpcError::new(
            ErrorCode::UpdateFailed,
            "The update could not be installed. Your current version keeps working.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_unreadable_signature_is_refused_in_plain_words() {
        let error = update_error(tauri_plugin_updater::Error::SignatureUtf8("not base64".into()));
        assert_eq!(error.code, ErrorCode::UpdateRejected);
        assert_eq!(
            serde_json::to_value(&error).unwrap()["code"],
            json!("update_rejected"),
        );
        assert!(error.message.contains("keeps working"));
        let replayed = tauri_plugin_updater::Error::SignedVersionMismatch {
            signed: "0.1.0".into(),
            announced: "0.2.0".into(),
        };
        assert_eq!(update_error(replayed).code, ErrorCode::UpdateRejected);
    }

    #[test]
    fn an_unreachable_feed_or_a_refused_permission_is_an_update_failure() {
        assert_eq!(update_error(tauri_plugin_updater::Error::ReleaseNotFound).code, ErrorCode::UpdateFailed);
        let denied = update_error(tauri_plugin_updater::Error::PackageInstallFailed);
        assert_eq!(denied.code, ErrorCode::UpdateFailed);
        assert!(denied.message.contains("administrator"));
    }
}
