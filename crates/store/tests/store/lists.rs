//! Grocery lists and their entries over the real stores: the default list, entries that name
//! only the home's pantry items, adding by name, buying into the pantry, scheduled resets in the
//! home's time zone, version checks, and who may do what.

use crate::fixtures::{insert_membership, insert_user, insert_user_and_home};
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ActorKind, ChangeLogReader, HomeEvent};
use pantry_core::clock::{Clock, FixedClock};
use pantry_core::items::item::{ItemRepository, NewItem, WriteMeta};
use pantry_core::items::{Category, PantryItem, Quantity, Unit};
use pantry_core::lists::entry::{ItemByName, ListItemEdit, NewListItem};
use pantry_core::lists::list::{ListEdit, ListRepository, NewList};
use pantry_core::lists::schedule::ListSchedule;
use pantry_core::lists::service::Created;
use pantry_core::lists::{ListError, ListService};
use pantry_store::schema::{grocery_lists, homes, list_items, usage_events};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreChangeLog, StoreHomes, StoreItems, StoreListItems, StoreLists};
use std::sync::Arc;
use uuid::Uuid;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn qty(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

/// A home with its owner, the services over the real stores, and a clock the test moves.
struct Kitchen {
    db: pantry_store::Database,
    clock: Arc<FixedClock>,
    lists: ListService,
    items: StoreItems,
    home: Uuid,
    owner: Actor,
}

impl Kitchen {
    async fn new(t: &TestDb, at: DateTime<Utc>) -> Kitchen {
        let mut conn = t.db.conn().await.expect("conn");
        let (owner, home) = insert_user_and_home(&mut conn).await;
        insert_membership(&mut conn, home, owner, "owner")
            .await
            .expect("owner");
        let clock = Arc::new(FixedClock::new(at));
        let lists = ListService::new(
            Arc::new(StoreHomes::new(t.db.clone())),
            Arc::new(StoreLists::new(t.db.clone())),
            Arc::new(StoreListItems::new(t.db.clone())),
            clock.clone(),
        );
        Kitchen {
            db: t.db.clone(),
            clock,
            lists,
            items: StoreItems::new(t.db.clone()),
            home,
            owner: Actor::user(owner),
        }
    }

    /// Another person with `role` in this home.
    async fn member(&self, role: &str) -> Actor {
        let mut conn = self.db.conn().await.expect("conn");
        let user = insert_user(&mut conn).await;
        insert_membership(&mut conn, self.home, user, role)
            .await
            .expect("membership");
        Actor::user(user)
    }

    /// A pantry item of this home.
    async fn pantry(&self, name: &str, quantity: &str, unit: Unit) -> PantryItem {
        pantry_item(
            &self.items,
            self.home,
            self.owner,
            self.clock.now(),
            name,
            quantity,
            unit,
        )
        .await
    }

    async fn list(&self, name: &str) -> Uuid {
        self.lists
            .create(&self.owner, self.home, NewList::named(name.to_owned()))
            .await
            .expect("create list")
            .into_inner()
            .id
    }

    async fn events(&self) -> Vec<HomeEvent> {
        StoreChangeLog::new(self.db.clone())
            .events_since(self.home, 0, 10_000)
            .await
            .expect("events")
    }

    async fn kinds_after(&self, seq: i64) -> Vec<String> {
        self.events()
            .await
            .into_iter()
            .filter(|e| e.seq > seq)
            .map(|e| e.kind)
            .collect()
    }

    async fn latest_seq(&self) -> i64 {
        StoreChangeLog::new(self.db.clone())
            .latest_seq(self.home)
            .await
            .expect("seq")
    }

    async fn set_timezone(&self, zone: &str) {
        let mut conn = self.db.conn().await.expect("conn");
        diesel::update(homes::table.find(self.home.to_string()))
            .set(homes::timezone.eq(zone))
            .execute(&mut *conn)
            .await
            .expect("timezone");
    }

    async fn count_lists(&self) -> i64 {
        let mut conn = self.db.conn().await.expect("conn");
        grocery_lists::table
            .filter(grocery_lists::home_id.eq(self.home.to_string()))
            .count()
            .get_result(&mut *conn)
            .await
            .expect("count")
    }
}

async fn pantry_item(
    items: &StoreItems,
    home: Uuid,
    actor: Actor,
    at: DateTime<Utc>,
    name: &str,
    quantity: &str,
    unit: Unit,
) -> PantryItem {
    let mut new = NewItem::named(name.to_owned());
    new.quantity = qty(quantity);
    new.unit = unit;
    items
        .add(home, &new, false, WriteMeta { actor, at })
        .await
        .expect("add pantry item")
        .item()
        .clone()
}

fn entry(item: Uuid, quantity: &str, price_minor: Option<i64>) -> NewListItem {
    NewListItem {
        quantity: qty(quantity),
        estimated_price_minor: price_minor,
        ..NewListItem::of(item)
    }
}

async fn concurrent_first_calls_create_one_default_list(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let repo = StoreLists::new(t.db.clone());
    let callers: Vec<_> = (0..20)
        .map(|_| {
            let repo = repo.clone();
            let home = kitchen.home;
            let meta = WriteMeta {
                actor: Actor::system(),
                at: kitchen.clock.now(),
            };
            tokio::spawn(async move { repo.default_list(home, meta).await })
        })
        .collect();
    let mut ids = Vec::new();
    for caller in callers {
        let list = caller.await.expect("task").expect("default list");
        assert!(list.is_default);
        assert_eq!(list.name, "Quick Items");
        ids.push(list.id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller got the same list");
    assert_eq!(kitchen.count_lists().await, 1);
    assert_eq!(kitchen.kinds_after(0).await, vec!["list.created"]);
    let created = &kitchen.events().await[0];
    assert_eq!(created.actor.kind, ActorKind::System);
    assert_eq!(created.payload["isDefault"], true);

    // Reading lists (as any member) neither duplicates it nor logs anything more.
    let all = kitchen
        .lists
        .lists(&kitchen.owner, kitchen.home)
        .await
        .expect("lists");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].list.id, ids[0]);
    assert_eq!(kitchen.latest_seq().await, 1);
}
on_both_backends!(concurrent_first_calls_create_one_default_list => sqlite_concurrent_first_calls_create_one_default_list, postgres_concurrent_first_calls_create_one_default_list, multi_thread);

async fn the_default_list_cannot_be_deleted(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let default = kitchen
        .lists
        .default_list(&kitchen.owner, kitchen.home)
        .await
        .expect("default");
    let seq = kitchen.latest_seq().await;
    let refused = kitchen
        .lists
        .delete(&kitchen.owner, kitchen.home, default.id, None)
        .await;
    assert!(
        matches!(refused, Err(ListError::Conflict(why)) if why.contains("default")),
        "{refused:?}"
    );
    assert_eq!(kitchen.count_lists().await, 1);
    assert_eq!(kitchen.latest_seq().await, seq);

    // Any other list can go, leaving a tombstone with its last state.
    let weekly = kitchen.list("Weekly").await;
    kitchen
        .lists
        .delete(&kitchen.owner, kitchen.home, weekly, None)
        .await
        .expect("delete");
    let last = kitchen.events().await.pop().expect("event");
    assert_eq!(last.kind, "list.deleted");
    assert_eq!(last.payload["name"], "Weekly");
    assert_eq!(last.payload["deleted"], true);
    assert_eq!(kitchen.count_lists().await, 1);
}
on_both_backends!(the_default_list_cannot_be_deleted => sqlite_the_default_list_cannot_be_deleted, postgres_the_default_list_cannot_be_deleted);

async fn create_with_entries_prices_them_and_merges_repeats(t: &TestDb) {
    let kitchen = Kitchen::new(t, utc(2026, 12, 4, 9, 0)).await;
    let milk = kitchen.pantry("Milk", "1", Unit::Liter).await;
    let eggs = kitchen.pantry("Eggs", "0", Unit::Piece).await;
    let mut list = NewList::named("Weekly shop".to_owned());
    list.total_budget_minor = Some(5_000);
    list.items = vec![
        entry(milk.id, "2", Some(150)),
        entry(eggs.id, "12", Some(25)),
        entry(milk.id, "1", None),
    ];
    let seq = kitchen.latest_seq().await;
    let created = kitchen
        .lists
        .create(&kitchen.owner, kitchen.home, list)
        .await
        .expect("create");
    let Created::New(created) = created else {
        panic!("a new list: {created:?}")
    };
    assert_eq!(
        created.estimated_cost_minor,
        Some(750),
        "3 × 1.50 + 12 × 0.25"
    );
    assert_eq!(created.total_budget_minor, Some(5_000));
    assert_eq!(created.next_reset_at, None);
    assert_eq!(
        kitchen.kinds_after(seq).await,
        vec!["list.created", "list_item.added", "list_item.added"]
    );
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, created.id)
        .await
        .expect("get");
    assert_eq!(with.total_items, 2, "the repeated milk is one entry");
    assert_eq!(with.items[0].item.id, milk.id);
    assert_eq!(with.items[0].entry.quantity, qty("3"));
    assert_eq!(with.items[1].item.name, "Eggs");
    let added = &kitchen.events().await[seq as usize + 1];
    assert_eq!(added.payload["name"], "Milk");
    assert_eq!(added.payload["listId"], created.id.to_string());
    assert_eq!(added.payload["estimatedPrice"], 1.5);
}
on_both_backends!(create_with_entries_prices_them_and_merges_repeats => sqlite_create_with_entries_prices_them_and_merges_repeats, postgres_create_with_entries_prices_them_and_merges_repeats);

