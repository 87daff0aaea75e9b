//! Errors of this crate, and how driver errors become the domain's [`RepoError`].
//!
//! [`StoreError`] covers start-up work (configuration, connecting, migrating), where the
//! operator needs a precise message. Everything a repository returns is a [`RepoError`];
//! [`to_repo_error`] is the one place that decides which diesel failure is which.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use pantry_core::repo_error::RepoError;
use thiserror::Error;

/// Why the store could not be configured, reached or migrated. Messages name what went wrong
/// and which database (without its password), never the secret itself.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL is not one this crate understands.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// A setting other than the URL is unusable (e.g. a pool of size 0).
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// The connection pool could not be built.
    #[error("cannot build the database pool: {0}")]
    Pool(String),
    /// No connection could be opened.
    #[error("cannot connect to {target}: {message}")]
    Connect {
        /// The database, with any password replaced by `***`.
        target: String,
        /// What the driver said.
        message: String,
    },
    /// The directory of an SQLite file could not be created.
    #[error("cannot create the directory for {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Running the embedded migrations failed.
    #[error("migrating {target} failed: {message}")]
    Migration {
        /// The database, with any password replaced by `***`.
        target: String,
        /// What failed, usually the failing migration and the database's message.
        message: String,
    },
}

/// The error type for `AsyncConnection::transaction` bodies that call repository helpers.
///
/// diesel-async needs `E: From<diesel::result::Error>`, which `RepoError` (defined in
/// pantry-core, which knows nothing of diesel) cannot provide. `?` converts both diesel errors
/// and `RepoError`s into this, and `RepoError::from` turns it back:
///
/// ```no_run
/// # use pantry_core::change_log::{HomeEvent, NewHomeEvent};
/// # use pantry_core::repo_error::RepoError;
/// # use pantry_store::{AnyConnection, TxError, append_event};
/// # async fn record(conn: &mut AnyConnection, new_event: NewHomeEvent) -> Result<HomeEvent, RepoError> {
/// use diesel_async::AsyncConnection;
/// conn.transaction::<_, TxError, _>(async |c| {
///     let ev = append_event(c, &new_event).await?;
///     Ok(ev)
/// })
/// .await
/// .map_err(RepoError::from)
/// # }
/// ```
#[derive(Debug)]
pub enum TxError {
    /// A query failed; mapped by [`to_repo_error`] on the way out.
    Diesel(DieselError),
    /// A helper already produced a domain error.
    Repo(RepoError),
}

impl From<DieselError> for TxError {
    fn from(err: DieselError) -> Self {
        TxError::Diesel(err)
    }
}

impl From<RepoError> for TxError {
    fn from(err: RepoError) -> Self {
        TxError::Repo(err)
    }
}

impl From<TxError> for RepoError {
    fn from(err: TxError) -> Self {
        match err {
            TxError::Diesel(err) => to_repo_error(err),
            TxError::Repo(err) => err,
        }
    }
}

impl std::fmt::Display for TxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxError::Diesel(err) => err.fmt(f),
            TxError::Repo(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for TxError {}

/// Maps a diesel error to the domain's repository error.
///
/// - no row → `NotFound`;
/// - unique or foreign-key violation → `Conflict(name)`, where `name` is the constraint name
///   from the migrations on both backends (e.g. `memberships_home_user_key`), so callers can
///   tell a taken e-mail address from a duplicate membership;
/// - lost connections, SQLite's "database is locked" and serialization failures →
///   `Unavailable` (retryable);
/// - anything else → `Storage(text)`.
pub fn to_repo_error(err: DieselError) -> RepoError {
    match err {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(kind, info) => {
            let message = info.message();
            match kind {
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation => {
                    RepoError::Conflict(constraint_label(info.constraint_name(), message))
                }
                DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::UnableToSendCommand
                | DatabaseErrorKind::SerializationFailure => {
                    RepoError::Unavailable(message.to_owned())
                }
                _ if is_sqlite_busy(message) => RepoError::Unavailable(message.to_owned()),
                _ => RepoError::Storage(message.to_owned()),
            }
        }
        other => RepoError::Storage(other.to_string()),
    }
}

fn is_sqlite_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database table is locked")
}

