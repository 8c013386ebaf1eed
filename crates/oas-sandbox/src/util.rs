//! Small helpers shared by the modules.

use chrono::{DateTime, Utc};

/// DRF's `DateTimeField` output for an aware UTC datetime: ISO 8601 with microseconds and `Z`.
pub fn drf_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
