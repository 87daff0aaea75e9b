//! Throw-away databases for tests of this crate and of the crates built on it
//! (enable the `test-support` feature in their `[dev-dependencies]`).
//!
//! Every [`TestDb`] is a database of its own: a temp SQLite file, or a fresh PostgreSQL
//! database `pantry_test_<uuid>` created through the admin URL in `TEST_DATABASE_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`) and dropped again afterwards.
//! Tests can therefore run in parallel and see committed data across connections.
//!
//! Without PostgreSQL, [`TestDb::postgres`] prints `skipped: …` and returns `None`, so a plain
//! `cargo test` passes on a laptop. CI sets `PIXIE_REQUIRE_POSTGRES=1`, which turns that into
//! a panic: the PostgreSQL half can never be skipped silently there.
//!
//! All helpers work on current-thread runtimes (`#[tokio::test]`, `#[actix_web::test]`).

use crate::backend::redact_password;
use crate::connection::connect_postgres;
use crate::migrations::run_migrations;
use crate::pool::{Database, DbConfig};
use diesel_async::SimpleAsyncConnection;
use std::time::Duration;

/// The admin URL used when `TEST_DATABASE_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated (or, from the `*_empty` constructors, empty) database that is deleted on drop.
pub struct TestDb {
    /// The URL of this test's database; give it to `run_migrations`, `DbConfig` etc.
    pub url: String,
    /// A pool on that database (8 connections, 5 s connect timeout).
    pub db: Database,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Deleting the directory deletes the file and its -wal/-shm companions.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDb")
            .field("url", &redact_password(&self.url))
            .finish()
    }
}

impl TestDb {
    /// A fresh, migrated SQLite file in a temp directory.
    pub async fn sqlite() -> TestDb {
        let test_db = TestDb::sqlite_empty().await;
        test_db.migrate().await;
        test_db
    }

    /// A fresh SQLite location with no schema yet (the file is created on first use).
    pub async fn sqlite_empty() -> TestDb {
        let dir = tempfile::Builder::new()
            .prefix("pantry-test-")
            .tempdir()
            .expect("cannot create a temp directory for the SQLite test database");
        let url = format!("sqlite://{}", dir.path().join("pantry.db").display());
        TestDb::new(url, Cleanup::Sqlite(dir))
    }

    /// A fresh, migrated PostgreSQL database, or `None` (after printing why) when PostgreSQL
    /// is not reachable and `PIXIE_REQUIRE_POSTGRES=1` is not set.
    pub async fn postgres() -> Option<TestDb> {
        let test_db = TestDb::postgres_empty().await?;
        test_db.migrate().await;
        Some(test_db)
    }

    /// Like [`TestDb::postgres`] but without running migrations.
    pub async fn postgres_empty() -> Option<TestDb> {
        let admin_url =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let mut admin = match connect_postgres(&admin_url, Duration::from_secs(5)).await {
            Ok(conn) => conn,
            Err(err) => {
                let where_ = host_port(&admin_url);
                if std::env::var("PIXIE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!(
                        "PIXIE_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at {where_} \
                         ({}): {err}",
                        redact_password(&admin_url)
                    );
                }
                eprintln!("skipped: PostgreSQL not reachable at {where_}");
                return None;
            }
        };
        let name = format!("pantry_test_{}", uuid::Uuid::now_v7().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|err| panic!("cannot create test database {name}: {err}"));
        let url = with_database(&admin_url, &name);
        Some(TestDb::new(url, Cleanup::Postgres { admin_url, name }))
    }

    /// A [`DbConfig`] for this database with the test pool's settings; change fields to build
    /// a differently sized pool on the same database.
    pub fn config(&self) -> DbConfig {
        test_config(&self.url)
    }

    fn new(url: String, cleanup: Cleanup) -> TestDb {
        let db = Database::new(&test_config(&url))
            .unwrap_or_else(|err| panic!("cannot build the test pool: {err}"));
        TestDb { url, db, cleanup }
    }

    async fn migrate(&self) {
        run_migrations(&self.url)
            .await
            .unwrap_or_else(|err| panic!("migrating the test database failed: {err}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.db.close();
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        // Drop may run inside or outside a runtime, and blocking inside one is not allowed:
        // a plain thread with its own small runtime works in every case.
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|err| err.to_string())?;
            runtime.block_on(async {
                let mut admin = connect_postgres(&admin_url, Duration::from_secs(5))
                    .await
                    .map_err(|err| err.to_string())?;
                // FORCE ends sessions still open on it (pooled connections not yet closed).
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .map_err(|err| err.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("warning: could not drop test database: {err}"),
            Err(_) => eprintln!("warning: dropping the test database panicked"),
        }
    }
}

fn test_config(url: &str) -> DbConfig {
    DbConfig {
        url: url.to_owned(),
        pool_max: 8,
        idle_timeout: Duration::from_secs(60),
        connect_timeout: Duration::from_secs(5),
    }
}

/// The same server and credentials, another database: replaces the URL's path.
fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map(|at| &tail[at..]).unwrap_or("");
    format!("{scheme}://{authority}/{database}{query}")
}

/// `host:port` of a URL, for the skip message (no user, no password).
fn host_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.is_empty() {
        "localhost:5432".to_owned()
    } else if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_keeping_the_rest() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgresql://u:p@db?sslmode=disable", "t1"),
            "postgresql://u:p@db/t1?sslmode=disable"
        );
    }

    #[test]
    fn host_port_hides_credentials() {
        assert_eq!(host_port("postgres://u:secret@db:6543/x"), "db:6543");
        assert_eq!(host_port("postgres://db/x"), "db:5432");
    }
}