async fn another_homes_item_is_not_found_and_nothing_is_written(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let neighbour = Kitchen::new(t, Utc::now()).await;
    let theirs = neighbour.pantry("Caviar", "1", Unit::Jar).await;
    let ours = kitchen.pantry("Bread", "1", Unit::Loaf).await;
    let list = kitchen.list("Weekly").await;
    let seq = kitchen.latest_seq().await;
    let lists_before = kitchen.count_lists().await;

    let mut with_theirs = NewList::named("Sneaky".to_owned());
    with_theirs.items = vec![entry(ours.id, "1", None), entry(theirs.id, "1", None)];
    let refused = kitchen
        .lists
        .create(&kitchen.owner, kitchen.home, with_theirs)
        .await;
    assert!(
        matches!(refused, Err(ListError::ItemNotFound)),
        "{refused:?}"
    );

    let refused = kitchen
        .lists
        .add_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            entry(theirs.id, "1", None),
        )
        .await;
    assert!(
        matches!(refused, Err(ListError::ItemNotFound)),
        "{refused:?}"
    );
    let unknown = kitchen
        .lists
        .add_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            entry(Uuid::now_v7(), "1", None),
        )
        .await;
    assert!(
        matches!(unknown, Err(ListError::ItemNotFound)),
        "{unknown:?}"
    );

    assert_eq!(kitchen.count_lists().await, lists_before);
    assert_eq!(kitchen.latest_seq().await, seq);
    let mut conn = t.db.conn().await.expect("conn");
    let entries: i64 = list_items::table
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(entries, 0);
}
on_both_backends!(another_homes_item_is_not_found_and_nothing_is_written => sqlite_another_homes_item_is_not_found_and_nothing_is_written, postgres_another_homes_item_is_not_found_and_nothing_is_written);

