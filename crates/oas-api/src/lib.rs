//! Typed, Tauri-free client of the OAS API. All HTTP of the app lives here.
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
mod error;
pub mod jwt;
mod model;
mod secret;
mod session;

pub use address::{AddressError, ServerUrl};
pub use client::{default_user_agent, Client, Options};
pub use error::{flatten_fields, Error};
pub use model::{Contact, NewOrganisation, Organisation, OrganisationPatch, Page, User, UserPatch};
pub use secret::{AccessToken, ApiKey, ApiKeyError, Password, RefreshToken};
pub use session::Session;

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
