//! Live updates on a real server (`actix_test`, and awc as the WebSocket client): who may
//! open a socket, that a socket only ever sees its own homes, that leaving a home stops the
//! flow at once, that resuming replays exactly what was missed, and the limits.

#[macro_use]
mod support;

use actix_web::web::Bytes;
use awc::BoxedSocket;
use awc::error::WsClientError;
use awc::ws::{CloseCode, CloseReason, Codec, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use pantry_http::live::LiveConfig;
use pantry_http::routes::RouteTable;
use pantry_http::state::AppState;
use pantry_http::{Pipeline, build_app};
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use std::time::Duration;
use support::CapturedLog;
use uuid::Uuid;

type Framed = actix_codec::Framed<BoxedSocket, Codec>;

/// Generous: only a broken server takes this long.
const PATIENCE: Duration = Duration::from_secs(15);

macro_rules! on_both_backends {
    ($sqlite:ident, $postgres:ident, $scenario:ident) => {
        #[actix_web::test]
        async fn $sqlite() {
            let db = TestDb::sqlite().await;
            $scenario(&db).await;
        }
        #[actix_web::test]
        async fn $postgres() {
            let Some(db) = TestDb::postgres().await else {
                return;
            };
            $scenario(&db).await;
        }
    };
}

// ---- The server and its clients ---------------------------------------------------------------

fn state_with(db: &TestDb, live: LiveConfig) -> AppState {
    let log = CapturedLog::default().logger();
    let mut state = support::state(&db.db, log.clone());
    state.live = support::live_hub(&db.db, log, live);
    state
}

/// The state of [`state_with`] with Pixie answering through `fake`.
fn state_with_model(db: &TestDb, fake: &pantry_openai::fake::FakeOpenAi) -> AppState {
    let model = pantry_openai::OpenAiModel::new(fake.config()).unwrap();
    let mut state = state_with(db, LiveConfig::default());
    state.chat = support::chat_service(
        &db.db,
        std::sync::Arc::new(model),
        pantry_core::pixie::service::PixieConfig::default(),
    );
    state
}

/// A running server: an actix test server, or one on a listener of our own.
struct Srv {
    base: String,
    _test: Option<actix_test::TestServer>,
    handle: Option<actix_web::dev::ServerHandle>,
}

impl Srv {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Srv {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            // Not awaited: the test's runtime ends with the test.
            drop(handle.stop(false));
        }
    }
}

fn serve(state: &AppState) -> Srv {
    let state = state.clone();
    let pipeline = Pipeline::new(support::config(), state.log.clone());
    let test = actix_test::start(move || {
        build_app(state.clone(), pipeline.clone(), RouteTable::production())
    });
    Srv {
        base: format!("http://{}", test.addr()),
        _test: Some(test),
        handle: None,
    }
}