async fn adding_an_item_again_adds_to_its_open_entry(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let rice = kitchen.pantry("Rice", "0", Unit::Kg).await;
    let list = kitchen.list("Weekly").await;
    let add = |quantity: &str, price| {
        kitchen.lists.add_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            entry(rice.id, quantity, price),
        )
    };
    let first = add("1", Some(200)).await.expect("first");
    assert!(matches!(first, Created::New(_)));
    let first = first.into_inner().entry;
    let second = add("0.5", None).await.expect("second");
    let Created::Existing(second) = second else {
        panic!("merged: {second:?}")
    };
    assert_eq!(second.entry.id, first.id);
    assert_eq!(second.entry.quantity, qty("1.5"));
    assert_eq!(second.entry.estimated_price_minor, Some(200), "kept");
    assert_eq!(second.entry.version, first.version + 1);
    let updated = kitchen.events().await.pop().expect("event");
    assert_eq!(updated.kind, "list_item.updated");
    assert_eq!(updated.payload["addedQuantity"], 0.5);

    // Once ticked off, the next add is a new entry (the next trip to the shop).
    kitchen
        .lists
        .toggle_entry(&kitchen.owner, kitchen.home, list, first.id)
        .await
        .expect("toggle");
    let third = add("1", None).await.expect("third").into_inner().entry;
    assert_ne!(third.id, first.id);
    assert_eq!(third.position, first.position + 1, "added at the end");
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list)
        .await
        .expect("get");
    assert_eq!((with.total_items, with.completed_items), (2, 1));
    assert_eq!(with.completion_percentage, 50);
    assert_eq!(with.list.estimated_cost_minor, Some(300), "1.5 × 2.00");
}
on_both_backends!(adding_an_item_again_adds_to_its_open_entry => sqlite_adding_an_item_again_adds_to_its_open_entry, postgres_adding_an_item_again_adds_to_its_open_entry);

async fn by_name_matches_exact_names_only_and_creates_nothing_in_stock(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let oat_milk = kitchen.pantry("Oat milk", "1", Unit::Liter).await;
    let yoghurt = kitchen.pantry("5% Yoghurt", "2", Unit::Piece).await;
    let list = kitchen.list("Weekly").await;
    let by_name = |name: &str, quantity: &str, unit: Option<Unit>| {
        kitchen.lists.add_by_name(
            &kitchen.owner,
            kitchen.home,
            list,
            ItemByName {
                name: name.to_owned(),
                quantity: qty(quantity),
                unit,
                category: Some(Category::Dairy),
            },
        )
    };

    // Case and spacing do not matter; the existing item is used.
    let found = by_name("  5%   YOGHURT ", "1", None)
        .await
        .expect("found")
        .into_inner();
    assert_eq!(found.item.id, yoghurt.id);
    assert!(!found.item_created);

    // LIKE wildcards are ordinary characters: none of these is "Oat milk" or "5% Yoghurt".
    for name in ["%", "Oat_milk", "oat%", "5_ Yoghurt", "_"] {
        let added = by_name(name, "1", None).await.expect(name).into_inner();
        assert!(added.item_created, "{name} made its own catalogue entry");
        assert_ne!(added.item.id, oat_milk.id);
        assert_ne!(added.item.id, yoghurt.id);
        assert_eq!(added.item.name, name.trim());
        assert_eq!(added.item.quantity, Quantity::ZERO, "nothing in stock");
        assert_eq!(added.item.category, Category::Dairy);
        assert_eq!(added.entry.item_id, added.item.id);
    }
    // The same odd name again finds the entry it made.
    let again = by_name("oat_MILK", "2", None)
        .await
        .expect("again")
        .into_inner();
    assert!(!again.item_created);
    assert_eq!(again.entry.quantity, qty("3"), "added to the open entry");

    // A convertible unit is converted into the item's unit.
    let millilitres = by_name("oat milk", "500", Some(Unit::Ml))
        .await
        .expect("ml")
        .into_inner();
    assert_eq!(millilitres.item.id, oat_milk.id);
    assert_eq!(millilitres.entry.quantity, qty("0.5"), "litres");
    // One that does not convert is another product.
    let bag = by_name("oat milk", "1", Some(Unit::Bag))
        .await
        .expect("bag")
        .into_inner();
    assert!(bag.item_created);
    assert_eq!(bag.item.unit, Unit::Bag);

    // Nothing was put in stock: the only `added` usage rows are the two pantry adds above.
    let mut conn = t.db.conn().await.expect("conn");
    let added_rows: i64 = usage_events::table
        .filter(usage_events::home_id.eq(kitchen.home.to_string()))
        .filter(usage_events::action.eq("added"))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(added_rows, 2);
    let pantry = kitchen
        .items
        .get(kitchen.home, oat_milk.id)
        .await
        .expect("get")
        .expect("oat milk");
    assert_eq!(
        pantry.quantity,
        qty("1"),
        "the list does not touch the stock"
    );
}
on_both_backends!(by_name_matches_exact_names_only_and_creates_nothing_in_stock => sqlite_by_name_matches_exact_names_only_and_creates_nothing_in_stock, postgres_by_name_matches_exact_names_only_and_creates_nothing_in_stock);

