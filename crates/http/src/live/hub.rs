//! The per-instance hub: which socket follows which home from which seq, and the delivery of
//! the change log to them.
//!
//! Delivery reads the log; hints ([`ChangeSignals`]) only say when to read. Every subscription
//! has a cursor, the last seq its socket received. One task per followed home (its *pump*)
//! reads the log after the smallest cursor and gives each event to exactly the subscriptions
//! whose cursor is the seq before it, moving them on. A subscription can therefore neither
//! skip an event (nothing moves its cursor past one it did not get) nor get one twice. A
//! resumed subscription simply starts with an older cursor and is served from the same reads.
//!
//! The event that ends a user's membership (`member.removed`, `member.left`) ends that user's
//! subscriptions to the home in the same step that delivers it, so nothing later reaches them;
//! a deleted home ends all of its subscriptions. Membership is checked when subscribing, in
//! the same read as the home's seq, so a removal is either seen there or comes later in the log.
//!
//! Locks: the map of feeds, then one feed's state; never the other way round, and never
//! across an await.

use super::LiveConfig;
use super::frames;
use super::outbox::{Outbox, PushError};
use actix_web::web::Bytes;
use pantry_core::accounts::user::AccountRepository;
use pantry_core::activity::display_name;
use pantry_core::change_log::{ChangeLogReader, HomeEvent};
use pantry_core::change_signals::{ChangeHint, ChangeHints, ChangeSignals};
use pantry_core::homes::home::HomeRepository;
use pantry_core::notifications::notification;
use pantry_core::repo_error::RepoError;
use serde_json::json;
use slog::{Logger, debug, warn};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use uuid::Uuid;

/// Events read from the log at a time.
const PAGE: u32 = 200;
/// Queue slots one change may need (its frame and a `partner_activity`).
const FRAMES_PER_CHANGE: usize = 2;
/// How long a pump keeps re-reading for a hinted seq the log does not show yet (SQLite
/// hints before its commit; a rolled-back append hints a seq that never appears).
const EARLY_HINT_PATIENCE: Duration = Duration::from_millis(512);
/// The wait before reading again after the log could not be read.
const READ_RETRY: Duration = Duration::from_secs(1);
/// The most homes one socket follows.
pub const MAX_HOMES_PER_SOCKET: usize = 50;

/// Close codes (`docs/live.md`).
pub mod close {
    /// The server is shutting down: reconnect (to another instance).
    pub const GOING_AWAY: u16 = 1001;
    /// A frame the server cannot read (binary, fragmented, malformed).
    pub const UNSUPPORTED: u16 = 1003;
    /// More messages than the per-socket rate allows.
    pub const POLICY: u16 = 1008;
    /// A frame larger than the limit.
    pub const TOO_BIG: u16 = 1009;
    /// The access token expired or the session ended: reconnect with a fresh token.
    pub const AUTH_ENDED: u16 = 4001;
    /// No answer to the server's pings.
    pub const HEARTBEAT: u16 = 4002;
    /// The client read too slowly: its send queue overflowed. Reconnect and resume.
    pub const TOO_SLOW: u16 = 4008;
}

/// The ports the hub reads through.
#[derive(Clone)]
pub struct LiveDeps {
    /// Where hints come from.
    pub signals: Arc<dyn ChangeSignals>,
    /// The change log.
    pub log: Arc<dyn ChangeLogReader>,
    /// Memberships.
    pub homes: Arc<dyn HomeRepository>,
    /// Names for `partner_activity`.
    pub accounts: Arc<dyn AccountRepository>,
}

/// The live-update hub of this instance. Cheap to clone.
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Hub>,
}

struct Hub {
    deps: LiveDeps,
    config: LiveConfig,
    log: Logger,
    runtime: tokio::runtime::Handle,
    feeds: Mutex<HashMap<Uuid, Arc<Feed>>>,
    sockets: Mutex<Registry>,
    /// Signalled whenever the last socket closed.
    emptied: Notify,
    next_id: AtomicU64,
    shutting_down: AtomicBool,
}

