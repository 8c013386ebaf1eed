//! Small helpers shared by the modules.

use chrono::{DateTime, Utc};

/// DRF's `DateTimeField` output for an aware UTC datetime: ISO 8601 with microseconds and `Z`.
pub fn drf_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// ISO 4217 alphabetic codes, without the "no currency" and testing codes.
pub fn valid_currency(code: &str) -> bool {
    code.len() == 3
        && code.chars().all(|c| c.is_ascii_uppercase())
        && !matches!(code, "XXX" | "XTS")
        && iso_currency::Currency::from_code(code).is_some()
}
