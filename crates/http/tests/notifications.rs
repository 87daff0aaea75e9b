//! The household inbox over HTTP and on live sockets: who sees which notice, read state per
//! member, mutes, the add-to-list action, and `notification` frames that reach exactly their
//! recipients, on one instance and across two.

#[macro_use]
mod support;

use awc::BoxedSocket;
use awc::ws::{Codec, Frame, Message};
use futures_util::{SinkExt, StreamExt};
use pantry_core::change_log::Actor;
use pantry_core::notifications::{NewNotice, NoticeKind};
use pantry_http::routes::RouteTable;
use pantry_http::state::AppState;
use pantry_http::{Pipeline, build_app};
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use std::time::Duration;
use support::{CapturedLog, Person, status};
use uuid::Uuid;

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

fn notice(kind: NoticeKind, title: &str, data: Option<Value>) -> NewNotice {
    NewNotice {
        recipient: None,
        kind,
        title: title.to_owned(),
        body: None,
        ref_id: None,
        once_key: None,
        data,
    }
}

/// A household notice, as a scheduled job creates it.
async fn household_notice(state: &AppState, home: Uuid, new: NewNotice) -> Value {
    let created = state
        .notifications
        .notify(&Actor::system(), home, &new)
        .await
        .unwrap()
        .unwrap();
    serde_json::to_value(created).unwrap()
}

fn titles(inbox: &Value) -> Vec<String> {
    inbox["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_inbox_over_http(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    support::add_member(&db.db, alice.home, carol.id, "viewer").await;
    let inbox = |p: &Person| format!("/api/homes/{}/notifications", p.home);
    let alices_inbox = inbox(&alice);

    // Alice adds milk: Bob and Carol hear of it, Alice does not.
    let added = send!(
        app,
        "POST",
        format!("/api/homes/{}/items", alice.home),
        Some(&alice.token),
        json!({"name": "Milk"})
    );
    assert_eq!(status(&added), 201, "{:?}", added.body);
    let bobs = send!(app, "GET", alices_inbox, Some(&bob.token)).json();
    assert_eq!(titles(&bobs), ["alice added Milk"]);
    let partner = bobs["data"][0].clone();
    assert_eq!(partner["type"], "partner_activity");
    assert_eq!(partner["recipient"], bob.id.to_string());
    assert_eq!(partner["read"], false);
    assert_eq!(partner["count"], 1);
    assert_eq!(partner["refId"], added.json()["data"]["id"]);
    assert!(titles(&send!(app, "GET", alices_inbox, Some(&alice.token)).json()).is_empty());

    // A household notice reaches everyone; Alice reading it reads it for Alice only.
    let low = household_notice(
        &state,
        alice.home,
        notice(
            NoticeKind::RunningLow,
            "Running low on Coffee",
            Some(json!({"itemName": "Coffee"})),
        ),
    )
    .await;
    let low_id = low["id"].as_str().unwrap();
    let read = send!(
        app,
        "PATCH",
        format!("{alices_inbox}/{low_id}/read"),
        Some(&alice.token)
    );
    assert_eq!(status(&read), 200, "{:?}", read.body);
    assert_eq!(read.json()["data"]["read"], true);
    assert_eq!(read.json()["data"]["recipient"], Value::Null);
    let bobs = send!(app, "GET", alices_inbox, Some(&bob.token)).json();
    assert_eq!(titles(&bobs), ["Running low on Coffee", "alice added Milk"]);
    assert_eq!(bobs["data"][0]["read"], false, "still unread for Bob");

    // Bob's own notice is not Alice's to mark; another home's member learns nothing.
    let partner_id = partner["id"].as_str().unwrap();
    let theirs = send!(
        app,
        "PATCH",
        format!("{alices_inbox}/{partner_id}/read"),
        Some(&alice.token)
    );
    assert_eq!(status(&theirs), 404);
    assert_eq!(theirs.json()["error"], "Notification not found");
    let outsider = sign_up!(app, "mallory");
    assert_eq!(
        status(&send!(app, "GET", alices_inbox, Some(&outsider.token))),
        404
    );

    // Unread only, paging and bad parameters.
    let unread = send!(
        app,
        "GET",
        format!("{alices_inbox}?unread=true"),
        Some(&alice.token)
    )
    .json();
    assert!(titles(&unread).is_empty());
    let page = send!(
        app,
        "GET",
        format!("{alices_inbox}?limit=1"),
        Some(&bob.token)
    )
    .json();
    assert_eq!(titles(&page), ["Running low on Coffee"]);
    let next = send!(
        app,
        "GET",
        format!("{alices_inbox}?limit=1&before={low_id}"),
        Some(&bob.token)
    )
    .json();
    assert_eq!(titles(&next), ["alice added Milk"]);
    for bad in ["limit=0", "limit=201", "before=yesterday", "unread=maybe"] {
        let reply = send!(
            app,
            "GET",
            format!("{alices_inbox}?{bad}"),
            Some(&bob.token)
        );
        assert_eq!(status(&reply), 400, "{bad}");
        assert_eq!(reply.json()["code"], "VALIDATION_ERROR", "{bad}");
    }

    // Add to list: viewers may not; a member puts Coffee on the default list once.
    let action = format!("{alices_inbox}/{low_id}/add-to-list");
    assert_eq!(status(&send!(app, "POST", action, Some(&carol.token))), 403);
    let first = send!(app, "POST", action, Some(&bob.token));
    assert_eq!(status(&first), 201, "{:?}", first.body);
    let first = first.json()["data"].clone();
    assert_eq!(first["item"]["name"], "Coffee");
    assert_eq!(first["listItem"]["isCompleted"], false);
    assert_eq!(first["listItem"]["itemId"], first["item"]["id"]);
    let again = send!(app, "POST", action, Some(&alice.token));
    assert_eq!(status(&again), 200, "already on the list: {:?}", again.body);
    assert_eq!(
        again.json()["data"]["listItem"]["id"],
        first["listItem"]["id"]
    );
    let list = send!(
        app,
        "GET",
        format!(
            "/api/homes/{}/lists/{}",
            alice.home,
            first["listId"].as_str().unwrap()
        ),
        Some(&bob.token)
    )
    .json();
    let coffee: Vec<&Value> = list["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["item"]["name"] == "Coffee")
        .collect();
    assert_eq!(coffee.len(), 1, "still one entry: {list}");
    assert_eq!(coffee[0]["isCompleted"], false);
    let no_action = send!(
        app,
        "POST",
        format!("{alices_inbox}/{partner_id}/add-to-list"),
        Some(&bob.token)
    );
    assert_eq!(status(&no_action), 400);
    assert_eq!(
        no_action.json()["error"],
        "This notification has no add-to-list action"
    );

    // Muting a kind hides it from the inbox.
    let muted = send!(
        app,
        "PATCH",
        "/api/users/me/preferences",
        Some(&bob.token),
        json!({"mutedNotificationTypes": ["running_low"]})
    );
    assert_eq!(status(&muted), 200, "{:?}", muted.body);
    assert_eq!(
        titles(&send!(app, "GET", alices_inbox, Some(&bob.token)).json()),
        ["alice added Milk"]
    );

    // Read-all, for Bob only.
    let all = send!(
        app,
        "POST",
        format!("{alices_inbox}/read-all"),
        Some(&bob.token)
    );
    assert_eq!(status(&all), 200, "{:?}", all.body);
    assert_eq!(all.json()["data"]["marked"], 2, "the muted one too");
    let carols = send!(
        app,
        "GET",
        format!("{alices_inbox}?unread=true"),
        Some(&carol.token)
    )
    .json();
    assert_eq!(
        titles(&carols),
        ["Running low on Coffee", "alice added Milk"]
    );

    // Bob's notice stays out of Alice's change feed and out of everyone's activity feed.
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes?since=0", alice.home),
        Some(&alice.token)
    )
    .json();
    assert!(
        changes["data"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "notification.created"),
        "the household notice is Alice's too: {changes}"
    );
    assert!(!changes.to_string().contains(partner_id), "{changes}");
    let bobs_changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes?since=0", alice.home),
        Some(&bob.token)
    )
    .json();
    assert!(
        bobs_changes.to_string().contains(partner_id),
        "Bob's feed has his notice"
    );
    let activity = send!(
        app,
        "GET",
        format!("/api/homes/{}/activity", alice.home),
        Some(&bob.token)
    )
    .json();
    assert!(
        !activity.to_string().contains("notification."),
        "{activity}"
    );
}
on_both_backends!(
    sqlite_the_inbox_over_http,
    postgres_the_inbox_over_http,
    the_inbox_over_http
);

