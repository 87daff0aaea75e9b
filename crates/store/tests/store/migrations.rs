//! The embedded migrations: they create the schema `schema.rs` describes, on both backends
//! alike, exactly once, also when replicas start together.

use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text};
use diesel_async::RunQueryDsl;
use pantry_store::schema::*;
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, Backend, run_migrations};

/// How many migrations each backend has (`migrations/{postgres,sqlite}/*`).
const MIGRATIONS: usize = 3;

/// Runs `SELECT <every schema.rs column> FROM <table>` for every table: a missing table or
/// column, or a misspelt name, fails here.
async fn every_table_matches_schema_rs(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let conn = &mut *conn;
    macro_rules! probe {
        ($($table:ident),+ $(,)?) => {{
            let mut probed = Vec::new();
            $(
                diesel::QueryDsl::select($table::table, $table::all_columns)
                    .execute(conn)
                    .await
                    .unwrap_or_else(|err| panic!("table {}: {err}", stringify!($table)));
                probed.push(stringify!($table));
            )+
            probed
        }};
    }
    let probed = probe!(
        users,
        homes,
        memberships,
        invites,
        receipts,
        items,
        grocery_lists,
        list_items,
        chat_threads,
        chat_messages,
        chat_usage,
        notifications,
        notification_reads,
        usage_events,
        home_events,
        refresh_tokens,
        idempotency_keys,
        job_claims,
    );
    let mut in_db: Vec<String> = columns(conn)
        .await
        .into_iter()
        .map(|c| c.table_name)
        .collect();
    in_db.dedup();
    let mut probed: Vec<String> = probed.into_iter().map(str::to_owned).collect();
    probed.sort();
    assert_eq!(
        in_db, probed,
        "schema.rs and the database list different tables"
    );
}
on_both_backends!(every_table_matches_schema_rs => sqlite_every_table_matches_schema_rs, postgres_every_table_matches_schema_rs);

async fn running_again_applies_nothing(t: &TestDb) {
    assert_eq!(run_migrations(&t.url).await.expect("second run"), 0);
}
on_both_backends!(running_again_applies_nothing => sqlite_running_again_applies_nothing, postgres_running_again_applies_nothing);

async fn fresh_database_gets_every_migration(t: &TestDb) {
    assert_eq!(run_migrations(&t.url).await.expect("first run"), MIGRATIONS);
    assert_eq!(run_migrations(&t.url).await.expect("second run"), 0);
}

#[tokio::test]
async fn sqlite_fresh_database_gets_every_migration() {
    fresh_database_gets_every_migration(&TestDb::sqlite_empty().await).await;
}

#[tokio::test]
async fn postgres_fresh_database_gets_every_migration() {
    if let Some(t) = TestDb::postgres_empty().await {
        fresh_database_gets_every_migration(&t).await;
    }
}

/// Replicas starting together: every run succeeds, each migration is applied once.
async fn concurrent_runs_apply_once(t: &TestDb) {
    let (a, b, c) = tokio::join!(
        run_migrations(&t.url),
        run_migrations(&t.url),
        run_migrations(&t.url)
    );
    let applied = [a, b, c].map(|run| run.expect("every concurrent run succeeds"));
    assert_eq!(
        applied.iter().sum::<usize>(),
        MIGRATIONS,
        "applied: {applied:?}"
    );
}

#[tokio::test]
async fn postgres_concurrent_runs_apply_once() {
    if let Some(t) = TestDb::postgres_empty().await {
        concurrent_runs_apply_once(&t).await;
    }
}

