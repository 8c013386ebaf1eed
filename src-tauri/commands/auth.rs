use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::IpcError;
use crate::ipc::{Remembered, SessionState, SignInRequest, StartState};
use crate::session::SessionManager;
use crate::settings;

/// Where people ask an OAS administrator for access (OAS has no self-service sign-up).
pub const ACCESS_REQUEST_URL: &str = "https://oas-beta.ottomate.me/";

pub(crate) async fn signed_out(sessions: &SessionManager, remembered: Remembered) -> SessionState {
    let saved_key_hint = sessions.saved_key_hint(&remembered).await;
    SessionState::SignedOut { remembered, saved_key_hint, restore_error: None }
}

/// The first restore of a launch, begun during set-up: the keychain and the server answer while
/// the window and its page are still loading, instead of after the page asks. The page's first
/// `session_restore` takes its answer (nothing can change the session before that call: the page
/// has no other way in); every later call restores afresh.
#[derive(Default)]
pub struct EarlyRestore(std::sync::Mutex<Option<tauri::async_runtime::JoinHandle<SessionState>>>);

impl EarlyRestore {
    pub fn begin<R: Runtime>(app: &AppHandle<R>) {
        use tauri::Manager;
        let handle = app.clone();
        let task = tauri::async_runtime::spawn(async move {
            let sessions = handle.state::<SessionManager>();
            restore_current(&handle, &sessions).await
        });
        *app.state::<EarlyRestore>().0.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
    }

    fn take(&self) -> Option<tauri::async_runtime::JoinHandle<SessionState>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Where the session's changes that the shell makes on its own go (a refresh that failed, the
/// keychain found locked late): the page's channel from `session_start`, the last one given.
#[derive(Default)]
pub struct SessionUpdates(std::sync::Mutex<Option<Channel<SessionState>>>);

impl SessionUpdates {
    pub fn send(&self, state: SessionState) {
        if let Some(channel) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = channel.send(state);
        }
    }

    fn subscribe(&self, channel: Channel<SessionState>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(channel);
    }
}

/// The page's start, in one request: subscribes `updates` to the session's changes, then answers
/// what the first screen needs (the session, the files that could not be read at start, the demo
/// account in demo builds). One request, not one for each: at start-up every request in flight
/// delays the others' answers (bench/README.md), and the first screen waits for all of them.
#[tauri::command]
pub async fn session_start<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    early: State<'_, EarlyRestore>,
    updates: Channel<SessionState>,
) -> Result<StartState, IpcError> {
    app.state::<SessionUpdates>().subscribe(updates);
    let session = session_restore(app.clone(), sessions, early).await?;
    // Both are handed over once (the prefill's file is deleted): taken only once there is an
    // answer to carry them.
    let storage_problems = settings::files(&app).take_problems();
    #[cfg(feature = "demo")]
    let prefill = super::bench::demo_prefill();
    #[cfg(not(feature = "demo"))]
    let prefill = None;
    Ok(StartState { session, storage_problems, prefill })
}

#[tauri::command]
pub async fn session_restore<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    early: State<'_, EarlyRestore>,
) -> Result<SessionState, IpcError> {
    super::servers::show_title(&app, &settings::servers(&app));
    if let Some(task) = early.take() {
        if let Ok(state) = task.await {
            return Ok(state);
        }
    }
    Ok(restore_current(&app, &sessions).await)
}