#[derive(Default)]
struct Registry {
    by_id: HashMap<u64, Arc<Socket>>,
    per_user: HashMap<Uuid, usize>,
}

/// One live socket as the hub sees it.
pub struct Socket {
    pub id: u64,
    pub user_id: Uuid,
    pub outbox: Outbox,
    /// The homes it follows (to leave them when it closes).
    homes: Mutex<Vec<Uuid>>,
}

struct Feed {
    home_id: Uuid,
    /// Wakes the pump: a hint, a new subscription, room in a socket's queue.
    wake: Arc<Notify>,
    state: Mutex<FeedState>,
}

#[derive(Default)]
struct FeedState {
    /// The highest seq a hint announced.
    hinted: i64,
    /// A hint said the home was deleted.
    deleted: bool,
    subscribers: Vec<Subscriber>,
}

struct Subscriber {
    socket: Arc<Socket>,
    /// The last seq this socket received (or is known to have).
    cursor: i64,
    /// The home's seq when the membership was last checked: only a membership-ending event
    /// after it ends this subscription.
    verified: i64,
    /// Since when its socket's queue has had no room for the next change.
    blocked_since: Option<Instant>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why a socket could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// The user has the most sockets allowed.
    TooManySockets,
    /// The instance is shutting down.
    ShuttingDown,
}

/// Where a subscription starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// With the next change.
    Live,
    /// With the change after this seq (resume).
    After(i64),
}

/// How a subscription request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// Following from `from`; the home was at `latest`.
    Following { from: i64, latest: i64 },
    /// The requested seq cannot be resumed from (older than the log keeps, or newer than the
    /// home's latest): the socket follows from `latest` and the client must refetch.
    ResyncRequired { latest: i64 },
}

#[derive(Debug)]
pub enum SubscribeError {
    /// Not a member (or no such home): indistinguishable on purpose.
    NotFound,
    /// The socket follows [`MAX_HOMES_PER_SOCKET`] homes already.
    TooManyHomes,
    /// The socket is closing.
    Closed,
    Repo(RepoError),
}

impl From<RepoError> for SubscribeError {
    fn from(e: RepoError) -> Self {
        SubscribeError::Repo(e)
    }
}

/// A registered socket; unregisters it when dropped.
pub struct SocketHandle {
    hub: LiveHub,
    socket: Arc<Socket>,
}

impl SocketHandle {
    pub fn socket(&self) -> &Arc<Socket> {
        &self.socket
    }
}

impl Drop for SocketHandle {
    fn drop(&mut self) {
        self.hub.inner.unregister(&self.socket);
    }
}

impl LiveHub {
    /// Starts the hub on the current tokio runtime: it listens to `deps.signals` for as long
    /// as the hub exists.
    pub fn start(deps: LiveDeps, config: LiveConfig, log: Logger) -> LiveHub {
        let hints = deps.signals.subscribe();
        let runtime = tokio::runtime::Handle::current();
        let inner = Arc::new(Hub {
            deps,
            config,
            log,
            runtime: runtime.clone(),
            feeds: Mutex::default(),
            sockets: Mutex::default(),
            emptied: Notify::new(),
            next_id: AtomicU64::new(1),
            shutting_down: AtomicBool::new(false),
        });
        runtime.spawn(dispatch(Arc::downgrade(&inner), hints));
        LiveHub { inner }
    }

    pub fn config(&self) -> &LiveConfig {
        &self.inner.config
    }

    pub(crate) fn logger(&self) -> &Logger {
        &self.inner.log
    }

    /// Open sockets on this instance.
    pub fn socket_count(&self) -> usize {
        lock(&self.inner.sockets).by_id.len()
    }