async fn buying_an_entry_restocks_the_pantry_in_the_same_transaction(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let flour = kitchen.pantry("Flour", "1", Unit::Kg).await;
    let list = kitchen.list("Baking").await;
    let added = kitchen
        .lists
        .add_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            entry(flour.id, "2.5", None),
        )
        .await
        .expect("add")
        .into_inner()
        .entry;
    let seq = kitchen.latest_seq().await;
    kitchen.clock.advance(Duration::minutes(5));

    let bought = kitchen
        .lists
        .buy_entry(&kitchen.owner, kitchen.home, list, added.id)
        .await
        .expect("buy");
    assert!(bought.list_item.is_completed);
    assert!(bought.list_item.completed_at.is_some());
    assert_eq!(bought.item.quantity, qty("3.5"), "1 kg + 2.5 kg");
    assert_eq!(bought.item.version, flour.version + 1);

    // Both sides are stored, and the events follow each other: the pantry, then the entry.
    let pantry = kitchen
        .items
        .get(kitchen.home, flour.id)
        .await
        .expect("get")
        .expect("flour");
    assert_eq!(pantry.quantity, qty("3.5"));
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list)
        .await
        .expect("get");
    assert!(with.items[0].entry.is_completed);
    let events: Vec<HomeEvent> = kitchen
        .events()
        .await
        .into_iter()
        .filter(|e| e.seq > seq)
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["item.merged", "list_item.bought"]);
    assert_eq!(events[1].seq, events[0].seq + 1);
    assert_eq!(events[0].payload["quantity"], 3.5);
    assert_eq!(
        events[0].payload["boughtFrom"]["listItemId"],
        added.id.to_string()
    );
    assert_eq!(events[1].payload["isCompleted"], true);
    assert_eq!(events[1].payload["name"], "Flour");
    assert_eq!(events[1].payload["item"]["quantity"], 3.5);
    let mut conn = t.db.conn().await.expect("conn");
    let bought_rows: Vec<Option<i64>> = usage_events::table
        .filter(usage_events::item_id.eq(flour.id.to_string()))
        .filter(usage_events::action.eq("added"))
        .order(usage_events::created_at.asc())
        .select(usage_events::quantity_milli)
        .load(&mut *conn)
        .await
        .expect("usage");
    assert_eq!(bought_rows, vec![Some(1_000), Some(2_500)]);

    // Bought once only: nothing changes the second time.
    let seq = kitchen.latest_seq().await;
    let again = kitchen
        .lists
        .buy_entry(&kitchen.owner, kitchen.home, list, added.id)
        .await;
    assert!(matches!(again, Err(ListError::Conflict(_))), "{again:?}");
    assert_eq!(kitchen.latest_seq().await, seq);
    let pantry = kitchen
        .items
        .get(kitchen.home, flour.id)
        .await
        .expect("get")
        .expect("flour");
    assert_eq!(pantry.quantity, qty("3.5"));
}
on_both_backends!(buying_an_entry_restocks_the_pantry_in_the_same_transaction => sqlite_buying_an_entry_restocks_the_pantry_in_the_same_transaction, postgres_buying_an_entry_restocks_the_pantry_in_the_same_transaction);

async fn weekly_list_resets_at_local_midnight_in_the_homes_zone(t: &TestDb) {
    // Friday 20:00 UTC is Saturday 03:00 in Bangkok (UTC+7).
    let kitchen = Kitchen::new(t, utc(2026, 12, 4, 20, 0)).await;
    kitchen.set_timezone("Asia/Bangkok").await;
    let eggs = kitchen.pantry("Eggs", "0", Unit::Piece).await;
    let mut weekly = NewList::named("Sunday shop".to_owned());
    weekly.recurring_schedule = Some(ListSchedule::Weekly);
    weekly.schedule_day_of_week = Some(0);
    weekly.items = vec![entry(eggs.id, "12", None)];
    let list = kitchen
        .lists
        .create(&kitchen.owner, kitchen.home, weekly)
        .await
        .expect("create")
        .into_inner();
    let bangkok_sunday = utc(2026, 12, 5, 17, 0);
    assert_eq!(list.next_reset_at, Some(bangkok_sunday));
    let ticked = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list.id)
        .await
        .expect("get")
        .items[0]
        .entry
        .clone();
    kitchen
        .lists
        .toggle_entry(&kitchen.owner, kitchen.home, list.id, ticked.id)
        .await
        .expect("tick");
    kitchen
        .lists
        .complete(&kitchen.owner, kitchen.home, list.id)
        .await
        .expect("complete");

    // A minute before Bangkok's midnight (still Saturday 16:59 UTC) nothing happens.
    kitchen
        .clock
        .advance(bangkok_sunday - kitchen.clock.now() - Duration::minutes(1));
    let before = kitchen
        .lists
        .lists(&kitchen.owner, kitchen.home)
        .await
        .expect("lists");
    let unchanged = before.iter().find(|l| l.list.id == list.id).expect("list");
    assert_eq!(unchanged.list.round_number, 0);
    assert_eq!(unchanged.completed_items, 1);

    // At midnight the next read (by a viewer, even) starts the new round.
    kitchen.clock.advance(Duration::minutes(1));
    let viewer = kitchen.member("viewer").await;
    let seq = kitchen.latest_seq().await;
    let after = kitchen
        .lists
        .lists(&viewer, kitchen.home)
        .await
        .expect("lists");
    let reset = after.iter().find(|l| l.list.id == list.id).expect("list");
    assert_eq!(reset.list.round_number, 1);
    assert_eq!(reset.completed_items, 0);
    assert!(!reset.items[0].entry.is_completed);
    assert_eq!(reset.items[0].entry.completed_at, None);
    assert!(reset.list.is_active, "a new round reopens the list");
    assert_eq!(reset.list.last_reset_at, Some(bangkok_sunday));
    assert_eq!(reset.list.next_reset_at, Some(utc(2026, 12, 12, 17, 0)));
    let events = kitchen.events().await;
    let logged: Vec<&HomeEvent> = events.iter().filter(|e| e.seq > seq).collect();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].kind, "list.reset");
    assert_eq!(logged[0].actor, Actor::system());
    assert_eq!(
        logged[0].payload["uncompletedItemIds"][0],
        ticked.id.to_string()
    );

    // Reading again does not reset again.
    kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list.id)
        .await
        .expect("get");
    assert_eq!(kitchen.latest_seq().await, seq + 1);

    // The scheduler's entry point resets what is due a week later.
    kitchen.clock.advance(Duration::days(7));
    let due = kitchen
        .lists
        .reset_due(&Actor::system(), kitchen.home)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].round_number, 2);
    assert_eq!(due[0].next_reset_at, Some(utc(2026, 12, 19, 17, 0)));
}
on_both_backends!(weekly_list_resets_at_local_midnight_in_the_homes_zone => sqlite_weekly_list_resets_at_local_midnight_in_the_homes_zone, postgres_weekly_list_resets_at_local_midnight_in_the_homes_zone);

