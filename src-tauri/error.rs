//! The one error contract across IPC: `{code, message, fields?}`.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use crate::ipc::EditConflict;

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

impl From<oas_api::Error> for IpcError {
    fn from(error: oas_api::Error) -> Self {
        use oas_api::{AddressError, Error as E};
        // Exhaustive: a new client error does not compile until it has a code here.
        let code = match &error {
            E::Unreachable => ErrorCode::Unreachable,
            E::Timeout => ErrorCode::Timeout,
            E::Tls => ErrorCode::Tls,
            E::NotOas => ErrorCode::NotOas,
            E::BadAnswer => ErrorCode::BadAnswer,
            E::WrongCredentials => ErrorCode::WrongCredentials,
            E::ApiKeyRejected => ErrorCode::ApiKeyRejected,
            E::SessionExpired => ErrorCode::SessionExpired,
            E::NotFound => ErrorCode::NotFound,
            E::Throttled { .. } => ErrorCode::Throttled,
            E::Validation { .. } => ErrorCode::Validation,
            E::Server { .. } => ErrorCode::ServerError,
            E::InvalidAddress(AddressError::Empty | AddressError::Invalid) => ErrorCode::InvalidAddress,
            E::InvalidAddress(AddressError::InsecureHttp) => ErrorCode::InsecureAddress,
            E::ResponseTooLarge => ErrorCode::ResponseTooLarge,
            E::RequestTooLarge => ErrorCode::RequestTooLarge,
            E::ListTooLarge { .. } => ErrorCode::ListTooLarge,
            E::OriginMismatch => ErrorCode::OriginMismatch,
            E::Unexpected(_) => ErrorCode::Unexpected,
        };
        let message = error.to_string();
        match error {
            E::Validation { fields } => Self { fields: Some(fields), ..Self::new(code, message) },
            E::Throttled { retry_after: Some(wait) } => Self {
                retry_after_seconds: Some(u32::try_from(wait.as_secs().max(1)).unwrap_or(u32::MAX)),
                ..Self::new(code, message)
            },
            _ => Self::new(code, message),
        }
    }
}

impl From<oas_api::AddressError> for IpcError {
    fn from(error: oas_api::AddressError) -> Self {
        oas_api::Error::InvalidAddress(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    // The UI relies on this exact JSON shape; these pin it.
    #[test]
    fn error_without_fields_has_no_fields_key() {
        let error = IpcError::from(oas_api::Error::WrongCredentials);
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["code"], json!("wrong_credentials"));
        assert!(value.get("fields").is_none());
        assert!(!value["message"].as_str().unwrap().is_empty());
        assert!(value.get("retryAfterSeconds").is_none());
    }

    #[test]
    fn validation_error_carries_fields() {
        let mut fields = BTreeMap::new();
        fields.insert("currencies".to_string(), vec!["\"XXX\" is not a valid choice.".to_string()]);
        let error = IpcError::from(oas_api::Error::Validation { fields });
        assert_eq!(
            serde_json::to_value(&error).unwrap()["fields"],
            json!({"currencies": ["\"XXX\" is not a valid choice."]})
        );
        assert_eq!(error.code, ErrorCode::Validation);
    }

    #[test]
    fn client_errors_map_to_their_codes() {
        use oas_api::{AddressError, Error as E};
        use std::time::Duration;
        let cases = [
            (E::Unreachable, "unreachable"),
            (E::Timeout, "timeout"),
            (E::Tls, "tls"),
            (E::NotOas, "not_oas"),
            (E::BadAnswer, "bad_answer"),
            (E::WrongCredentials, "wrong_credentials"),
            (E::ApiKeyRejected, "api_key_rejected"),
            (E::SessionExpired, "session_expired"),
            (E::NotFound, "not_found"),
            (E::Throttled { retry_after: None }, "throttled"),
            (E::Validation { fields: BTreeMap::new() }, "validation"),
            (E::Server { status: 502 }, "server_error"),
            (E::InvalidAddress(AddressError::Empty), "invalid_address"),
            (E::InvalidAddress(AddressError::Invalid), "invalid_address"),
            (E::InvalidAddress(AddressError::InsecureHttp), "insecure_address"),
            (E::ResponseTooLarge, "response_too_large"),
            (E::RequestTooLarge, "request_too_large"),
            (E::ListTooLarge { max_items: 1, max_bytes: 1 }, "list_too_large"),
            (E::OriginMismatch, "origin_mismatch"),
            (E::Unexpected("detail".into()), "unexpected"),
        ];
        for (error, code) in cases {
            let ipc = serde_json::to_value(IpcError::from(error)).unwrap();
            assert_eq!(ipc["code"], json!(code));
            assert!(ipc.get("retryAfterSeconds").is_none());
        }
        let throttled = IpcError::from(E::Throttled { retry_after: Some(Duration::from_secs(90)) });
        assert_eq!(serde_json::to_value(&throttled).unwrap()["retryAfterSeconds"], json!(90));
        // Under a second still says "wait", not "now".
        let soon = IpcError::from(E::Throttled { retry_after: Some(Duration::from_millis(200)) });
        assert_eq!(soon.retry_after_seconds, Some(1));
    }

    #[test]
    fn every_code_is_listed_once() {
        use strum::VariantArray;
        let names: Vec<Value> = ErrorCode::VARIANTS.iter().map(|c| serde_json::to_value(c).unwrap()).collect();
        let unique: std::collections::BTreeSet<String> = names.iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(unique.len(), names.len());
        assert!(unique.contains("keychain_unavailable") && unique.contains("list_too_large"));
    }

    #[test]
    fn keychain_unavailable_code() {
        assert_eq!(
            serde_json::to_value(IpcError::keychain_unavailable()).unwrap()["code"],
            json!("keychain_unavailable")
        );
    }
}
