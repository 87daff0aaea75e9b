//! The activity feed over HTTP: newest first, names and Pixie attribution, the earlier feed's
//! keys, paging with `before`, limits, and that only members can read it.

#[macro_use]
mod support;

use pantry_core::change_log::{Actor, ActorKind, NewHomeEvent};
use pantry_http::state::AppState;
use pantry_store::append_event;
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use support::{CapturedLog, Person, status};
use uuid::Uuid;

macro_rules! on_both_backends {
    ($sqlite:ident, $postgres:ident, $scenario:ident) => {
        #[actix_web::test]
        async fn $sqlite() {
            let db = TestDb::sqlite().await;
            $scenario(&db, support::state(&db.db, CapturedLog::default().logger())).await;
        }
        #[actix_web::test]
        async fn $postgres() {
            let Some(db) = TestDb::postgres().await else {
                return;
            };
            $scenario(&db, support::state(&db.db, CapturedLog::default().logger())).await;
        }
    };
}

/// Appends an event as the pantry and list features will (they are not built yet).
async fn log_event(
    db: &TestDb,
    home: Uuid,
    kind: &str,
    entity: Option<Uuid>,
    actor: Actor,
    payload: Value,
) {
    let mut conn = db.db.conn().await.unwrap();
    append_event(
        &mut conn,
        &NewHomeEvent {
            home_id: home,
            kind: kind.to_owned(),
            entity_id: entity,
            payload,
            actor,
            at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
}

fn seqs(entries: &Value) -> Vec<i64> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect()
}

async fn newest_first_with_names(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice"); // seq 1: home.created
    let bob = sign_up!(app, "bob");
    let renamed = send!(
        app,
        "PUT",
        format!("/api/homes/{}", alice.home),
        Some(&alice.token),
        json!({"name": "The Flat"})
    ); // seq 2
    assert_eq!(status(&renamed), 200, "{:?}", renamed.body);
    let invite = send!(
        app,
        "POST",
        format!("/api/homes/{}/invites", alice.home),
        Some(&alice.token)
    ); // seq 3
    let code = invite.json()["data"]["code"].as_str().unwrap().to_owned();
    let joined = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&bob.token)
    ); // seq 4, and seq 5: Alice's notice "bob joined your home", which is not activity
    assert_eq!(status(&joined), 200, "{:?}", joined.body);
    let oat_milk = Uuid::now_v7();
    log_event(
        db,
        alice.home,
        "item.added",
        Some(oat_milk),
        Actor {
            kind: ActorKind::Pixie,
            user_id: Some(bob.id),
        },
        json!({"name": "oat milk", "quantity": 2}),
    )
    .await; // seq 6
    let list = Uuid::now_v7();
    log_event(
        db,
        alice.home,
        "list_item.toggled",
        Some(list),
        Actor {
            kind: ActorKind::System,
            user_id: Some(alice.id),
        },
        json!({"name": "weekly"}),
    )
    .await; // seq 7

    let reply = send!(
        app,
        "GET",
        format!("/api/homes/{}/activity", alice.home),
        Some(&bob.token)
    );
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    let entries = reply.json()["data"].clone();
    assert_eq!(
        seqs(&entries),
        [7, 6, 4, 3, 2, 1],
        "newest first, no notices"
    );

    let system = &entries[0];
    assert_eq!(system["type"], "list_item_toggled");
    assert_eq!(system["kind"], "list_item.toggled");
    assert_eq!(system["entityId"], list.to_string());
    assert_eq!(system["actorKind"], "system");
    assert_eq!(
        system["actorName"],
        Value::Null,
        "scheduled jobs have no name"
    );
    assert!(
        system.get("itemId").is_none() && system.get("itemName").is_none(),
        "only pantry items carry itemId/itemName: {system}"
    );

    let pixie = &entries[1];
    assert_eq!(
        pixie,
        &json!({
            "type": "item_added", "seq": 6, "kind": "item.added", "entityId": oat_milk.to_string(),
            "itemId": oat_milk.to_string(), "itemName": "oat milk", "actorId": bob.id.to_string(),
            "actorKind": "pixie", "actorName": "bob", "timestamp": pixie["timestamp"],
            "data": {"name": "oat milk", "quantity": 2}
        })
    );
    assert!(pixie["timestamp"].as_str().unwrap().ends_with('Z'));

    let kinds: Vec<(&str, &str, &str)> = entries.as_array().unwrap()[2..]
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["actorKind"].as_str().unwrap(),
                e["actorName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("member_joined", "user", "bob"),
            ("invite_created", "user", "alice"),
            ("home_updated", "user", "alice"),
            ("home_created", "user", "alice"),
        ]
    );
}
on_both_backends!(
    sqlite_newest_first_with_names,
    postgres_newest_first_with_names,
    newest_first_with_names
);