    /// Registers a socket of `user_id`, within the per-user cap.
    pub fn open(&self, user_id: Uuid) -> Result<SocketHandle, OpenError> {
        let hub = &self.inner;
        if hub.shutting_down.load(Ordering::Acquire) {
            return Err(OpenError::ShuttingDown);
        }
        let mut registry = lock(&hub.sockets);
        let count = registry.per_user.entry(user_id).or_default();
        if *count >= hub.config.max_sockets_per_user {
            return Err(OpenError::TooManySockets);
        }
        *count += 1;
        let socket = Arc::new(Socket {
            id: hub.next_id.fetch_add(1, Ordering::Relaxed),
            user_id,
            // One change may take two frames: a smaller queue could never take one.
            outbox: Outbox::new(hub.config.send_queue.max(FRAMES_PER_CHANGE)),
            homes: Mutex::default(),
        });
        registry.by_id.insert(socket.id, socket.clone());
        Ok(SocketHandle {
            hub: self.clone(),
            socket,
        })
    }

    /// Follows `home_id` on `socket` from `start`, after checking that its user is a member.
    /// The acknowledgement (`subscribed` or `resync_required`) is queued before any event.
    pub async fn subscribe(
        &self,
        socket: &Arc<Socket>,
        home_id: Uuid,
        start: Start,
    ) -> Result<Subscribed, SubscribeError> {
        let hub = &self.inner;
        let (_role, latest) = hub
            .deps
            .homes
            .role_and_seq(home_id, socket.user_id)
            .await?
            .ok_or(SubscribeError::NotFound)?;
        let outcome = match start {
            Start::Live => Subscribed::Following {
                from: latest,
                latest,
            },
            Start::After(since) if since > latest || since < 0 => {
                Subscribed::ResyncRequired { latest }
            }
            Start::After(since) if since == latest => Subscribed::Following {
                from: since,
                latest,
            },
            Start::After(since) => {
                // The oldest event still kept must directly follow `since`. (Nothing is
                // trimmed today, so this holds unless the log was cut by hand.)
                let oldest = hub.deps.log.events_since(home_id, 0, 1).await?;
                match oldest.first() {
                    Some(first) if first.seq <= since + 1 => Subscribed::Following {
                        from: since,
                        latest,
                    },
                    _ => Subscribed::ResyncRequired { latest },
                }
            }
        };
        let latest = latest_of(outcome);
        let since = match start {
            Start::After(since) => Some(since),
            Start::Live => None,
        };

        {
            let mut homes = lock(&socket.homes);
            if !homes.contains(&home_id) {
                if homes.len() >= MAX_HOMES_PER_SOCKET {
                    return Err(SubscribeError::TooManyHomes);
                }
                homes.push(home_id);
            }
        }
        let (feed, outcome, pushed) = {
            let mut feeds = lock(&hub.feeds);
            let feed = feeds
                .entry(home_id)
                .or_insert_with(|| {
                    let feed = Arc::new(Feed {
                        home_id,
                        wake: Arc::new(Notify::new()),
                        state: Mutex::default(),
                    });
                    hub.runtime.spawn(pump(self.inner.clone(), feed.clone()));
                    feed
                })
                .clone();
            let mut state = lock(&feed.state);
            if !socket.outbox.is_open() {
                drop(state);
                drop(feeds);
                lock(&socket.homes).retain(|h| *h != home_id);
                return Err(SubscribeError::Closed);
            }
            let wanted = match outcome {
                Subscribed::Following { from, .. } => from,
                Subscribed::ResyncRequired { latest } => latest,
            };
            let existing = state
                .subscribers
                .iter_mut()
                .find(|s| s.socket.id == socket.id);
            let outcome = match existing {
                // Already following and asking to follow live: keep its place, or events
                // on their way to it would be skipped.
                Some(sub) if start == Start::Live => {
                    sub.verified = latest;
                    Subscribed::Following {
                        from: sub.cursor,
                        latest,
                    }
                }
                Some(sub) => {
                    sub.cursor = wanted;
                    sub.verified = latest;
                    outcome
                }
                None => {
                    state.subscribers.push(Subscriber {
                        socket: socket.clone(),
                        cursor: wanted,
                        verified: latest,
                        blocked_since: None,
                    });
                    outcome
                }
            };
            // Queued under the feed's lock: before any event the pump gives this socket.
            let ack = match outcome {
                Subscribed::Following { from, latest } => {
                    frames::about_home("subscribed", home_id, from, json!({ "latestSeq": latest }))
                }
                Subscribed::ResyncRequired { latest } => frames::about_home(
                    "resync_required",
                    home_id,
                    latest,
                    json!({ "since": since, "latestSeq": latest }),
                ),
            };
            let pushed = socket.outbox.push(ack);
            (feed.clone(), outcome, pushed)
        };
        feed.wake.notify_one();
        if pushed == Err(PushError::Full) {
            hub.kick(
                socket,
                close::TOO_SLOW,
                "too slow: the send queue overflowed",
            );
        }
        Ok(outcome)
    }