async fn changing_the_schedule_or_its_day_moves_the_next_reset(t: &TestDb) {
    let kitchen = Kitchen::new(t, utc(2026, 12, 2, 10, 0)).await; // a Wednesday
    kitchen.set_timezone("America/New_York").await;
    let list = kitchen.list("Weekly").await;
    let edit = |edit: ListEdit| {
        kitchen
            .lists
            .update(&kitchen.owner, kitchen.home, list, edit, None)
    };
    let weekly = edit(ListEdit {
        recurring_schedule: Some(Some(ListSchedule::Weekly)),
        ..ListEdit::default()
    })
    .await
    .expect("weekly");
    assert_eq!(
        weekly.next_reset_at,
        Some(utc(2026, 12, 6, 5, 0)),
        "Sunday, EST"
    );
    // Only the day: the earlier server kept the old date here.
    let friday = edit(ListEdit {
        schedule_day_of_week: Some(Some(5)),
        ..ListEdit::default()
    })
    .await
    .expect("friday");
    assert_eq!(friday.next_reset_at, Some(utc(2026, 12, 4, 5, 0)));
    // Sending the same values back (clients send whole rows) keeps the date.
    kitchen.clock.advance(Duration::hours(1));
    let same = edit(ListEdit {
        name: Some("Weekly shop".to_owned()),
        recurring_schedule: Some(Some(ListSchedule::Weekly)),
        schedule_day_of_week: Some(Some(5)),
        ..ListEdit::default()
    })
    .await
    .expect("same");
    assert_eq!(same.next_reset_at, friday.next_reset_at);
    let monthly = edit(ListEdit {
        recurring_schedule: Some(Some(ListSchedule::Monthly)),
        schedule_day_of_month: Some(Some(31)),
        ..ListEdit::default()
    })
    .await
    .expect("monthly");
    assert_eq!(monthly.next_reset_at, Some(utc(2026, 12, 31, 5, 0)));
    let off = edit(ListEdit {
        recurring_schedule: Some(None),
        ..ListEdit::default()
    })
    .await
    .expect("off");
    assert_eq!(off.next_reset_at, None);
    assert_eq!(off.schedule_day_of_month, Some(31), "the day is kept");
    assert_eq!(off.version, 6);
}
on_both_backends!(changing_the_schedule_or_its_day_moves_the_next_reset => sqlite_changing_the_schedule_or_its_day_moves_the_next_reset, postgres_changing_the_schedule_or_its_day_moves_the_next_reset);

