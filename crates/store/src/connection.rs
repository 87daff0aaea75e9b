//! One connection type for both backends, and the only way this crate opens connections.
//!
//! `#[derive(diesel::MultiConnection)]` generates `MultiBackend` (re-exported from this
//! module), so repository queries are written once against `&mut AnyConnection`. Queries
//! `MultiBackend` cannot express (upserts) go through [`crate::per_backend!`].

use crate::abandon_safe::WaitOnAbandon;
use crate::backend::{Target, ensure_parent_dir};
use diesel::ConnectionError;
use diesel::connection::SimpleConnection;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use pantry_core::change_signals::ChangeHint;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::broadcast;

/// The SQLite connection as diesel-async sees it: a sync connection whose queries run on
/// tokio's blocking pool and safe to abandon on any runtime ([`WaitOnAbandon`]). The alias is
/// required: the derive cannot take a generic type.
pub type SqliteConn = SyncConnectionWrapper<diesel::SqliteConnection, WaitOnAbandon>;

/// A connection to either backend. Open it with [`connect`], never with the derived
/// `establish` (which tries each backend in turn and discards their errors).
#[derive(diesel::MultiConnection)]
#[diesel_async]
// The derive needs the connection types themselves (no Box), and connections live in the
// pool's slots rather than being moved around, so the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum AnyConnection {
    /// PostgreSQL through tokio-postgres (no libpq).
    Postgresql(AsyncPgConnection),
    /// SQLite, bundled.
    Sqlite(SqliteConn),
}

// The inner connections are not `Debug`; naming the backend is what a log needs.
impl std::fmt::Debug for AnyConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnyConnection({})", self.backend())
    }
}

impl AnyConnection {
    /// Which backend this connection talks to.
    pub fn backend(&self) -> crate::Backend {
        match self {
            AnyConnection::Postgresql(_) => crate::Backend::Postgres,
            AnyConnection::Sqlite(_) => crate::Backend::Sqlite,
        }
    }
}

/// Per-connection SQLite settings (PRAGMAs do not persist in the file, except journal_mode):
/// enforce foreign keys, wait up to 5 s for a writer instead of failing with SQLITE_BUSY, and
/// use WAL so readers never block the writer. NORMAL sync is durable in WAL mode except for
/// the last transactions before a power loss.
pub(crate) const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 5000; \
     PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL;";

/// Opens a connection to the database `url` names, within `timeout`.
///
/// `postgres://` / `postgresql://` open PostgreSQL; `sqlite://PATH` opens (and creates) the
/// SQLite file at PATH, creating its directory, with foreign keys on, a 5 s busy timeout,
/// WAL and `synchronous = NORMAL`. Any other URL is refused.
pub async fn connect(url: &str, timeout: Duration) -> Result<AnyConnection, ConnectionError> {
    connect_announcing(url, timeout, None).await
}

/// [`connect`], with SQLite connections announcing their change-log appends on `hints`
/// (PostgreSQL announces them with `NOTIFY` instead; see [`crate::change_signals`]).
pub(crate) async fn connect_announcing(
    url: &str,
    timeout: Duration,
    hints: Option<broadcast::Sender<ChangeHint>>,
) -> Result<AnyConnection, ConnectionError> {
    let target =
        Target::parse(url).map_err(|err| ConnectionError::InvalidConnectionUrl(err.to_string()))?;
    match target {
        Target::Postgres(url) => connect_postgres(&url, timeout)
            .await
            .map(AnyConnection::Postgresql),
        Target::Sqlite(path) => connect_sqlite(path, timeout, hints)
            .await
            .map(AnyConnection::Sqlite),
    }
}

/// A bare PostgreSQL connection (used by migrations and test set-up as well as the pool).
pub(crate) async fn connect_postgres(
    url: &str,
    timeout: Duration,
) -> Result<AsyncPgConnection, ConnectionError> {
    let mut conn = tokio::time::timeout(timeout, AsyncPgConnection::establish(url))
        .await
        .map_err(|_| {
            ConnectionError::BadConnection(format!(
                "no answer from PostgreSQL within {} ms",
                timeout.as_millis()
            ))
        })??;
    // Columns are naive UTC; pin the session zone so any server-side now() agrees with them.
    conn.batch_execute("SET TIME ZONE 'UTC'")
        .await
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Opens the SQLite file on the blocking pool (directory creation and `sqlite3_open` are
/// blocking calls), bounded by `timeout` in case another process holds a lock for long.
async fn connect_sqlite(
    path: PathBuf,
    timeout: Duration,
    hints: Option<broadcast::Sender<ChangeHint>>,
) -> Result<SqliteConn, ConnectionError> {
    let open = tokio::task::spawn_blocking(move || {
        let mut conn = open_sqlite(&path)?;
        crate::change_signals::announce_on(&mut conn, hints)
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        Ok::<_, ConnectionError>(conn)
    });
    let conn = tokio::time::timeout(timeout, open)
        .await
        .map_err(|_| {
            ConnectionError::BadConnection(format!(
                "SQLite file not ready within {} ms",
                timeout.as_millis()
            ))
        })?
        .map_err(|err| ConnectionError::BadConnection(format!("opening SQLite failed: {err}")))??;
    Ok(SyncConnectionWrapper::new(conn))
}

/// Opens (creating if needed) an SQLite file with [`SQLITE_PRAGMAS`]; blocking.
pub(crate) fn open_sqlite(path: &Path) -> Result<diesel::SqliteConnection, ConnectionError> {
    use diesel::Connection;
    ensure_parent_dir(path).map_err(|err| {
        ConnectionError::BadConnection(format!(
            "cannot create the directory for {}: {err}",
            path.display()
        ))
    })?;
    let path_str = path.to_str().ok_or_else(|| {
        ConnectionError::InvalidConnectionUrl(format!(
            "the SQLite path {} is not valid UTF-8",
            path.display()
        ))
    })?;
    let mut conn = diesel::SqliteConnection::establish(path_str)?;
    conn.batch_execute(SQLITE_PRAGMAS)
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Runs `$body` with `$c` bound to the concrete connection, compiled once per backend.
///
/// For queries that each backend supports but `MultiBackend` cannot build, above all
/// `ON CONFLICT` upserts. The body must compile for both connection types and both arms must
/// produce the same type. For SQL only one backend has (`FOR UPDATE`, advisory locks), match
/// on [`AnyConnection`] directly.
///
/// ```no_run
/// # async fn claim(conn: &mut pantry_store::AnyConnection) -> diesel::QueryResult<usize> {
/// use diesel::prelude::*;
/// use diesel_async::RunQueryDsl;
/// use pantry_store::{per_backend, schema::job_claims::dsl as j};
/// let now = chrono::Utc::now().naive_utc();
/// per_backend!(conn, |c| {
///     diesel::insert_into(j::job_claims)
///         .values((j::job.eq("digest"), j::scope_key.eq("home-1"), j::window_key.eq("2026-W49"),
///                  j::claimed_by.eq("replica-a"), j::claimed_at.eq(now)))
///         .on_conflict_do_nothing()
///         .execute(c)
///         .await
/// })
/// # }
/// ```
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::connection::AnyConnection::Postgresql($c) => $body,
            $crate::connection::AnyConnection::Sqlite($c) => $body,
        }
    };
}
