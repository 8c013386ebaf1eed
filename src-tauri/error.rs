//! The one error contract across IPC, `{code, message, fields?}`: the mapping of every client
//! error to it. The types themselves cross IPC, so they live in `ipc.rs` with the others.

pub use crate::ipc::{ErrorCode, IpcError};

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
    use std::collections::BTreeMap;
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
