//! Typed, Tauri-free client of the OAS API. All HTTP of the app lives here.
//!
//! What it takes care of (see `docs/api-contract.md`):
//! - **Addresses**: [`ServerUrl::parse`] accepts what people paste and pins every request to that
//!   scheme + host + port: `next`/`previous` links and redirects elsewhere fail with
//!   [`Error::OriginMismatch`] and no credential ever leaves for another origin.
//! - **Credentials**: `X-Api-Key` on every route outside `/api/auth/`; `Authorization: Bearer`
//!   only on routes that need the user (never on `login/`, `token/*`, `logout/`). Secrets are
//!   newtypes whose `Debug`/`Display` are masked.
//! - **Tokens**: the access token is refreshed shortly before its `exp` and, on a 401, once
//!   (single flight for concurrent failures), then the request is retried once. A rotated refresh
//!   token is handed to [`Session::on_refresh_rotated`]. A refused refresh ends the session
//!   ([`Error::SessionExpired`]).
//! - **Retries**: GET only, on connection errors, 502/503/504 and 429 (honouring `Retry-After`),
//!   with jittered exponential backoff, bounded in count and total time. POST/PUT/PATCH are never
//!   re-sent on their own.
//! - **Plain http and proxies**: plain http only to this computer: `127.0.0.0/8`, `[::1]`, or a
//!   name (`localhost`) that resolves only to loopback addresses when connecting (checked at
//!   every connection; a name that also leads elsewhere fails with `InvalidAddress(InsecureHttp)`).
//!   Remote servers are reached through the system proxy (`HTTP(S)_PROXY`, `ALL_PROXY`,
//!   `NO_PROXY`; the macOS and Windows settings); a server on this computer never through a proxy.
//! - **Limits**: connect and request timeouts, a response size cap (8 MiB by default), HTML or
//!   other non-OAS answers recognised, user agent `OAS-Desktop/<version>`.
//! - **Listing**: page 1, then the other pages with at most [`Options::list_concurrency`] requests
//!   in flight, handed on in server order as they arrive
//!   ([`Session::list_organisations_progressively`]: "1,200 of 10,000"); a `Retry-After` holds
//!   every request of the listing, not only the one that was told.
//! - **Listing caps**: `list_all_organisations` stops with [`Error::ListTooLarge`] past
//!   [`DEFAULT_MAX_LIST_ITEMS`] (100,000) organisations or [`DEFAULT_MAX_LIST_BYTES`] (256 MiB) of
//!   pages, whatever the server's `count` says ([`Options::max_list_items`],
//!   [`Options::max_list_bytes`]).
//! - **Errors**: one [`Error`] enum whose variants carry data (status, fields, retry-after), not
//!   sentences: the app words them. `Display` is a short English text for logs.
//! - **Layers**: `transport` (HTTP, proxies, retries, caps, reading answers) → `session` (tokens,
//!   refresh, the routes that need a user) → `client` (sign in, resume); each uses only the ones
//!   below it. [`Clock`] is what "now" means for token deadlines (tests move it).
//!
//! ```no_run
//! # async fn demo() -> Result<(), oas_api::Error> {
//! use oas_api::{ApiKey, Client, Password, ServerUrl};
//! let server = ServerUrl::parse("oas-beta.ottomate.me")?;
//! let client = Client::new(server, ApiKey::new("A2QnAjPg.2tBY21luBv1V1X1krrXQtmadPpwcuUjH"))?;
//! let (session, user) = client.login("ana", "ana@example.com", &Password::new("…")).await?;
//! session.on_refresh_rotated(|_new| { /* save it to the keychain */ });
//! let orgs = session.list_all_organisations().await?;
//! # let _ = (user, orgs); Ok(()) }
//! ```

mod address;
mod client;
mod clock;
pub mod edit;
mod error;
pub mod jwt;
mod model;
mod secret;
mod session;
mod transport;

pub use address::{AddressError, ServerUrl};
pub use client::Client;
pub use clock::Clock;
pub use transport::{default_user_agent, Options, DEFAULT_MAX_LIST_BYTES, DEFAULT_MAX_LIST_ITEMS, MAX_BACKOFF};
pub use edit::{EditField, EditOutcome, Merge, OrganisationFields};
pub use error::{flatten_fields, Error};
pub use model::{Contact, NewOrganisation, Organisation, OrganisationPatch, Page, User, UserPatch};
pub use secret::{AccessToken, ApiKey, ApiKeyError, Password, RefreshToken};
pub use session::{ListBatch, Session};

/// Parsers exposed for property tests: they must never panic, whatever the input.
#[doc(hidden)]
pub mod parse {
    use serde_json::Value;

    /// Maps an HTTP answer as the client would (status, content type, body) and returns the
    /// error code and message.
    pub fn error_for(route_login: bool, status: u16, content_type: Option<&str>, body: &[u8]) -> (&'static str, String) {
        let a = crate::error::Answer { status, content_type: content_type.map(str::to_string), retry_after: None, body: body.to_vec() };
        let route = if route_login { crate::error::Route::Login } else { crate::error::Route::Protected };
        let e = crate::error::classify(route, &a);
        (e.code(), e.to_string())
    }

    pub fn organisation_page(body: &[u8]) -> Option<crate::Page<crate::Organisation>> {
        let v: Value = serde_json::from_slice(body).ok()?;
        crate::model::page_from_value(v)
    }

    pub fn user(body: &[u8]) -> Option<crate::User> {
        serde_json::from_slice(body).ok()
    }

    pub fn currencies(v: &Value) -> Vec<String> {
        crate::model::currencies_of(v)
    }
}
