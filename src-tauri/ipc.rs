//! Types that cross IPC. The TypeScript in `ui/src/lib/bindings/` is generated from these
//! (`UPDATE_BINDINGS=1 cargo test bindings`), and a test fails when the checked-in files drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// What went wrong, in a form the UI can act on (offer to sign in again, retry, fix a field).
/// The UI words every code in its catalogs (`error.<code>` in `ui/src/lib/i18n/`); the list of
/// codes it checks them against is generated from this enum (`ui/src/lib/bindings/errorCodes.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unreachable,
    Timeout,
    Tls,
    NotOas,
    /// One answer of an OAS server could not be read (cut short or garbled).
    BadAnswer,
    WrongCredentials,
    ApiKeyRejected,
    SessionExpired,
    NotFound,
    Throttled,
    Validation,
    ServerError,
    InvalidAddress,
    InsecureAddress,
    ResponseTooLarge,
    RequestTooLarge,
    ListTooLarge,
    OriginMismatch,
    KeychainUnavailable,
    /// A file on this computer (an export, the drafts, the settings) could not be written.
    NotWritten,
    /// The web browser could not be opened for a link.
    BrowserUnavailable,
    /// Another admin changed the same fields: `conflict` carries both versions.
    Conflict,
    /// A form holds unsaved work, so the update (which restarts the app) waits.
    UnsavedWork,
    /// The update's signature did not verify; nothing was installed.
    UpdateRejected,
    /// The update could not be fetched or installed; the installed version keeps working.
    UpdateFailed,
    Unexpected,
    /// A server profile's name is empty or too long.
    ServerNameInvalid,
    /// Another server profile already has this name.
    ServerNameTaken,
    /// Another server profile already has this address.
    ServerAddressTaken,
}

/// The error every command returns: data for the UI, which words it. `message` is a short
/// English text for logs (never shown when the UI has words for the code); `fields` attaches
/// server validation errors to form fields, as the server wrote them; `retryAfterSeconds` says
/// how long a throttled request should wait, when the server said.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
    #[serde(rename = "retryAfterSeconds", skip_serializing_if = "Option::is_none")]
    #[ts(optional, rename = "retryAfterSeconds")]
    pub retry_after_seconds: Option<u32>,
    /// With `code: "conflict"`: what each side changed, for the person to choose.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub conflict: Option<Box<EditConflict>>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: None, retry_after_seconds: None, conflict: None }
    }

    pub fn conflict(conflict: EditConflict) -> Self {
        Self {
            conflict: Some(Box::new(conflict)),
            ..Self::new(
                ErrorCode::Conflict,
                "Someone else changed this organisation while you were editing it. Choose which \
                 version to keep for each field.",
            )
        }
    }

    pub fn keychain_unavailable() -> Self {
        Self::new(ErrorCode::KeychainUnavailable, "keychain locked or unavailable")
    }

    pub fn not_signed_in() -> Self {
        Self::new(ErrorCode::SessionExpired, "not signed in")
    }

    /// An error shown at one form field (`field` as the UI names it, e.g. `api_key`).
    pub fn field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let fields = BTreeMap::from([(field.to_string(), vec![message.clone()])]);
        Self { fields: Some(fields), ..Self::new(code, message) }
    }

    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unexpected, message)
    }
}

/// What the sign-in form remembers between runs. Never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Remembered {
    pub server: String,
    pub username: String,
    pub email: String,
    /// The server's id for this user: names the keychain entries, however the person typed
    /// their username or e-mail. None when remembered by a version before 0.2.
    #[ts(type = "number | null")]
    pub user_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UserInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub email: String,
}

