//! The pool: bounded waits, health, URL handling, per-connection settings.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::RunQueryDsl;
use pantry_core::health::HealthProbe;
use pantry_core::repo_error::RepoError;
use pantry_store::test_support::TestDb;
use pantry_store::{Backend, Database, DbConfig, StoreError};
use std::time::{Duration, Instant};

/// With one connection checked out of a one-connection pool, the next checkout gives up with
/// `Unavailable` after about `connect_timeout` instead of hanging.
async fn exhausted_pool_is_unavailable(t: &TestDb) {
    let db = Database::new(&DbConfig {
        pool_max: 1,
        connect_timeout: Duration::from_millis(300),
        ..t.config()
    })
    .expect("pool");
    let held = db.conn().await.expect("the only connection");

    let started = Instant::now();
    let err = db.conn().await.expect_err("pool exhausted");
    assert!(matches!(err, RepoError::Unavailable(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "gave up in time"
    );
    assert!(matches!(db.check().await, Err(RepoError::Unavailable(_))));

    drop(held);
    drop(db.conn().await.expect("free again"));
    db.check().await.expect("healthy again");
}
on_both_backends!(exhausted_pool_is_unavailable => sqlite_exhausted_pool_is_unavailable, postgres_exhausted_pool_is_unavailable);

async fn health_check_passes(t: &TestDb) {
    t.db.check().await.expect("healthy");
}
on_both_backends!(health_check_passes => sqlite_health_check_passes, postgres_health_check_passes);

#[tokio::test]
async fn unreachable_postgres_is_unavailable_quickly() {
    let db = Database::new(&DbConfig {
        connect_timeout: Duration::from_secs(2),
        ..DbConfig::new("postgres://pixie:hunter2@127.0.0.1:1/pantry")
    })
    .expect("building the pool opens nothing");
    assert_eq!(db.backend(), Backend::Postgres);

    let started = Instant::now();
    let err = db.check().await.expect_err("nothing listens on port 1");
    match &err {
        RepoError::Unavailable(text) => assert!(!text.contains("hunter2"), "{text}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5), "failed fast");
    assert!(matches!(db.conn().await, Err(RepoError::Unavailable(_))));
}

#[test]
fn unknown_schemes_and_bad_settings_are_errors() {
    for url in [
        "mysql://root@localhost/pantry",
        "pantry.db",
        "./data/pantry.db",
        "sqlite:pantry.db",
    ] {
        assert!(
            matches!(
                Database::new(&DbConfig::new(url)),
                Err(StoreError::InvalidUrl(_))
            ),
            "{url}"
        );
        assert!(Backend::from_url(url).is_err(), "{url}");
    }
    let zero = DbConfig {
        pool_max: 0,
        ..DbConfig::new("sqlite://x.db")
    };
    assert!(matches!(Database::new(&zero), Err(StoreError::Config(_))));
}

#[tokio::test]
async fn connect_refuses_unknown_schemes() {
    let err = pantry_store::connect("redis://localhost", Duration::from_secs(1))
        .await
        .expect_err("not a database URL");
    assert!(err.to_string().contains("redis"), "{err}");
}

#[test]
fn config_debug_hides_the_password() {
    let cfg = DbConfig::new("postgres://pixie:hunter2@db/pantry");
    let shown = format!("{cfg:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("pixie:***@db"), "{shown}");
}

#[tokio::test]
async fn sqlite_connections_get_their_pragmas() {
    #[derive(QueryableByName)]
    struct Pragmas {
        #[diesel(sql_type = Integer)]
        foreign_keys: i32,
        #[diesel(sql_type = Integer)]
        busy_timeout: i32,
        #[diesel(sql_type = Text)]
        journal_mode: String,
        #[diesel(sql_type = Integer)]
        synchronous: i32,
    }
    let t = TestDb::sqlite().await;
    let mut conn = t.db.conn().await.expect("conn");
    let p: Pragmas = diesel::sql_query(
        "SELECT (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys,
                (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout,
                (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode,
                (SELECT synchronous FROM pragma_synchronous) AS synchronous",
    )
    .get_result(&mut *conn)
    .await
    .expect("pragmas");
    assert_eq!(p.foreign_keys, 1);
    assert_eq!(p.busy_timeout, 5000);
    assert_eq!(p.journal_mode, "wal");
    assert_eq!(p.synchronous, 1, "NORMAL");
}

#[tokio::test]
async fn sqlite_pool_creates_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/pantry.db");
    let db = Database::new(&DbConfig::new(format!("sqlite://{}", path.display()))).expect("pool");
    assert_eq!(db.backend(), Backend::Sqlite);
    db.check().await.expect("opens and creates");
    assert!(path.is_file());
}

#[derive(QueryableByName)]
struct BackendPid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

async fn backend_pid(db: &Database) -> i32 {
    let mut conn = db.conn().await.expect("conn");
    let row: BackendPid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(&mut *conn)
        .await
        .expect("pid");
    row.pid
}

/// A connection idle for longer than `idle_timeout` is replaced on the next checkout; a
/// recently used one is reused.
#[tokio::test]
async fn postgres_idle_connections_are_replaced() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let reusing = Database::new(&DbConfig {
        pool_max: 1,
        ..t.config()
    })
    .expect("pool");
    assert_eq!(backend_pid(&reusing).await, backend_pid(&reusing).await);

    let expiring = Database::new(&DbConfig {
        pool_max: 1,
        idle_timeout: Duration::from_millis(50),
        ..t.config()
    })
    .expect("pool");
    let first = backend_pid(&expiring).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_ne!(first, backend_pid(&expiring).await);
}

#[tokio::test]
async fn postgres_sessions_are_in_utc() {
    #[derive(QueryableByName)]
    struct Zone {
        #[diesel(sql_type = Text)]
        zone: String,
        #[diesel(sql_type = BigInt)]
        skew: i64,
    }
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let mut conn = t.db.conn().await.expect("conn");
    let z: Zone = diesel::sql_query(
        "SELECT current_setting('TimeZone') AS zone,
                abs(extract(epoch FROM (now()::timestamp - (now() AT TIME ZONE 'UTC'))))::bigint AS skew",
    )
    .get_result(&mut *conn)
    .await
    .expect("zone");
    assert_eq!(z.zone, "UTC");
    assert_eq!(z.skew, 0);
}

/// The server closing a pooled connection (restart, failover, idle kill) costs at most one
/// failed query: the broken connection is discarded and the next checkout opens a new one.
#[tokio::test]
async fn postgres_pool_recovers_after_the_server_drops_its_connections() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let db = Database::new(&DbConfig {
        pool_max: 1,
        ..t.config()
    })
    .expect("pool");
    db.check().await.expect("healthy first");

    let admin_url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| pantry_store::test_support::DEFAULT_ADMIN_URL.to_owned());
    let database = t.url.rsplit('/').next().expect("database name").to_owned();
    let mut admin = pantry_store::connect(&admin_url, Duration::from_secs(5))
        .await
        .expect("admin connection");
    #[derive(QueryableByName)]
    struct Killed {
        #[diesel(sql_type = BigInt)]
        killed: i64,
    }
    let killed: Killed = diesel::sql_query(
        "SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity WHERE datname = $1",
    )
    .bind::<Text, _>(&database)
    .get_result(&mut admin)
    .await
    .expect("terminate");
    assert_eq!(killed.killed, 1, "the pool's one connection was killed");
    tokio::time::sleep(Duration::from_millis(100)).await;

    let first = db.check().await;
    let second = db.check().await;
    assert!(
        first.is_ok() || second.is_ok(),
        "still failing after the broken connection was used: {first:?} / {second:?}"
    );
    db.check().await.expect("healthy again");
}

/// A request that is abandoned mid-query (the client hung up, the request timed out) drops
/// the query's future while SQLite is still working on a blocking thread. On actix's
/// current-thread workers that must neither panic nor break the connection for the next user.
#[tokio::test(flavor = "current_thread")]
async fn sqlite_queries_abandoned_midway_neither_panic_nor_break_the_connection() {
    let t = TestDb::sqlite().await;
    let db = Database::new(&DbConfig {
        pool_max: 1,
        ..t.config()
    })
    .expect("pool");
    // A query that keeps SQLite busy for a while: a large recursive count.
    const SLOW: &str = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000) \
                        SELECT count(*) AS value FROM n";
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    for _ in 0..3 {
        let mut conn = db.conn().await.expect("conn");
        let abandoned = tokio::time::timeout(Duration::from_millis(5), async {
            diesel::sql_query(SLOW)
                .get_result::<Value>(&mut *conn)
                .await
        })
        .await;
        assert!(abandoned.is_err(), "the slow query should still be running");
        drop(conn);
        // The same (only) connection serves the next query, after the abandoned one finished.
        let mut conn = db.conn().await.expect("conn again");
        let one: Value = diesel::sql_query("SELECT 1 AS value")
            .get_result(&mut *conn)
            .await
            .expect("next query works");
        assert_eq!(one.value, 1);
    }
}