async fn a_stale_version_changes_nothing_and_returns_the_current_row(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let tea = kitchen.pantry("Tea", "1", Unit::Box).await;
    let list = kitchen.list("Weekly").await;
    let renamed = kitchen
        .lists
        .update(
            &kitchen.owner,
            kitchen.home,
            list,
            ListEdit {
                name: Some("Big shop".to_owned()),
                ..ListEdit::default()
            },
            Some(1),
        )
        .await
        .expect("version 1 is current");
    assert_eq!(renamed.version, 2);
    let seq = kitchen.latest_seq().await;
    let stale = kitchen
        .lists
        .update(
            &kitchen.owner,
            kitchen.home,
            list,
            ListEdit {
                name: Some("Lost update".to_owned()),
                ..ListEdit::default()
            },
            Some(1),
        )
        .await;
    match stale {
        Err(ListError::StaleList(current)) => assert_eq!(*current, renamed),
        other => panic!("stale: {other:?}"),
    }
    let stale_delete = kitchen
        .lists
        .delete(&kitchen.owner, kitchen.home, list, Some(1))
        .await;
    assert!(matches!(stale_delete, Err(ListError::StaleList(_))));
    assert_eq!(kitchen.latest_seq().await, seq);

    let tea_entry = kitchen
        .lists
        .add_entry(&kitchen.owner, kitchen.home, list, entry(tea.id, "1", None))
        .await
        .expect("add")
        .into_inner()
        .entry;
    let edited = kitchen
        .lists
        .update_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            tea_entry.id,
            ListItemEdit {
                quantity: Some(qty("2")),
                notes: Some(Some("green".to_owned())),
                estimated_price_minor: Some(Some(399)),
            },
            Some(tea_entry.version),
        )
        .await
        .expect("edit");
    assert_eq!(edited.quantity, qty("2"));
    let stale = kitchen
        .lists
        .update_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            tea_entry.id,
            ListItemEdit {
                quantity: Some(qty("9")),
                ..ListItemEdit::default()
            },
            Some(tea_entry.version),
        )
        .await;
    match stale {
        Err(ListError::StaleEntry(current)) => assert_eq!(*current, edited),
        other => panic!("stale: {other:?}"),
    }
    let stale_remove = kitchen
        .lists
        .remove_entry(&kitchen.owner, kitchen.home, list, tea_entry.id, Some(1))
        .await;
    assert!(matches!(stale_remove, Err(ListError::StaleEntry(_))));
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list)
        .await
        .expect("get");
    assert_eq!(with.items[0].entry, edited);
    assert_eq!(with.list.estimated_cost_minor, Some(798));

    // Without a version the last write wins.
    kitchen
        .lists
        .remove_entry(&kitchen.owner, kitchen.home, list, tea_entry.id, None)
        .await
        .expect("remove");
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list)
        .await
        .expect("get");
    assert_eq!(with.total_items, 0);
    assert_eq!(with.list.estimated_cost_minor, None);
}
on_both_backends!(a_stale_version_changes_nothing_and_returns_the_current_row => sqlite_a_stale_version_changes_nothing_and_returns_the_current_row, postgres_a_stale_version_changes_nothing_and_returns_the_current_row);

/// Any outcome's error, without its value.
fn unit<T>(result: Result<T, ListError>) -> Result<(), ListError> {
    result.map(|_| ())
}

async fn roles_and_homes_bound_every_operation(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let neighbour = Kitchen::new(t, Utc::now()).await;
    let soap = kitchen.pantry("Soap", "1", Unit::Piece).await;
    let list = kitchen.list("Weekly").await;
    let on_list = kitchen
        .lists
        .add_entry(
            &kitchen.owner,
            kitchen.home,
            list,
            entry(soap.id, "1", None),
        )
        .await
        .expect("add")
        .into_inner()
        .entry;
    let viewer = kitchen.member("viewer").await;
    let member = kitchen.member("member").await;
    let seq = kitchen.latest_seq().await;
    let svc = &kitchen.lists;
    let home = kitchen.home;

    // A viewer reads but writes nothing.
    assert!(svc.get(&viewer, home, list).await.is_ok());
    assert!(svc.stats(&viewer, home, list).await.is_ok());
    let forbidden = |r: Result<(), ListError>| matches!(r, Err(ListError::Forbidden(_)));
    assert!(forbidden(unit(
        svc.create(&viewer, home, NewList::named("x".into())).await
    )));
    assert!(forbidden(unit(
        svc.update(&viewer, home, list, ListEdit::default(), None)
            .await
    )));
    assert!(forbidden(unit(svc.complete(&viewer, home, list).await)));
    assert!(forbidden(unit(svc.reorder(&viewer, home, &[list]).await)));
    assert!(forbidden(unit(
        svc.add_entry(&viewer, home, list, entry(soap.id, "1", None))
            .await
    )));
    assert!(forbidden(unit(
        svc.toggle_entry(&viewer, home, list, on_list.id).await
    )));
    assert!(forbidden(unit(
        svc.buy_entry(&viewer, home, list, on_list.id).await
    )));
    assert!(forbidden(unit(
        svc.remove_entry(&viewer, home, list, on_list.id, None)
            .await
    )));
    // Members write, but deleting and resetting lists take an admin.
    assert!(forbidden(unit(svc.delete(&member, home, list, None).await)));
    assert!(forbidden(unit(svc.reset(&member, home, list).await)));
    assert_eq!(kitchen.latest_seq().await, seq);

    // Someone from another home learns nothing, whatever they name.
    let outsider = neighbour.owner;
    let not_found = |r: Result<(), ListError>| matches!(r, Err(ListError::HomeNotFound));
    assert!(not_found(unit(svc.lists(&outsider, home).await)));
    assert!(not_found(unit(svc.get(&outsider, home, list).await)));
    assert!(not_found(unit(svc.default_list(&outsider, home).await)));
    assert!(not_found(unit(
        svc.delete(&outsider, home, list, None).await
    )));
    assert!(not_found(unit(
        svc.buy_entry(&outsider, home, list, on_list.id).await
    )));
    // Naming this home's list under their own home finds nothing either.
    let theirs = neighbour.home;
    let missing = |r: Result<(), ListError>| {
        matches!(r, Err(ListError::ListNotFound | ListError::EntryNotFound))
    };
    assert!(missing(unit(svc.get(&outsider, theirs, list).await)));
    assert!(missing(unit(svc.complete(&outsider, theirs, list).await)));
    assert!(missing(unit(svc.reset(&outsider, theirs, list).await)));
    assert!(missing(unit(
        svc.delete(&outsider, theirs, list, None).await
    )));
    assert!(missing(unit(svc.reorder(&outsider, theirs, &[list]).await)));
    assert!(missing(unit(
        svc.toggle_entry(&outsider, theirs, list, on_list.id).await
    )));
    assert!(missing(unit(
        svc.buy_entry(&outsider, theirs, list, on_list.id).await
    )));
    assert!(missing(unit(
        svc.remove_entry(&outsider, theirs, list, on_list.id, None)
            .await
    )));
    assert!(missing(unit(
        svc.reorder_entries(&outsider, theirs, list, &[on_list.id])
            .await
    )));
    let stolen = svc
        .add_by_name(
            &outsider,
            theirs,
            list,
            ItemByName {
                name: "Soap".into(),
                quantity: Quantity::ONE,
                unit: None,
                category: None,
            },
        )
        .await;
    assert!(matches!(stolen, Err(ListError::ListNotFound)), "{stolen:?}");
    assert_eq!(kitchen.latest_seq().await, seq);
    let still = svc.get(&kitchen.owner, home, list).await.expect("get");
    assert_eq!(still.items[0].entry, on_list);
}
on_both_backends!(roles_and_homes_bound_every_operation => sqlite_roles_and_homes_bound_every_operation, postgres_roles_and_homes_bound_every_operation);