impl From<&oas_api::User> for UserInfo {
    fn from(user: &oas_api::User) -> Self {
        Self { id: user.id, username: user.username.clone(), email: user.email.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SessionState {
    SignedOut {
        remembered: Remembered,
        /// "…7Q2" when this computer keeps the remembered account's API key: signing in again
        /// needs only the password.
        #[serde(rename = "savedKeyHint")]
        #[ts(rename = "savedKeyHint")]
        saved_key_hint: Option<String>,
        /// Why the remembered session could not be restored (keychain locked, server down): the
        /// form still shows the remembered details, and the person can try again.
        #[serde(rename = "restoreError", skip_serializing_if = "Option::is_none")]
        #[ts(rename = "restoreError", optional)]
        restore_error: Option<IpcError>,
    },
    SignedIn {
        server: String,
        user: UserInfo,
        /// "…7Q2": enough to recognise the key, never the key.
        #[serde(rename = "apiKeyHint")]
        #[ts(rename = "apiKeyHint")]
        api_key_hint: String,
        /// False when the keychain was unavailable: the session lasts until the app closes.
        #[serde(rename = "staysSignedIn")]
        #[ts(rename = "staysSignedIn")]
        stays_signed_in: bool,
    },
}

/// What the sign-in form sends. It carries secrets, so it has no `Debug`. A blank `api_key`
/// means "the key saved for the remembered account".
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SignInRequest {
    pub server: String,
    pub api_key: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

/// The demo account a launcher script handed to the app (`OAS_DESKTOP_DEMO_CREDENTIALS`).
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
#[derive(Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoPrefill {
    pub server: String,
    pub api_key: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

/// What the page's first screen needs, in one answer (`session_start`).
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StartState {
    /// The session of the server in use (the launch's early restore, once).
    pub session: SessionState,
    /// Settings or drafts files that could not be read at start (kept aside), each told once.
    pub storage_problems: Vec<StorageProblem>,
    /// The demo account a launcher handed over; only builds with the `demo` feature have one.
    pub prefill: Option<DemoPrefill>,
}

/// A contact of an organisation (a documented extension some servers support).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    /// The contact's fields this app does not know: not shown, carried back unchanged.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[ts(type = "Record<string, unknown>", optional)]
    pub extra: Map<String, Value>,
}

impl From<oas_api::Contact> for Contact {
    fn from(c: oas_api::Contact) -> Self {
        Self { name: c.name, email: c.email, phone: c.phone, role: c.role, extra: c.extra }
    }
}

impl From<Contact> for oas_api::Contact {
    fn from(c: Contact) -> Self {
        let blank_is_none = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Self {
            name: c.name.trim().to_string(),
            email: blank_is_none(c.email),
            phone: blank_is_none(c.phone),
            role: blank_is_none(c.role),
            extra: c.extra,
        }
    }
}

/// An organisation as the UI sees it. Also what the form sends back as the version it opened
/// (the base of an edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Organisation {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: Option<String>,
    /// None when the server does not say which organisation is active.
    pub is_active: Option<bool>,
    /// None when the server has no contacts for organisations.
    pub contacts: Option<Vec<Contact>>,
}

impl From<oas_api::Organisation> for Organisation {
    fn from(o: oas_api::Organisation) -> Self {
        Self {
            id: o.id,
            name: o.name,
            base_currency: o.base_currency,
            currencies: o.currencies,
            image: o.image,
            is_active: o.is_active,
            contacts: o.contacts.map(|c| c.into_iter().map(Contact::from).collect()),
        }
    }
}

impl Organisation {
    /// The editable fields, as the edit rules compare them.
    pub fn fields(&self) -> oas_api::OrganisationFields {
        oas_api::OrganisationFields {
            name: self.name.clone(),
            base_currency: self.base_currency.clone(),
            currencies: self.currencies.clone(),
            image: self.image.clone(),
            contacts: self.contacts.clone().map(|c| c.into_iter().map(Into::into).collect()),
        }
    }
}

/// What the organisation form sends (and what a saved draft holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OrganisationDraft {
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: String,
    pub contacts: Option<Vec<Contact>>,
}

impl OrganisationDraft {
    /// The one clean-up of what was typed: trimmed text, the base currency first among the
    /// currencies, blank contact fields as null.
    pub fn cleaned(&self) -> OrganisationDraft {
        let base = self.base_currency.trim().to_string();
        let mut currencies: Vec<String> = Vec::with_capacity(self.currencies.len() + 1);
        for code in std::iter::once(&base).filter(|b| !b.is_empty()).chain(&self.currencies) {
            if !currencies.contains(code) {
                currencies.push(code.clone());
            }
        }
        OrganisationDraft {
            name: self.name.trim().to_string(),
            base_currency: base,
            currencies,
            image: self.image.trim().to_string(),
            contacts: self.contacts.clone().map(|c| {
                c.into_iter().map(|c| Contact::from(oas_api::Contact::from(c))).collect()
            }),
        }
    }

