//! Change-log hints for live updates: the core's [`ChangeSignals`] port over this store.
//!
//! A hint says "home H reached seq N"; the receiver reads the log itself (see
//! `pantry_core::change_signals`), so hints need not be reliable, only prompt.
//!
//! - **PostgreSQL:** the append statement itself calls `pg_notify('pixie_changes',
//!   '<home>:<seq>')` (`change_log.rs`), and deleting a home notifies `'<home>:deleted'`, so
//!   a hint is delivered at commit, never for a rollback, and costs no round trip. Each
//!   instance runs one listener ([`StoreChangeSignals::start`]) on a dedicated connection
//!   (`application_name` `pantry-pixie-listener`) that forwards notifications into the
//!   instance's hint channel. When that connection is lost it reconnects with backoff and
//!   then sends [`ChangeHint::Resync`], so whatever was committed meanwhile is read back from
//!   the log.
//! - **SQLite** (one instance): every pooled connection has the SQL function
//!   `pixie_change_hint(home, seq)`, which the append calls inside its transaction; it puts
//!   the hint on the [`Database`]'s channel. SQLite has no post-commit hook that diesel
//!   exposes (its WAL hook is taken by auto-checkpointing), so the hint can arrive just
//!   before the commit, or for a transaction that then rolls back: receivers that cannot
//!   read up to the hinted seq yet try again shortly, and give up on a seq that never
//!   appears (the next commit reuses it and hints again).

use crate::connection::{SqliteConn, connect_postgres};
use crate::pool::Database;
use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::pooled_connection::PoolableConnection;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::StreamExt;
use pantry_core::change_signals::{ChangeHint, ChangeHints, ChangeSignals};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The `LISTEN`/`NOTIFY` channel.
pub const CHANNEL: &str = "pixie_changes";
/// The `application_name` of listener connections, to find them in `pg_stat_activity`.
pub const LISTENER_APPLICATION_NAME: &str = "pantry-pixie-listener";

/// The first wait before reconnecting after a failed attempt; doubles up to the maximum.
const RECONNECT_MIN: Duration = Duration::from_millis(100);
const RECONNECT_MAX: Duration = Duration::from_secs(5);
/// How often the listener looks at whether its connection closed under it.
const BROKEN_CHECK: Duration = Duration::from_secs(1);
/// How often an otherwise silent listener asks the server whether it is still there (a
/// half-open TCP connection shows no error until something is sent).
const LIVENESS_CHECK: Duration = Duration::from_secs(30);

diesel::define_sql_function! {
    /// Announces an append on this connection's hint channel (SQLite only; registered on
    /// every connection this crate opens). Answers 0.
    fn pixie_change_hint(home_id: Text, seq: BigInt) -> Integer;
}

/// Registers [`pixie_change_hint`] on a new SQLite connection; without a channel it does
/// nothing (connections outside a pool, e.g. in tests), but it exists so appends work.
pub(crate) fn announce_on(
    conn: &mut diesel::SqliteConnection,
    hints: Option<broadcast::Sender<ChangeHint>>,
) -> diesel::QueryResult<()> {
    let hints = std::panic::AssertUnwindSafe(hints);
    pixie_change_hint_utils::register_nondeterministic_impl(
        conn,
        move |home: String, seq: i64| -> i32 {
            if let (Some(hints), Ok(home_id)) = (&*hints, Uuid::parse_str(&home)) {
                let _ = hints.send(ChangeHint::Appended { home_id, seq });
            }
            0
        },
    )
}

/// Called by the SQLite append, inside its transaction.
pub(crate) async fn announce_sqlite_append(
    conn: &mut SqliteConn,
    home_id: &str,
    seq: i64,
) -> diesel::QueryResult<()> {
    diesel::select(pixie_change_hint(home_id, seq))
        .get_result::<i32>(conn)
        .await
        .map(|_| ())
}

/// What the PostgreSQL listener went through, for the operator's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerEvent {
    /// Listening, on the server process `pid`.
    Connected {
        /// `pg_backend_pid()` of the listener connection.
        pid: i32,
    },
    /// The connection was lost; reconnecting.
    Lost {
        /// Why.
        error: String,
    },
    /// A connection attempt failed; the next one follows after `retry_in`.
    ConnectFailed {
        /// Why.
        error: String,
        /// The wait before the next attempt.
        retry_in: Duration,
    },
}

/// This instance's [`ChangeSignals`]: in-process on SQLite, `LISTEN/NOTIFY` on PostgreSQL.
/// Clones share the listener; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct StoreChangeSignals {
    db: Database,
    listener: Option<Arc<Listener>>,
}

impl std::fmt::Debug for StoreChangeSignals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreChangeSignals")
            .field("backend", &self.db.backend())
            .field("listener_pid", &self.listener_pid())
            .finish()
    }
}

impl StoreChangeSignals {
    /// Hints of `db`. On PostgreSQL this spawns the listener on the current tokio runtime
    /// (call it inside one) and reports what it goes through to `on_event`.
    pub fn start(
        db: &Database,
        on_event: impl Fn(ListenerEvent) + Send + Sync + 'static,
    ) -> StoreChangeSignals {
        let listener = match db.backend() {
            crate::Backend::Sqlite => None,
            crate::Backend::Postgres => Some(Arc::new(Listener::spawn(db, Arc::new(on_event)))),
        };
        StoreChangeSignals {
            db: db.clone(),
            listener,
        }
    }

