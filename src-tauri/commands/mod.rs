//! Thin commands, one file per domain: take state, call `oas-api`, map the error.

pub mod account;
pub mod address;
pub mod auth;
#[cfg(feature = "demo")]
pub mod bench;
pub mod connection;
pub mod drafts;
pub mod export;
pub mod import;
pub mod organisations;
pub mod servers;
pub mod updates;

use crate::error::{ErrorCode, IpcError};

/// Opens a web page in the person's browser without waiting for it (xdg-open or the like on
/// Linux, `open` on macOS, ShellExecute on Windows). Only the app's own fixed addresses come here.
fn open_in_browser(url: &str) -> Result<(), IpcError> {
    open::that_detached(url).map_err(|error| {
        log::warn!("no browser could be started: {error}");
        IpcError::new(ErrorCode::BrowserUnavailable, "the browser could not be opened")
    })
}
