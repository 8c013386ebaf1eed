//! Import from a spreadsheet: thin commands over `oas-import`. The file is read here, in Rust,
//! and kept here; the window sees the headers, the preview and the report, never a path to read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use oas_import::{CancellationToken, Choices, Preview, PreviewOptions, Progress, ReadError, Report, RowWords, RunOptions, Table};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::session::SessionManager;

/// The import in progress: the file as read, the account's organisations when the preview was
/// made, the preview, and the cancel of a running import.
#[derive(Default)]
pub struct ImportState {
    inner: Mutex<Loaded>,
}

#[derive(Default)]
struct Loaded {
    table: Option<Table>,
    existing: Option<Vec<oas_api::Organisation>>,
    preview: Option<Preview>,
    cancel: Option<CancellationToken>,
}

/// What choosing a file gave.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "status")]
#[ts(rename_all = "camelCase")]
pub enum ImportFile {
    /// The person closed the dialog.
    Cancelled,
    Opened {
        #[serde(rename = "fileName")]
        #[ts(rename = "fileName")]
        file_name: String,
        headers: Vec<String>,
        /// The guessed field of each column (`null`: ignored).
        mapping: Vec<Option<oas_import::Field>>,
        rows: u32,
    },
    Unreadable {
        reason: ReadError,
    },
}

impl ImportState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new import with what reading the file gave.
    pub fn open(&self, file_name: String, read: Result<Table, ReadError>) -> ImportFile {
        match read {
            Ok(table) => {
                let opened = ImportFile::Opened {
                    file_name,
                    headers: table.headers.clone(),
                    mapping: oas_import::guess(&table.headers),
                    rows: table.rows.len() as u32,
                };
                let mut loaded = self.lock();
                // A run under way keeps its cancel: it can still be stopped.
                *loaded = Loaded { table: Some(table), cancel: loaded.cancel.take(), ..Loaded::default() };
                opened
            }
            Err(reason) => ImportFile::Unreadable { reason },
        }
    }
}

fn nothing_open() -> IpcError {
    IpcError::new(ErrorCode::Unexpected, "no import file is open")
}

/// Asks for a `.csv` or `.xlsx` file and reads it.
#[tauri::command]
pub async fn import_open<R: Runtime>(app: AppHandle<R>, state: State<'_, ImportState>) -> Result<ImportFile, IpcError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().add_filter("CSV, Excel", &["csv", "xlsx", "txt"]).pick_file(move |path| {
        let _ = tx.send(path);
    });
    let Some(path) = rx.await.ok().flatten() else { return Ok(ImportFile::Cancelled) };
    let path: PathBuf = path.into_path().map_err(|_| IpcError::new(ErrorCode::Unexpected, "not a file on this computer"))?;
    let file_name = file_name_of(&path);
    // Parsing a large file takes a moment: off the async threads.
    let read = tauri::async_runtime::spawn_blocking(move || oas_import::read_file(&path))
        .await
        .map_err(|_| IpcError::new(ErrorCode::Unexpected, "reading the file failed"))?;
    Ok(state.open(file_name, read))
}

fn file_name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What each row will become. The account's organisations are read once per file (the run
/// reads them again before sending anything). `known`: the currency codes the picker offers.
#[tauri::command]
pub async fn import_preview(
    sessions: State<'_, SessionManager>,
    state: State<'_, ImportState>,
    options: PreviewOptions,
    known: Vec<String>,
) -> Result<Preview, IpcError> {
    let cached = state.lock().existing.clone();
    let existing = match cached {
        Some(list) => list,
        None => {
            let active = sessions.current().await?;
            let list = sessions.settle(&active, active.session.list_all_organisations().await).await?;
            state.lock().existing = Some(list.clone());
            list
        }
    };
    let known: HashSet<String> = known.into_iter().map(|c| c.to_uppercase()).collect();
    let mut loaded = state.lock();
    let table = loaded.table.as_ref().ok_or_else(nothing_open)?;
    let preview = oas_import::preview(table, &options, &existing, &known);
    loaded.preview = Some(preview.clone());
    Ok(preview)
}

/// Sends the previewed import; progress goes to `progress` after every row.
#[tauri::command]
pub async fn import_run(
    sessions: State<'_, SessionManager>,
    state: State<'_, ImportState>,
    choices: Choices,
    progress: Channel<Progress>,
) -> Result<Report, IpcError> {
    let active = sessions.current().await?;
    let cancel = CancellationToken::new();
    let preview = {
        let mut loaded = state.lock();
        if loaded.cancel.is_some() {
            return Err(IpcError::new(ErrorCode::Unexpected, "an import is already running"));
        }
        let preview = loaded.preview.clone().ok_or_else(nothing_open)?;
        loaded.cancel = Some(cancel.clone());
        preview
    };
    let result = oas_import::run(&active.session, &preview, &choices, &RunOptions::default(), &cancel, |p| {
        let _ = progress.send(p);
    })
    .await;
    state.lock().cancel = None;
    let report = sessions.settle(&active, result).await?;
    if report.stopped.as_deref() == Some("session_expired") {
        // The session ended mid-run: the shell signs out as for any other call.
        let _ = sessions.settle::<()>(&active, Err(oas_api::Error::SessionExpired)).await;
    }
    // The next preview reads the account again: it has changed.
    state.lock().existing = None;
    Ok(report)
}

/// Stops a running import between two requests.
#[tauri::command]
pub fn import_cancel(state: State<'_, ImportState>) {
    if let Some(cancel) = &state.lock().cancel {
        cancel.cancel();
    }
}

/// Asks where to save the report and writes it: the file's columns, then `columns` (the result
/// and reason headers) with each row's `words`. `false` when the person cancels.
#[tauri::command]
pub async fn import_report_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, ImportState>,
    columns: [String; 2],
    words: Vec<RowWords>,
) -> Result<bool, IpcError> {
    let csv = {
        let loaded = state.lock();
        let table = loaded.table.as_ref().ok_or_else(nothing_open)?;
        oas_import::report_csv(table, [columns[0].as_str(), columns[1].as_str()], &words)
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_file_name("import-report.csv").add_filter("CSV", &["csv"]).save_file(move |path| {
        let _ = tx.send(path);
    });
    let Some(path) = rx.await.ok().flatten() else { return Ok(false) };
    let path = path.into_path().map_err(|_| IpcError::new(ErrorCode::NotWritten, "not a folder on this computer"))?;
    tokio::fs::write(&path, csv)
        .await
        .map_err(|_| IpcError::new(ErrorCode::NotWritten, "the report could not be written there"))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_read_starts_a_new_import_and_an_unreadable_one_says_why() {
        let state = ImportState::default();
        state.lock().preview = Some(Preview::default());
        let table = oas_import::read_csv(b"Nombre;Moneda base\nAcme;USD\n").unwrap();
        let opened = serde_json::to_value(state.open("orgs.csv".into(), Ok(table))).unwrap();
        assert_eq!(opened["status"], "opened");
        assert_eq!(opened["fileName"], "orgs.csv");
        assert_eq!(opened["mapping"], serde_json::json!(["name", "baseCurrency"]));
        assert_eq!(opened["rows"], 1);
        assert!(state.lock().preview.is_none(), "the previous file's preview is gone");
        let bad = serde_json::to_value(state.open("x.xls".into(), Err(ReadError::UnsupportedKind))).unwrap();
        assert_eq!(bad, serde_json::json!({"status": "unreadable", "reason": "unsupported_kind"}));
    }
}