#[tokio::test]
async fn sqlite_concurrent_runs_apply_once() {
    concurrent_runs_apply_once(&TestDb::sqlite_empty().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_also_run_on_a_multi_thread_runtime() {
    let t = TestDb::sqlite_empty().await;
    assert_eq!(run_migrations(&t.url).await.expect("migrate"), MIGRATIONS);
}

#[tokio::test]
async fn sqlite_migration_creates_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/deeper/pantry.db");
    let url = format!("sqlite://{}", path.display());
    assert_eq!(run_migrations(&url).await.expect("migrate"), MIGRATIONS);
    assert!(path.is_file());
}

#[tokio::test]
async fn unknown_schemes_are_refused() {
    for url in [
        "mysql://root@localhost/pantry",
        "pantry.db",
        "file:pantry.db",
    ] {
        let err = run_migrations(url).await.expect_err(url);
        assert!(
            matches!(err, pantry_store::StoreError::InvalidUrl(_)),
            "{url}: {err}"
        );
    }
}

#[tokio::test]
async fn connect_failure_names_the_database_without_its_password() {
    let err = run_migrations("postgres://pixie:hunter2@127.0.0.1:1/pantry")
        .await
        .expect_err("port 1 is closed");
    let text = err.to_string();
    assert!(
        matches!(err, pantry_store::StoreError::Connect { .. }),
        "{text}"
    );
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Both migrations must describe the same logical schema: same tables, same columns in the
/// same order with the same nullability, same explicitly created index names.
#[tokio::test]
async fn postgres_and_sqlite_schemas_are_the_same() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let mut pg_conn = pg.db.conn().await.expect("pg conn");
    let mut lite_conn = lite.db.conn().await.expect("sqlite conn");
    assert_eq!(pg_conn.backend(), Backend::Postgres);
    assert_eq!(lite_conn.backend(), Backend::Sqlite);

    let pg_columns = columns(&mut pg_conn).await;
    let lite_columns = columns(&mut lite_conn).await;
    assert!(pg_columns.len() > 100, "suspiciously few columns");
    for (p, l) in pg_columns.iter().zip(&lite_columns) {
        assert_eq!(
            p, l,
            "first difference between the PostgreSQL and SQLite schema"
        );
    }
    assert_eq!(pg_columns.len(), lite_columns.len());

    let pg_indexes = index_names(&mut pg_conn).await;
    assert!(!pg_indexes.is_empty());
    assert_eq!(pg_indexes, index_names(&mut lite_conn).await);
}

#[derive(Debug, PartialEq, QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

/// Every column of the application's tables, ordered by table then position.
async fn columns(conn: &mut AnyConnection) -> Vec<ColumnInfo> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name,
                    CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null
             FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
             ORDER BY table_name, ordinal_position"
        }
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" AS not_null
             FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '__diesel_schema_migrations'
             ORDER BY m.name, p.cid"
        }
    };
    diesel::sql_query(sql)
        .load(conn)
        .await
        .expect("list columns")
}

#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Names of indexes created with CREATE INDEX (not those backing PRIMARY KEY / UNIQUE
/// constraints, which SQLite names automatically).
async fn index_names(conn: &mut AnyConnection) -> Vec<String> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT indexname::text AS name FROM pg_indexes
             WHERE schemaname = 'public'
               AND indexname NOT IN (SELECT conname FROM pg_constraint)
             ORDER BY 1"
        }
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL
             ORDER BY 1"
        }
    };
    let rows: Vec<IndexName> = diesel::sql_query(sql)
        .load(conn)
        .await
        .expect("list indexes");
    rows.into_iter().map(|r| r.name).collect()
}

/// Reverting every migration (their down.sql) leaves no table behind, and migrating
/// again afterwards works.
async fn down_migrations_remove_everything(t: &TestDb) {
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    let backend = t.db.backend();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(match backend {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        });
    let url = t.url.clone();
    // The harness is synchronous: run it off the async workers, like run_migrations does.
    let reverted = tokio::task::spawn_blocking(move || {
        let source = FileBasedMigrations::from_path(&dir).expect("migrations dir");
        match backend {
            Backend::Postgres => {
                use diesel::Connection;
                let mut conn = diesel_async::async_connection_wrapper::AsyncConnectionWrapper::<
                    diesel_async::AsyncPgConnection,
                >::establish(&url)
                .expect("connect");
                conn.revert_all_migrations(source).map(|v| v.len())
            }
            Backend::Sqlite => {
                use diesel::Connection;
                let path = url.strip_prefix("sqlite://").expect("sqlite url");
                let mut conn = diesel::SqliteConnection::establish(path).expect("open");
                conn.revert_all_migrations(source).map(|v| v.len())
            }
        }
        .expect("revert")
    })
    .await
    .expect("revert task");
    assert_eq!(reverted, MIGRATIONS);

    let mut conn = t.db.conn().await.expect("conn");
    assert!(
        columns(&mut conn).await.is_empty(),
        "down.sql left tables behind"
    );
    assert!(
        index_names(&mut conn).await.is_empty(),
        "down.sql left indexes behind"
    );
    drop(conn);
    assert_eq!(
        run_migrations(&t.url).await.expect("migrate again"),
        MIGRATIONS
    );
}
on_both_backends!(down_migrations_remove_everything => sqlite_down_migrations_remove_everything, postgres_down_migrations_remove_everything);