// ---- Live --------------------------------------------------------------------------------------

type Framed = actix_codec::Framed<BoxedSocket, Codec>;

const PATIENCE: Duration = Duration::from_secs(15);

struct Srv {
    base: String,
    _test: actix_test::TestServer,
}

fn serve(state: &AppState) -> Srv {
    let state = state.clone();
    let pipeline = Pipeline::new(support::config(), state.log.clone());
    let test = actix_test::start(move || {
        build_app(state.clone(), pipeline.clone(), RouteTable::production())
    });
    Srv {
        base: format!("http://{}", test.addr()),
        _test: test,
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
        .request(method.parse().unwrap(), format!("{}{path}", srv.base))
        .insert_header(("Authorization", format!("Bearer {token}")));
    let mut res = match body {
        Some(body) => req.send_json(&body).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let status = res.status().as_u16();
    let body = res.body().limit(4 << 20).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn sign_up(srv: &Srv, name: &str) -> User {
    let mut res = awc::Client::new()
        .post(format!("{}/api/auth/register", srv.base))
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

struct Ws {
    io: Framed,
}

impl Ws {
    /// A socket of `user` following `home`.
    async fn open(srv: &Srv, user: &User, home: Uuid) -> Ws {
        let protocols = ["pixie.v1".to_owned(), format!("auth-{}", user.token)];
        let (_, io) = awc::Client::new()
            .ws(format!("{}/api/ws", srv.base))
            .protocols(protocols)
            .connect()
            .await
            .unwrap();
        let mut ws = Ws { io };
        ws.send(json!({ "type": "subscribe", "payload": { "homeIds": [home] } }))
            .await;
        loop {
            let frame = ws.json().await;
            if frame["type"] == "subscribed" && frame["homeId"] == home.to_string() {
                return ws;
            }
        }
    }

    async fn send(&mut self, frame: Value) {
        self.io
            .send(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
    }

    async fn json(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.io.next())
                .await
                .expect("a frame in time")
                .expect("the socket is open")
                .expect("a valid frame");
            match frame {
                Frame::Ping(payload) => self.io.send(Message::Pong(payload)).await.unwrap(),
                Frame::Text(text) => return serde_json::from_slice(&text).unwrap(),
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.json().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Every frame the server sent before answering a ping sent now.
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
}

/// Alice writes through `one`; Bob's, Alice's and Carol's sockets are on `two`. Bob's socket
/// gets the notice addressed to him, Alice's and Carol's (who muted partner activity) do not;
/// a household notice reaches Bob and Alice but not Carol, who muted its kind too.
async fn notices_reach_exactly_their_recipients(one: &AppState, two: &AppState, db: &TestDb) {
    let (srv_one, srv_two) = (serve(one), serve(two));
    let alice = sign_up(&srv_one, "alice").await;
    let bob = sign_up(&srv_one, "bob").await;
    let carol = sign_up(&srv_one, "carol").await;
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    support::add_member(&db.db, alice.home, carol.id, "member").await;
    let (code, _) = api(
        &srv_one,
        "PATCH",
        "/api/users/me/preferences",
        &carol.token,
        Some(json!({"mutedNotificationTypes": ["partner_activity", "sunday_sync"]})),
    )
    .await;
    assert_eq!(code, 200);
    let mut bob_ws = Ws::open(&srv_two, &bob, alice.home).await;
    let mut alice_ws = Ws::open(&srv_two, &alice, alice.home).await;
    let mut carol_ws = Ws::open(&srv_two, &carol, alice.home).await;

    let (code, body) = api(
        &srv_one,
        "POST",
        &format!("/api/homes/{}/items", alice.home),
        &alice.token,
        Some(json!({"name": "Milk"})),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let frame = bob_ws.next_of("notification").await;
    assert_eq!(frame["homeId"], alice.home.to_string());
    assert_eq!(frame["notification"]["title"], "alice added Milk");
    assert_eq!(frame["notification"]["recipient"], bob.id.to_string());
    assert_eq!(frame["notification"]["read"], false);
    assert_eq!(frame["payload"]["notification"], frame["notification"]);

    // A second add coalesces: Bob's socket sees the notice move on.
    api(
        &srv_one,
        "POST",
        &format!("/api/homes/{}/items", alice.home),
        &alice.token,
        Some(json!({"name": "Eggs"})),
    )
    .await;
    let frame = bob_ws.next_of("notification").await;
    assert_eq!(frame["notification"]["title"], "alice added 2 items");
    assert_eq!(frame["notification"]["count"], 2);

    for ws in [&mut alice_ws, &mut carol_ws] {
        let seen = ws.until_pong().await;
        assert!(
            seen.iter().any(|f| f["type"] == "inventory_update"),
            "{seen:?}"
        );
        assert!(
            !seen.iter().any(|f| f["type"] == "notification"),
            "{seen:?}"
        );
    }

    household_notice(
        one,
        alice.home,
        notice(NoticeKind::SundaySync, "Your Sunday Sync is ready", None),
    )
    .await;
    for ws in [&mut bob_ws, &mut alice_ws] {
        let frame = ws.next_of("notification").await;
        assert_eq!(frame["notification"]["title"], "Your Sunday Sync is ready");
        assert_eq!(frame["notification"]["recipient"], Value::Null);
    }
    let seen = carol_ws.until_pong().await;
    assert!(
        !seen.iter().any(|f| f["type"] == "notification"),
        "{seen:?}"
    );

    // Carol keeps following the home: the next change still reaches her.
    api(
        &srv_one,
        "POST",
        &format!("/api/homes/{}/items", alice.home),
        &alice.token,
        Some(json!({"name": "Rice"})),
    )
    .await;
    let change = carol_ws.next_of("inventory_update").await;
    assert_eq!(change["payload"]["item"]["name"], "Rice");
}

async fn notices_reach_exactly_their_recipients_on_one_instance(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    notices_reach_exactly_their_recipients(&state, &state, db).await;
}
on_both_backends!(
    sqlite_notices_reach_exactly_their_recipients,
    postgres_notices_reach_exactly_their_recipients,
    notices_reach_exactly_their_recipients_on_one_instance
);

#[actix_web::test]
async fn postgres_notices_reach_their_recipients_across_two_instances() {
    use pantry_store::Database;
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let one = support::state(&db.db, CapturedLog::default().logger());
    // Instance two: its own pool, hub and LISTEN connection on the same database.
    let db_two = Database::new(&db.config()).unwrap();
    let two = support::state(&db_two, CapturedLog::default().logger());
    // Instance two's listener has to be up before Alice writes through instance one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    notices_reach_exactly_their_recipients(&one, &two, &db).await;
    db_two.close();
}
