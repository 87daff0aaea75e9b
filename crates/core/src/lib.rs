//! # pantry-core
//!
//! The domain of Pantry Pixie: the model of users, homes, pantry items, grocery lists and
//! chat, the rules that govern them, and the ports (traits) through which the outside world
//! is reached. This crate performs no I/O and names no framework: storage, HTTP, the language
//! model and logging live in adapter crates that implement these ports.
//!
//! ```
//! use pantry_core::clock::{Clock, FixedClock};
//! use chrono::{TimeZone, Utc};
//!
//! let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap());
//! assert_eq!(clock.now().to_rfc3339(), "2026-12-04T09:00:00+00:00");
//! ```

#![deny(missing_docs)]

pub mod accounts;
pub mod activity;
pub mod change_feed;
pub mod change_log;
pub mod change_signals;
pub mod clock;
pub mod health;
pub mod homes;
pub mod idempotency;
pub mod ids;
pub mod insights;
pub mod items;
pub mod lists;
pub mod money;
pub mod notifications;
pub mod pixie;
pub mod portability;
pub mod receipts;
pub mod repo_error;
pub mod scheduler;
