//! The sandbox's clock: everything time-based (JWT `iat`/`exp` and their checking, API key
//! expiry, throttling windows, `last_login`, `date_joined`) reads it.
//!
//! [`Clock::real`] (the default) is the system clock. [`Clock::manual`] stands still until a test
//! moves it with [`Clock::advance`] (or [`crate::Sandbox::advance_clock`]), so a test of an
//! expired token needs no sleep.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

/// A clock shared by a sandbox and its tests; clones read and move the same time.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn real() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands still at the current system time until [`Clock::advance`]d.
    pub fn manual() -> Clock {
        Self::manual_at(SystemTime::now())
    }

    /// A clock that stands still at `start` until [`Clock::advance`]d.
    pub fn manual_at(start: SystemTime) -> Clock {
        Clock { manual: Some(Arc::new(Mutex::new(DateTime::<Utc>::from(start)))) }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    /// Moves a manual clock forward by `by`.
    ///
    /// # Panics
    /// On the real clock (a test that means to move time must start the sandbox with
    /// `Clock::manual()`), or past the year 262143.
    pub fn advance(&self, by: Duration) {
        let Some(t) = &self.manual else {
            panic!("Clock::advance needs a manual clock (Config {{ clock: Clock::manual(), .. }})");
        };
        let by = chrono::Duration::from_std(by).expect("a duration chrono can represent");
        let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.checked_add_signed(by).expect("a time chrono can represent");
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.now_utc().into()
    }

    pub(crate) fn now_utc(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Seconds since the Unix epoch (JWT `iat`/`exp`, API key expiry).
    pub(crate) fn unix(&self) -> i64 {
        self.now_utc().timestamp()
    }

    /// DRF's `DateTimeField` rendering of now.
    pub(crate) fn now_iso(&self) -> String {
        crate::util::drf_datetime(self.now_utc())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::real()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            None => f.write_str("Clock::real()"),
            Some(_) => write!(f, "Clock::manual_at({})", self.now_utc().to_rfc3339()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_stands_still_until_advanced_and_clones_share_it() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let c = Clock::manual_at(start);
        let other = c.clone();
        assert_eq!(c.now(), start);
        other.advance(Duration::from_millis(1500));
        assert_eq!(c.now(), start + Duration::from_millis(1500));
        assert_eq!(c.unix(), 1_000_001);
        assert_eq!(c.now_iso(), "1970-01-12T13:46:41.500000Z");
    }

    #[test]
    #[should_panic(expected = "needs a manual clock")]
    fn the_real_clock_cannot_be_moved() {
        Clock::real().advance(Duration::from_secs(1));
    }
}
