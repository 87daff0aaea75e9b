//! Live updates over WebSocket (`GET /api/ws` and `/ws`): every change to the homes a user
//! belongs to, as it happens, resumable after a reconnect, across replicas.
//!
//! - [`socket`]: the handshake (the access token in `Sec-WebSocket-Protocol`), the socket's
//!   task (client messages, heartbeats, rate limit, token expiry and session checks).
//! - [`hub`]: subscriptions and delivery of the change log to them (no gap, no duplicate).
//! - [`frames`]: the wire format; [`outbox`]: each socket's bounded send queue.
//!
//! The protocol, for client authors, is `docs/live.md`.

pub mod frames;
pub mod hub;
pub mod outbox;
pub mod socket;

pub use hub::{LiveDeps, LiveHub};

use std::time::Duration;

/// Limits and timings of live sockets (settings `WS_*`, see README).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveConfig {
    /// How often the server pings each socket.
    pub ping_interval: Duration,
    /// Pings in a row left unanswered before the socket is closed (4002).
    pub max_missed_pongs: u32,
    /// The largest frame a client may send, in bytes (1009 past it).
    pub max_frame_size: usize,
    /// Messages per second a client may send, sustained (1008 past it).
    pub message_rate: u32,
    /// Messages a client may send in a burst above the sustained rate.
    pub message_burst: u32,
    /// Frames queued for a socket at most. Changes that do not fit wait in the change log
    /// until the client has read what is queued.
    pub send_queue: usize,
    /// How long a socket's queue may stay full before the socket counts as too slow and is
    /// closed (4008).
    pub send_timeout: Duration,
    /// Sockets one user may hold open at once (further upgrades answer 429).
    pub max_sockets_per_user: usize,
    /// How often a socket checks that its session is still live (4001 once it is not).
    pub session_check_interval: Duration,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig {
            ping_interval: Duration::from_secs(30),
            max_missed_pongs: 2,
            max_frame_size: 64 * 1024,
            message_rate: 10,
            message_burst: 20,
            send_queue: 256,
            send_timeout: Duration::from_secs(20),
            max_sockets_per_user: 10,
            session_check_interval: Duration::from_secs(60),
        }
    }
}
