//! The activity feed's reads: newest first, paging with `before`, one home only, and each
//! event's actor name from the users table (none for unknown or deleted users).

use crate::fixtures::{insert_home, insert_user, now};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::activity::ActivityReader;
use pantry_core::change_log::{Actor, ActorKind, NewHomeEvent};
use pantry_store::schema::users;
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, StoreActivity, append_event};
use uuid::Uuid;

async fn rename(conn: &mut AnyConnection, user: Uuid, name: &str) {
    diesel::update(users::table.find(user.to_string()))
        .set(users::name.eq(name))
        .execute(conn)
        .await
        .expect("rename");
}

async fn append(
    conn: &mut AnyConnection,
    home: Uuid,
    kind: &str,
    by: ActorKind,
    user: Option<Uuid>,
) {
    append_event(
        conn,
        &NewHomeEvent {
            home_id: home,
            kind: kind.to_owned(),
            entity_id: Some(Uuid::now_v7()),
            payload: serde_json::json!({ "kind": kind }),
            actor: Actor {
                kind: by,
                user_id: user,
            },
            at: now(),
        },
    )
    .await
    .expect("append");
}

async fn newest_first_with_names(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_user(&mut conn).await;
    let bob = insert_user(&mut conn).await;
    let carol = insert_user(&mut conn).await;
    rename(&mut conn, bob, "Bob").await;
    rename(&mut conn, carol, "Carol").await;
    let home = insert_home(&mut conn, alice).await;
    let other = insert_home(&mut conn, alice).await;

    append(
        &mut conn,
        home,
        "home.created",
        ActorKind::User,
        Some(alice),
    )
    .await;
    append(&mut conn, home, "item.added", ActorKind::Pixie, Some(bob)).await;
    append(&mut conn, home, "list.reset", ActorKind::System, None).await;
    append(
        &mut conn,
        home,
        "item.removed",
        ActorKind::User,
        Some(carol),
    )
    .await;
    append(
        &mut conn,
        home,
        "item.added",
        ActorKind::User,
        Some(Uuid::now_v7()),
    )
    .await;
    append(
        &mut conn,
        other,
        "home.created",
        ActorKind::User,
        Some(alice),
    )
    .await;
    // Carol's account goes; her event stays, without a name.
    diesel::delete(users::table.find(carol.to_string()))
        .execute(&mut *conn)
        .await
        .expect("delete carol");

    let activity = StoreActivity::new(t.db.clone());
    let entries = activity.newest(home, None, 50).await.expect("read");
    let seen: Vec<(i64, &str, Option<&str>)> = entries
        .iter()
        .map(|e| (e.event.seq, e.event.kind.as_str(), e.actor_name.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (5, "item.added", None),
            (4, "item.removed", None),
            (3, "list.reset", None),
            (2, "item.added", Some("Bob")),
            (1, "home.created", Some("Alice")),
        ]
    );
    assert_eq!(entries[3].event.actor.kind, ActorKind::Pixie);
    assert_eq!(entries[3].event.actor.user_id, Some(bob));
    assert_eq!(entries[3].event.payload["kind"], "item.added");
    assert!(entries.iter().all(|e| e.event.home_id == home));

    // Paging back from a seq, and a limit.
    let page = |before, limit| {
        let activity = activity.clone();
        async move {
            activity
                .newest(home, before, limit)
                .await
                .expect("page")
                .iter()
                .map(|e| e.event.seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(None, 2).await, [5, 4]);
    assert_eq!(page(Some(4), 2).await, [3, 2]);
    assert_eq!(page(Some(2), 2).await, [1]);
    assert!(page(Some(1), 2).await.is_empty());

    assert!(
        activity
            .newest(Uuid::now_v7(), None, 50)
            .await
            .expect("unknown home")
            .is_empty()
    );
}
on_both_backends!(newest_first_with_names => sqlite_activity_newest_first_with_names, postgres_activity_newest_first_with_names);
