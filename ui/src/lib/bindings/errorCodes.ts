// Generated from `ErrorCode` (src-tauri/error.rs) by `UPDATE_BINDINGS=1 cargo test bindings`. Do not edit.
import type { ErrorCode } from "./ErrorCode";

export const ERROR_CODES: readonly ErrorCode[] = [
  "unreachable",
  "timeout",
  "tls",
  "not_oas",
  "wrong_credentials",
  "api_key_rejected",
  "session_expired",
  "not_found",
  "throttled",
  "validation",
  "server_error",
  "invalid_address",
  "insecure_address",
  "response_too_large",
  "request_too_large",
  "list_too_large",
  "origin_mismatch",
  "keychain_unavailable",
  "conflict",
  "unsaved_work",
  "update_rejected",
  "update_failed",
  "unexpected",
];