    /// Stops following `home_id` on `socket` (at the client's request).
    pub fn unsubscribe(&self, socket: &Arc<Socket>, home_id: Uuid) -> bool {
        let hub = &self.inner;
        let was = {
            let mut homes = lock(&socket.homes);
            let before = homes.len();
            homes.retain(|h| *h != home_id);
            homes.len() != before
        };
        hub.leave(socket.id, home_id);
        was
    }

    /// How many sockets of this instance follow `home_id`.
    pub fn followers(&self, home_id: Uuid) -> usize {
        let feed = lock(&self.inner.feeds).get(&home_id).cloned();
        feed.map_or(0, |feed| lock(&feed.state).subscribers.len())
    }

    /// Sends a frame that is not a change (chat typing and streaming) to every socket of this
    /// instance following `home_id`, except `except`. Best effort: a socket whose queue is
    /// full misses it (the stored reply is the truth). How many sockets got it.
    pub fn broadcast(&self, home_id: Uuid, frame: &Bytes, except: Option<u64>) -> usize {
        let feed = lock(&self.inner.feeds).get(&home_id).cloned();
        let Some(feed) = feed else {
            return 0;
        };
        let sockets: Vec<Arc<Socket>> = lock(&feed.state)
            .subscribers
            .iter()
            .filter(|s| Some(s.socket.id) != except)
            .map(|s| Arc::clone(&s.socket))
            .collect();
        sockets
            .iter()
            .filter(|socket| socket.outbox.push(frame.clone()).is_ok())
            .count()
    }

    /// The homes `socket` follows.
    pub fn homes_of(&self, socket: &Socket) -> Vec<Uuid> {
        lock(&socket.homes).clone()
    }

    /// Closes every socket with 1001 and refuses new ones, then waits (at most `grace`) for
    /// them to finish, so that clients reconnect to another instance.
    pub async fn shutdown(&self, grace: Duration) {
        let hub = &self.inner;
        hub.shutting_down.store(true, Ordering::Release);
        let sockets: Vec<Arc<Socket>> = lock(&hub.sockets).by_id.values().cloned().collect();
        for socket in sockets {
            socket
                .outbox
                .close(close::GOING_AWAY, "server shutting down", false);
        }
        let all_closed = async {
            loop {
                let emptied = hub.emptied.notified();
                let mut emptied = std::pin::pin!(emptied);
                emptied.as_mut().enable();
                if lock(&hub.sockets).by_id.is_empty() {
                    return;
                }
                emptied.await;
            }
        };
        let _ = tokio::time::timeout(grace, all_closed).await;
    }
}

fn latest_of(outcome: Subscribed) -> i64 {
    match outcome {
        Subscribed::Following { latest, .. } | Subscribed::ResyncRequired { latest } => latest,
    }
}

