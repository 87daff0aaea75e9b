//! Per-instance chat limits: how often one person may send, and how many turns may run in
//! one home at once. They protect the model budget and the server from a runaway client;
//! the monthly token budget (stored, so shared by every replica) is the hard limit.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// A token bucket per person: `per_minute` messages a minute, with bursts of the same size.
pub struct SendRate {
    per_minute: u32,
    buckets: Mutex<HashMap<Uuid, (f64, DateTime<Utc>)>>,
}

/// Buckets kept before full ones are forgotten (a full bucket carries no information).
const KEPT_BUCKETS: usize = 10_000;

impl SendRate {
    /// `per_minute` messages a minute per person; 0 means no limit.
    pub fn new(per_minute: u32) -> SendRate {
        SendRate {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one message from `user`'s bucket, or says how long until one is available.
    pub fn take(&self, user: Uuid, now: DateTime<Utc>) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_ms = capacity / 60_000.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > KEPT_BUCKETS {
            buckets.retain(|_, (level, at)| {
                *level + (now - *at).num_milliseconds() as f64 * per_ms < capacity
            });
        }
        let (level, at) = buckets.entry(user).or_insert((capacity, now));
        let refilled =
            (*level + (now - *at).num_milliseconds().max(0) as f64 * per_ms).min(capacity);
        if refilled >= 1.0 {
            *level = refilled - 1.0;
            *at = now;
            Ok(())
        } else {
            *level = refilled;
            *at = now;
            Err(Duration::milliseconds(
                ((1.0 - refilled) / per_ms).ceil() as i64
            ))
        }
    }
}

/// How many turns run in each home right now.
#[derive(Clone)]
pub struct TurnGate {
    limit: usize,
    running: Arc<Mutex<HashMap<Uuid, usize>>>,
}

/// A running turn; dropping it frees the place.
pub struct TurnPass {
    home_id: Uuid,
    running: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl TurnGate {
    /// At most `limit` turns at once per home (at least one).
    pub fn new(limit: usize) -> TurnGate {
        TurnGate {
            limit: limit.max(1),
            running: Arc::default(),
        }
    }

    /// A place for one more turn in `home_id`, or `None` when the home is at its limit.
    pub fn enter(&self, home_id: Uuid) -> Option<TurnPass> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let count = running.entry(home_id).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(TurnPass {
            home_id,
            running: Arc::clone(&self.running),
        })
    }
}

impl Drop for TurnPass {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = running.get_mut(&self.home_id) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.home_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_refused_then_refills() {
        let rate = SendRate::new(3);
        let alex = Uuid::now_v7();
        let t0 = Utc::now();
        for _ in 0..3 {
            assert!(rate.take(alex, t0).is_ok());
        }
        let wait = rate.take(alex, t0).unwrap_err();
        assert!(
            wait > Duration::seconds(15) && wait <= Duration::seconds(20),
            "{wait}"
        );
        assert!(
            rate.take(Uuid::now_v7(), t0).is_ok(),
            "others are not affected"
        );
        assert!(rate.take(alex, t0 + Duration::seconds(20)).is_ok());
    }

    #[test]
    fn the_gate_counts_per_home_and_frees_on_drop() {
        let gate = TurnGate::new(2);
        let home = Uuid::now_v7();
        let a = gate.enter(home).unwrap();
        let _b = gate.enter(home).unwrap();
        assert!(gate.enter(home).is_none());
        assert!(gate.enter(Uuid::now_v7()).is_some());
        drop(a);
        assert!(gate.enter(home).is_some());
    }
}