    fn image(&self) -> Option<String> {
        Some(self.image.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn contacts(&self) -> Option<Vec<oas_api::Contact>> {
        self.contacts.clone().map(|c| c.into_iter().map(Into::into).collect())
    }

    pub fn to_new(&self) -> oas_api::NewOrganisation {
        let c = self.cleaned();
        oas_api::NewOrganisation {
            image: c.image(),
            contacts: c.contacts(),
            name: c.name,
            base_currency: c.base_currency,
            currencies: c.currencies,
        }
    }

    /// The form's fields, cleaned up once, as the edit rules compare them.
    pub fn fields(&self) -> oas_api::OrganisationFields {
        let c = self.cleaned();
        oas_api::OrganisationFields {
            image: c.image(),
            contacts: c.contacts(),
            name: c.name,
            base_currency: c.base_currency,
            currencies: c.currencies,
        }
    }

    fn from_fields(f: oas_api::OrganisationFields) -> Self {
        Self {
            name: f.name,
            base_currency: f.base_currency,
            currencies: f.currencies,
            image: f.image.unwrap_or_default(),
            contacts: f.contacts.map(|c| c.into_iter().map(Contact::from).collect()),
        }
    }
}

/// A field of the organisation form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DraftField {
    Name,
    BaseCurrency,
    Currencies,
    Image,
    Contacts,
}

impl From<oas_api::EditField> for DraftField {
    fn from(f: oas_api::EditField) -> Self {
        match f {
            oas_api::EditField::Name => Self::Name,
            oas_api::EditField::BaseCurrency => Self::BaseCurrency,
            oas_api::EditField::Currencies => Self::Currencies,
            oas_api::EditField::Image => Self::Image,
            oas_api::EditField::Contacts => Self::Contacts,
        }
    }
}

/// Another admin changed the same fields differently since the form opened: nothing was saved.
/// The form shows, per field in `fields`, `mine` beside `theirs`; once the person has chosen, it
/// saves `merged` with their choices, with `theirs` as the new base (checked against the server
/// again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct EditConflict {
    pub fields: Vec<DraftField>,
    /// The organisation as it was when the form opened.
    pub base: OrganisationDraft,
    /// What the form tried to save.
    pub mine: OrganisationDraft,
    /// The server's copy now.
    pub theirs: Organisation,
    /// Theirs with my changes to the fields only I changed; the conflicting fields hold mine.
    pub merged: OrganisationDraft,
    /// Fields only the other admin changed: their values are already in `merged`.
    pub theirs_kept: Vec<DraftField>,
}

impl EditConflict {
    pub fn new(base: &Organisation, mine: &OrganisationDraft, theirs: oas_api::Organisation, merge: oas_api::Merge) -> Self {
        Self {
            fields: merge.conflicts.into_iter().map(DraftField::from).collect(),
            theirs_kept: merge.theirs_kept.into_iter().map(DraftField::from).collect(),
            base: OrganisationDraft::from_fields(base.fields()),
            mine: mine.clone(),
            theirs: theirs.into(),
            merged: OrganisationDraft::from_fields(merge.merged),
        }
    }
}

/// What Make active answers: the server's message and, by the app's one rule, the active id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct Activation {
    pub message: String,
    #[ts(type = "number | null")]
    pub active_id: Option<i64>,
}

