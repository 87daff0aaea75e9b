//! Time as a port, so that schedules, expiry and token lifetimes can be tested with a
//! controllable clock.

use chrono::{DateTime, SubsecRound, Utc};
use std::sync::Mutex;

/// The source of "now" for every rule that depends on time.
pub trait Clock: Send + Sync {
    /// The current instant, truncated to milliseconds (the precision both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
///
/// ```
/// use pantry_core::clock::{Clock, SystemClock};
/// let a = SystemClock.now();
/// assert_eq!(a.timestamp_subsec_micros() % 1000, 0);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(3)
    }
}

/// A clock that stands still until it is moved; for tests and simulations.
///
/// ```
/// use pantry_core::clock::{Clock, FixedClock};
/// use chrono::{Duration, TimeZone, Utc};
/// let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
/// clock.advance(Duration::days(1));
/// assert_eq!(clock.now().date_naive().to_string(), "2026-01-02");
/// ```
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    /// A clock that reads `at` (to the millisecond, as stored) until moved.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at.trunc_subsecs(3)))
    }

    /// Moves the clock forward (or backward, with a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    /// Sets the clock to `at` (to the millisecond).
    pub fn set(&self, at: DateTime<Utc>) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now = at.trunc_subsecs(3);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