    /// The server process id of the listener connection while it is connected (PostgreSQL).
    pub fn listener_pid(&self) -> Option<i32> {
        let pid = self.listener.as_ref()?.state.pid.load(Ordering::Acquire);
        (pid != 0).then_some(pid)
    }

    /// How many times the listener has connected so far (PostgreSQL; 0 on SQLite).
    pub fn listener_connections(&self) -> u64 {
        self.listener
            .as_ref()
            .map_or(0, |l| l.state.connections.load(Ordering::Acquire))
    }
}

impl ChangeSignals for StoreChangeSignals {
    fn subscribe(&self) -> Box<dyn ChangeHints> {
        Box::new(Receiver(self.db.hint_receiver()))
    }
}

struct Receiver(broadcast::Receiver<ChangeHint>);

#[async_trait]
impl ChangeHints for Receiver {
    async fn next(&mut self) -> Option<ChangeHint> {
        match self.0.recv().await {
            Ok(hint) => Some(hint),
            // Fell behind: some hints were dropped, so everything must be looked at again.
            Err(broadcast::error::RecvError::Lagged(_)) => Some(ChangeHint::Resync),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

struct ListenerState {
    /// 0 while disconnected.
    pid: AtomicI32,
    connections: AtomicU64,
}

struct Listener {
    task: tokio::task::JoinHandle<()>,
    state: Arc<ListenerState>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type OnEvent = Arc<dyn Fn(ListenerEvent) + Send + Sync>;

impl Listener {
    fn spawn(db: &Database, on_event: OnEvent) -> Listener {
        let state = Arc::new(ListenerState {
            pid: AtomicI32::new(0),
            connections: AtomicU64::new(0),
        });
        let task = tokio::spawn(listen(
            db.url().to_owned(),
            db.connect_timeout(),
            db.hint_sender(),
            state.clone(),
            on_event,
        ));
        Listener { task, state }
    }
}

/// Keeps one listening connection up for the life of the task.
async fn listen(
    url: String,
    timeout: Duration,
    hints: broadcast::Sender<ChangeHint>,
    state: Arc<ListenerState>,
    on_event: OnEvent,
) {
    let mut backoff = RECONNECT_MIN;
    loop {
        match open_listener(&url, timeout).await {
            Ok((mut conn, pid)) => {
                backoff = RECONNECT_MIN;
                state.pid.store(pid, Ordering::Release);
                state.connections.fetch_add(1, Ordering::AcqRel);
                on_event(ListenerEvent::Connected { pid });
                // Changes committed while nobody listened are in the log: look again.
                let _ = hints.send(ChangeHint::Resync);
                let error = relay(&mut conn, &hints, timeout).await;
                state.pid.store(0, Ordering::Release);
                on_event(ListenerEvent::Lost { error });
                tokio::time::sleep(RECONNECT_MIN).await;
            }
            Err(error) => {
                on_event(ListenerEvent::ConnectFailed {
                    error,
                    retry_in: backoff,
                });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(RECONNECT_MAX);
            }
        }
    }
}

#[derive(QueryableByName)]
struct BackendPid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// A connection that listens on [`CHANNEL`], and its server process id.
async fn open_listener(url: &str, timeout: Duration) -> Result<(AsyncPgConnection, i32), String> {
    let setup = async {
        let mut conn = connect_postgres(url, timeout)
            .await
            .map_err(|e| e.to_string())?;
        conn.batch_execute(&format!(
            "SET application_name = '{LISTENER_APPLICATION_NAME}'"
        ))
        .await
        .map_err(|e| e.to_string())?;
        let pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<BackendPid>(&mut conn)
            .await
            .map_err(|e| e.to_string())?
            .pid;
        // Last, so that `pg_stat_activity.query` shows it.
        conn.batch_execute(&format!("LISTEN {CHANNEL}"))
            .await
            .map_err(|e| e.to_string())?;
        Ok((conn, pid))
    };
    match tokio::time::timeout(timeout * 2, setup).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no listening connection within {} ms",
            (timeout * 2).as_millis()
        )),
    }
}

/// Forwards notifications until the connection fails; answers why it did.
async fn relay(
    conn: &mut AsyncPgConnection,
    hints: &broadcast::Sender<ChangeHint>,
    timeout: Duration,
) -> String {
    let mut checked = Instant::now();
    loop {
        let next = {
            let mut stream = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(BROKEN_CHECK, stream.next()).await
        };
        match next {
            Ok(Some(Ok(notification))) => {
                if let Some(hint) = ChangeHint::parse(&notification.payload) {
                    let _ = hints.send(hint);
                }
            }
            Ok(Some(Err(error))) => return error.to_string(),
            Ok(None) => return "the notification stream ended".to_owned(),
            Err(_quiet) => {
                if PoolableConnection::is_broken(conn) {
                    return "the connection closed".to_owned();
                }
                if checked.elapsed() >= LIVENESS_CHECK {
                    checked = Instant::now();
                    // LISTEN again: a no-op for the server, and `pg_stat_activity.query` keeps
                    // showing what this connection is for.
                    let listen = format!("LISTEN {CHANNEL}");
                    match tokio::time::timeout(timeout, conn.batch_execute(&listen)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => return error.to_string(),
                        Err(_) => return "no answer to the liveness check".to_owned(),
                    }
                }
            }
        }
    }
}