/// One row of the organisations list: only what the list shows, searches, sorts and exports
/// (the form fetches the whole organisation with `organisation_get`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OrganisationRow {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub base_currency: String,
    pub currencies: Vec<String>,
    pub image: Option<String>,
}

impl From<&oas_api::Organisation> for OrganisationRow {
    fn from(o: &oas_api::Organisation) -> Self {
        Self { id: o.id, name: o.name.clone(), base_currency: o.base_currency.clone(), currencies: o.currencies.clone(), image: o.image.clone() }
    }
}

impl From<&Organisation> for OrganisationRow {
    fn from(o: &Organisation) -> Self {
        Self { id: o.id, name: o.name.clone(), base_currency: o.base_currency.clone(), currencies: o.currencies.clone(), image: o.image.clone() }
    }
}

/// Rows as they arrive while `organisations_list` runs (its channel): the first page at once,
/// then the rest in server order, a few times a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OrganisationRows {
    pub rows: Vec<OrganisationRow>,
    /// How many rows have arrived so far, these included ("1,200 of 10,000").
    #[ts(type = "number")]
    pub loaded: u64,
    /// How many there are, as the server counts them.
    #[ts(type = "number")]
    pub total: u64,
    /// The list changed on the server while it was read and is read again: forget the rows of
    /// earlier messages.
    pub restart: bool,
    /// Which organisation is active, as far as the rows so far tell (the listing's answer has
    /// the final word): its badge shows with its row.
    #[ts(type = "number | null")]
    pub active_id: Option<i64>,
}

/// What `organisations_list` answers once every row has been sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OrganisationsListed {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number | null")]
    pub active_id: Option<i64>,
    pub contacts_supported: bool,
}

/// An unsaved organisation form, kept across restarts. `editing_id` None = a new organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SavedDraft {
    #[ts(type = "number | null")]
    pub editing_id: Option<i64>,
    pub draft: OrganisationDraft,
    /// For an edit: the organisation as the edit first opened it, so saving the draft later
    /// still compares three ways and never overwrites what another admin changed meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub base: Option<Organisation>,
}

/// A settings or drafts file that could not be read: it was kept aside, never deleted, and the
/// person is told once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StorageProblem {
    /// `settings.json` or `drafts.json`.
    pub file: String,
    /// Where the unreadable file is now (full path), so it can be looked at or restored.
    pub kept_as: String,
}

