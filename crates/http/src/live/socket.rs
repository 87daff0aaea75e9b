//! `GET /api/ws` (and `/ws`): the upgrade, and the task that serves one socket.
//!
//! The access token travels only in `Sec-WebSocket-Protocol` as `auth-<token>`, because
//! browsers cannot set `Authorization` on a WebSocket and URLs end up in logs. It is checked
//! exactly like a bearer token (signature, claims, live session) before anything is
//! registered; a token in the query string is refused outright, so that clients stop
//! putting it there.

use super::frames;
use super::hub::{OpenError, SocketHandle, Start, SubscribeError, Subscribed, close};
use super::outbox::{OutboxBody, PushError, ping_frame, pong_frame};
use crate::auth::AuthUser;
use crate::auth::extractor::authenticate_token;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{Message, MessageStream, ProtocolError};
use pantry_core::accounts::service::AuthenticateError;
use serde::Deserialize;
use serde_json::{Value, json};
use slog::{debug, warn};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The subprotocol the server selects when the client offers it beside `auth-<token>`
/// (otherwise the `auth-` entry is echoed, as browsers require one of theirs back).
pub const PROTOCOL: &str = "pixie.v1";
/// How long the server waits for the client's close frame after sending its own.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Protocol error (RFC 6455): a frame that breaks the WebSocket framing.
const PROTOCOL_ERROR: u16 = 1002;

/// Registers `/ws` in the scope it is given (`/api`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/ws").route(web::get().to(upgrade)));
}

/// Query parameter names that look like a credential.
fn is_token_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("token") || name == "jwt" || name == "auth" || name == "authorization"
}

/// Every protocol the client offered, in order.
fn offered_protocols(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The WebSocket upgrade. 401 without a valid `auth-<token>` protocol or with a token in
/// the query; 429 past the per-user socket cap; 503 while shutting down.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    if req
        .query_string()
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .any(is_token_param)
    {
        return Err(ApiError::unauthorized().into());
    }
    let offered = offered_protocols(&req);
    let token = offered
        .iter()
        .find_map(|p| p.strip_prefix("auth-"))
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::unauthorized)?;
    let user = authenticate_token(&req, token).await?;
    actix_http::ws::verify_handshake(req.head())?;

    let handle = state.live.open(user.user_id).map_err(|e| match e {
        OpenError::TooManySockets => ApiError::too_many_requests(
            "too many live sockets for this account; close one first",
            5,
        ),
        OpenError::ShuttingDown => ApiError::unavailable("the server is shutting down"),
    })?;
    let selected = if offered.iter().any(|p| p == PROTOCOL) {
        PROTOCOL.to_owned()
    } else {
        format!("auth-{token}")
    };
    let (response, _session, stream) =
        actix_ws::handle_with_protocols(&req, body, &[selected.as_str()])?;
    let stream = stream.max_frame_size(state.live.config().max_frame_size);
    let socket = handle.socket().clone();
    let response = response
        .map_body(|_, actix_ws_body| BoxBody::new(OutboxBody::new(socket.clone(), actix_ws_body)));
    actix_web::rt::spawn(serve(state.clone(), user, handle, stream));
    Ok(response)
}

/// A token bucket: `burst` messages at once, refilled at `rate` per second.
struct RateLimit {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
}

impl RateLimit {
    fn new(rate: u32, burst: u32) -> RateLimit {
        let burst = f64::from(burst.max(1));
        RateLimit {
            tokens: burst,
            rate: f64::from(rate),
            burst,
            at: Instant::now(),
        }
    }