async fn lists_come_in_display_order_and_reorder(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let a = kitchen.list("A").await;
    kitchen.clock.advance(Duration::seconds(1));
    let b = kitchen.list("B").await;
    kitchen.clock.advance(Duration::seconds(1));
    let c = kitchen.list("C").await;
    kitchen
        .lists
        .complete(&kitchen.owner, kitchen.home, b)
        .await
        .expect("complete");
    let names = |lists: Vec<pantry_core::lists::GroceryListWithItems>| -> Vec<String> {
        lists.into_iter().map(|l| l.list.name).collect()
    };
    let all = kitchen
        .lists
        .lists(&kitchen.owner, kitchen.home)
        .await
        .expect("lists");
    assert_eq!(
        names(all),
        ["Quick Items", "C", "A", "B"],
        "default, active newest first, completed"
    );

    let seq = kitchen.latest_seq().await;
    let reordered = kitchen
        .lists
        .reorder(&kitchen.owner, kitchen.home, &[a, c])
        .await
        .expect("reorder");
    let order: Vec<&str> = reordered.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(order, ["Quick Items", "A", "C", "B"]);
    assert!(
        reordered.iter().all(|l| l.version == 1 || l.id == b),
        "positions only"
    );
    let event = kitchen.events().await.pop().expect("event");
    assert_eq!(event.seq, seq + 1);
    assert_eq!(event.kind, "list.reordered");
    assert_eq!(event.payload["ids"][0], a.to_string());

    // A new list shows above the reordered ones; an unknown id changes nothing.
    kitchen.list("D").await;
    let all = kitchen
        .lists
        .lists(&kitchen.owner, kitchen.home)
        .await
        .expect("lists");
    assert_eq!(names(all), ["Quick Items", "D", "A", "C", "B"]);
    let seq = kitchen.latest_seq().await;
    let unknown = kitchen
        .lists
        .reorder(&kitchen.owner, kitchen.home, &[c, Uuid::now_v7()])
        .await;
    assert!(matches!(unknown, Err(ListError::ListNotFound)));
    assert_eq!(kitchen.latest_seq().await, seq);
}
on_both_backends!(lists_come_in_display_order_and_reorder => sqlite_lists_come_in_display_order_and_reorder, postgres_lists_come_in_display_order_and_reorder);

async fn entries_reorder_within_their_list(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let list = kitchen.list("Weekly").await;
    let mut ids = Vec::new();
    for name in ["Apples", "Bananas", "Cherries"] {
        let item = kitchen.pantry(name, "0", Unit::Piece).await;
        let added = kitchen
            .lists
            .add_entry(
                &kitchen.owner,
                kitchen.home,
                list,
                entry(item.id, "1", None),
            )
            .await
            .expect("add")
            .into_inner();
        ids.push(added.entry.id);
    }
    let reordered = kitchen
        .lists
        .reorder_entries(&kitchen.owner, kitchen.home, list, &[ids[2]])
        .await
        .expect("reorder");
    let order: Vec<Uuid> = reordered.iter().map(|e| e.id).collect();
    assert_eq!(order, [ids[2], ids[0], ids[1]]);
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, list)
        .await
        .expect("get");
    let names: Vec<&str> = with.items.iter().map(|i| i.item.name.as_str()).collect();
    assert_eq!(names, ["Cherries", "Apples", "Bananas"]);
    let event = kitchen.events().await.pop().expect("event");
    assert_eq!(event.kind, "list_item.reordered");
    assert_eq!(event.payload["listId"], list.to_string());

    // An entry of another list is not on this one.
    let other = kitchen.list("Other").await;
    let refused = kitchen
        .lists
        .reorder_entries(&kitchen.owner, kitchen.home, other, &[ids[0]])
        .await;
    assert!(matches!(refused, Err(ListError::EntryNotFound)));
}
on_both_backends!(entries_reorder_within_their_list => sqlite_entries_reorder_within_their_list, postgres_entries_reorder_within_their_list);

