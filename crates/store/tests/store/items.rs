//! Pantry items in storage: merging, consuming without lost updates, versions, filters that
//! take text literally, and the change log and usage history every write leaves.

use crate::fixtures::{insert_membership, insert_user_and_home, now};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ChangeLogReader};
use pantry_core::clock::SystemClock;
use pantry_core::items::item::{Added, ItemEdit, ItemFilter, ItemRepository, Mutation, WriteMeta};
use pantry_core::items::{ItemError, ItemService, NewItem, Quantity, Unit};
use pantry_store::schema::usage_events;
use pantry_store::test_support::TestDb;
use pantry_store::{StoreChangeLog, StoreHomes, StoreItems};
use std::sync::Arc;
use uuid::Uuid;

fn meta(user: Uuid) -> WriteMeta {
    WriteMeta {
        actor: Actor::user(user),
        at: now(),
    }
}

fn new_item(name: &str, quantity: &str, unit: Unit) -> NewItem {
    let mut item = NewItem::named(name.to_owned());
    item.quantity = Quantity::parse(quantity).unwrap();
    item.unit = unit;
    item
}

async fn setup(db: &TestDb) -> (Uuid, Uuid) {
    let mut conn = db.db.conn().await.unwrap();
    let (user, home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, home, user, "owner")
        .await
        .unwrap();
    (user, home)
}

async fn merges_convertible_amounts_into_one_row(db: &TestDb) {
    let (user, home) = setup(db).await;
    let items = StoreItems::new(db.db.clone());
    let first = items
        .add(home, &new_item("Flour", "1", Unit::Kg), true, meta(user))
        .await
        .unwrap();
    assert!(matches!(first, Added::Created(_)));
    let merged = items
        .add(
            home,
            &new_item("  flour ", "500", Unit::Gram),
            true,
            meta(user),
        )
        .await
        .unwrap();
    let Added::Merged(item) = merged else {
        panic!("expected a merge, got {merged:?}");
    };
    assert_eq!(item.id, first.item().id);
    assert_eq!(item.unit, Unit::Kg);
    assert_eq!(item.quantity, Quantity::parse("1.5").unwrap());
    assert_eq!(item.version, 2);

    // Another location, an unconvertible unit, or an explicit "separate" make new rows.
    let mut elsewhere = new_item("Flour", "1", Unit::Kg);
    elsewhere.location = Some("Cellar".into());
    let cellar = items.add(home, &elsewhere, true, meta(user)).await.unwrap();
    assert!(matches!(cellar, Added::Created(_)));
    let cups = items
        .add(home, &new_item("Flour", "2", Unit::Bag), true, meta(user))
        .await
        .unwrap();
    assert!(matches!(cups, Added::Created(_)));
    let separate = items
        .add(home, &new_item("Flour", "1", Unit::Kg), false, meta(user))
        .await
        .unwrap();
    assert!(matches!(separate, Added::Created(_)));
    let all = items
        .list(home, &ItemFilter::default(), now())
        .await
        .unwrap();
    assert_eq!(all.len(), 4);

    // Same location spelled differently merges; pounds convert into kilograms.
    let mut cellar_again = new_item("FLOUR", "1", Unit::Lb);
    cellar_again.location = Some(" cellar".into());
    let Added::Merged(c) = items
        .add(home, &cellar_again, true, meta(user))
        .await
        .unwrap()
    else {
        panic!("expected a merge into the cellar row");
    };
    assert_eq!(c.id, cellar.item().id);
    assert_eq!(c.quantity, Quantity::parse("1.454").unwrap());
}
on_both_backends!(merges_convertible_amounts_into_one_row => sqlite_items_merge, postgres_items_merge);

async fn a_client_id_makes_the_create_replayable(db: &TestDb) {
    let (user, home) = setup(db).await;
    let items = StoreItems::new(db.db.clone());
    let mut item = new_item("Eggs", "12", Unit::Piece);
    item.id = Uuid::now_v7();
    item.client_chosen_id = true;
    let first = items.add(home, &item, false, meta(user)).await.unwrap();
    assert!(matches!(first, Added::Created(_)));
    let again = items.add(home, &item, false, meta(user)).await.unwrap();
    assert_eq!(again, Added::Replayed(first.item().clone()));
    assert_eq!(
        items
            .list(home, &ItemFilter::default(), now())
            .await
            .unwrap()
            .len(),
        1
    );

    // The same id in another home is refused, and reveals nothing of the first home.
    let (other_user, other_home) = setup(db).await;
    let clash = items.add(other_home, &item, false, meta(other_user)).await;
    assert!(
        matches!(clash, Err(pantry_core::repo_error::RepoError::Conflict(_))),
        "{clash:?}"
    );
}
on_both_backends!(a_client_id_makes_the_create_replayable => sqlite_items_client_id, postgres_items_client_id);

