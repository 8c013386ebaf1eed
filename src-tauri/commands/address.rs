//! What the sign-in form will connect to, asked of the one rule (`oas_api::ServerUrl::parse`)
//! that `sign_in` applies too.

use serde::Serialize;
use ts_rs::TS;

use crate::error::IpcError;

/// A server address as OAS Desktop understands it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AddressCheck {
    /// The API root the app will use, e.g. `https://oas-beta.ottomate.me/api/`.
    pub api_root: String,
    /// Plain http:// (only ever for a server on this computer).
    pub plain_http: bool,
    /// The server is this computer (`localhost`, `127.0.0.1`, `[::1]`).
    pub this_computer: bool,
}

pub fn check(input: &str) -> Result<AddressCheck, IpcError> {
    let url = oas_api::ServerUrl::parse(input)?;
    Ok(AddressCheck {
        api_root: url.as_str().to_string(),
        plain_http: url.as_str().starts_with("http://"),
        this_computer: url.is_loopback(),
    })
}

/// `invalid_address` or `insecure_address` when the input cannot be used.
#[tauri::command]
pub fn server_address_check(input: String) -> Result<AddressCheck, IpcError> {
    check(&input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn answers_with_the_api_root_or_the_error_code() {
        let local = check("127.0.0.1:8765").unwrap();
        assert_eq!(local, AddressCheck { api_root: "http://127.0.0.1:8765/api/".into(), plain_http: true, this_computer: true });
        let remote = check(" oas-beta.ottomate.me/api/docs/ ").unwrap();
        assert_eq!(remote.api_root, "https://oas-beta.ottomate.me/api/");
        assert!(!remote.plain_http && !remote.this_computer);
        assert_eq!(check("http://oas.example.com").unwrap_err().code, ErrorCode::InsecureAddress);
        assert_eq!(check("ftp://oas.example.com").unwrap_err().code, ErrorCode::InvalidAddress);
        assert_eq!(check("").unwrap_err().code, ErrorCode::InvalidAddress);
        let json = serde_json::to_value(check("localhost:8765").unwrap()).unwrap();
        assert_eq!(json, serde_json::json!({"apiRoot": "http://localhost:8765/api/", "plainHttp": true, "thisComputer": true}));
    }
}