async fn client_chosen_ids_make_replays_harmless(t: &TestDb) {
    let kitchen = Kitchen::new(t, Utc::now()).await;
    let neighbour = Kitchen::new(t, Utc::now()).await;
    let jam = kitchen.pantry("Jam", "0", Unit::Jar).await;
    let mut offline = NewList::named("Made offline".to_owned());
    offline.id = Uuid::now_v7();
    offline.client_chosen_id = true;
    let first = kitchen
        .lists
        .create(&kitchen.owner, kitchen.home, offline.clone())
        .await
        .expect("create");
    assert!(matches!(first, Created::New(_)));
    let seq = kitchen.latest_seq().await;
    let replay = kitchen
        .lists
        .create(&kitchen.owner, kitchen.home, offline.clone())
        .await
        .expect("replay");
    assert_eq!(replay, Created::Existing(first.into_inner()));
    assert_eq!(kitchen.latest_seq().await, seq);
    // The same id in another home is taken.
    let taken = neighbour
        .lists
        .create(&neighbour.owner, neighbour.home, offline.clone())
        .await;
    assert!(matches!(taken, Err(ListError::Conflict(_))), "{taken:?}");

    let mut add = entry(jam.id, "1", None);
    add.id = Uuid::now_v7();
    add.client_chosen_id = true;
    for _ in 0..2 {
        kitchen
            .lists
            .add_entry(&kitchen.owner, kitchen.home, offline.id, add.clone())
            .await
            .expect("add");
    }
    let with = kitchen
        .lists
        .get(&kitchen.owner, kitchen.home, offline.id)
        .await
        .expect("get");
    assert_eq!(with.total_items, 1);
    assert_eq!(with.items[0].entry.id, add.id);
    assert_eq!(with.items[0].entry.quantity, qty("1"), "not added twice");
}
on_both_backends!(client_chosen_ids_make_replays_harmless => sqlite_client_chosen_ids_make_replays_harmless, postgres_client_chosen_ids_make_replays_harmless);

async fn completing_and_reopening_a_list(t: &TestDb) {
    let kitchen = Kitchen::new(t, utc(2026, 12, 4, 9, 0)).await;
    let list = kitchen.list("Party").await;
    let done = kitchen
        .lists
        .complete(&kitchen.owner, kitchen.home, list)
        .await
        .expect("complete");
    assert!(!done.is_active);
    assert_eq!(done.completed_at, Some(utc(2026, 12, 4, 9, 0)));
    let seq = kitchen.latest_seq().await;
    let again = kitchen
        .lists
        .complete(&kitchen.owner, kitchen.home, list)
        .await
        .expect("again");
    assert_eq!(again, done, "completing twice changes nothing");
    assert_eq!(kitchen.latest_seq().await, seq);
    let reopened = kitchen
        .lists
        .uncomplete(&kitchen.owner, kitchen.home, list)
        .await
        .expect("uncomplete");
    assert!(reopened.is_active);
    assert_eq!(reopened.completed_at, None);
    assert_eq!(kitchen.kinds_after(seq).await, vec!["list.uncompleted"]);

    // A manual reset works on lists without a schedule too.
    let reset = kitchen
        .lists
        .reset(&kitchen.owner, kitchen.home, list)
        .await
        .expect("reset");
    assert_eq!(reset.round_number, 1);
    assert_eq!(reset.next_reset_at, None);
    assert_eq!(reset.last_reset_at, Some(utc(2026, 12, 4, 9, 0)));
}
on_both_backends!(completing_and_reopening_a_list => sqlite_completing_and_reopening_a_list, postgres_completing_and_reopening_a_list);

async fn deleting_a_pantry_item_takes_its_entries_off_every_list(t: &TestDb) {
    let k = Kitchen::new(t, utc(2026, 3, 2, 9, 0)).await;
    let rice = k.pantry("Rice", "1", Unit::Kg).await;
    let beans = k.pantry("Beans", "2", Unit::Piece).await;
    let weekly = k.list("Weekly").await;
    let party = k.list("Party").await;
    for (list, item, price) in [
        (weekly, rice.id, 200),
        (weekly, beans.id, 100),
        (party, rice.id, 300),
    ] {
        k.lists
            .add_entry(&k.owner, k.home, list, entry(item, "1", Some(price)))
            .await
            .expect("add entry");
    }
    let before = k.latest_seq().await;
    let meta = WriteMeta {
        actor: k.owner,
        at: k.clock.now(),
    };
    k.items
        .delete(k.home, rice.id, None, meta)
        .await
        .expect("delete rice");

    // Each entry naming the rice is logged as removed, then the item itself.
    let after: Vec<HomeEvent> = k
        .events()
        .await
        .into_iter()
        .filter(|e| e.seq > before)
        .collect();
    let kinds: Vec<&str> = after.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["list_item.removed", "list_item.removed", "item.deleted"]
    );
    for removed in &after[..2] {
        assert_eq!(removed.payload["itemId"], rice.id.to_string());
        assert_eq!(removed.payload["name"], "Rice");
        assert_eq!(removed.payload["itemDeleted"], true);
    }
    // The lists hold what is left, and their costs follow.
    let weekly = k.lists.get(&k.owner, k.home, weekly).await.expect("weekly");
    let names: Vec<&str> = weekly.items.iter().map(|e| e.item.name.as_str()).collect();
    assert_eq!(names, ["Beans"]);
    assert_eq!(weekly.list.estimated_cost_minor, Some(100));
    let party = k.lists.get(&k.owner, k.home, party).await.expect("party");
    assert!(party.items.is_empty());
    assert_eq!(party.list.estimated_cost_minor, None);
}
on_both_backends!(deleting_a_pantry_item_takes_its_entries_off_every_list => sqlite_deleting_a_pantry_item_takes_its_entries_off_every_list, postgres_deleting_a_pantry_item_takes_its_entries_off_every_list);
