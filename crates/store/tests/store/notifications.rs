//! The household inbox in storage: who sees which notice, read state per member, mutes,
//! partner activity written with the pantry change and coalesced into bursts, and once-only
//! notices that stay single however often (and however concurrently) they are created.

use crate::fixtures::{insert_membership, insert_user, insert_user_and_home, now};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ChangeLogReader};
use pantry_core::items::item::{ItemRepository, WriteMeta};
use pantry_core::items::{NewItem, Quantity};
use pantry_core::notifications::notification::visible_to;
use pantry_core::notifications::{
    InboxQuery, NewNotice, NoticeKind, Notification, NotificationRepository,
};
use pantry_store::schema::{notifications, users};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreChangeLog, StoreItems, StoreNotifications};
use serde_json::json;
use uuid::Uuid;

struct Household {
    home: Uuid,
    alice: Uuid,
    bob: Uuid,
}

async fn set_name(db: &TestDb, user: Uuid, name: &str) {
    let mut conn = db.db.conn().await.unwrap();
    diesel::update(users::table.find(user.to_string()))
        .set(users::name.eq(name))
        .execute(&mut *conn)
        .await
        .unwrap();
}

async fn mute(db: &TestDb, user: Uuid, kinds: &[&str]) {
    let mut conn = db.db.conn().await.unwrap();
    diesel::update(users::table.find(user.to_string()))
        .set(users::muted_notification_types.eq(json!(kinds).to_string()))
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// Alice owns a home Bob is a member of.
async fn household(db: &TestDb) -> Household {
    let mut conn = db.db.conn().await.unwrap();
    let (alice, home) = insert_user_and_home(&mut conn).await;
    let bob = insert_user(&mut conn).await;
    insert_membership(&mut conn, home, alice, "owner")
        .await
        .unwrap();
    insert_membership(&mut conn, home, bob, "member")
        .await
        .unwrap();
    drop(conn);
    set_name(db, bob, "Bob").await;
    Household { home, alice, bob }
}

fn by(user: Uuid, at: DateTime<Utc>) -> WriteMeta {
    WriteMeta {
        actor: Actor::user(user),
        at,
    }
}

fn notice(recipient: Option<Uuid>, kind: NoticeKind, title: &str) -> NewNotice {
    NewNotice {
        recipient,
        kind,
        title: title.to_owned(),
        body: None,
        ref_id: None,
        once_key: None,
        data: None,
    }
}

async fn inbox(repo: &StoreNotifications, h: &Household, user: Uuid) -> Vec<Notification> {
    repo.inbox(h.home, user, &InboxQuery::default())
        .await
        .unwrap()
}

async fn rows(db: &TestDb, home: Uuid) -> i64 {
    let mut conn = db.db.conn().await.unwrap();
    notifications::table
        .filter(notifications::home_id.eq(home.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .unwrap()
}

async fn add(items: &StoreItems, h: &Household, name: &str, meta: WriteMeta) -> Uuid {
    let mut item = NewItem::named(name.to_owned());
    item.quantity = Quantity::ONE;
    // No merge: each add is its own row, as a burst of different items is.
    items
        .add(h.home, &item, false, meta)
        .await
        .unwrap()
        .item()
        .id
}

async fn household_and_targeted_notices_reach_exactly_their_members(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let t = now();
    let everyone = repo
        .create(
            h.home,
            &notice(None, NoticeKind::SundaySync, "Your Sunday Sync is ready"),
            by(h.alice, t),
        )
        .await
        .unwrap()
        .unwrap();
    let for_bob = repo
        .create(
            h.home,
            &notice(Some(h.bob), NoticeKind::ExpiringSoon, "Milk expires today"),
            by(h.alice, t + Duration::seconds(1)),
        )
        .await
        .unwrap()
        .unwrap();

    let alice_sees: Vec<Uuid> = inbox(&repo, &h, h.alice)
        .await
        .iter()
        .map(|n| n.id)
        .collect();
    assert_eq!(alice_sees, [everyone.id]);
    let bob_sees: Vec<Uuid> = inbox(&repo, &h, h.bob).await.iter().map(|n| n.id).collect();
    assert_eq!(bob_sees, [for_bob.id, everyone.id], "newest updated first");

    // Bob's notice is not Alice's to read or mark.
    assert_eq!(repo.get(h.home, h.alice, for_bob.id).await.unwrap(), None);
    assert_eq!(
        repo.mark_read(h.home, h.alice, for_bob.id, t)
            .await
            .unwrap(),
        None
    );
    assert!(!inbox(&repo, &h, h.bob).await[0].read);

    // Nor does another home's member see either.
    let mut conn = db.db.conn().await.unwrap();
    let (mallory, other_home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, other_home, mallory, "owner")
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        repo.get(other_home, mallory, everyone.id).await.unwrap(),
        None
    );
    assert_eq!(
        repo.get(h.home, mallory, everyone.id)
            .await
            .unwrap()
            .map(|n| n.id),
        Some(everyone.id),
        "the repository answers by home; the service checks membership first"
    );

    // The change log keeps Bob's notice from Alice.
    let events = StoreChangeLog::new(db.db.clone())
        .events_since(h.home, 0, 100)
        .await
        .unwrap();
    let for_bob_event = events
        .iter()
        .find(|e| e.entity_id == Some(for_bob.id))
        .unwrap();
    assert!(visible_to(for_bob_event, h.bob));
    assert!(!visible_to(for_bob_event, h.alice));
}
on_both_backends!(household_and_targeted_notices_reach_exactly_their_members => sqlite_notices_reach_their_members, postgres_notices_reach_their_members);

async fn read_state_is_each_members_own(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let t = now();
    let shared = repo
        .create(
            h.home,
            &notice(None, NoticeKind::RecurringDue, "Time to restock coffee"),
            by(h.alice, t),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(repo.unread_count(h.home, h.alice).await.unwrap(), 1);

    let read = repo
        .mark_read(h.home, h.alice, shared.id, t)
        .await
        .unwrap()
        .unwrap();
    assert!(read.read);
    assert!(inbox(&repo, &h, h.alice).await[0].read);
    assert!(
        !inbox(&repo, &h, h.bob).await[0].read,
        "Alice reading it does not read it for Bob"
    );
    assert_eq!(repo.unread_count(h.home, h.alice).await.unwrap(), 0);
    assert_eq!(repo.unread_count(h.home, h.bob).await.unwrap(), 1);
    // Marking again changes nothing.
    assert!(
        repo.mark_read(h.home, h.alice, shared.id, t)
            .await
            .unwrap()
            .unwrap()
            .read
    );

    let unread_only = InboxQuery {
        unread_only: true,
        ..InboxQuery::default()
    };
    assert!(
        repo.inbox(h.home, h.alice, &unread_only)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        repo.inbox(h.home, h.bob, &unread_only).await.unwrap().len(),
        1
    );

    assert_eq!(repo.mark_all_read(h.home, h.bob, t).await.unwrap(), 1);
    assert_eq!(repo.mark_all_read(h.home, h.bob, t).await.unwrap(), 0);
    assert!(inbox(&repo, &h, h.bob).await[0].read);
}
on_both_backends!(read_state_is_each_members_own => sqlite_read_state_per_member, postgres_read_state_per_member);

async fn inbox_pages_newest_first_with_a_cursor(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let t = now();
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = repo
            .create(
                h.home,
                &notice(None, NoticeKind::SundaySync, &format!("Digest {n}")),
                by(h.alice, t + Duration::seconds(n)),
            )
            .await
            .unwrap()
            .unwrap();
        ids.push(created.id);
    }
    ids.reverse();
    let first = repo
        .inbox(
            h.home,
            h.bob,
            &InboxQuery {
                limit: 2,
                ..InboxQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.iter().map(|n| n.id).collect::<Vec<_>>(), ids[..2]);
    let next = repo
        .inbox(
            h.home,
            h.bob,
            &InboxQuery {
                limit: 2,
                before: Some(first[1].id),
                unread_only: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(next.iter().map(|n| n.id).collect::<Vec<_>>(), ids[2..4]);
}
on_both_backends!(inbox_pages_newest_first_with_a_cursor => sqlite_inbox_pages, postgres_inbox_pages);

async fn muting_hides_a_kind_and_stops_partner_activity(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let items = StoreItems::new(db.db.clone());
    let t = now();
    repo.create(
        h.home,
        &notice(None, NoticeKind::SundaySync, "Your Sunday Sync is ready"),
        by(h.alice, t),
    )
    .await
    .unwrap()
    .unwrap();
    mute(db, h.bob, &["sunday_sync", "partner_activity"]).await;
    assert!(
        inbox(&repo, &h, h.bob).await.is_empty(),
        "a muted kind is hidden"
    );
    assert_eq!(repo.unread_count(h.home, h.bob).await.unwrap(), 0);
    assert_eq!(
        inbox(&repo, &h, h.alice).await.len(),
        1,
        "Alice did not mute it"
    );

    add(&items, &h, "Milk", by(h.alice, t)).await;
    assert_eq!(
        rows(db, h.home).await,
        1,
        "a muted member gets no partner_activity row"
    );

    mute(db, h.bob, &[]).await;
    add(&items, &h, "Eggs", by(h.alice, t)).await;
    let bob_sees = inbox(&repo, &h, h.bob).await;
    assert_eq!(bob_sees.len(), 2, "unmuting shows the kind again");
    assert_eq!(bob_sees[0].title, "Alice added Eggs");
    assert_eq!(bob_sees[0].recipient, Some(h.bob));
    assert_eq!(bob_sees[0].kind, NoticeKind::PartnerActivity);
    // The actor hears nothing of their own activity.
    assert!(
        inbox(&repo, &h, h.alice)
            .await
            .iter()
            .all(|n| n.kind != NoticeKind::PartnerActivity)
    );
}
on_both_backends!(muting_hides_a_kind_and_stops_partner_activity => sqlite_mute, postgres_mute);

async fn a_burst_coalesces_until_it_is_read_or_goes_quiet(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let items = StoreItems::new(db.db.clone());
    let t = now();
    add(&items, &h, "Milk", by(h.alice, t)).await;
    add(&items, &h, "Eggs", by(h.alice, t + Duration::minutes(1))).await;
    let bread = add(&items, &h, "Bread", by(h.alice, t + Duration::minutes(2))).await;
    let bob_sees = inbox(&repo, &h, h.bob).await;
    assert_eq!(bob_sees.len(), 1, "{bob_sees:?}");
    let burst = &bob_sees[0];
    assert_eq!(burst.title, "Alice added 3 items");
    assert_eq!(burst.count, 3);
    assert_eq!(
        burst.ref_id,
        Some(bread.to_string()),
        "refers to the latest item"
    );
    assert_eq!(burst.updated_at, t + Duration::minutes(2));
    assert_eq!(burst.created_at, t);

    // Six quiet minutes later: a new notice.
    let later = t + Duration::minutes(8);
    add(&items, &h, "Rice", by(h.alice, later)).await;
    let bob_sees = inbox(&repo, &h, h.bob).await;
    assert_eq!(bob_sees.len(), 2);
    assert_eq!(bob_sees[0].title, "Alice added Rice");
    assert_eq!(bob_sees[0].count, 1);

    // Bob reads it: the next add makes a new notice, the read one stays read.
    repo.mark_read(h.home, h.bob, bob_sees[0].id, later)
        .await
        .unwrap();
    add(
        &items,
        &h,
        "Beans",
        by(h.alice, later + Duration::minutes(1)),
    )
    .await;
    let bob_sees = inbox(&repo, &h, h.bob).await;
    assert_eq!(bob_sees.len(), 3);
    assert_eq!(
        (bob_sees[0].title.as_str(), bob_sees[0].read),
        ("Alice added Beans", false)
    );
    assert_eq!(
        (
            bob_sees[1].title.as_str(),
            bob_sees[1].count,
            bob_sees[1].read
        ),
        ("Alice added Rice", 1, true)
    );

    // Another verb is another burst.
    items
        .delete(
            h.home,
            bread,
            None,
            by(h.alice, later + Duration::minutes(2)),
        )
        .await
        .unwrap();
    assert_eq!(
        inbox(&repo, &h, h.bob).await[0].title,
        "Alice removed Bread"
    );
}
on_both_backends!(a_burst_coalesces_until_it_is_read_or_goes_quiet => sqlite_coalescing, postgres_coalescing);

async fn a_single_member_home_writes_no_notices(db: &TestDb) {
    let mut conn = db.db.conn().await.unwrap();
    let (alice, home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, home, alice, "owner")
        .await
        .unwrap();
    drop(conn);
    let items = StoreItems::new(db.db.clone());
    let mut item = NewItem::named("Milk".to_owned());
    item.quantity = Quantity::ONE;
    items
        .add(home, &item, false, by(alice, now()))
        .await
        .unwrap();
    assert_eq!(rows(db, home).await, 0);
    let log = StoreChangeLog::new(db.db.clone());
    assert_eq!(
        log.latest_seq(home).await.unwrap(),
        1,
        "only the item's own event"
    );
}
on_both_backends!(a_single_member_home_writes_no_notices => sqlite_single_member_quiet, postgres_single_member_quiet);

async fn a_once_key_creates_one_notice_ever(db: &TestDb) {
    let h = household(db).await;
    let repo = StoreNotifications::new(db.db.clone());
    let t = now();
    let mut keyed = notice(None, NoticeKind::ExpiringSoon, "Milk expires today");
    keyed.once_key = Some("expiring_soon:milk:2026-12-05".to_owned());
    let first = repo.create(h.home, &keyed, by(h.alice, t)).await.unwrap();
    assert!(first.is_some());
    assert_eq!(
        repo.create(h.home, &keyed, by(h.alice, t)).await.unwrap(),
        None
    );
    assert_eq!(rows(db, h.home).await, 1);

    repo.mark_read(h.home, h.bob, first.unwrap().id, t)
        .await
        .unwrap();
    repo.mark_read(h.home, h.alice, inbox(&repo, &h, h.alice).await[0].id, t)
        .await
        .unwrap();
    assert_eq!(
        repo.create(h.home, &keyed, by(h.alice, t + Duration::hours(1)))
            .await
            .unwrap(),
        None,
        "reading it does not bring it back"
    );
    assert_eq!(rows(db, h.home).await, 1);
    assert!(inbox(&repo, &h, h.bob).await[0].read);

    // The key is per home.
    let mut conn = db.db.conn().await.unwrap();
    let (carol, other) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, other, carol, "owner")
        .await
        .unwrap();
    drop(conn);
    assert!(
        repo.create(other, &keyed, by(carol, t))
            .await
            .unwrap()
            .is_some()
    );
}
on_both_backends!(a_once_key_creates_one_notice_ever => sqlite_once_key, postgres_once_key);

async fn concurrent_creates_of_one_key_make_one_row(db: &TestDb) {
    let h = household(db).await;
    let mut keyed = notice(None, NoticeKind::RunningLow, "Running low on coffee");
    keyed.once_key = Some("running_low:coffee:2026-W49".to_owned());
    let t = now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let repo = StoreNotifications::new(db.db.clone());
            let keyed = keyed.clone();
            let home = h.home;
            let alice = h.alice;
            tokio::spawn(async move { repo.create(home, &keyed, by(alice, t)).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    assert_eq!(rows(db, h.home).await, 1);
}
on_both_backends!(concurrent_creates_of_one_key_make_one_row => sqlite_once_key_concurrent, postgres_once_key_concurrent, multi_thread);