async fn hundred_concurrent_consumes_lose_nothing(db: &TestDb) {
    let (user, home) = setup(db).await;
    let service = Arc::new(ItemService::new(
        Arc::new(StoreHomes::new(db.db.clone())),
        Arc::new(StoreItems::new(db.db.clone())),
        Arc::new(SystemClock),
    ));
    let actor = Actor::user(user);
    let added = service
        .add(&actor, home, new_item("Rice", "100", Unit::Piece), false)
        .await
        .unwrap();
    let id = added.item().id;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move { service.consume(&actor, home, id, Quantity::ONE).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().expect("every consume succeeds");
    }
    let item = service.get(&actor, home, id).await.unwrap();
    assert_eq!(item.quantity, Quantity::ZERO);
    assert_eq!(item.version, 101);

    // One more finds nothing left and changes nothing.
    let refused = service.consume(&actor, home, id, Quantity::ONE).await;
    assert!(
        matches!(refused, Err(ItemError::Conflict(_))),
        "{refused:?}"
    );

    let mut conn = db.db.conn().await.unwrap();
    let actions: Vec<String> = usage_events::table
        .filter(usage_events::item_id.eq(id.to_string()))
        .select(usage_events::action)
        .load(&mut *conn)
        .await
        .unwrap();
    assert_eq!(actions.iter().filter(|a| *a == "consumed").count(), 100);
    assert_eq!(actions.iter().filter(|a| *a == "used_up").count(), 1);
    let log = StoreChangeLog::new(db.db.clone());
    let events = log.events_since(home, 0, 1000).await.unwrap();
    assert_eq!(
        events.iter().filter(|e| e.kind == "item.consumed").count(),
        100
    );
    assert!(events.windows(2).all(|w| w[1].seq == w[0].seq + 1));
}
on_both_backends!(hundred_concurrent_consumes_lose_nothing => sqlite_items_concurrent_consume, postgres_items_concurrent_consume, multi_thread);

async fn concurrent_adds_of_one_name_merge_into_one_row(db: &TestDb) {
    let (user, home) = setup(db).await;
    let items = Arc::new(StoreItems::new(db.db.clone()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let items = items.clone();
            tokio::spawn(async move {
                items
                    .add(home, &new_item("Milk", "1", Unit::Liter), true, meta(user))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let all = items
        .list(home, &ItemFilter::default(), now())
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].quantity, Quantity::parse("20").unwrap());
}
on_both_backends!(concurrent_adds_of_one_name_merge_into_one_row => sqlite_items_concurrent_merge, postgres_items_concurrent_merge, multi_thread);

async fn stale_versions_are_refused_with_the_current_row(db: &TestDb) {
    let (user, home) = setup(db).await;
    let items = StoreItems::new(db.db.clone());
    let item = items
        .add(
            home,
            &new_item("Butter", "1", Unit::Piece),
            true,
            meta(user),
        )
        .await
        .unwrap()
        .item()
        .clone();
    let rename = ItemEdit {
        name: Some("Salted butter".into()),
        ..ItemEdit::default()
    };
    let Mutation::Applied(v2) = items
        .update(home, item.id, &rename, Some(1), meta(user))
        .await
        .unwrap()
    else {
        panic!("version 1 is current");
    };
    assert_eq!((v2.version, v2.name.as_str()), (2, "Salted butter"));
    let stale = ItemEdit {
        name: Some("Unsalted".into()),
        ..ItemEdit::default()
    };
    assert_eq!(
        items
            .update(home, item.id, &stale, Some(1), meta(user))
            .await
            .unwrap(),
        Mutation::Stale(v2.clone())
    );
    assert_eq!(
        items
            .delete(home, item.id, Some(1), meta(user))
            .await
            .unwrap(),
        Mutation::Stale(v2.clone())
    );
    // Without a version the last write wins, as old clients expect.
    let Mutation::Applied(v3) = items
        .update(home, item.id, &stale, None, meta(user))
        .await
        .unwrap()
    else {
        panic!("no version means last write wins");
    };
    assert_eq!(v3.name, "Unsalted");
    assert!(matches!(
        items
            .delete(home, item.id, Some(3), meta(user))
            .await
            .unwrap(),
        Mutation::Applied(_)
    ));
    assert_eq!(items.get(home, item.id).await.unwrap(), None);
    // The deletion leaves a tombstone naming the item.
    let events = StoreChangeLog::new(db.db.clone())
        .events_since(home, 0, 100)
        .await
        .unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, "item.deleted");
    assert_eq!(last.entity_id, Some(item.id));
    assert_eq!(last.payload["name"], "Unsalted");
    assert_eq!(
        events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["item.added", "item.updated", "item.updated", "item.deleted"]
    );
}
on_both_backends!(stale_versions_are_refused_with_the_current_row => sqlite_items_versions, postgres_items_versions);

async fn filters_match_text_literally_and_case_insensitively(db: &TestDb) {
    let (user, home) = setup(db).await;
    let items = StoreItems::new(db.db.clone());
    for (name, location) in [
        ("100% Juice", Some("Fridge")),
        ("Apple juice", Some("fridge")),
        ("snake_case crackers", None),
        ("Snakes", None),
        ("ÉCLAIRS", Some("Freezer")),
    ] {
        let mut item = new_item(name, "1", Unit::Piece);
        item.location = location.map(str::to_owned);
        items.add(home, &item, false, meta(user)).await.unwrap();
    }
    let names = |found: Vec<pantry_core::items::PantryItem>| {
        let mut n: Vec<String> = found.into_iter().map(|i| i.name).collect();
        n.sort();
        n
    };
    let search = |s: &str| ItemFilter {
        search: Some(s.to_owned()),
        ..ItemFilter::default()
    };
    assert_eq!(
        names(items.list(home, &search("%"), now()).await.unwrap()),
        ["100% Juice"]
    );
    assert_eq!(
        names(items.list(home, &search("e_c"), now()).await.unwrap()),
        ["snake_case crackers"]
    );
    assert_eq!(
        names(items.list(home, &search("JUICE"), now()).await.unwrap()),
        ["100% Juice", "Apple juice"]
    );
    assert_eq!(
        names(items.list(home, &search("éclair"), now()).await.unwrap()),
        ["ÉCLAIRS"]
    );
    let fridge = ItemFilter {
        location: Some("FRIDGE".into()),
        ..ItemFilter::default()
    };
    assert_eq!(
        names(items.list(home, &fridge, now()).await.unwrap()),
        ["100% Juice", "Apple juice"]
    );
}
on_both_backends!(filters_match_text_literally_and_case_insensitively => sqlite_items_filters, postgres_items_filters);
