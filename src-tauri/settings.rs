//! What the app keeps on disk, never a secret: `settings.json` (the remembered account, the last
//! activated organisations) and `drafts.json` (unsaved organisation forms).
//!
//! Both are written atomically (a temporary file in the same folder, flushed to disk, renamed
//! over the old one), so a power cut or a full disk leaves the previous version, never a torn
//! one. tauri-plugin-store's `save` is a plain `fs::write` and its load discards errors, which
//! is why these files are kept here instead. A file that cannot be read is renamed aside
//! (`settings.json.corrupt-<unix time>`), never deleted, and reported once.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::IpcError;
use crate::ipc::{Remembered, SavedDraft, StorageProblem};
use crate::secrets::Account;
use crate::servers::Servers;

/// Where versions before server profiles remembered their one server (read to migrate it).
const REMEMBERED: &str = "remembered";
const SERVERS: &str = "servers";
const ACTIVE_ORGANISATIONS: &str = "activeOrganisations";
const NEW_ORGANISATION: &str = "new";

/// Where the files live; `None` is the app's data folder.
#[derive(Debug, Clone, Default)]
pub struct DataDir(pub Option<PathBuf>);

/// Writes `bytes` to `path` so that a crash at any moment leaves either the old file or the
/// new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename itself reaches the disk only when the folder is synced (POSIX).
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

struct Loaded {
    map: Map<String, Value>,
    /// False when an unreadable file could not be moved aside: never write over it.
    writable: bool,
}

/// One JSON object on disk, read once and cached.
struct JsonFile {
    path: PathBuf,
    loaded: Mutex<Option<Loaded>>,
}

impl JsonFile {
    fn new(path: PathBuf) -> Self {
        Self { path, loaded: Mutex::new(None) }
    }

