//! Types that cross IPC. The TypeScript in `ui/src/lib/bindings/` is generated from these
//! (`UPDATE_BINDINGS=1 cargo test bindings`), and a test fails when the checked-in files drift.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// What the sign-in form remembers between runs. Never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Remembered {
    pub server: String,
    pub username: String,
    pub email: String,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SessionState {
    SignedOut {
        remembered: Remembered,
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

/// What the sign-in form sends. It carries secrets, so it has no `Debug`.
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
    fn image(&self) -> Option<String> {
        Some(self.image.trim().to_string()).filter(|s| !s.is_empty())
    }

    fn contacts(&self) -> Option<Vec<oas_api::Contact>> {
        self.contacts.clone().map(|c| c.into_iter().map(Into::into).collect())
    }

    pub fn to_new(&self) -> oas_api::NewOrganisation {
        oas_api::NewOrganisation {
            name: self.name.trim().to_string(),
            base_currency: self.base_currency.clone(),
            currencies: self.currencies.clone(),
            image: self.image(),
            contacts: self.contacts(),
        }
    }

    /// The form's fields, as the edit rules compare them.
    pub fn fields(&self) -> oas_api::OrganisationFields {
        oas_api::OrganisationFields {
            name: self.name.trim().to_string(),
            base_currency: self.base_currency.clone(),
            currencies: self.currencies.clone(),
            image: self.image(),
            contacts: self.contacts(),
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OrganisationsView {
    pub organisations: Vec<Organisation>,
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
            Contact,
            Organisation,
            OrganisationDraft,
            OrganisationsView,
            SavedDraft,
            DraftField,
            EditConflict,
            Activation,
            ErrorCode,
            IpcError,
        );
        out
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
        let out = SessionState::SignedOut { remembered: Remembered::default() };
        assert_eq!(serde_json::to_value(&out).unwrap()["status"], "signedOut");
    }
}