    fn allow(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// How the socket's loop ended.
enum Ending {
    /// The server closed it (sent its close frame): wait briefly for the client's.
    ServerClosed,
    /// The client sent its close frame, answered.
    ClientClosed,
    /// The connection is gone.
    Gone,
}

struct Conn {
    state: web::Data<AppState>,
    user: AuthUser,
    handle: SocketHandle,
}

impl Conn {
    fn send(&self, frame: Bytes) {
        let socket = self.handle.socket();
        if socket.outbox.push(frame) == Err(PushError::Full) {
            socket
                .outbox
                .close(close::TOO_SLOW, "too slow: the send queue overflowed", true);
        }
    }

    fn close(&self, code: u16, reason: &str) -> Ending {
        self.handle.socket().outbox.close(code, reason, false);
        Ending::ServerClosed
    }
}

/// When the token expires, on the monotonic clock.
fn expiry(expires_at: i64) -> tokio::time::Instant {
    let left = expires_at
        .saturating_sub(chrono::Utc::now().timestamp())
        .max(0);
    tokio::time::Instant::now() + Duration::from_secs(left.unsigned_abs())
}

async fn serve(
    state: web::Data<AppState>,
    user: AuthUser,
    handle: SocketHandle,
    mut stream: MessageStream,
) {
    let socket = handle.socket().clone();
    let config = state.live.config().clone();
    let log = state.live.logger().new(slog::o!("socket" => socket.id));
    debug!(log, "live socket opened"; "user" => %user.user_id);
    let conn = Conn {
        state: state.clone(),
        user,
        handle,
    };

    conn.send(frames::plain(
        "status",
        json!({
            "status": "connected",
            "message": "Connected to Pantry Pixie",
            "userId": conn.user.user_id,
        }),
    ));
    // The token's home, unless the user has left it since (then silently none: the client
    // did not ask).
    if let Some(home_id) = conn.user.home_id {
        match state.live.subscribe(&socket, home_id, Start::Live).await {
            Ok(_) | Err(SubscribeError::NotFound | SubscribeError::Closed) => {}
            Err(SubscribeError::TooManyHomes) => {}
            Err(SubscribeError::Repo(e)) => {
                warn!(log, "live: following the token's home failed"; "home" => %home_id, "error" => %e);
                conn.send(frames::plain(
                    "error",
                    json!({ "error": "Try again shortly", "code": "UNAVAILABLE", "homeId": home_id }),
                ));
            }
        }
    }

    let start = tokio::time::Instant::now();
    let mut ping = tokio::time::interval_at(start + config.ping_interval, config.ping_interval);
    let mut session_check = tokio::time::interval_at(
        start + config.session_check_interval,
        config.session_check_interval,
    );
    // After a busy stretch, never fire several pings at once: the client gets a full
    // interval to answer each.
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    session_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let expires = tokio::time::sleep_until(expiry(conn.user.expires_at));
    let mut expires = std::pin::pin!(expires);
    let mut rate = RateLimit::new(config.message_rate, config.message_burst);
    let mut unanswered = 0u32;

    let ending = loop {
        tokio::select! {
            biased;
            () = socket.outbox.closed() => break Ending::ServerClosed,
            () = &mut expires => {
                break conn.close(close::AUTH_ENDED, "access token expired");
            }
            _ = ping.tick() => {
                if unanswered >= config.max_missed_pongs {
                    break conn.close(close::HEARTBEAT, "no answer to pings");
                }
                unanswered += 1;
                conn.send(ping_frame());
            }
            _ = session_check.tick() => {
                match state.accounts.authenticate(conn.user.session).await {
                    Err(AuthenticateError::SessionEnded) => {
                        break conn.close(close::AUTH_ENDED, "session ended");
                    }
                    Err(AuthenticateError::Repo(e)) => {
                        warn!(log, "live: session check failed"; "error" => %e);
                    }
                    Ok(()) => {}
                }
            }
            message = stream.recv() => {
                let message = match message {
                    None => break Ending::Gone,
                    Some(Err(ProtocolError::Overflow)) => {
                        break conn.close(close::TOO_BIG, "frame too large");
                    }
                    Some(Err(ProtocolError::Io(_))) => break Ending::Gone,
                    Some(Err(_)) => break conn.close(PROTOCOL_ERROR, "protocol error"),
                    Some(Ok(message)) => message,
                };
                // Anything from the client shows it is there.
                unanswered = 0;
                if matches!(message, Message::Pong(_) | Message::Close(_)) {
                    // Answers, not requests: never rate limited.
                } else if !rate.allow() {
                    conn.send(frames::error("too many messages", "RATE_LIMITED"));
                    break conn.close(close::POLICY, "message rate exceeded");
                }
                match message {
                    Message::Text(text) => handle_text(&conn, &log, text.as_bytes()).await,
                    Message::Ping(payload) => conn.send(pong_frame(&payload)),
                    Message::Pong(_) | Message::Nop => {}
                    Message::Binary(_) => conn.send(frames::error(
                        "binary frames are not supported",
                        "UNSUPPORTED",
                    )),
                    Message::Continuation(_) => {
                        break conn.close(close::UNSUPPORTED, "fragmented messages are not supported");
                    }
                    Message::Close(reason) => {
                        let code = reason.map_or(1000, |r| u16::from(r.code));
                        socket.outbox.close(code, "", false);
                        break Ending::ClientClosed;
                    }
                }
            }
        }
    };

    // Stop deliveries first, then finish the closing handshake.
    let Conn { handle, .. } = conn;
    drop(handle);
    if let Ending::ServerClosed = ending {
        let answered = async {
            loop {
                match stream.recv().await {
                    None | Some(Ok(Message::Close(_))) | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, answered).await;
    }
    debug!(log, "live socket closed"; "code" => socket.outbox.close_code());
    socket.outbox.finish();
}

/// A message from the client: the earlier envelope.
#[derive(Deserialize)]
struct ClientFrame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HomeIds {
    home_ids: Vec<Uuid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resume {
    home_id: Uuid,
    since: i64,
}

async fn handle_text(conn: &Conn, log: &slog::Logger, text: &[u8]) {
    let Ok(frame) = serde_json::from_slice::<ClientFrame>(text) else {
        conn.send(frames::error("Invalid message format", "INVALID_FORMAT"));
        return;
    };
    match frame.kind.as_str() {
        "ping" => conn.send(frames::plain("pong", json!({}))),
        "subscribe" => {
            let Ok(HomeIds { home_ids }) = serde_json::from_value(frame.payload) else {
                conn.send(frames::error(
                    "subscribe needs {\"homeIds\": [...]}",
                    "INVALID_PAYLOAD",
                ));
                return;
            };
            let live = &conn.state.live;
            let socket = conn.handle.socket();
            for home_id in live.homes_of(socket) {
                if !home_ids.contains(&home_id) {
                    unsubscribe(conn, home_id);
                }
            }
            for home_id in dedup(home_ids) {
                subscribe(conn, log, home_id, Start::Live).await;
            }
        }
        "unsubscribe" => {
            let Ok(HomeIds { home_ids }) = serde_json::from_value(frame.payload) else {
                conn.send(frames::error(
                    "unsubscribe needs {\"homeIds\": [...]}",
                    "INVALID_PAYLOAD",
                ));
                return;
            };
            for home_id in dedup(home_ids) {
                unsubscribe(conn, home_id);
            }
        }
        "resume" => {
            let Ok(Resume { home_id, since }) = serde_json::from_value(frame.payload) else {
                conn.send(frames::error(
                    "resume needs {\"homeId\": \"…\", \"since\": <seq>}",
                    "INVALID_PAYLOAD",
                ));
                return;
            };
            subscribe(conn, log, home_id, Start::After(since)).await;
        }
        "message" => {
            crate::chat::stream::on_message(
                conn.state.clone(),
                conn.handle.socket().clone(),
                conn.user.user_id,
                frame.payload,
                log.clone(),
            )
            .await
        }
        _ => conn.send(frames::error("Unknown message type", "UNKNOWN_TYPE")),
    }
}

fn dedup(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    ids
}

fn unsubscribe(conn: &Conn, home_id: Uuid) {
    let live = &conn.state.live;
    if live.unsubscribe(conn.handle.socket(), home_id) {
        conn.send(frames::about_home(
            "unsubscribed",
            home_id,
            0,
            json!({ "reason": "requested" }),
        ));
    }
}

async fn subscribe(conn: &Conn, log: &slog::Logger, home_id: Uuid, start: Start) {
    let socket: &Arc<_> = conn.handle.socket();
    match conn.state.live.subscribe(socket, home_id, start).await {
        Ok(Subscribed::Following { .. } | Subscribed::ResyncRequired { .. }) => {}
        Err(SubscribeError::NotFound) => conn.send(frames::plain(
            "error",
            json!({ "error": "Home not found", "code": "NOT_FOUND", "homeId": home_id }),
        )),
        Err(SubscribeError::TooManyHomes) => conn.send(frames::plain(
            "error",
            json!({
                "error": format!("a socket follows at most {} homes", super::hub::MAX_HOMES_PER_SOCKET),
                "code": "TOO_MANY_HOMES",
                "homeId": home_id,
            }),
        )),
        Err(SubscribeError::Closed) => {}
        Err(SubscribeError::Repo(e)) => {
            warn!(log, "live: subscribing failed"; "home" => %home_id, "error" => %e);
            conn.send(frames::plain(
                "error",
                json!({ "error": "Try again shortly", "code": "UNAVAILABLE", "homeId": home_id }),
            ));
        }
    }
}