    fn name(&self) -> String {
        self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    fn load(&self, problems: &Mutex<Vec<StorageProblem>>) -> Loaded {
        let unreadable = match fs::read(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Loaded { map: Map::new(), writable: true };
            }
            Ok(bytes) => match serde_json::from_slice::<Map<String, Value>>(&bytes) {
                Ok(map) => return Loaded { map, writable: true },
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        };
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let aside = self.path.with_file_name(format!("{}.corrupt-{stamp}", self.name()));
        let moved = fs::rename(&self.path, &aside).is_ok();
        log::warn!("{} could not be read ({unreadable}); kept aside: {moved}", self.name());
        let kept_as = if moved { &aside } else { &self.path };
        problems.lock().unwrap_or_else(|e| e.into_inner()).push(StorageProblem {
            file: self.name(),
            kept_as: kept_as.to_string_lossy().into_owned(),
        });
        Loaded { map: Map::new(), writable: moved }
    }

    fn read<T>(&self, problems: &Mutex<Vec<StorageProblem>>, f: impl FnOnce(&Map<String, Value>) -> T) -> T {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        f(&loaded.get_or_insert_with(|| self.load(problems)).map)
    }

    /// Changes the object and writes it; on failure the file and the cache keep the old one.
    fn update(
        &self,
        problems: &Mutex<Vec<StorageProblem>>,
        f: impl FnOnce(&mut Map<String, Value>),
    ) -> io::Result<()> {
        let mut guard = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let loaded = guard.get_or_insert_with(|| self.load(problems));
        if !loaded.writable {
            return Err(io::Error::other(format!("{} could not be read and is left as it is", self.name())));
        }
        let mut next = loaded.map.clone();
        f(&mut next);
        let bytes = serde_json::to_vec_pretty(&next).map_err(io::Error::other)?;
        write_atomically(&self.path, &bytes)?;
        loaded.map = next;
        Ok(())
    }
}

/// The app's two files, managed as Tauri state.
pub struct Files {
    settings: JsonFile,
    drafts: JsonFile,
    problems: Mutex<Vec<StorageProblem>>,
}

impl Files {
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            settings: JsonFile::new(dir.join("settings.json")),
            drafts: JsonFile::new(dir.join("drafts.json")),
            problems: Mutex::new(Vec::new()),
        }
    }

    /// The files that could not be read since the last call (each reported once).
    pub fn take_problems(&self) -> Vec<StorageProblem> {
        self.settings.read(&self.problems, |_| ());
        self.drafts.read(&self.problems, |_| ());
        std::mem::take(&mut *self.problems.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The files, opened on first use in the folder `DataDir` names.
pub fn files<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, Files> {
    if app.try_state::<Files>().is_none() {
        let configured = app.try_state::<DataDir>().and_then(|d| d.0.clone());
        let dir = configured.or_else(|| app.path().app_data_dir().ok()).unwrap_or_default();
        // Two first uses at once: `manage` keeps the first, both then read the same one.
        app.manage(Files::in_dir(&dir));
    }
    app.state::<Files>()
}

fn get<T: DeserializeOwned>(map: &Map<String, Value>, key: &str) -> Option<T> {
    serde_json::from_value(map.get(key)?.clone()).ok()
}

fn set_setting<R: Runtime, T: Serialize>(app: &AppHandle<R>, key: &str, value: &T) {
    let files = files(app);
    let Ok(value) = serde_json::to_value(value) else { return };
    // A setting that fails to save costs the user a little typing next time, nothing more.
    if let Err(e) = files.settings.update(&files.problems, |map| drop(map.insert(key.to_string(), value))) {
        log::warn!("settings not saved: {e}");
    }
}

fn load_servers(map: &Map<String, Value>) -> Servers {
    Servers::load(get(map, SERVERS), get(map, REMEMBERED))
}

/// The server profiles (the one server an older version remembered becomes the first).
pub fn servers<R: Runtime>(app: &AppHandle<R>) -> Servers {
    let files = files(app);
    files.settings.read(&files.problems, load_servers)
}

/// Changes the profiles and writes them; nothing changes when `f` refuses or the write fails.
pub fn update_servers<R: Runtime, T>(
    app: &AppHandle<R>,
    f: impl FnOnce(&mut Servers) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let files = files(app);
    let mut outcome = None;
    files
        .settings
        .update(&files.problems, |map| {
            let mut servers = load_servers(map);
            let result = f(&mut servers);
            if result.is_ok() {
                map.insert(SERVERS.into(), serde_json::to_value(&servers).unwrap_or_default());
            }
            outcome = Some(result);
        })
        .map_err(|e| {
            log::warn!("settings not saved: {e}");
            IpcError::new(crate::error::ErrorCode::NotWritten, format!("settings not written: {e}"))
        })?;
    outcome.unwrap_or_else(|| Err(IpcError::unexpected("settings not updated")))
}

/// What the sign-in form remembers: the profile in use's address and account.
pub fn remembered<R: Runtime>(app: &AppHandle<R>) -> Remembered {
    servers(app).remembered()
}

/// New details for the profile on `remembered.server` (a new username, a user id gained).
pub fn remember<R: Runtime>(app: &AppHandle<R>, remembered: &Remembered) {
    // A setting that fails to save costs the user a little typing next time, nothing more.
    let _ = update_servers(app, |servers| {
        servers.remember(remembered.clone());
        Ok(())
    });
}

fn account_key(account: &Account) -> String {
    format!("{} #{}", account.server, account.user_id)
}

/// The organisation this app last activated for this server and user.
pub fn last_activated<R: Runtime>(app: &AppHandle<R>, account: &Account) -> Option<i64> {
    let files = files(app);
    files.settings.read(&files.problems, |map| {
        get::<BTreeMap<String, i64>>(map, ACTIVE_ORGANISATIONS)?.get(&account_key(account)).copied()
    })
}

pub fn set_last_activated<R: Runtime>(app: &AppHandle<R>, account: &Account, id: i64) {
    let files = files(app);
    let key = account_key(account);
    let result = files.settings.update(&files.problems, |map| {
        let mut all: BTreeMap<String, i64> = get(map, ACTIVE_ORGANISATIONS).unwrap_or_default();
        all.insert(key, id);
        map.insert(ACTIVE_ORGANISATIONS.into(), serde_json::to_value(all).unwrap_or_default());
    });
    if let Err(e) = result {
        log::warn!("settings not saved: {e}");
    }
}

fn draft_slot(editing_id: Option<i64>) -> String {
    editing_id.map_or_else(|| NEW_ORGANISATION.to_string(), |id| id.to_string())
}

type AccountDrafts = BTreeMap<String, SavedDraft>;

/// Every unsaved organisation form of this account: one per organisation, one for a new one.
pub fn drafts<R: Runtime>(app: &AppHandle<R>, account: &Account) -> Vec<SavedDraft> {
    let files = files(app);
    files.drafts.read(&files.problems, |map| {
        get::<AccountDrafts>(map, &account_key(account)).unwrap_or_default().into_values().collect()
    })
}

/// Saves (`Some`) or discards (`None`) the draft of one organisation (`editing_id`, `None` for a
/// new one). The other drafts are untouched.
pub fn set_draft<R: Runtime>(
    app: &AppHandle<R>,
    account: &Account,
    editing_id: Option<i64>,
    draft: Option<SavedDraft>,
) -> Result<(), IpcError> {
    let files = files(app);
    let key = account_key(account);
    files
        .drafts
        .update(&files.problems, |map| {
            let mut mine: AccountDrafts = get(map, &key).unwrap_or_default();
            match draft {
                Some(draft) => drop(mine.insert(draft_slot(editing_id), draft)),
                None => drop(mine.remove(&draft_slot(editing_id))),
            }
            if mine.is_empty() {
                map.remove(&key);
            } else {
                map.insert(key, serde_json::to_value(mine).unwrap_or_default());
            }
        })
        .map_err(|e| {
            log::warn!("draft not saved: {e}");
            IpcError::new(crate::error::ErrorCode::NotWritten, format!("drafts not written: {e}"))
        })
}

const THEME: &str = "theme";

/// The colour scheme chosen in the app (System until one is chosen).
pub fn theme<R: Runtime>(app: &AppHandle<R>) -> crate::account::Theme {
    let files = files(app);
    files.settings.read(&files.problems, |map| get(map, THEME)).unwrap_or_default()
}

pub fn set_theme<R: Runtime>(app: &AppHandle<R>, theme: crate::account::Theme) {
    set_setting(app, THEME, &theme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomically(&path, b"{\"one\":1}").unwrap();
        write_atomically(&path, b"{\"two\":2}").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"two\":2}");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unreadable_file_is_kept_aside_reported_once_and_not_overwritten_in_place() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("settings.json"), b"{\"remembered\": {\"serv").unwrap();
        let files = Files::in_dir(dir.path());
        let problems = files.take_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "settings.json");
        assert!(problems[0].kept_as.contains("settings.json.corrupt-"));
        assert_eq!(fs::read(&problems[0].kept_as).unwrap(), b"{\"remembered\": {\"serv");
        assert!(files.take_problems().is_empty(), "told once");
        files.settings.update(&files.problems, |m| drop(m.insert("x".into(), Value::Bool(true)))).unwrap();
        assert_eq!(fs::read(&problems[0].kept_as).unwrap(), b"{\"remembered\": {\"serv");
    }

    #[test]
    fn a_failed_write_is_an_error_and_keeps_the_previous_content() {
        let files = Files::in_dir(Path::new("/proc/self/no-such-folder"));
        let error = files.drafts.update(&files.problems, |m| drop(m.insert("x".into(), Value::Null)));
        assert!(error.is_err());
        assert!(files.drafts.read(&files.problems, |m| m.is_empty()));
    }
}