/// The session of the server profile in use: already signed in here, restored from the
/// keychain, or the sign-in form for it.
pub(crate) async fn restore_current<R: Runtime>(app: &AppHandle<R>, sessions: &SessionManager) -> SessionState {
    let remembered = settings::remembered(app);
    let restored = match sessions.restore(&remembered).await {
        Ok(restored) => restored,
        // Not restored now (keychain locked, server down): the form keeps the remembered
        // details and says why.
        Err(error) => {
            let mut state = signed_out(sessions, remembered).await;
            if let SessionState::SignedOut { restore_error, .. } = &mut state {
                *restore_error = Some(error);
            }
            return state;
        }
    };
    match restored {
        Some(active) => {
            // Profiles remembered by older versions gain the user id here.
            if active.remembered() != remembered {
                settings::remember(app, &active.remembered());
            }
            active.state()
        }
        None => signed_out(sessions, remembered).await,
    }
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
    request: SignInRequest,
) -> Result<SessionState, IpcError> {
    // The profile of this address (its saved key), the fresh one in use, or a new one.
    let server = oas_api::ServerUrl::parse(&request.server)?;
    let profile = settings::servers(&app).for_sign_in(server.as_str());
    let active = sessions.sign_in(request, &profile.remembered).await?;
    let remembered = active.remembered();
    // A profile that fails to save costs the user a little typing next time, nothing more.
    let _ = settings::update_servers(&app, |servers| {
        servers.signed_in(profile, remembered);
        Ok(())
    });
    super::servers::show_title(&app, &settings::servers(&app));
    Ok(active.state())
}

/// Ends the session; the API key stays in the keychain for the next sign-in.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    Ok(match sessions.sign_out().await {
        Some((remembered, hint)) => SessionState::SignedOut { remembered, saved_key_hint: Some(hint), restore_error: None },
        None => signed_out(&sessions, settings::remembered(&app)).await,
    })
}

/// "Forget this server": the saved API key, any session and the server profile in use; the
/// form is then for another server.
#[tauri::command]
pub async fn forget_server<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, SessionManager>,
) -> Result<SessionState, IpcError> {
    let servers = settings::servers(&app);
    sessions.forget(&servers.remembered()).await?;
    if let Some(id) = servers.current.clone() {
        settings::update_servers(&app, |servers| {
            servers.remove(&id)?;
            servers.select(None)
        })?;
    }
    sessions.select(None).await;
    super::servers::show_title(&app, &settings::servers(&app));
    Ok(SessionState::SignedOut { remembered: Remembered::default(), saved_key_hint: None, restore_error: None })
}

#[tauri::command]
pub fn open_access_request() -> Result<(), IpcError> {
    super::open_in_browser(ACCESS_REQUEST_URL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::Remembered;
    use std::sync::{Arc, Mutex};
    use tauri::ipc::InvokeResponseBody;

    /// A channel that keeps what it is sent, as JSON text.
    fn recording() -> (Channel<SessionState>, Arc<Mutex<Vec<String>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let into = got.clone();
        let channel = Channel::new(move |body| {
            if let InvokeResponseBody::Json(json) = body {
                into.lock().unwrap().push(json);
            }
            Ok(())
        });
        (channel, got)
    }

    fn signed_out(server: &str) -> SessionState {
        let remembered = Remembered { server: server.into(), ..Remembered::default() };
        SessionState::SignedOut { remembered, saved_key_hint: None, restore_error: None }
    }

    #[test]
    fn session_changes_go_to_the_last_page_that_started_and_nowhere_before_one_did() {
        let updates = SessionUpdates::default();
        // No page yet: nothing to send to, and nothing fails.
        updates.send(signed_out("https://a.example/api/"));

        let (first, first_got) = recording();
        updates.subscribe(first);
        updates.send(signed_out("https://b.example/api/"));
        assert_eq!(first_got.lock().unwrap().len(), 1);
        assert!(first_got.lock().unwrap()[0].contains("https://b.example/api/"), "{:?}", first_got.lock().unwrap());

        // A reloaded page starts again: only its channel hears what follows.
        let (second, second_got) = recording();
        updates.subscribe(second);
        updates.send(signed_out("https://c.example/api/"));
        assert_eq!(first_got.lock().unwrap().len(), 1);
        assert_eq!(second_got.lock().unwrap().len(), 1);
        assert!(second_got.lock().unwrap()[0].contains("https://c.example/api/"));
    }
}
