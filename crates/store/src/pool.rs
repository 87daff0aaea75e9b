//! The connection pool every repository draws from.
//!
//! A checkout never hangs: waiting for a free slot, opening a connection and re-checking an
//! idle one are each bounded by `connect_timeout`, and any of them failing is
//! `RepoError::Unavailable`, which the HTTP layer answers with 503 instead of a stuck request.

use crate::backend::{Backend, Target};
use crate::connection::{AnyConnection, connect_announcing};
use crate::error::StoreError;
use async_trait::async_trait;
use deadpool::Runtime;
use deadpool::managed::{HookError, PoolError, TimeoutType};
use diesel::IntoSql;
use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;
use diesel_async::pooled_connection::deadpool::{Hook, Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use futures_util::FutureExt;
use pantry_core::change_signals::ChangeHint;
use pantry_core::health::HealthProbe;
use pantry_core::repo_error::RepoError;
use std::time::Duration;
use tokio::sync::broadcast;

/// Hints buffered per receiver before a slow one is told to resync
/// ([`ChangeHint::Resync`]) instead.
const HINT_BUFFER: usize = 1024;

/// A connection checked out of the pool; returned to it when dropped.
pub type PooledConnection = Object<AnyConnection>;

/// How to reach the database and how many connections to keep.
#[derive(Clone, PartialEq, Eq)]
pub struct DbConfig {
    /// `postgres://…`, `postgresql://…` or `sqlite://PATH`.
    pub url: String,
    /// The most connections open at once.
    pub pool_max: usize,
    /// Connections unused for longer than this are closed instead of reused.
    pub idle_timeout: Duration,
    /// The longest a checkout may wait for a slot, and the longest a new connection may take.
    pub connect_timeout: Duration,
}

impl DbConfig {
    /// A configuration with this crate's defaults: 10 connections, 10 min idle, 5 s connect.
    pub fn new(url: impl Into<String>) -> DbConfig {
        DbConfig {
            url: url.into(),
            pool_max: 10,
            idle_timeout: Duration::from_secs(600),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

// Hand-written so that a logged config never shows the database password.
impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &crate::backend::redact_password(&self.url))
            .field("pool_max", &self.pool_max)
            .field("idle_timeout", &self.idle_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// The pool of connections to one database. Cheap to clone (an `Arc` inside).
///
/// It also owns this instance's channel of change-log hints (see
/// [`crate::change_signals`]): SQLite connections drawn from it announce their appends there,
/// and on PostgreSQL the listener forwards `NOTIFY`s into it.
#[derive(Clone)]
pub struct Database {
    pool: Pool<AnyConnection>,
    backend: Backend,
    target: String,
    connect_timeout: Duration,
    /// The URL as configured (with any password): the listener opens its own connection.
    url: String,
    hints: broadcast::Sender<ChangeHint>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("target", &self.target)
            .field("status", &self.pool.status())
            .finish()
    }
}

impl Database {
    /// Builds the pool. No connection is opened here: the first checkout opens one, so an
    /// unreachable database shows up as `Unavailable` from [`Database::conn`] and the health
    /// probe rather than as a start-up crash.
    pub fn new(cfg: &DbConfig) -> Result<Database, StoreError> {
        let target = Target::parse(&cfg.url)?;
        if cfg.pool_max == 0 {
            return Err(StoreError::Config("pool_max must be at least 1".to_owned()));
        }
        if cfg.connect_timeout.is_zero() {
            return Err(StoreError::Config(
                "connect_timeout must be greater than zero".to_owned(),
            ));
        }

        let connect_timeout = cfg.connect_timeout;
        let (hints, _) = broadcast::channel(HINT_BUFFER);
        let announce = hints.clone();
        // `Fast` recycling: a checkout reuses the connection without a `SELECT 1` ping (the
        // default `Verified` costs one round trip per checkout, and a request checks out
        // several times). A connection the server closed is still caught: diesel-async marks
        // it broken and deadpool discards it, so at worst one query fails with Unavailable
        // (503) after a database restart, and the next checkout opens a fresh connection.
        let mut manager_config = ManagerConfig::<AnyConnection>::default();
        manager_config.recycling_method = RecyclingMethod::Fast;
        manager_config.custom_setup = Box::new(move |url| {
            connect_announcing(url, connect_timeout, Some(announce.clone())).boxed()
        });
        let manager = AsyncDieselConnectionManager::new_with_config(&cfg.url, manager_config);

        // Before a pooled connection is handed out again, discard it if:
        // - it has not been checked out for `idle_timeout` (deadpool has no idle reaper;
        //   `last_used` counts from the last checkout), so a server's or proxy's idle cut-off
        //   never hands us a dead socket;
        // - its PostgreSQL socket has closed (server restart, failover, terminated backend).
        //   diesel's MultiConnection derive does not forward `is_broken` to
        //   `AsyncPgConnection`, which is what would notice, so this asks the variant directly.
        let idle_timeout = cfg.idle_timeout;
        let discard_stale = Hook::sync_fn(move |conn: &mut AnyConnection, metrics| {
            if metrics.last_used() > idle_timeout {
                return Err(HookError::message("idle for longer than idle_timeout"));
            }
            if let AnyConnection::Postgresql(pg) = conn
                && PoolableConnection::is_broken(pg)
            {
                return Err(HookError::message("the server closed the connection"));
            }
            Ok(())
        });

        let pool = Pool::builder(manager)
            .runtime(Runtime::Tokio1)
            .max_size(cfg.pool_max)
            .wait_timeout(Some(connect_timeout))
            .create_timeout(Some(connect_timeout))
            .recycle_timeout(Some(connect_timeout))
            .pre_recycle(discard_stale)
            .build()
            .map_err(|err| StoreError::Pool(err.to_string()))?;

        Ok(Database {
            pool,
            backend: target.backend(),
            target: target.describe(),
            connect_timeout,
            url: cfg.url.clone(),
            hints,
        })
    }

    /// Sends a change-log hint to this instance's receivers (none listening is fine).
    pub(crate) fn hint(&self, hint: ChangeHint) {
        let _ = self.hints.send(hint);
    }

    /// A receiver of this instance's change-log hints.
    pub(crate) fn hint_receiver(&self) -> broadcast::Receiver<ChangeHint> {
        self.hints.subscribe()
    }

    /// The hint channel itself, for the PostgreSQL listener to forward into.
    pub(crate) fn hint_sender(&self) -> broadcast::Sender<ChangeHint> {
        self.hints.clone()
    }

    /// The configured URL, password included: never log it.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// How long opening a connection may take.
    pub(crate) fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The backend this pool connects to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks out a connection. `RepoError::Unavailable` when none is free or can be opened
    /// within `connect_timeout`; never waits longer than that.
    pub async fn conn(&self) -> Result<PooledConnection, RepoError> {
        // deadpool bounds each step (wait, recycle, create) separately; this bounds the sum.
        // Abandoning `get` midway is safe: deadpool returns or discards the half-made object.
        match tokio::time::timeout(self.connect_timeout, self.pool.get()).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(err)) => Err(self.pool_error(err)),
            Err(_) => Err(RepoError::Unavailable(format!(
                "{}: no database connection within {} ms",
                self.target,
                self.connect_timeout.as_millis()
            ))),
        }
    }

    /// Closes idle connections and refuses further checkouts (for shutdown and tests).
    pub fn close(&self) {
        self.pool.close();
    }

    fn pool_error(&self, err: PoolError<diesel_async::pooled_connection::PoolError>) -> RepoError {
        let ms = self.connect_timeout.as_millis();
        let what = match err {
            PoolError::Timeout(TimeoutType::Wait) => {
                format!("no free database connection within {ms} ms (pool exhausted)")
            }
            PoolError::Timeout(TimeoutType::Create) => {
                format!("could not open a database connection within {ms} ms")
            }
            PoolError::Timeout(TimeoutType::Recycle) => {
                format!("could not check a pooled connection within {ms} ms")
            }
            PoolError::Backend(err) => format!("cannot connect: {err}"),
            PoolError::PostCreateHook(err) => format!("connection set-up failed: {err}"),
            PoolError::Closed => "the connection pool is closed".to_owned(),
            PoolError::NoRuntimeSpecified => {
                return RepoError::Storage("pool built without a runtime".to_owned());
            }
        };
        RepoError::Unavailable(format!("{}: {what}", self.target))
    }
}

/// Readiness: a `SELECT 1` through the pool, bounded by `connect_timeout`.
#[async_trait]
impl HealthProbe for Database {
    async fn check(&self) -> Result<(), RepoError> {
        let probe = async {
            let mut conn = self.conn().await?;
            diesel::select(1.into_sql::<Integer>())
                .get_result::<i32>(&mut *conn)
                .await
                .map_err(|err| {
                    RepoError::Unavailable(format!("{}: SELECT 1 failed: {err}", self.target))
                })
        };
        match tokio::time::timeout(self.connect_timeout, probe).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(RepoError::Unavailable(format!(
                "{}: no answer to SELECT 1 within {} ms",
                self.target,
                self.connect_timeout.as_millis()
            ))),
        }
    }
}