/// A server whose connections have a tiny kernel send buffer (inherited from the listening
/// socket), so that a client that stops reading fills it after a few frames instead of
/// after megabytes.
fn serve_with_small_send_buffers(state: &AppState) -> Srv {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let size: libc::c_int = 4096;
    // SAFETY: a valid socket and a correctly sized option value.
    let set = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(set, 0, "setsockopt(SO_SNDBUF)");
    let addr = listener.local_addr().unwrap();
    let state = state.clone();
    let pipeline = Pipeline::new(support::config(), state.log.clone());
    let server = actix_web::HttpServer::new(move || {
        build_app(state.clone(), pipeline.clone(), RouteTable::production())
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Srv {
        base: format!("http://{addr}"),
        _test: None,
        handle: Some(handle),
    }
}

struct User {
    id: Uuid,
    token: String,
    home: Uuid,
}

async fn api(
    srv: &Srv,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let req = awc::Client::new()
        .request(method.parse().unwrap(), srv.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")));
    let mut res = match body {
        Some(body) => req.send_json(&body).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let status = res.status().as_u16();
    let body = res.body().limit(4 << 20).await.unwrap();
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, json)
}

async fn sign_up(srv: &Srv, name: &str) -> User {
    let mut res = awc::Client::new()
        .post(srv.url("/api/auth/register"))
        .send_json(&json!({
            "email": format!("{name}-{}@example.com", Uuid::now_v7().simple()),
            "password": "a long kitchen password",
            "name": name,
        }))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().limit(1 << 20).await.unwrap();
    let data = &body["data"];
    User {
        id: data["user"]["id"].as_str().unwrap().parse().unwrap(),
        token: data["token"].as_str().unwrap().to_owned(),
        home: data["user"]["homeId"].as_str().unwrap().parse().unwrap(),
    }
}

async fn add_item(srv: &Srv, user: &User, home: Uuid, name: &str) -> Value {
    let (status, body) = api(
        srv,
        "POST",
        &format!("/api/homes/{home}/items"),
        &user.token,
        Some(json!({ "name": name, "separate": true })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn latest_seq(srv: &Srv, user: &User, home: Uuid) -> i64 {
    let (status, body) = api(
        srv,
        "GET",
        &format!("/api/homes/{home}/changes?since=0&limit=1"),
        &user.token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["latestSeq"].as_i64().unwrap()
}

fn is_change(frame: &Value) -> bool {
    matches!(
        frame["type"].as_str(),
        Some("inventory_update" | "list_update" | "home_update")
    )
}

struct Ws {
    io: Framed,
    /// The protocol the server selected.
    protocol: Option<String>,
}

impl Ws {
    async fn try_open(srv: &Srv, path: &str, protocols: &[String]) -> Result<Ws, WsClientError> {
        let mut req = awc::Client::new().ws(srv.url(path));
        if !protocols.is_empty() {
            req = req.protocols(protocols);
        }
        let (res, io) = req.connect().await?;
        let protocol = res
            .headers()
            .get("sec-websocket-protocol")
            .map(|v| v.to_str().unwrap().to_owned());
        Ok(Ws { io, protocol })
    }

    /// A socket of `user`'s token, greeted.
    async fn open(srv: &Srv, user: &User) -> Ws {
        let protocols = ["pixie.v1".to_owned(), format!("auth-{}", user.token)];
        let mut ws = Ws::try_open(srv, "/api/ws", &protocols).await.unwrap();
        assert_eq!(ws.protocol.as_deref(), Some("pixie.v1"));
        let hello = ws.json().await;
        assert_eq!(hello["type"], "status", "{hello}");
        assert_eq!(hello["payload"]["status"], "connected");
        assert!(hello["timestamp"].is_string());
        ws
    }

    async fn send(&mut self, frame: Value) {
        self.io
            .send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
    }

    /// The next frame (pings are answered and skipped).
    async fn frame(&mut self) -> Frame {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.io.next())
                .await
                .expect("a frame in time")
                .expect("the socket is open")
                .expect("a valid frame");
            match frame {
                Frame::Ping(payload) => self.io.send(Message::Pong(payload)).await.unwrap(),
                frame => return frame,
            }
        }
    }

    /// The next text frame, as JSON.
    async fn json(&mut self) -> Value {
        match self.frame().await {
            Frame::Text(text) => serde_json::from_slice(&text).unwrap(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// The next frame of this type, skipping others.
    async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.json().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// The `inventory_update` about the item called `name`, skipping others.
    async fn item_named(&mut self, name: &str) -> Value {
        loop {
            let frame = self.next_of("inventory_update").await;
            if frame["payload"]["item"]["name"] == name {
                return frame;
            }
        }
    }

    /// The next `n` change frames, skipping others.
    async fn changes(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let frame = self.json().await;
            if is_change(&frame) {
                out.push(frame);
            }
        }
        out
    }

    /// Every text frame the server sent before answering a ping sent now.
    async fn until_pong(&mut self) -> Vec<Value> {
        self.send(json!({ "type": "ping", "payload": {} })).await;
        let mut before = Vec::new();
        loop {
            let frame = self.json().await;
            if frame["type"] == "pong" {
                return before;
            }
            before.push(frame);
        }
    }

    /// Reads until the server's close frame (answering it); what came before is dropped.
    async fn closed(&mut self) -> Option<CloseReason> {
        loop {
            if let Frame::Close(reason) = self.frame().await {
                let _ = self.io.send(Message::Close(reason.clone())).await;
                return reason;
            }
        }
    }
}

fn close_code(reason: Option<CloseReason>) -> u16 {
    reason.map_or(0, |r| u16::from(r.code))
}

/// Waits until `ok` holds (polling the server's state, never longer than [`PATIENCE`]).
async fn eventually(what: &str, ok: impl Fn() -> bool) {
    tokio::time::timeout(PATIENCE, async {
        while !ok() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames.iter().map(|f| f["seq"].as_i64().unwrap()).collect()
}

fn status_of(result: Result<Ws, WsClientError>) -> u16 {
    match result {
        Err(WsClientError::InvalidResponseStatus(status)) => status.as_u16(),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => 101,
    }
}

/// An access token of `user`'s session that expired an hour ago, correctly signed.
fn expired_token(user: &User) -> String {
    token_expiring_in(user, -3600)
}

/// An access token of `user`'s session expiring `secs` from now, correctly signed.
fn token_expiring_in(user: &User, secs: i64) -> String {
    use base64::Engine;
    let payload = user.token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let mut claims: pantry_http::auth::jwt::Claims = serde_json::from_slice(&bytes).unwrap();
    let now = chrono::Utc::now().timestamp();
    claims.iat = (now + secs - 3600).min(now);
    claims.nbf = claims.iat;
    claims.exp = now + secs;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(support::JWT_SECRET).unwrap(),
    )
    .unwrap()
}

// ---- The handshake ----------------------------------------------------------------------------

#[actix_web::test]
async fn only_a_valid_token_in_the_protocol_header_opens_a_socket() {
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let auth = format!("auth-{}", alice.token);

    for path in ["/api/ws", "/ws"] {
        // No token at all.
        assert_eq!(
            status_of(Ws::try_open(&srv, path, &[]).await),
            401,
            "{path}"
        );
        assert_eq!(
            status_of(Ws::try_open(&srv, path, &["pixie.v1".to_owned()]).await),
            401
        );
        // A token that is not one of ours, or an expired one.
        assert_eq!(
            status_of(Ws::try_open(&srv, path, &["auth-not.a.token".to_owned()]).await),
            401
        );
        assert_eq!(
            status_of(Ws::try_open(&srv, path, &[format!("auth-{}", expired_token(&alice))]).await),
            401
        );
        // A token in the query string is refused even beside a valid one in the header.
        let query = format!("{path}?token={}", alice.token);
        assert_eq!(
            status_of(Ws::try_open(&srv, &query, std::slice::from_ref(&auth)).await),
            401
        );
        let query = format!("{path}?access_token={}", alice.token);
        assert_eq!(
            status_of(Ws::try_open(&srv, &query, std::slice::from_ref(&auth)).await),
            401
        );
    }
    assert_eq!(state.live.socket_count(), 0, "nothing was registered");

    // The token alone: the server echoes the protocol it selected, the auth- entry.
    let ws = Ws::try_open(&srv, "/ws", std::slice::from_ref(&auth))
        .await
        .unwrap();
    assert_eq!(ws.protocol.as_deref(), Some(auth.as_str()));
    // Beside pixie.v1 it selects that instead.
    let mut ws2 = Ws::open(&srv, &alice).await;
    let subscribed = ws2.next_of("subscribed").await;
    assert_eq!(subscribed["homeId"], alice.home.to_string());
    assert_eq!(state.live.socket_count(), 2);
    drop(ws);

    // A session that ended (sign out everywhere) opens nothing either.
    let (status, _) = api(&srv, "POST", "/api/auth/logout-all", &alice.token, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        status_of(Ws::try_open(&srv, "/api/ws", std::slice::from_ref(&auth)).await),
        401
    );
}

// ---- Who sees what ----------------------------------------------------------------------------

async fn a_member_of_one_home_never_sees_another_homes_changes(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let bob = sign_up(&srv, "bob").await;
    let mut alice_ws = Ws::open(&srv, &alice).await;
    let mut bob_ws = Ws::open(&srv, &bob).await;
    alice_ws.next_of("subscribed").await;
    bob_ws.next_of("subscribed").await;

    // Alice asks for Bob's home too, by subscribing and by resuming: refused, as if it did
    // not exist.
    alice_ws
        .send(json!({ "type": "subscribe", "payload": { "homeIds": [alice.home, bob.home] } }))
        .await;
    alice_ws
        .send(json!({ "type": "resume", "payload": { "homeId": bob.home, "since": 0 } }))
        .await;
    let answers = alice_ws.until_pong().await;
    let errors: Vec<&Value> = answers.iter().filter(|f| f["type"] == "error").collect();
    assert_eq!(errors.len(), 2, "{answers:?}");
    for error in errors {
        assert_eq!(error["payload"]["code"], "NOT_FOUND");
        assert_eq!(error["payload"]["homeId"], bob.home.to_string());
    }
    assert!(
        answers
            .iter()
            .filter(|f| f["type"] == "subscribed")
            .all(|f| f["homeId"] == alice.home.to_string()),
        "{answers:?}"
    );

    // Both change their homes; each sees exactly their own.
    for n in 0..3 {
        add_item(&srv, &bob, bob.home, &format!("bob's {n}")).await;
    }
    add_item(&srv, &alice, alice.home, "alice's").await;
    let bob_changes = bob_ws.changes(3).await;
    let alice_change = alice_ws.changes(1).await;
    assert_eq!(alice_change[0]["homeId"], alice.home.to_string());
    assert_eq!(alice_change[0]["type"], "inventory_update");
    assert_eq!(alice_change[0]["payload"]["action"], "added");
    assert_eq!(alice_change[0]["payload"]["item"]["name"], "alice's");
    assert!(
        bob_changes
            .iter()
            .all(|f| f["homeId"] == bob.home.to_string())
    );
    // Nothing else reached Alice: whatever the server queued for her came before the pong.
    let rest = alice_ws.until_pong().await;
    assert!(
        rest.iter()
            .all(|f| f["homeId"].is_null() || f["homeId"] == alice.home.to_string()),
        "{rest:?}"
    );
    assert!(!rest.iter().any(is_change), "{rest:?}");
}
on_both_backends!(
    sqlite_a_member_of_one_home_never_sees_another_homes_changes,
    postgres_a_member_of_one_home_never_sees_another_homes_changes,
    a_member_of_one_home_never_sees_another_homes_changes
);

async fn a_removed_member_stops_receiving_at_once(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let bob = sign_up(&srv, "bob").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;

    let mut alice_ws = Ws::open(&srv, &alice).await;
    alice_ws.next_of("subscribed").await;
    let mut bob_ws = Ws::open(&srv, &bob).await;
    bob_ws.next_of("subscribed").await;
    // Bob follows Alice's home instead of his own.
    bob_ws
        .send(json!({ "type": "subscribe", "payload": { "homeIds": [alice.home] } }))
        .await;
    let unsubscribed = bob_ws.next_of("unsubscribed").await;
    assert_eq!(unsubscribed["homeId"], bob.home.to_string());
    let subscribed = bob_ws.next_of("subscribed").await;
    assert_eq!(subscribed["homeId"], alice.home.to_string());

    add_item(&srv, &alice, alice.home, "milk").await;
    let seen = bob_ws.changes(1).await;
    assert_eq!(seen[0]["payload"]["item"]["name"], "milk");
    let partner = bob_ws.next_of("partner_activity").await;
    assert_eq!(partner["payload"]["action"], "item_added");
    assert_eq!(partner["payload"]["actorName"], "alice");
    assert_eq!(partner["payload"]["subject"], "milk");
    assert_eq!(partner["seq"], seen[0]["seq"]);

    let (status, body) = api(
        &srv,
        "DELETE",
        &format!("/api/homes/{}/members/{}", alice.home, bob.id),
        &alice.token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let removal = bob_ws.changes(1).await;
    assert_eq!(removal[0]["type"], "home_update");
    assert_eq!(removal[0]["payload"]["action"], "member_removed");
    let ended = bob_ws.next_of("unsubscribed").await;
    assert_eq!(ended["homeId"], alice.home.to_string());
    assert_eq!(ended["payload"]["reason"], "membership_ended");

    // Alice goes on; her socket sees it, Bob's never does.
    add_item(&srv, &alice, alice.home, "eggs").await;
    alice_ws.item_named("eggs").await;
    let rest = bob_ws.until_pong().await;
    assert!(rest.is_empty(), "Bob received {rest:?}");
    // And he cannot come back in by asking.
    bob_ws
        .send(json!({ "type": "resume", "payload": { "homeId": alice.home, "since": 0 } }))
        .await;
    let refused = bob_ws.next_of("error").await;
    assert_eq!(refused["payload"]["code"], "NOT_FOUND");
    add_item(&srv, &alice, alice.home, "butter").await;
    alice_ws.item_named("butter").await;
    let rest = bob_ws.until_pong().await;
    assert!(rest.is_empty(), "Bob received {rest:?}");
}
on_both_backends!(
    sqlite_a_removed_member_stops_receiving_at_once,
    postgres_a_removed_member_stops_receiving_at_once,
    a_removed_member_stops_receiving_at_once
);

/// Deleting a home ends every subscription to it, for every member.
async fn deleting_a_home_ends_its_subscriptions(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let bob = sign_up(&srv, "bob").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    let mut alice_ws = Ws::open(&srv, &alice).await;
    alice_ws.next_of("subscribed").await;
    let mut bob_ws = Ws::open(&srv, &bob).await;
    bob_ws
        .send(json!({ "type": "subscribe", "payload": { "homeIds": [bob.home, alice.home] } }))
        .await;
    let acks = bob_ws.until_pong().await;
    assert!(
        acks.iter()
            .any(|f| f["type"] == "subscribed" && f["homeId"] == alice.home.to_string()),
        "{acks:?}"
    );

    let (status, body) = api(
        &srv,
        "DELETE",
        &format!("/api/homes/{}", alice.home),
        &alice.token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for ws in [&mut alice_ws, &mut bob_ws] {
        let ended = ws.next_of("unsubscribed").await;
        assert_eq!(ended["homeId"], alice.home.to_string());
        assert_eq!(ended["payload"]["reason"], "home_deleted");
    }
    // Bob still follows his own home.
    add_item(&srv, &bob, bob.home, "tea").await;
    assert_eq!(
        bob_ws.item_named("tea").await["homeId"],
        bob.home.to_string()
    );
}
on_both_backends!(
    sqlite_deleting_a_home_ends_its_subscriptions,
    postgres_deleting_a_home_ends_its_subscriptions,
    deleting_a_home_ends_its_subscriptions
);

// ---- Resume -----------------------------------------------------------------------------------

async fn resume_after_a_missed_burst_delivers_exactly_it_in_order(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;

    let mut ws = Ws::open(&srv, &alice).await;
    ws.next_of("subscribed").await;
    add_item(&srv, &alice, alice.home, "before").await;
    let last_seen = ws.changes(1).await[0]["seq"].as_i64().unwrap();
    drop(ws);

    // 100 changes while offline.
    for n in 0..100 {
        add_item(&srv, &alice, alice.home, &format!("item {n}")).await;
    }
    assert_eq!(latest_seq(&srv, &alice, alice.home).await, last_seen + 100);

    let mut ws = Ws::open(&srv, &alice).await;
    ws.next_of("subscribed").await;
    ws.send(json!({ "type": "resume", "payload": { "homeId": alice.home, "since": last_seen } }))
        .await;
    let ack = ws.next_of("subscribed").await;
    assert_eq!(ack["seq"], last_seen);
    assert_eq!(ack["payload"]["latestSeq"], last_seen + 100);
    let replayed = ws.changes(100).await;
    assert_eq!(
        seqs(&replayed),
        ((last_seen + 1)..=(last_seen + 100)).collect::<Vec<_>>()
    );
    for (n, frame) in replayed.iter().enumerate() {
        assert_eq!(frame["payload"]["item"]["name"], format!("item {n}"));
        assert_eq!(frame["homeId"], alice.home.to_string());
    }
    let rest = ws.until_pong().await;
    assert!(!rest.iter().any(is_change), "no duplicate: {rest:?}");

    // Then live, right after.
    add_item(&srv, &alice, alice.home, "after").await;
    let live = ws.changes(1).await;
    assert_eq!(seqs(&live), [last_seen + 101]);

    // A seq the home never reached cannot be resumed from: refetch, then follow live.
    ws.send(
        json!({ "type": "resume", "payload": { "homeId": alice.home, "since": last_seen + 500 } }),
    )
    .await;
    let resync = ws.next_of("resync_required").await;
    assert_eq!(resync["payload"]["latestSeq"], last_seen + 101);
    assert_eq!(resync["payload"]["since"], last_seen + 500);
    add_item(&srv, &alice, alice.home, "later").await;
    assert_eq!(seqs(&ws.changes(1).await), [last_seen + 102]);
}
on_both_backends!(
    sqlite_resume_after_a_missed_burst_delivers_exactly_it_in_order,
    postgres_resume_after_a_missed_burst_delivers_exactly_it_in_order,
    resume_after_a_missed_burst_delivers_exactly_it_in_order
);

/// Resuming while changes keep coming: the replay runs into the live flow with no gap and
/// no duplicate.
async fn resume_during_writes_has_no_gap_and_no_duplicate(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    for n in 0..30 {
        add_item(&srv, &alice, alice.home, &format!("old {n}")).await;
    }
    let since = 3;
    let srv = std::rc::Rc::new(srv);
    let writer = {
        let srv = srv.clone();
        let alice = User {
            id: alice.id,
            token: alice.token.clone(),
            home: alice.home,
        };
        actix_web::rt::spawn(async move {
            for n in 0..40 {
                add_item(&srv, &alice, alice.home, &format!("new {n}")).await;
            }
        })
    };
    let mut ws = Ws::open(&srv, &alice).await;
    ws.send(json!({ "type": "resume", "payload": { "homeId": alice.home, "since": since } }))
        .await;
    writer.await.unwrap();
    let latest = latest_seq(&srv, &alice, alice.home).await;
    // Everything after `since`, once: frames before the resume's acknowledgement belong to
    // the live subscription the socket opened with and are not counted.
    let mut got = Vec::new();
    loop {
        let frame = ws.json().await;
        if frame["type"] == "subscribed" && frame["seq"] == since {
            break;
        }
    }
    while got.last().copied() != Some(latest) {
        let frame = ws.json().await;
        if is_change(&frame) {
            got.push(frame["seq"].as_i64().unwrap());
        }
    }
    assert_eq!(got, ((since + 1)..=latest).collect::<Vec<_>>());
    let rest = ws.until_pong().await;
    assert!(!rest.iter().any(is_change), "{rest:?}");
}
on_both_backends!(
    sqlite_resume_during_writes_has_no_gap_and_no_duplicate,
    postgres_resume_during_writes_has_no_gap_and_no_duplicate,
    resume_during_writes_has_no_gap_and_no_duplicate
);

// ---- Limits and health ------------------------------------------------------------------------

/// A reader that stops reading is closed (4008) once its queue stayed full for the send
/// timeout, while a reader on the same home receives every change in order meanwhile.
#[actix_web::test]
async fn a_slow_reader_is_cut_off_while_a_fast_one_keeps_up() {
    let db = TestDb::sqlite().await;
    let state = state_with(
        &db,
        LiveConfig {
            send_queue: 16,
            send_timeout: Duration::from_millis(500),
            ..LiveConfig::default()
        },
    );
    let srv = std::rc::Rc::new(serve_with_small_send_buffers(&state));
    let alice = sign_up(&srv, "alice").await;
    let bob = sign_up(&srv, "bob").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    // Only Alice's changes, one seq each: no partner-activity notices for Bob in between.
    let (status, body) = api(
        &srv,
        "PATCH",
        "/api/users/me/preferences",
        &bob.token,
        Some(json!({ "mutedNotificationTypes": ["partner_activity"] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let mut slow = Ws::open(&srv, &bob).await;
    slow.send(json!({ "type": "subscribe", "payload": { "homeIds": [alice.home] } }))
        .await;
    let acks = slow.until_pong().await;
    assert!(
        acks.iter()
            .any(|f| f["type"] == "subscribed" && f["homeId"] == alice.home.to_string())
    );
    let mut fast = Ws::open(&srv, &alice).await;
    fast.next_of("subscribed").await;
    let first = latest_seq(&srv, &alice, alice.home).await + 1;

    // Bob stops reading; Alice reads everything as it comes.
    const CHANGES: i64 = 150;
    let reader = actix_web::rt::spawn(async move {
        let got = fast.changes(CHANGES as usize).await;
        (fast, got)
    });
    let long = "x".repeat(1000);
    for n in 0..CHANGES {
        let (status, body) = api(
            &srv,
            "POST",
            &format!("/api/homes/{}/items", alice.home),
            &alice.token,
            Some(json!({
                "name": format!("big item {n}"),
                "description": long,
                "notes": long,
                "separate": true,
            })),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (mut fast, got) = reader.await.unwrap();
    assert_eq!(
        seqs(&got),
        (first..first + CHANGES).collect::<Vec<_>>(),
        "the fast reader got every change, in order"
    );

    // The slow socket is dropped by the server; the fast one is still served.
    eventually("the slow socket is closed", || {
        state.live.socket_count() == 1
    })
    .await;
    add_item(&srv, &alice, alice.home, "one more").await;
    assert_eq!(seqs(&fast.changes(1).await), [first + CHANGES]);

    // When Bob reads again he finds part of the changes, then the close.
    let mut received = 0;
    let code = loop {
        match slow.frame().await {
            Frame::Text(text) => {
                let frame: Value = serde_json::from_slice(&text).unwrap();
                if is_change(&frame) {
                    received += 1;
                }
            }
            Frame::Close(reason) => break close_code(reason),
            _ => {}
        }
    };
    assert_eq!(code, 4008);
    assert!(received < CHANGES, "the slow reader got {received} changes");
}

/// Pings: a client that answers stays; one that does not is closed (4002).
#[actix_web::test]
async fn heartbeats_close_a_silent_client_and_keep_a_live_one() {
    let db = TestDb::sqlite().await;
    let state = state_with(
        &db,
        LiveConfig {
            ping_interval: Duration::from_millis(100),
            max_missed_pongs: 2,
            ..LiveConfig::default()
        },
    );
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;

    // Answers pings (the helper does): still served after several.
    let mut live = Ws::open(&srv, &alice).await;
    let mut pings = 0;
    while pings < 5 {
        match tokio::time::timeout(PATIENCE, live.io.next()).await {
            Ok(Some(Ok(Frame::Ping(payload)))) => {
                pings += 1;
                live.io.send(Message::Pong(payload)).await.unwrap();
            }
            Ok(Some(Ok(Frame::Text(_)))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    live.until_pong().await;

    // Never answers: pings, then the close.
    let mut silent = Ws::open(&srv, &alice).await;
    let code = loop {
        match tokio::time::timeout(PATIENCE, silent.io.next()).await {
            Ok(Some(Ok(Frame::Close(reason)))) => break close_code(reason),
            Ok(Some(Ok(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(code, 4002);
}

/// Too many messages (1008), a frame over the size limit (1009), binary frames (an error),
/// and the cap on sockets per user (429).
#[actix_web::test]
async fn message_rate_frame_size_and_socket_count_are_limited() {
    let db = TestDb::sqlite().await;
    let state = state_with(
        &db,
        LiveConfig {
            message_rate: 1,
            message_burst: 5,
            max_frame_size: 1024,
            max_sockets_per_user: 2,
            ..LiveConfig::default()
        },
    );
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;

    let mut chatty = Ws::open(&srv, &alice).await;
    for _ in 0..10 {
        chatty.send(json!({ "type": "ping", "payload": {} })).await;
    }
    let mut pongs = 0;
    let mut limited = false;
    let code = loop {
        match chatty.frame().await {
            Frame::Text(text) => {
                let frame: Value = serde_json::from_slice(&text).unwrap();
                match frame["type"].as_str() {
                    Some("pong") => pongs += 1,
                    Some("error") => {
                        assert_eq!(frame["payload"]["code"], "RATE_LIMITED");
                        limited = true;
                    }
                    _ => {}
                }
            }
            Frame::Close(reason) => break close_code(reason),
            _ => {}
        }
    };
    assert_eq!(code, 1008);
    assert!(limited);
    assert!((5..10).contains(&pongs), "{pongs} pongs");

    let mut big = Ws::open(&srv, &alice).await;
    big.send(json!({ "type": "ping", "payload": { "padding": "x".repeat(4096) } }))
        .await;
    assert_eq!(close_code(big.closed().await), 1009);

    let mut binary = Ws::open(&srv, &alice).await;
    binary
        .io
        .send(Message::Binary(Bytes::from_static(b"\x00\x01")))
        .await
        .unwrap();
    let error = binary.next_of("error").await;
    assert_eq!(error["payload"]["code"], "UNSUPPORTED");

    // Earlier clients' requests get the earlier answers.
    binary
        .io
        .send(Message::Text("not json".into()))
        .await
        .unwrap();
    let error = binary.next_of("error").await;
    assert_eq!(error["payload"]["error"], "Invalid message format");
    binary
        .send(json!({ "type": "message", "payload": { "content": "hi" } }))
        .await;
    let error = binary.next_of("error").await;
    assert_eq!(
        error["payload"]["error"],
        "threadId and content are required"
    );
    assert_eq!(error["payload"]["code"], "INVALID_PAYLOAD");
    binary.send(json!({ "type": "dance", "payload": {} })).await;
    let error = binary.next_of("error").await;
    assert_eq!(error["payload"]["code"], "UNKNOWN_TYPE");

    // Two sockets are open (the others were closed by the server): a third is refused.
    eventually("closed sockets are forgotten", || {
        state.live.socket_count() == 1
    })
    .await;
    let mut second = Ws::open(&srv, &alice).await;
    let protocols = [format!("auth-{}", alice.token)];
    assert_eq!(
        status_of(Ws::try_open(&srv, "/api/ws", &protocols).await),
        429
    );
    // Closing one makes room again.
    second
        .io
        .send(Message::Close(Some(CloseCode::Normal.into())))
        .await
        .unwrap();
    assert_eq!(close_code(second.closed().await), 1000);
    eventually("the closed socket is forgotten", || {
        state.live.socket_count() == 1
    })
    .await;
    Ws::open(&srv, &alice).await;
}

/// A socket ends with its access token (4001), and when its session is ended elsewhere.
#[actix_web::test]
async fn a_socket_closes_when_its_token_expires_or_its_session_ends() {
    let db = TestDb::sqlite().await;
    let state = state_with(
        &db,
        LiveConfig {
            session_check_interval: Duration::from_millis(100),
            ..LiveConfig::default()
        },
    );
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;

    let short_lived = User {
        id: alice.id,
        token: token_expiring_in(&alice, 1),
        home: alice.home,
    };
    let mut ws = Ws::open(&srv, &short_lived).await;
    let reason = ws.closed().await;
    assert_eq!(close_code(reason.clone()), 4001);
    assert_eq!(
        reason.and_then(|r| r.description).as_deref(),
        Some("access token expired")
    );

    let mut ws = Ws::open(&srv, &alice).await;
    ws.until_pong().await;
    let (status, _) = api(&srv, "POST", "/api/auth/logout-all", &alice.token, None).await;
    assert_eq!(status, 200);
    let reason = ws.closed().await;
    assert_eq!(close_code(reason.clone()), 4001);
    assert_eq!(
        reason.and_then(|r| r.description).as_deref(),
        Some("session ended")
    );
}

/// Shutting down closes every socket with 1001 ("going away": reconnect elsewhere) and
/// refuses new ones.
#[actix_web::test]
async fn shutting_down_closes_sockets_with_going_away() {
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, CapturedLog::default().logger());
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let mut ws = Ws::open(&srv, &alice).await;
    ws.next_of("subscribed").await;

    let live = state.live.clone();
    let shutdown = actix_web::rt::spawn(async move {
        live.shutdown(Duration::from_secs(5)).await;
    });
    assert_eq!(close_code(ws.closed().await), 1001);
    shutdown.await.unwrap();
    assert_eq!(state.live.socket_count(), 0);
    let protocols = [format!("auth-{}", alice.token)];
    assert_eq!(
        status_of(Ws::try_open(&srv, "/api/ws", &protocols).await),
        503
    );
}

// ---- Several instances ------------------------------------------------------------------------

/// Two instances on one PostgreSQL database, each with its own pool, hub and listener: a
/// change made through one reaches a socket on the other, and when the other's listening
/// connection is killed, the changes made meanwhile still arrive, in order, once.
#[actix_web::test]
async fn postgres_two_instances_share_changes_and_a_lost_listener_loses_nothing() {
    use pantry_http::live::{LiveDeps, LiveHub};
    use pantry_store::{Database, StoreAccounts, StoreChangeLog, StoreChangeSignals, StoreHomes};
    use std::sync::Arc;

    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let one = support::state(&db.db, CapturedLog::default().logger());
    let srv_one = serve(&one);

    let db_two = Database::new(&db.config()).unwrap();
    let log = CapturedLog::default().logger();
    let signals_two = StoreChangeSignals::start(&db_two, |_| {});
    let mut two = support::state(&db_two, log.clone());
    two.live = LiveHub::start(
        LiveDeps {
            signals: Arc::new(signals_two.clone()),
            log: Arc::new(StoreChangeLog::new(db_two.clone())),
            homes: Arc::new(StoreHomes::new(db_two.clone())),
            accounts: Arc::new(StoreAccounts::new(db_two.clone())),
        },
        LiveConfig::default(),
        log,
    );
    let srv_two = serve(&two);
    eventually("instance two listens", || {
        signals_two.listener_pid().is_some()
    })
    .await;

    let alice = sign_up(&srv_one, "alice").await;
    let mut ws = Ws::open(&srv_two, &alice).await;
    ws.next_of("subscribed").await;
    add_item(&srv_one, &alice, alice.home, "made on one").await;
    let seen = ws.changes(1).await;
    assert_eq!(seen[0]["payload"]["item"]["name"], "made on one");
    let mut last = seen[0]["seq"].as_i64().unwrap();

    // Kill instance two's listening connection, and keep writing through instance one
    // while it reconnects and after.
    let pid = signals_two.listener_pid().unwrap();
    {
        use diesel_async::SimpleAsyncConnection;
        let mut conn = db.db.conn().await.unwrap();
        conn.batch_execute(&format!("SELECT pg_terminate_backend({pid})"))
            .await
            .unwrap();
    }
    let mut written = 0;
    let mut while_down = 0;
    while signals_two.listener_connections() < 2 || written < 20 {
        if signals_two.listener_connections() < 2 {
            while_down += 1;
        }
        add_item(&srv_one, &alice, alice.home, &format!("during {written}")).await;
        written += 1;
        assert!(written < 10_000, "the listener never came back");
    }
    assert!(
        while_down > 0,
        "no change was made while the listener was down"
    );
    assert_ne!(signals_two.listener_pid(), Some(pid));

    let arrived = ws.changes(written).await;
    assert_eq!(
        seqs(&arrived),
        ((last + 1)..=(last + written as i64)).collect::<Vec<_>>()
    );
    for (n, frame) in arrived.iter().enumerate() {
        assert_eq!(frame["payload"]["item"]["name"], format!("during {n}"));
    }
    last += written as i64;
    let rest = ws.until_pong().await;
    assert!(!rest.iter().any(is_change), "no duplicate: {rest:?}");

    // And the reconnected listener carries on.
    add_item(&srv_one, &alice, alice.home, "after").await;
    assert_eq!(seqs(&ws.changes(1).await), [last + 1]);
    db_two.close();
}

// ---- Chat on the socket -------------------------------------------------------------------------

/// Alice asks Pixie over her socket; Bob's socket in the same home sees her message, the reply
/// streaming in (cumulative `content` plus the new `delta`), the final reply with its card,
/// and the list change made by Pixie for Alice. A socket of another home sees none of it.
async fn a_chat_turn_streams_to_every_socket_of_the_home(db: &TestDb) {
    use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![ToolCallScript::new(
            "call_1",
            "addToList",
            &["{\"items\": [{\"name\": ", "\"eggs\", \"quantity\": 12}]}"],
        )]),
        Reply::text(&["Eggs ", "are on ", "the list."])
            .with_delay_between_chunks(Duration::from_millis(20)),
        Reply::text(&["Eggs"]),
    ]);
    let state = state_with_model(db, &fake);
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let bob = sign_up(&srv, "bob").await;
    let eve = sign_up(&srv, "eve").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    let (status, thread) = api(
        &srv,
        "POST",
        &format!("/api/homes/{}/chat/threads", alice.home),
        &alice.token,
        None,
    )
    .await;
    assert_eq!(status, 201, "{thread}");
    let thread_id = thread["data"]["id"].as_str().unwrap().to_owned();

    let mut alice_ws = Ws::open(&srv, &alice).await;
    alice_ws.next_of("subscribed").await;
    let mut bob_ws = Ws::open(&srv, &bob).await;
    bob_ws.next_of("subscribed").await;
    bob_ws
        .send(json!({ "type": "subscribe", "payload": { "homeIds": [alice.home] } }))
        .await;
    bob_ws.next_of("unsubscribed").await;
    bob_ws.next_of("subscribed").await;
    let mut eve_ws = Ws::open(&srv, &eve).await;
    eve_ws.next_of("subscribed").await;

    alice_ws
        .send(json!({ "type": "message", "payload": { "threadId": thread_id, "content": "we need a dozen eggs" } }))
        .await;

    // Everything Bob's socket receives until Pixie is idle again.
    let mut frames = Vec::new();
    loop {
        let frame = bob_ws.json().await;
        let idle = frame["type"] == "status" && frame["payload"]["status"] == "idle";
        frames.push(frame);
        if idle {
            break;
        }
    }
    fn of<'a>(frames: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> {
        frames.iter().filter(move |f| f["type"] == kind)
    }
    let typing = of(&frames, "status").next().unwrap();
    assert_eq!(typing["payload"]["status"], "typing");
    assert_eq!(typing["payload"]["threadId"], thread_id);
    let echo = of(&frames, "message").next().expect("the question echoed");
    assert_eq!(echo["payload"]["role"], "user");
    assert_eq!(echo["payload"]["content"], "we need a dozen eggs");
    assert_eq!(echo["payload"]["userId"], alice.id.to_string());

    let mut deltas = String::new();
    let mut streamed = 0;
    for frame in of(&frames, "ui_message").filter(|f| f["payload"]["isStreaming"] == true) {
        streamed += 1;
        deltas.push_str(frame["payload"]["delta"].as_str().unwrap());
        assert_eq!(frame["payload"]["content"], deltas, "content is cumulative");
    }
    assert!(streamed >= 3, "the reply streamed in pieces ({streamed})");
    assert_eq!(deltas, "Eggs are on the list.");
    let last = of(&frames, "ui_message")
        .find(|f| f["payload"]["isStreaming"] == false)
        .expect("the final reply");
    assert_eq!(last["payload"]["content"], "Eggs are on the list.");
    assert_eq!(last["payload"]["ui"]["type"], "grocery-list");
    assert_eq!(last["payload"]["ui"]["data"]["items"][0]["name"], "eggs");

    // The change Pixie made arrives as a change frame, attributed to Pixie for Alice (it
    // travels through the change log, so it may come before or after the reply).
    let change = match frames
        .iter()
        .find(|f| is_change(f) && f["payload"]["kind"] == "list_item.added")
    {
        Some(change) => change.clone(),
        None => loop {
            let frame = bob_ws.changes(1).await.remove(0);
            if frame["payload"]["kind"] == "list_item.added" {
                break frame;
            }
        },
    };
    assert_eq!(change["payload"]["actorKind"], "pixie");
    assert_eq!(change["payload"]["actorId"], alice.id.to_string());
    assert_eq!(change["payload"]["listItem"]["name"], "eggs");

    // Alice's own socket got the reply too, but not her own message back.
    let alice_last = loop {
        let frame = alice_ws.json().await;
        assert_ne!(
            frame["type"], "message",
            "the asker does not get her message echoed"
        );
        if frame["type"] == "ui_message" && frame["payload"]["isStreaming"] == false {
            break frame;
        }
    };
    assert_eq!(
        alice_last["payload"]["messageId"],
        last["payload"]["messageId"]
    );

    let nothing = eve_ws.until_pong().await;
    assert!(
        nothing
            .iter()
            .all(|f| f["type"] != "ui_message" && f["type"] != "message"),
        "another home saw the chat: {nothing:?}"
    );

    // A message about a thread of another home is refused and runs nothing.
    eve_ws
        .send(json!({ "type": "message", "payload": { "threadId": thread_id, "content": "hi" } }))
        .await;
    let refused = eve_ws.next_of("error").await;
    assert_eq!(refused["payload"]["code"], "NOT_FOUND");
    // A receipt that could not be confirmed is refused like a confirm body, and runs nothing.
    alice_ws
        .send(
            json!({ "type": "message", "payload": { "threadId": thread_id, "content": "my receipt",
                      "receipt": { "merchant": "Test Mart", "items": [{ "name": "  " }] } } }),
        )
        .await;
    let refused = alice_ws.next_of("error").await;
    assert_eq!(refused["payload"]["code"], "VALIDATION_ERROR");
    assert_eq!(refused["payload"]["error"], "No items to add");
    assert_eq!(fake.request_count(), 3);
}
on_both_backends!(
    sqlite_a_chat_turn_streams_to_every_socket_of_the_home,
    postgres_a_chat_turn_streams_to_every_socket_of_the_home,
    a_chat_turn_streams_to_every_socket_of_the_home
);

/// The asking socket closes while Pixie is still answering and nobody else watches: the
/// model request is cancelled.
async fn closing_the_asking_socket_cancels_the_model_request(db: &TestDb) {
    use pantry_openai::fake::{FakeOpenAi, Reply};
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["one ", "two ", "three ", "four ", "five"])
            .with_delay_between_chunks(Duration::from_millis(300)),
    ]);
    let state = state_with_model(db, &fake);
    let srv = serve(&state);
    let alice = sign_up(&srv, "alice").await;
    let (_, thread) = api(
        &srv,
        "POST",
        &format!("/api/homes/{}/chat/threads", alice.home),
        &alice.token,
        None,
    )
    .await;
    let thread_id = thread["data"]["id"].as_str().unwrap().to_owned();
    let mut ws = Ws::open(&srv, &alice).await;
    ws.next_of("subscribed").await;
    ws.send(json!({ "type": "message", "payload": { "threadId": thread_id, "content": "count to five" } }))
        .await;
    ws.next_of("ui_message").await;
    drop(ws);
    assert!(
        fake.wait_for_disconnects(1, PATIENCE).await,
        "the model request outlived the socket"
    );
}
on_both_backends!(
    sqlite_closing_the_asking_socket_cancels_the_model_request,
    postgres_closing_the_asking_socket_cancels_the_model_request,
    closing_the_asking_socket_cancels_the_model_request
);

/// Two instances on one database: a turn answered by instance A reaches a partner's socket on
/// instance B through the change log: the question and the reply (with its card) as
/// `home_update` frames of kind `chat.message_added`, attributed to Alice and to Pixie for her.
async fn chat_messages_reach_sockets_on_another_instance(db: &TestDb) {
    let a = support::state(&db.db, CapturedLog::default().logger());
    let b = state_with(db, LiveConfig::default());
    let srv_a = serve(&a);
    let srv_b = serve(&b);
    let alice = sign_up(&srv_a, "alice").await;
    let bob = sign_up(&srv_b, "bob").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    let mut bob_ws = Ws::open(&srv_b, &bob).await;
    bob_ws.next_of("subscribed").await;
    bob_ws
        .send(json!({ "type": "subscribe", "payload": { "homeIds": [alice.home] } }))
        .await;
    bob_ws.next_of("unsubscribed").await;
    bob_ws.next_of("subscribed").await;

    let (status, thread) = api(
        &srv_a,
        "POST",
        &format!("/api/homes/{}/chat/threads", alice.home),
        &alice.token,
        None,
    )
    .await;
    assert_eq!(status, 201, "{thread}");
    let thread_id = thread["data"]["id"].as_str().unwrap().to_owned();
    let (status, turn) = api(
        &srv_a,
        "POST",
        &format!(
            "/api/homes/{}/chat/threads/{thread_id}/messages",
            alice.home
        ),
        &alice.token,
        Some(json!({"content": "add 2 milk to the list"})),
    )
    .await;
    assert_eq!(status, 201, "{turn}");

    let mut chat = Vec::new();
    while chat.len() < 2 {
        let frame = bob_ws.changes(1).await.remove(0);
        if frame["payload"]["kind"] == "chat.message_added" {
            chat.push(frame);
        }
    }
    assert_eq!(chat[0]["type"], "home_update");
    assert_eq!(
        chat[0]["payload"]["data"]["content"],
        "add 2 milk to the list"
    );
    assert_eq!(chat[0]["payload"]["actorKind"], "user");
    assert_eq!(chat[0]["payload"]["actorId"], alice.id.to_string());
    assert_eq!(chat[1]["payload"]["data"]["role"], "assistant");
    assert_eq!(chat[1]["payload"]["actorKind"], "pixie");
    assert_eq!(
        chat[1]["payload"]["data"]["id"],
        turn["data"]["assistantMessage"]["id"]
    );
    assert_eq!(chat[1]["payload"]["data"]["ui"]["type"], "grocery-list");
}
on_both_backends!(
    sqlite_chat_messages_reach_sockets_on_another_instance,
    postgres_chat_messages_reach_sockets_on_another_instance,
    chat_messages_reach_sockets_on_another_instance
);