impl Hub {
    /// Removes `socket_id` from one feed.
    fn leave(&self, socket_id: u64, home_id: Uuid) {
        let feed = lock(&self.feeds).get(&home_id).cloned();
        if let Some(feed) = feed {
            lock(&feed.state)
                .subscribers
                .retain(|s| s.socket.id != socket_id);
            // Its pump notices an empty feed and ends.
            feed.wake.notify_one();
        }
    }

    /// Forgets a socket entirely (idempotent).
    fn unregister(&self, socket: &Arc<Socket>) {
        let homes = std::mem::take(&mut *lock(&socket.homes));
        for home_id in homes {
            self.leave(socket.id, home_id);
        }
        let mut registry = lock(&self.sockets);
        if registry.by_id.remove(&socket.id).is_some()
            && let Some(count) = registry.per_user.get_mut(&socket.user_id)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                registry.per_user.remove(&socket.user_id);
            }
        }
        let empty = registry.by_id.is_empty();
        drop(registry);
        if empty {
            self.emptied.notify_waiters();
        }
    }

    /// Closes a socket that cannot keep up, dropping what it had queued; the socket's task
    /// sees the outbox close and unregisters it.
    fn kick(&self, socket: &Arc<Socket>, code: u16, reason: &str) {
        if socket.outbox.close(code, reason, true) {
            debug!(self.log, "live socket closed"; "socket" => socket.id, "code" => code);
        }
        let homes = std::mem::take(&mut *lock(&socket.homes));
        for home_id in homes {
            self.leave(socket.id, home_id);
        }
    }
}

/// Routes hints to the feeds they concern, for as long as the hub exists.
async fn dispatch(hub: Weak<Hub>, mut hints: Box<dyn ChangeHints>) {
    while let Some(hint) = hints.next().await {
        let Some(hub) = hub.upgrade() else {
            return;
        };
        match hint {
            ChangeHint::Appended { home_id, seq } => {
                let feed = lock(&hub.feeds).get(&home_id).cloned();
                if let Some(feed) = feed {
                    let mut state = lock(&feed.state);
                    state.hinted = state.hinted.max(seq);
                    drop(state);
                    feed.wake.notify_one();
                }
            }
            ChangeHint::HomeDeleted { home_id } => {
                let feed = lock(&hub.feeds).get(&home_id).cloned();
                if let Some(feed) = feed {
                    lock(&feed.state).deleted = true;
                    feed.wake.notify_one();
                }
            }
            ChangeHint::Resync => {
                let feeds: Vec<Arc<Feed>> = lock(&hub.feeds).values().cloned().collect();
                for feed in feeds {
                    feed.wake.notify_one();
                }
            }
        }
    }
}

/// One event's frames, encoded once for all subscribers.
struct Encoded {
    seq: i64,
    frames: Vec<Bytes>,
    ends_membership_of: Option<Uuid>,
    /// For a notice: the only members whose sockets get it (the others just move past it).
    audience: Option<Vec<Uuid>>,
}

/// What one look at a feed found.
struct Round {
    /// Read the log after this seq: the smallest cursor among subscriptions whose socket has
    /// room (`None`: none has).
    from: Option<i64>,
    hinted: i64,
    deleted: bool,
    /// Sockets that had no room for longer than the send timeout.
    too_slow: Vec<Arc<Socket>>,
    /// When the next blocked subscription would time out.
    deadline: Option<Instant>,
}

