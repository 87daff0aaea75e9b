//! Embedded schema migrations, one directory per backend.
//!
//! diesel's migration harness is synchronous. diesel-async's `AsyncMigrationHarness` bridges
//! it with `block_in_place`, which panics on a current-thread runtime (`#[tokio::test]`,
//! `#[actix_web::test]`). Instead the whole run happens inside `spawn_blocking`: PostgreSQL
//! through `AsyncConnectionWrapper` (which drives the async connection from the blocking
//! thread via the runtime handle; crates.io's pattern), SQLite through a plain sync
//! connection. That works on any tokio runtime.

use crate::backend::Target;
use crate::connection::{connect_postgres, open_sqlite};
use crate::error::StoreError;
use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::error::Error;
use std::path::Path;
use std::time::Duration;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Session advisory lock held while migrating PostgreSQL, so replicas that start together
/// migrate one after another (the later ones then find nothing pending). The value is
/// arbitrary but fixed: ASCII "PIXIEMIG".
pub const MIGRATION_LOCK_KEY: i64 = 0x5049_5849_454D_4947;

/// How long to wait for the database to accept the migration connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

type MigrationError = Box<dyn Error + Send + Sync>;

/// Applies every pending migration to the database `url` names and returns how many ran
/// (0 when the schema is already current).
///
/// Works on any tokio runtime. On PostgreSQL it first takes [`MIGRATION_LOCK_KEY`], waiting
/// (without a time limit) while another replica migrates, and connects within 10 s. On
/// SQLite it creates the file and its directory and applies everything in one
/// `BEGIN IMMEDIATE` transaction.
pub async fn run_migrations(url: &str) -> Result<usize, StoreError> {
    let target = Target::parse(url)?;
    let described = target.describe();
    let failed = |message: String| StoreError::Migration {
        target: described.clone(),
        message,
    };

    let task = match target {
        Target::Postgres(url) => {
            let conn = connect_postgres(&url, CONNECT_TIMEOUT)
                .await
                .map_err(|err| StoreError::Connect {
                    target: described.clone(),
                    message: err.to_string(),
                })?;
            tokio::task::spawn_blocking(move || migrate_postgres(conn))
        }
        Target::Sqlite(path) => {
            tokio::task::spawn_blocking(move || migrate_sqlite_serialised(&path))
        }
    };
    match task.await {
        Ok(Ok(applied)) => Ok(applied),
        Ok(Err(err)) => Err(failed(err.to_string())),
        Err(join) => Err(failed(format!("the migration task did not finish: {join}"))),
    }
}

/// Blocking: runs on a `spawn_blocking` thread, with the advisory lock held throughout.
fn migrate_postgres(conn: AsyncPgConnection) -> Result<usize, MigrationError> {
    let mut conn: AsyncConnectionWrapper<AsyncPgConnection> = conn.into();
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(&mut conn)?;
    let applied = conn
        .run_pending_migrations(POSTGRES_MIGRATIONS)
        .map(|versions| versions.len());
    // Closing the session would release the lock too; unlocking explicitly keeps the
    // order obvious. An unlock failure cannot leave the lock held once `conn` is dropped.
    let _unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(&mut conn);
    applied
}

/// One SQLite migration at a time in this process. Opening a fresh file switches it to WAL,
/// and SQLite answers that switch with "database is locked" at once (no busy wait) while
/// another connection holds the write lock; serialising in-process runs avoids it, and a
/// few spaced retries cover a second process migrating the same file.
fn migrate_sqlite_serialised(path: &Path) -> Result<usize, MigrationError> {
    static SQLITE_MIGRATIONS_RUNNING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = SQLITE_MIGRATIONS_RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut attempt = 0;
    loop {
        match migrate_sqlite(path) {
            Err(err) if attempt < 5 && err.to_string().contains("database is locked") => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(100 * attempt));
            }
            result => return result,
        }
    }
}

/// Blocking. Foreign keys are off on this connection on purpose: SQLite table rebuilds
/// (create new, copy, drop old, rename) would otherwise cascade deletes, and the pragma
/// cannot be changed inside a transaction. `foreign_key_check` verifies the result before
/// the transaction commits.
fn migrate_sqlite(path: &Path) -> Result<usize, MigrationError> {
    let mut conn = open_sqlite(path)?;
    conn.batch_execute("PRAGMA foreign_keys = OFF")?;
    // IMMEDIATE takes the write lock up front, so two processes migrating the same file
    // serialise (busy_timeout) instead of both applying the same migration.
    conn.immediate_transaction(|conn| -> Result<usize, MigrationError> {
        let applied = conn.run_pending_migrations(SQLITE_MIGRATIONS)?.len();
        let violations: Vec<ForeignKeyViolation> =
            diesel::sql_query("SELECT \"table\" AS child, parent FROM pragma_foreign_key_check")
                .load(conn)?;
        if let Some(first) = violations.first() {
            return Err(format!(
                "{} foreign key violation(s) after migrating, e.g. {} -> {}",
                violations.len(),
                first.child,
                first.parent
            )
            .into());
        }
        Ok(applied)
    })
}

#[derive(diesel::QueryableByName)]
struct ForeignKeyViolation {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}
