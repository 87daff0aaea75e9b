//! # pantry-store
//!
//! Storage for Pantry Pixie: one diesel-async code base serving PostgreSQL (production,
//! several replicas) and an SQLite file (embedded default), chosen by the database URL.
//!
//! - [`Database`] is the connection pool; it implements the core's `HealthProbe`.
//! - [`run_migrations`] applies the embedded schema (`migrations/postgres`,
//!   `migrations/sqlite`) on any tokio runtime, serialised across replicas on PostgreSQL.
//! - [`schema`] is the single portable diesel schema; [`AnyConnection`] the connection type
//!   repositories are written against; [`per_backend!`] the escape hatch for dialect-only SQL.
//! - [`change_log`] appends to and reads the per-home change log; [`StoreChangeSignals`]
//!   hints live updates that a home's log moved (in-process on SQLite, `LISTEN/NOTIFY` on
//!   PostgreSQL).
//! - [`StoreAccounts`] and [`StoreSessions`] implement the core's account and refresh-token
//!   ports (a user's preferences in `preferences.rs`); [`StoreHomes`] the homes-and-memberships port;
//!   [`StoreInvites`] the invites port; [`StoreActivity`] the activity feed's reads;
//!   [`StoreIdempotency`] the idempotency-key port; [`StoreItems`] the pantry;
//!   [`StoreLists`] and [`StoreListItems`] the grocery-list ports;
//!   [`StorePortability`] export and import of a whole home; [`StoreChat`] Pixie's chat
//!   threads, messages and token usage; [`StoreInsights`] the spend and usage-history reads
//!   behind budgets and restock predictions;
//!   [`StoreReceipts`] confirmed receipts and their lines.
//!   [`StoreNotifications`] the household inbox.
//! - `test_support` (feature `test-support`) hands out throw-away databases for tests.
//!
//! ```no_run
//! # async fn start() -> Result<(), pantry_store::StoreError> {
//! use pantry_store::{Database, DbConfig, run_migrations};
//!
//! let cfg = DbConfig::new("sqlite://./data/pantry.db");
//! let applied = run_migrations(&cfg.url).await?;
//! let db = Database::new(&cfg)?;
//! # let _ = (applied, db); Ok(()) }
//! ```

pub mod abandon_safe;
pub mod accounts;
pub mod activity;
pub mod backend;
pub mod change_log;
pub mod change_signals;
pub mod chat;
pub mod connection;
pub mod error;
pub mod homes;
pub mod idempotency;
mod ids;
pub mod insights;
pub mod invites;
pub mod items;
pub mod jobs;
pub mod list_items;
pub mod lists;
pub mod migrations;
pub mod notifications;
pub mod pool;
pub mod portability;
mod preferences;
pub mod receipts;
pub mod schema;
pub mod sessions;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

pub use accounts::StoreAccounts;
pub use activity::StoreActivity;
pub use backend::Backend;
pub use change_log::{StoreChangeLog, append_event};
pub use change_signals::{ListenerEvent, StoreChangeSignals};
pub use chat::StoreChat;
pub use connection::{AnyConnection, SqliteConn, connect};
pub use error::{StoreError, TxError, to_repo_error};
pub use homes::StoreHomes;
pub use idempotency::StoreIdempotency;
pub use insights::StoreInsights;
pub use invites::StoreInvites;
pub use items::StoreItems;
pub use jobs::StoreJobs;
pub use list_items::StoreListItems;
pub use lists::StoreLists;
pub use migrations::run_migrations;
pub use notifications::StoreNotifications;
pub use pool::{Database, DbConfig, PooledConnection};
pub use portability::StorePortability;
pub use receipts::StoreReceipts;
pub use sessions::StoreSessions;