/// Delivers a home's log to its subscribers until none is left.
async fn pump(hub: Arc<Hub>, feed: Arc<Feed>) {
    let home_id = feed.home_id;
    let mut early_wait = Duration::ZERO;
    loop {
        let Some(round) = look(&hub, &feed) else {
            return;
        };
        if !round.too_slow.is_empty() {
            for socket in &round.too_slow {
                hub.kick(
                    socket,
                    close::TOO_SLOW,
                    "too slow: the send queue stayed full",
                );
            }
            continue;
        }

        if round.deleted {
            match hub.deps.log.latest_seq(home_id).await {
                Err(RepoError::NotFound) => {
                    end_feed(&hub, &feed, "home_deleted");
                    return;
                }
                Ok(_) if early_wait < EARLY_HINT_PATIENCE => {
                    early_wait = (early_wait * 2).max(Duration::from_millis(1));
                    tokio::time::sleep(early_wait).await;
                    continue;
                }
                Ok(_) => {
                    lock(&feed.state).deleted = false;
                    early_wait = Duration::ZERO;
                }
                Err(e) => {
                    warn!(hub.log, "live: reading the change log failed"; "home" => %home_id, "error" => %e);
                    tokio::time::sleep(READ_RETRY).await;
                    continue;
                }
            }
        }

        let Some(from) = round.from else {
            // Every socket's queue is full: wait for room (or for one to time out).
            wait(&feed, round.deadline).await;
            continue;
        };
        let page = match hub.deps.log.events_since(home_id, from, PAGE).await {
            Ok(page) => page,
            Err(e) => {
                warn!(hub.log, "live: reading the change log failed"; "home" => %home_id, "error" => %e);
                tokio::time::sleep(READ_RETRY).await;
                continue;
            }
        };
        let last = page.last().map_or(from, |e| e.seq);
        let full = page.len() >= PAGE as usize;
        if !page.is_empty() {
            let encoded = encode(&hub, page).await;
            let behind = deliver(&feed, &encoded, last);
            early_wait = Duration::ZERO;
            if full || behind {
                continue;
            }
        }
        if last < round.hinted {
            // The hint is ahead of what the log shows: SQLite hints before it commits.
            if early_wait < EARLY_HINT_PATIENCE {
                early_wait = (early_wait * 2).max(Duration::from_millis(1));
                tokio::time::sleep(early_wait).await;
                continue;
            }
            // Never committed (rolled back): the next commit reuses the seq and hints again.
            let mut state = lock(&feed.state);
            if state.hinted == round.hinted {
                state.hinted = last;
            }
            early_wait = Duration::ZERO;
        }
        wait(&feed, round.deadline).await;
    }
}

/// Waits for a wake-up, or until `deadline`.
async fn wait(feed: &Feed, deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => {
            let _ = tokio::time::timeout_at(deadline.into(), feed.wake.notified()).await;
        }
        None => feed.wake.notified().await,
    }
}

/// Where to read from, and who is too slow; `None` (and the feed forgotten) once nobody
/// follows the home any more.
fn look(hub: &Hub, feed: &Arc<Feed>) -> Option<Round> {
    let mut feeds = lock(&hub.feeds);
    let mut state = lock(&feed.state);
    state.subscribers.retain(|s| s.socket.outbox.is_open());
    if state.subscribers.is_empty() {
        if feeds
            .get(&feed.home_id)
            .is_some_and(|current| Arc::ptr_eq(current, feed))
        {
            feeds.remove(&feed.home_id);
        }
        return None;
    }
    drop(feeds);
    let now = Instant::now();
    let timeout = hub.config.send_timeout;
    let mut round = Round {
        from: None,
        hinted: state.hinted,
        deleted: state.deleted,
        too_slow: Vec::new(),
        deadline: None,
    };
    for sub in state.subscribers.iter_mut() {
        if sub.socket.outbox.has_room(FRAMES_PER_CHANGE, &feed.wake) {
            sub.blocked_since = None;
            round.from = Some(round.from.map_or(sub.cursor, |f: i64| f.min(sub.cursor)));
            continue;
        }
        let since = *sub.blocked_since.get_or_insert(now);
        if now.duration_since(since) >= timeout {
            round.too_slow.push(sub.socket.clone());
        } else {
            let at = since + timeout;
            round.deadline = Some(round.deadline.map_or(at, |d: Instant| d.min(at)));
        }
    }
    Some(round)
}

