//! The client's clock: when a token is due for refresh is computed from it. [`Clock::real`] (the
//! default) is the system's; [`Clock::adjustable`] runs with it but can be moved forward with
//! [`Clock::advance`], so a test of token expiry moves time (with the sandbox's own clock)
//! instead of sleeping.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// A cheap handle; clones share one offset.
#[derive(Clone, Default)]
pub struct Clock {
    offset: Option<Arc<Mutex<Duration>>>,
}

impl Clock {
    /// The system clock.
    pub fn real() -> Clock {
        Clock { offset: None }
    }

    /// The system clock, plus however far [`Clock::advance`] has moved it.
    pub fn adjustable() -> Clock {
        Clock { offset: Some(Arc::default()) }
    }

    /// Moves an adjustable clock forward.
    ///
    /// # Panics
    /// On the real clock.
    pub fn advance(&self, by: Duration) {
        let Some(offset) = &self.offset else { panic!("Clock::advance needs Clock::adjustable()") };
        let mut o = offset.lock().unwrap_or_else(|e| e.into_inner());
        *o = o.saturating_add(by);
    }

    fn offset(&self) -> Duration {
        self.offset.as_ref().map(|o| *o.lock().unwrap_or_else(|e| e.into_inner())).unwrap_or_default()
    }

    /// Now, for deadlines.
    pub(crate) fn instant(&self) -> Instant {
        Instant::now() + self.offset()
    }

    /// Now, for comparing with a token's `iat` and `exp`.
    pub(crate) fn system(&self) -> SystemTime {
        SystemTime::now() + self.offset()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.offset {
            None => f.write_str("Clock::real()"),
            Some(_) => write!(f, "Clock::adjustable(+{:?})", self.offset()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustable_moves_forward_and_clones_share_it() {
        let c = Clock::adjustable();
        let other = c.clone();
        let before = Instant::now();
        other.advance(Duration::from_secs(300));
        assert!(c.instant() >= before + Duration::from_secs(300));
        assert!(c.system() >= SystemTime::now() + Duration::from_secs(299));
        assert!(Clock::real().instant() < before + Duration::from_secs(300));
    }

    #[test]
    #[should_panic(expected = "needs Clock::adjustable()")]
    fn the_real_clock_cannot_be_moved() {
        Clock::real().advance(Duration::from_secs(1));
    }
}
