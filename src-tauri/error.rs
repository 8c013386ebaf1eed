//! The one error contract across IPC: `{code, message, fields?}`.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

/// What went wrong, in a form the UI can act on (offer to sign in again, retry, fix a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unreachable,
    Timeout,
    Tls,
    NotOas,
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
    OriginMismatch,
    KeychainUnavailable,
    /// A form holds unsaved work, so the update (which restarts the app) waits.
    UnsavedWork,
    /// The update's signature did not verify; nothing was installed.
    UpdateRejected,
    /// The update could not be fetched or installed; the installed version keeps working.
    UpdateFailed,
    Unexpected,
}

/// The error every command returns. `message` is plain words for a non-technical person;
/// `fields` attaches server validation errors to form fields.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: None }
    }

    pub fn keychain_unavailable() -> Self {
        Self::new(
            ErrorCode::KeychainUnavailable,
            "This computer's keychain is locked or unavailable, so OAS Desktop cannot keep you \
             signed in safely.",
        )
    }

    pub fn not_signed_in() -> Self {
        Self::new(ErrorCode::SessionExpired, "You are not signed in. Sign in to continue.")
    }

    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unexpected, message)
    }
}

impl From<oas_api::Error> for IpcError {
    fn from(error: oas_api::Error) -> Self {
        let code = match error.code() {
            "unreachable" => ErrorCode::Unreachable,
            "timeout" => ErrorCode::Timeout,
            "tls" => ErrorCode::Tls,
            "not_oas" => ErrorCode::NotOas,
            "wrong_credentials" => ErrorCode::WrongCredentials,
            "api_key_rejected" => ErrorCode::ApiKeyRejected,
            "session_expired" => ErrorCode::SessionExpired,
            "not_found" => ErrorCode::NotFound,
            "throttled" => ErrorCode::Throttled,
            "validation" => ErrorCode::Validation,
            "server_error" => ErrorCode::ServerError,
            "invalid_address" => ErrorCode::InvalidAddress,
            "insecure_address" => ErrorCode::InsecureAddress,
            "response_too_large" => ErrorCode::ResponseTooLarge,
            "origin_mismatch" => ErrorCode::OriginMismatch,
            _ => ErrorCode::Unexpected,
        };
        let fields = match &error {
            oas_api::Error::Validation { fields } => Some(fields.clone()),
            _ => None,
        };
        Self { code, message: error.to_string(), fields }
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
    use serde_json::json;

    // The UI relies on this exact JSON shape; these pin it.
    #[test]
    fn error_without_fields_has_no_fields_key() {
        let error = IpcError::from(oas_api::Error::WrongCredentials);
        let value = serde_json::to_value(&error).unwrap();
        assert_eq!(value["code"], json!("wrong_credentials"));
        assert!(value.get("fields").is_none());
        assert!(!value["message"].as_str().unwrap().is_empty());
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
    fn every_client_error_code_has_an_ipc_code() {
        use oas_api::Error as E;
        let errors = [
            E::Unreachable,
            E::Timeout,
            E::Tls,
            E::NotOas,
            E::WrongCredentials,
            E::ApiKeyRejected,
            E::SessionExpired,
            E::NotFound,
            E::Throttled { retry_after: None },
            E::Server { status: 502 },
            E::ResponseTooLarge,
            E::OriginMismatch,
        ];
        for error in errors {
            let code = error.code();
            let ipc = IpcError::from(error);
            assert_eq!(serde_json::to_value(ipc.code).unwrap(), json!(code), "{code}");
        }
    }

    #[test]
    fn keychain_unavailable_code() {
        assert_eq!(
            serde_json::to_value(IpcError::keychain_unavailable()).unwrap()["code"],
            json!("keychain_unavailable")
        );
    }
}