/// What a check of the update feed found. Versions are the app's one version (Cargo.toml's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum UpdateCheck {
    /// This build has no update feed or key (a local `tauri build`): it never checks.
    Disabled { current_version: String },
    UpToDate { current_version: String },
    Available {
        current_version: String,
        version: String,
        /// When the update was published (RFC 3339), if the feed says.
        date: Option<String>,
        /// What is new, as the feed's release notes say it.
        notes: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, IpcError};
    use std::path::PathBuf;
    use ts_rs::{Config, TS};

    fn bindings() -> Vec<(String, String)> {
        let cfg = Config::new();
        let mut out = Vec::new();
        macro_rules! collect {
            ($($t:ty),* $(,)?) => {$(
                out.push((<$t as TS>::name(&cfg), <$t as TS>::export_to_string(&cfg).unwrap()));
            )*};
        }
        collect!(
            Remembered,
            UserInfo,
            SessionState,
            SignInRequest,
            DemoPrefill,
            StartState,
            Contact,
            Organisation,
            OrganisationDraft,
            OrganisationRow,
            OrganisationRows,
            OrganisationsListed,
            SavedDraft,
            DraftField,
            EditConflict,
            Activation,
            StorageProblem,
            ErrorCode,
            IpcError,
            crate::commands::address::AddressCheck,
            crate::account::Role,
            crate::account::Profile,
            crate::account::ProfileUpdate,
            crate::account::PasswordChange,
            crate::account::StrengthLevel,
            crate::account::StrengthWarning,
            crate::account::PasswordStrength,
            crate::account::Theme,
            crate::account::AppInfo,
            crate::account::Link,
            UpdateCheck,
            crate::servers::ServerColour,
            crate::servers::ServerInput,
            crate::commands::servers::ServersView,
            crate::commands::servers::ServerEntry,
            crate::connectivity::ConnectionState,
            crate::commands::import::ImportFile,
            oas_import::ReadError,
            oas_import::Field,
            oas_import::Values,
            oas_import::preview::ContactValues,
            oas_import::ProblemKind,
            oas_import::Problem,
            oas_import::RowStatus,
            oas_import::RowPreview,
            oas_import::Preview,
            oas_import::PreviewOptions,
            oas_import::OnExisting,
            oas_import::Choices,
            oas_import::Outcome,
            oas_import::Reason,
            oas_import::ReportRow,
            oas_import::Report,
            oas_import::Progress,
            oas_import::RowWords,
        );
        out.push(("errorCodes".to_string(), error_codes_ts()));
        out
    }

    /// Every `ErrorCode` as a TypeScript constant, so the UI checks codes (and its catalogs'
    /// completeness) against the Rust enum rather than a copy.
    fn error_codes_ts() -> String {
        use strum::VariantArray;
        let codes: Vec<String> = ErrorCode::VARIANTS.iter().map(|c| serde_json::to_string(c).unwrap()).collect();
        format!(
            "// Generated from `ErrorCode` (src-tauri/error.rs) by `UPDATE_BINDINGS=1 cargo test bindings`. Do not edit.\n\
             import type {{ ErrorCode }} from \"./ErrorCode\";\n\n\
             export const ERROR_CODES: readonly ErrorCode[] = [\n{}];\n",
            codes.iter().map(|c| format!("  {c},\n")).collect::<String>()
        )
    }

    /// Fails when the checked-in TypeScript differs from what the Rust types generate.
    #[test]
    fn bindings_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        let mut stale = Vec::new();
        for (name, text) in bindings() {
            let path = dir.join(format!("{name}.ts"));
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "TypeScript bindings out of date: {stale:?}. Run `UPDATE_BINDINGS=1 cargo test bindings`."
        );
    }

    #[test]
    fn session_state_json_shape() {
        let state = SessionState::SignedIn {
            server: "https://oas.example/api/".into(),
            user: UserInfo { id: 7, username: "ana".into(), email: "ana@example.com".into() },
            api_key_hint: "…jH".into(),
            stays_signed_in: true,
        };
        let value = serde_json::to_value(&state).unwrap();
        assert_eq!(value["status"], "signedIn");
        assert_eq!(value["apiKeyHint"], "…jH");
        assert_eq!(value["staysSignedIn"], true);
        let out = SessionState::SignedOut { remembered: Remembered::default(), saved_key_hint: Some("…7Q2".into()), restore_error: None };
        let value = serde_json::to_value(&out).unwrap();
        assert_eq!(value["status"], "signedOut");
        assert_eq!(value["savedKeyHint"], "…7Q2");
        assert_eq!(value["remembered"]["userId"], serde_json::Value::Null);
    }

    #[test]
    fn a_draft_is_cleaned_in_one_place() {
        let draft = OrganisationDraft {
            name: "  Acme  ".into(),
            base_currency: "EUR".into(),
            currencies: vec!["USD".into(), "EUR".into()],
            image: "  ".into(),
            contacts: Some(vec![Contact { name: " Ana ".into(), email: Some(" ".into()), phone: Some(" 555 ".into()), role: None, extra: Default::default() }]),
        };
        let clean = draft.cleaned();
        assert_eq!(clean.name, "Acme");
        assert_eq!(clean.currencies, ["EUR", "USD"]);
        assert_eq!(clean.image, "");
        assert_eq!(clean.contacts.as_deref().unwrap()[0], Contact { name: "Ana".into(), email: None, phone: Some("555".into()), role: None, extra: Default::default() });
        let new = draft.to_new();
        assert_eq!((new.name.as_str(), new.image, new.currencies[0].as_str()), ("Acme", None, "EUR"));
        assert_eq!(draft.fields().image, None);
    }
}
