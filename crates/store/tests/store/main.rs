//! pantry-store's behaviour, one suite run against SQLite and PostgreSQL.
//!
//! Each behaviour is an `async fn(&TestDb)`; [`on_both_backends!`] turns it into a
//! `sqlite_…` and a `postgres_…` test. Without a reachable PostgreSQL the `postgres_…` tests
//! print `skipped: …` and pass, unless `PIXIE_REQUIRE_POSTGRES=1` (CI) makes them fail.
//! Everything lives in one test binary so it is linked once.

/// `on_both_backends!(behaviour => sqlite_name, postgres_name);` generates two `#[tokio::test]`s
/// (current-thread, which `run_migrations` must cope with). Append `, multi_thread` for tests
/// that want real parallelism.
macro_rules! on_both_backends {
    ($behaviour:ident => $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let db = pantry_store::test_support::TestDb::sqlite().await;
            $behaviour(&db).await;
        }

        #[tokio::test]
        async fn $postgres() {
            if let Some(db) = pantry_store::test_support::TestDb::postgres().await {
                $behaviour(&db).await;
            }
        }
    };
    ($behaviour:ident => $sqlite:ident, $postgres:ident, multi_thread) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $sqlite() {
            let db = pantry_store::test_support::TestDb::sqlite().await;
            $behaviour(&db).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $postgres() {
            if let Some(db) = pantry_store::test_support::TestDb::postgres().await {
                $behaviour(&db).await;
            }
        }
    };
}

mod accounts;
mod activity;
mod change_log;
mod change_signals;
mod chat;
mod constraints;
mod fixtures;
mod homes;
mod idempotency;
mod insights;
mod invites;
mod items;
mod lists;
mod migrations;
mod notifications;
mod pool;
mod portability;
mod preferences;
mod scheduler;
mod sessions;