async fn paging_and_limits(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice"); // seq 1
    for n in 0..59 {
        log_event(
            db,
            alice.home,
            "item.updated",
            Some(Uuid::now_v7()),
            Actor {
                kind: ActorKind::User,
                user_id: Some(alice.id),
            },
            json!({"name": format!("item {n}")}),
        )
        .await;
    } // seqs 2..=60
    let uri = |query: &str| format!("/api/homes/{}/activity{query}", alice.home);

    let default = send!(app, "GET", uri(""), Some(&alice.token)).json()["data"].clone();
    assert_eq!(
        seqs(&default),
        (11..=60).rev().collect::<Vec<_>>(),
        "50 by default"
    );

    // Paging back with the smallest seq of each page reaches the first change, once each.
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let query = match before {
            Some(seq) => format!("?limit=25&before={seq}"),
            None => "?limit=25".to_owned(),
        };
        let page = send!(app, "GET", uri(&query), Some(&alice.token));
        assert_eq!(status(&page), 200, "{:?}", page.body);
        let page = seqs(&page.json()["data"]);
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 25);
        before = page.last().copied();
        seen.extend(page);
    }
    assert_eq!(seen, (1..=60).rev().collect::<Vec<_>>());

    let all = send!(app, "GET", uri("?limit=200"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(seqs(&all).len(), 60);
    let one =
        send!(app, "GET", uri("?limit=1&before=2"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(seqs(&one), [1]);
    assert_eq!(one[0]["type"], "home_created");

    for (query, fields) in [
        ("?limit=0", vec!["limit"]),
        ("?limit=201", vec!["limit"]),
        ("?limit=-5", vec!["limit"]),
        ("?limit=ten", vec!["limit"]),
        ("?limit=", vec!["limit"]),
        ("?before=0", vec!["before"]),
        ("?before=-1", vec!["before"]),
        ("?before=later", vec!["before"]),
        ("?limit=1000&before=x", vec!["limit", "before"]),
    ] {
        let reply = send!(app, "GET", uri(query), Some(&alice.token));
        assert_eq!(status(&reply), 400, "{query}");
        let reply = reply.json();
        assert_eq!(reply["code"], "VALIDATION_ERROR", "{query}");
        let got: Vec<&str> = reply["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(got, fields, "{query}");
    }
}
on_both_backends!(
    sqlite_paging_and_limits,
    postgres_paging_and_limits,
    paging_and_limits
);

async fn only_members_read_it(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let mallory = sign_up!(app, "mallory");
    let vic = sign_up!(app, "vic");
    support::add_member(&db.db, alice.home, vic.id, "viewer").await;
    let uri = format!("/api/homes/{}/activity", alice.home);

    let viewer = send!(app, "GET", uri, Some(&vic.token));
    assert_eq!(
        status(&viewer),
        200,
        "viewers read the feed: {:?}",
        viewer.body
    );

    let outsider = send!(app, "GET", uri, Some(&mallory.token));
    assert_eq!(status(&outsider), 404);
    assert_eq!(outsider.json()["error"], "Home not found");
    let unknown = send!(
        app,
        "GET",
        format!("/api/homes/{}/activity", Uuid::now_v7()),
        Some(&alice.token)
    );
    assert_eq!(status(&unknown), 404);
    assert_eq!(status(&send!(app, "GET", uri, None)), 401);

    // Leaving ends access; the name stays on what vic did while a member.
    let left = send!(
        app,
        "POST",
        format!("/api/homes/{}/leave", alice.home),
        Some(&vic.token)
    );
    assert_eq!(status(&left), 200, "{:?}", left.body);
    assert_eq!(status(&send!(app, "GET", uri, Some(&vic.token))), 404);
    let feed = send!(app, "GET", uri, Some(&alice.token)).json()["data"].clone();
    assert_eq!(
        (feed[0]["type"].clone(), feed[0]["actorName"].clone()),
        (json!("member_left"), json!("vic"))
    );
}
on_both_backends!(
    sqlite_only_members_read_it,
    postgres_only_members_read_it,
    only_members_read_it
);