/// The frames of each event (with the actors' names for `partner_activity`).
async fn encode(hub: &Hub, page: Vec<HomeEvent>) -> Vec<Encoded> {
    let mut names: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(page.len());
    for event in page {
        // A notice goes to its audience only, as a `notification` frame (`docs/live.md`).
        if let Some(audience) = notification::audience(&event) {
            out.push(Encoded {
                seq: event.seq,
                frames: vec![frames::notification(&event)],
                ends_membership_of: None,
                audience: Some(audience),
            });
            continue;
        }
        let mut frames_of_event = vec![frames::change(&event)];
        if let Some(action) = frames::partner_action(&event)
            && let Some(user_id) = event.actor.user_id
        {
            let name = match names.get(&user_id) {
                Some(name) => name.clone(),
                None => {
                    // A name that cannot be read is left out, not worth holding a change for.
                    let name = match hub.deps.accounts.find_by_id(user_id).await {
                        Ok(user) => user.map(|u| u.name),
                        Err(_) => None,
                    };
                    names.insert(user_id, name.clone());
                    name
                }
            };
            let name = display_name(&event.actor, name);
            frames_of_event.push(frames::partner_activity(&event, action, name.as_deref()));
        }
        out.push(Encoded {
            seq: event.seq,
            frames: frames_of_event,
            ends_membership_of: event.membership_ended_for(),
            audience: None,
        });
    }
    out
}

/// Gives each event to the subscriptions it is next for and whose socket has room (the
/// others stay where they are and are served later, from the log), and ends the
/// subscriptions of a member whose membership an event ends, right after that event.
///
/// Answers whether a subscription that could take more is still behind `last` (one that
/// subscribed from an older seq meanwhile): then the log must be read again at once.
fn deliver(feed: &Feed, events: &[Encoded], last: i64) -> bool {
    let mut ended: Vec<Arc<Socket>> = Vec::new();
    let behind = {
        let mut state = lock(&feed.state);
        let now = Instant::now();
        for event in events {
            for sub in state.subscribers.iter_mut() {
                if sub.cursor != event.seq - 1 {
                    continue;
                }
                if let Some(audience) = &event.audience
                    && !audience.contains(&sub.socket.user_id)
                {
                    sub.cursor = event.seq;
                    continue;
                }
                match sub.socket.outbox.push_change(&event.frames, &feed.wake) {
                    Ok(()) => sub.cursor = event.seq,
                    Err(PushError::Full) => {
                        sub.blocked_since.get_or_insert(now);
                    }
                    Err(PushError::Closed) => {}
                }
            }
            if let Some(user_id) = event.ends_membership_of {
                state.subscribers.retain(|sub| {
                    let ends = sub.socket.user_id == user_id && sub.verified < event.seq;
                    if ends {
                        let _ = sub.socket.outbox.push(frames::about_home(
                            "unsubscribed",
                            feed.home_id,
                            event.seq,
                            json!({ "reason": "membership_ended" }),
                        ));
                        ended.push(sub.socket.clone());
                    }
                    !ends
                });
            }
        }
        state.subscribers.retain(|s| s.socket.outbox.is_open());
        state
            .subscribers
            .iter()
            .any(|s| s.cursor < last && s.blocked_since.is_none())
    };
    for socket in ended {
        lock(&socket.homes).retain(|h| *h != feed.home_id);
    }
    behind
}

/// The home is gone: tell every subscriber and forget the feed.
fn end_feed(hub: &Hub, feed: &Arc<Feed>, reason: &str) {
    let subscribers = {
        let mut feeds = lock(&hub.feeds);
        if feeds
            .get(&feed.home_id)
            .is_some_and(|current| Arc::ptr_eq(current, feed))
        {
            feeds.remove(&feed.home_id);
        }
        std::mem::take(&mut lock(&feed.state).subscribers)
    };
    for sub in subscribers {
        let _ = sub.socket.outbox.push(frames::about_home(
            "unsubscribed",
            feed.home_id,
            sub.cursor,
            json!({ "reason": reason }),
        ));
        lock(&sub.socket.homes).retain(|h| *h != feed.home_id);
    }
}
