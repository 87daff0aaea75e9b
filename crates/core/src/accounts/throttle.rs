//! Brute-force defence for sign-in: after a number of free failures, each further failure
//! doubles the time an account (and, separately, a client address) must wait before the next
//! attempt is even checked. While a key waits, every attempt is refused, the right password
//! included, so guessing gains nothing by ignoring the delay.
//!
//! State is per process; with several replicas an attacker spreading attempts gets at most
//! one budget per replica, which is why the reverse proxy's limit still matters.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// What is throttled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// An account, by normalised email (whether or not it exists, so answers never differ).
    Account(String),
    /// A client address.
    Client(String),
}

/// How quickly delays grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures per account before delays start.
    pub free_account_failures: u32,
    /// Failures per client before delays start (higher: a household shares one address).
    pub free_client_failures: u32,
    /// The first delay; each further failure doubles it.
    pub base_delay: Duration,
    /// The longest delay, so a forgotten password never locks a person out for long.
    pub max_delay: Duration,
    /// A key with no failure for this long starts afresh.
    pub forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_account_failures: 5,
            free_client_failures: 20,
            base_delay: Duration::seconds(1),
            max_delay: Duration::minutes(15),
            forget_after: Duration::hours(1),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Option<DateTime<Utc>>,
    last_failure: DateTime<Utc>,
}

/// Failed sign-in bookkeeping.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use pantry_core::accounts::throttle::{LoginThrottle, ThrottleKey, ThrottlePolicy};
/// let throttle = LoginThrottle::new(ThrottlePolicy::default());
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let key = [ThrottleKey::Account("a@b.c".into())];
/// for _ in 0..6 { throttle.record_failure(&key, now); }
/// assert_eq!(throttle.check(&key, now), Err(Duration::seconds(1)));
/// assert_eq!(throttle.check(&key, now + Duration::seconds(1)), Ok(()));
/// ```
#[derive(Debug)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    entries: Mutex<HashMap<ThrottleKey, Entry>>,
}

/// Above this many tracked keys, forgotten ones are swept on the next failure.
const SWEEP_ABOVE: usize = 10_000;

impl LoginThrottle {
    /// An empty throttle: nobody has failed yet.
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ThrottleKey, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Err(wait)` when any key must still wait.
    pub fn check(&self, keys: &[ThrottleKey], now: DateTime<Utc>) -> Result<(), Duration> {
        let entries = self.lock();
        let wait = keys
            .iter()
            .filter_map(|k| entries.get(k)?.blocked_until)
            .map(|until| until - now)
            .filter(|left| *left > Duration::zero())
            .max();
        match wait {
            Some(left) => Err(left),
            None => Ok(()),
        }
    }

    /// Counts a failure against every key and starts or lengthens their delays.
    pub fn record_failure(&self, keys: &[ThrottleKey], now: DateTime<Utc>) {
        let mut entries = self.lock();
        if entries.len() > SWEEP_ABOVE {
            let forget = self.policy.forget_after;
            entries.retain(|_, e| now - e.last_failure < forget);
        }
        for key in keys {
            let free = match key {
                ThrottleKey::Account(_) => self.policy.free_account_failures,
                ThrottleKey::Client(_) => self.policy.free_client_failures,
            };
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                blocked_until: None,
                last_failure: now,
            });
            if now - entry.last_failure >= self.policy.forget_after {
                entry.failures = 0;
                entry.blocked_until = None;
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures > free {
                let doublings = (entry.failures - free - 1).min(30);
                let delay = self
                    .policy
                    .base_delay
                    .checked_mul(1 << doublings.min(20))
                    .unwrap_or(self.policy.max_delay)
                    .min(self.policy.max_delay);
                entry.blocked_until = Some(now + delay);
            }
        }
    }

    /// A successful sign-in clears the account's failures. The client's stay: an attacker
    /// must not be able to reset them by signing in to an account of their own.
    pub fn record_success(&self, account: &ThrottleKey) {
        self.lock().remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
    }

    #[test]
    fn delays_start_after_free_failures_and_double() {
        let th = LoginThrottle::new(ThrottlePolicy::default());
        let key = [ThrottleKey::Account("x".into())];
        for _ in 0..5 {
            th.record_failure(&key, t0());
            assert_eq!(th.check(&key, t0()), Ok(()));
        }
        let mut expected = 1;
        for _ in 0..5 {
            th.record_failure(&key, t0());
            assert_eq!(th.check(&key, t0()), Err(Duration::seconds(expected)));
            expected *= 2;
        }
    }

    #[test]
    fn delays_are_capped_and_forgotten() {
        let th = LoginThrottle::new(ThrottlePolicy::default());
        let key = [ThrottleKey::Client("1.2.3.4".into())];
        for _ in 0..60 {
            th.record_failure(&key, t0());
        }
        assert_eq!(th.check(&key, t0()), Err(Duration::minutes(15)));
        let later = t0() + Duration::hours(2);
        th.record_failure(&key, later);
        assert_eq!(th.check(&key, later), Ok(()));
    }

    #[test]
    fn success_clears_the_account_but_not_the_client() {
        let th = LoginThrottle::new(ThrottlePolicy::default());
        let account = ThrottleKey::Account("a".into());
        let client = ThrottleKey::Client("c".into());
        for _ in 0..25 {
            th.record_failure(&[account.clone(), client.clone()], t0());
        }
        th.record_success(&account);
        assert_eq!(th.check(std::slice::from_ref(&account), t0()), Ok(()));
        assert!(th.check(std::slice::from_ref(&client), t0()).is_err());
    }
}