/// PostgreSQL reports the constraint by name. SQLite reports only the columns
/// (`UNIQUE constraint failed: memberships.home_id, memberships.user_id`) or nothing at all
/// for foreign keys, so its columns are looked up in [`UNIQUE_KEYS`] to give the same name.
fn constraint_label(pg_name: Option<&str>, message: &str) -> String {
    if let Some(name) = pg_name {
        return name.to_owned();
    }
    if let Some(columns) = message.strip_prefix("UNIQUE constraint failed: ") {
        let columns = columns.trim();
        if let Some((name, _)) = UNIQUE_KEYS.iter().find(|(_, cols)| *cols == columns) {
            return (*name).to_owned();
        }
        return columns.to_owned();
    }
    message.to_owned()
}

/// Every unique constraint and unique index of the migrations, with the column list SQLite
/// prints for it. Keep in step with `migrations/*/up.sql`; a test checks the common ones.
const UNIQUE_KEYS: &[(&str, &str)] = &[
    ("users_pkey", "users.id"),
    ("users_email_normalized_key", "users.email_normalized"),
    ("homes_pkey", "homes.id"),
    ("memberships_pkey", "memberships.id"),
    (
        "memberships_home_user_key",
        "memberships.home_id, memberships.user_id",
    ),
    ("invites_pkey", "invites.id"),
    ("invites_code_hash_key", "invites.code_hash"),
    ("receipts_pkey", "receipts.id"),
    ("items_pkey", "items.id"),
    (
        "items_home_id_client_id_key",
        "items.home_id, items.client_id",
    ),
    ("grocery_lists_pkey", "grocery_lists.id"),
    (
        "grocery_lists_one_default_per_home",
        "grocery_lists.home_id",
    ),
    ("list_items_pkey", "list_items.id"),
    ("chat_threads_pkey", "chat_threads.id"),
    ("chat_messages_pkey", "chat_messages.id"),
    ("chat_usage_pkey", "chat_usage.id"),
    ("notifications_pkey", "notifications.id"),
    (
        "notification_reads_pkey",
        "notification_reads.notification_id, notification_reads.user_id",
    ),
    ("usage_events_pkey", "usage_events.id"),
    ("home_events_pkey", "home_events.home_id, home_events.seq"),
    ("refresh_tokens_pkey", "refresh_tokens.id"),
    ("refresh_tokens_token_hash_key", "refresh_tokens.token_hash"),
    (
        "idempotency_keys_pkey",
        "idempotency_keys.user_id, idempotency_keys.key",
    ),
    (
        "job_claims_pkey",
        "job_claims.job, job_claims.scope_key, job_claims.window_key",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_column_lists_map_to_constraint_names() {
        assert_eq!(
            constraint_label(
                None,
                "UNIQUE constraint failed: memberships.home_id, memberships.user_id"
            ),
            "memberships_home_user_key"
        );
        assert_eq!(
            constraint_label(None, "UNIQUE constraint failed: grocery_lists.home_id"),
            "grocery_lists_one_default_per_home"
        );
        assert_eq!(
            constraint_label(Some("users_email_normalized_key"), "duplicate key value"),
            "users_email_normalized_key"
        );
        assert_eq!(
            constraint_label(None, "UNIQUE constraint failed: other.x"),
            "other.x"
        );
    }

    #[test]
    fn not_found_and_other_errors() {
        assert!(matches!(
            to_repo_error(DieselError::NotFound),
            RepoError::NotFound
        ));
        assert!(matches!(
            to_repo_error(DieselError::RollbackTransaction),
            RepoError::Storage(_)
        ));
    }

    #[test]
    fn tx_error_round_trips() {
        let err: RepoError = TxError::from(RepoError::Conflict("x".into())).into();
        assert!(matches!(err, RepoError::Conflict(name) if name == "x"));
        let err: RepoError = TxError::from(DieselError::NotFound).into();
        assert!(matches!(err, RepoError::NotFound));
    }
}
