//! Scheduled jobs over the real databases: each unit of work happens once, however often the
//! scheduler runs and however many replicas run it at once.

use crate::fixtures::{insert_membership, insert_user, insert_user_and_home};
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::Actor;
use pantry_core::clock::{Clock, FixedClock};
use pantry_core::insights::predictions::PredictionService;
use pantry_core::items::ItemService;
use pantry_core::items::item::{NewItem, RecurringInterval};
use pantry_core::lists::ListService;
use pantry_core::lists::list::NewList;
use pantry_core::lists::schedule::ListSchedule;
use pantry_core::pixie::offline::OfflinePixie;
use pantry_core::scheduler::{Scheduler, SchedulerConfig, SchedulerDeps, TickReport};
use pantry_store::schema::{
    chat_messages, chat_threads, grocery_lists, homes, items, job_claims, list_items,
    notification_reads, notifications,
};
use pantry_store::test_support::TestDb;
use pantry_store::{
    AnyConnection, Database, StoreHomes, StoreInsights, StoreItems, StoreJobs, StoreListItems,
    StoreLists,
};
use std::sync::Arc;
use uuid::Uuid;

/// Saturday 5 December 2026, 12:00 UTC.
fn saturday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap()
}

struct World {
    db: Database,
    clock: Arc<FixedClock>,
    user: Uuid,
    home: Uuid,
}

impl World {
    async fn new(t: &TestDb, timezone: &str) -> World {
        let mut conn = t.db.conn().await.expect("conn");
        let (user, home) = insert_user_and_home(&mut conn).await;
        insert_membership(&mut conn, home, user, "owner")
            .await
            .expect("owner");
        diesel::update(homes::table.find(home.to_string()))
            .set(homes::timezone.eq(timezone))
            .execute(&mut *conn)
            .await
            .expect("zone");
        World {
            db: t.db.clone(),
            clock: Arc::new(FixedClock::new(saturday_noon())),
            user,
            home,
        }
    }

    fn items(&self) -> ItemService {
        ItemService::new(
            Arc::new(StoreHomes::new(self.db.clone())),
            Arc::new(StoreItems::new(self.db.clone())),
            self.clock.clone(),
        )
    }

    fn lists(&self, db: &Database) -> ListService {
        ListService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            self.clock.clone(),
        )
    }

    /// A scheduler as one replica runs it, over its own pool on the same database.
    fn scheduler(&self, db: &Database, replica: &str) -> Scheduler {
        Scheduler::new(
            SchedulerDeps {
                jobs: Arc::new(StoreJobs::new(db.clone())),
                lists: Arc::new(self.lists(db)),
                predictions: Arc::new(PredictionService::new(
                    Arc::new(StoreHomes::new(db.clone())),
                    Arc::new(StoreInsights::new(db.clone())),
                    self.clock.clone(),
                )),
                model: Arc::new(OfflinePixie::new()),
                clock: self.clock.clone(),
            },
            SchedulerConfig::default(),
            replica.to_owned(),
        )
    }

    async fn tick(&self) -> TickReport {
        let report = self.scheduler(&self.db, "replica-a").tick().await;
        assert_eq!(report.errors, Vec::<String>::new());
        report
    }

    fn actor(&self) -> Actor {
        Actor::user(self.user)
    }

    async fn add(&self, name: &str, edit: impl FnOnce(&mut NewItem)) -> Uuid {
        let mut item = NewItem::named(name.to_owned());
        edit(&mut item);
        self.items()
            .add(&self.actor(), self.home, item, true)
            .await
            .expect("add item")
            .item()
            .id
    }

    async fn conn(&self) -> pantry_store::PooledConnection {
        self.db.conn().await.expect("conn")
    }

    /// (unticked, ticked) entries of `item` on the home's default list.
    async fn on_default_list(&self, item: Uuid) -> (i64, i64) {
        let mut conn = self.conn().await;
        let rows: Vec<bool> = list_items::table
            .inner_join(grocery_lists::table)
            .filter(grocery_lists::home_id.eq(self.home.to_string()))
            .filter(grocery_lists::is_default.eq(true))
            .filter(list_items::item_id.eq(item.to_string()))
            .select(list_items::is_completed)
            .load(&mut *conn)
            .await
            .expect("entries");
        let ticked = rows.iter().filter(|done| **done).count() as i64;
        (rows.len() as i64 - ticked, ticked)
    }

    /// Titles of the home's notices of `kind`, oldest first.
    async fn notices(&self, kind: &str) -> Vec<String> {
        notices_of(&mut *self.conn().await, self.home, kind).await
    }

    async fn digest_messages(&self) -> Vec<String> {
        let mut conn = self.conn().await;
        chat_messages::table
            .inner_join(chat_threads::table)
            .filter(chat_threads::home_id.eq(self.home.to_string()))
            .filter(chat_threads::purpose.eq("sunday_sync"))
            .order(chat_messages::created_at.asc())
            .select(chat_messages::content)
            .load(&mut *conn)
            .await
            .expect("digest messages")
    }
}

async fn notices_of(conn: &mut AnyConnection, home: Uuid, kind: &str) -> Vec<String> {
    notifications::table
        .filter(notifications::home_id.eq(home.to_string()))
        .filter(notifications::notification_type.eq(kind))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .select(notifications::title)
        .load(conn)
        .await
        .expect("notices")
}

async fn recurring_restock_puts_a_staple_on_the_list_once_per_interval(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    let milk = w
        .add("Milk", |i| {
            i.is_recurring = true;
            i.recurring_interval = Some(RecurringInterval::Weekly);
        })
        .await;
    // Just bought: nothing is due for a week.
    assert_eq!(w.tick().await.restocked, 0);
    w.clock.advance(Duration::days(6));
    assert_eq!(w.tick().await.restocked, 0);
    assert_eq!(w.on_default_list(milk).await, (0, 0));

    w.clock.advance(Duration::days(1));
    assert_eq!(w.tick().await.restocked, 1);
    assert_eq!(w.on_default_list(milk).await, (1, 0));
    assert_eq!(w.notices("recurring_due").await, ["Time to restock Milk"]);
    // Ticks within the same interval add nothing more.
    assert_eq!(w.tick().await.restocked, 0);
    w.clock.advance(Duration::hours(1));
    assert_eq!(w.tick().await.restocked, 0);

    // A week later it is still on the list, unticked: not added twice, no second notice.
    w.clock.advance(Duration::days(7));
    assert_eq!(w.tick().await.restocked, 0);
    assert_eq!(w.on_default_list(milk).await, (1, 0));
    assert_eq!(w.notices("recurring_due").await.len(), 1);

    // Bought (ticked): the next interval puts a fresh entry on the list.
    let mut conn = w.conn().await;
    diesel::update(list_items::table.filter(list_items::item_id.eq(milk.to_string())))
        .set(list_items::is_completed.eq(true))
        .execute(&mut *conn)
        .await
        .expect("tick entry");
    drop(conn);
    w.clock.advance(Duration::days(7));
    assert_eq!(w.tick().await.restocked, 1);
    assert_eq!(w.on_default_list(milk).await, (1, 1));
    assert_eq!(w.notices("recurring_due").await.len(), 2);
}
on_both_backends!(recurring_restock_puts_a_staple_on_the_list_once_per_interval
    => sqlite_recurring_restock_once_per_interval, postgres_recurring_restock_once_per_interval);

async fn marking_an_item_recurring_starts_its_interval_then(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    let rice = w.add("Rice", |_| {}).await;
    w.clock.advance(Duration::days(30));
    // Made a weekly staple a month after it was bought: not added at once (§9.18).
    let edit = pantry_core::items::item::ItemEdit {
        is_recurring: Some(true),
        recurring_interval: Some(Some(RecurringInterval::Weekly)),
        ..Default::default()
    };
    w.items()
        .update(&w.actor(), w.home, rice, edit, None)
        .await
        .expect("make recurring");
    assert_eq!(w.tick().await.restocked, 0);
    assert_eq!(w.on_default_list(rice).await, (0, 0));
    w.clock.advance(Duration::days(7));
    assert_eq!(w.tick().await.restocked, 1);
    assert_eq!(w.on_default_list(rice).await, (1, 0));
}
on_both_backends!(marking_an_item_recurring_starts_its_interval_then
    => sqlite_recurring_starts_when_marked, postgres_recurring_starts_when_marked);

async fn a_list_resets_at_local_midnight_in_its_homes_zone(t: &TestDb) {
    // New York is UTC-5 in December: Sunday 00:00 there is Sunday 05:00 UTC.
    let w = World::new(t, "America/New_York").await;
    let mut weekly = NewList::named("Weekly shop".to_owned());
    weekly.recurring_schedule = Some(ListSchedule::Weekly);
    weekly.schedule_day_of_week = Some(0);
    let list = w
        .lists(&w.db)
        .create(&w.actor(), w.home, weekly)
        .await
        .expect("create list")
        .into_inner();
    let eggs = w.add("Eggs", |_| {}).await;
    let mut conn = w.conn().await;
    diesel::insert_into(list_items::table)
        .values((
            list_items::id.eq(Uuid::now_v7().to_string()),
            list_items::list_id.eq(list.id.to_string()),
            list_items::item_id.eq(eggs.to_string()),
            list_items::is_completed.eq(true),
            list_items::added_at.eq(w.clock.now().naive_utc()),
            list_items::updated_at.eq(w.clock.now().naive_utc()),
        ))
        .execute(&mut *conn)
        .await
        .expect("ticked entry");
    drop(conn);
    let state = async || {
        let mut conn = w.conn().await;
        let round: i32 = grocery_lists::table
            .find(list.id.to_string())
            .select(grocery_lists::round_number)
            .first(&mut *conn)
            .await
            .expect("round");
        let ticked: Vec<bool> = list_items::table
            .filter(list_items::list_id.eq(list.id.to_string()))
            .select(list_items::is_completed)
            .load(&mut *conn)
            .await
            .expect("entries");
        (round, ticked)
    };
    // Sunday 04:59 UTC is still Saturday 23:59 in New York: midnight UTC has long passed.
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 6, 4, 59, 0).unwrap());
    assert_eq!(w.tick().await.lists_reset, 0);
    assert_eq!(state().await, (0, vec![true]));
    w.clock.advance(Duration::minutes(1));
    assert_eq!(w.tick().await.lists_reset, 1);
    assert_eq!(state().await, (1, vec![false]));
    assert_eq!(w.tick().await.lists_reset, 0);
    assert_eq!(state().await.0, 1);
}
on_both_backends!(a_list_resets_at_local_midnight_in_its_homes_zone
    => sqlite_list_resets_at_local_midnight, postgres_list_resets_at_local_midnight);

async fn expiry_notices_come_once_per_item_and_phase_even_after_reading(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    let now = w.clock.now();
    w.add("Spinach", |i| i.expires_at = Some(now + Duration::days(2)))
        .await;
    w.add("Cheese", |i| i.expires_at = Some(now + Duration::days(20)))
        .await;
    w.add("Old jam", |i| i.expires_at = Some(now - Duration::days(10)))
        .await;
    assert_eq!(w.tick().await.expiry_notices, 1);
    assert_eq!(
        w.notices("expiring_soon").await,
        ["Spinach expires in 2 days"]
    );

    // Alice reads it; the next rounds never bring it back (§9.18).
    let mut conn = w.conn().await;
    let id: String = notifications::table
        .filter(notifications::home_id.eq(w.home.to_string()))
        .select(notifications::id)
        .first(&mut *conn)
        .await
        .expect("notice id");
    diesel::insert_into(notification_reads::table)
        .values((
            notification_reads::notification_id.eq(id),
            notification_reads::user_id.eq(w.user.to_string()),
            notification_reads::read_at.eq(now.naive_utc()),
        ))
        .execute(&mut *conn)
        .await
        .expect("read");
    drop(conn);
    for _ in 0..3 {
        w.clock.advance(Duration::hours(6));
        assert_eq!(w.tick().await.expiry_notices, 0);
    }
    // Once it has expired: one more notice, once.
    w.clock.advance(Duration::days(2));
    assert_eq!(w.tick().await.expiry_notices, 1);
    assert_eq!(w.tick().await.expiry_notices, 0);
    assert_eq!(
        w.notices("expiring_soon").await,
        ["Spinach expires in 2 days", "Spinach has expired"]
    );
}
on_both_backends!(expiry_notices_come_once_per_item_and_phase_even_after_reading
    => sqlite_expiry_notices_once, postgres_expiry_notices_once);

async fn the_digest_is_posted_once_on_the_homes_local_sunday(t: &TestDb) {
    // Bangkok is UTC+7: Saturday 23:00 UTC is Sunday 06:00 there, 02:00 UTC is 09:00.
    let w = World::new(t, "Asia/Bangkok").await;
    w.add("Spinach", |i| {
        i.expires_at = Some(saturday_noon() + Duration::days(1))
    })
    .await;
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 5, 23, 0, 0).unwrap());
    assert_eq!(w.tick().await.digests, 0, "before the digest hour");
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap());
    assert_eq!(w.tick().await.digests, 1);
    assert_eq!(w.tick().await.digests, 0);
    w.clock.advance(Duration::hours(10));
    assert_eq!(w.tick().await.digests, 0, "later that Sunday");
    let messages = w.digest_messages().await;
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with("Happy Sunday, Alice!"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("added 1 thing"), "{}", messages[0]);
    assert!(messages[0].contains("Spinach"), "{}", messages[0]);
    assert_eq!(
        w.notices("sunday_sync").await,
        ["Your Sunday Sync is ready"]
    );

    // Renamed by a member: the next Sunday's digest still goes to the same thread.
    let mut conn = w.conn().await;
    diesel::update(chat_threads::table.filter(chat_threads::home_id.eq(w.home.to_string())))
        .set(chat_threads::title.eq("Our week"))
        .execute(&mut *conn)
        .await
        .expect("rename");
    drop(conn);
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 13, 3, 0, 0).unwrap());
    assert_eq!(w.tick().await.digests, 1);
    assert_eq!(w.digest_messages().await.len(), 2);
    let mut conn = w.conn().await;
    let threads: i64 = chat_threads::table
        .filter(chat_threads::home_id.eq(w.home.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("threads");
    assert_eq!(threads, 1);
    assert_eq!(w.notices("sunday_sync").await.len(), 2);
}
on_both_backends!(the_digest_is_posted_once_on_the_homes_local_sunday
    => sqlite_digest_once_on_local_sunday, postgres_digest_once_on_local_sunday);

async fn a_dead_replicas_digest_is_taken_over_after_its_lease(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    let sunday = Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap();
    w.clock.set(sunday);
    // A replica claimed today's digest a minute ago and died before posting it.
    let mut conn = w.conn().await;
    diesel::insert_into(job_claims::table)
        .values((
            job_claims::job.eq("sunday_sync"),
            job_claims::scope_key.eq(w.home.to_string()),
            job_claims::window_key.eq("2026-12-06"),
            job_claims::claimed_by.eq("dead-replica"),
            job_claims::claimed_at.eq((sunday - Duration::minutes(1)).naive_utc()),
        ))
        .execute(&mut *conn)
        .await
        .expect("stale claim");
    drop(conn);
    assert_eq!(w.tick().await.digests, 0, "its lease still runs");
    assert!(w.digest_messages().await.is_empty());
    w.clock.advance(Duration::minutes(10));
    assert_eq!(w.tick().await.digests, 1, "taken over");
    assert_eq!(w.tick().await.digests, 0);
    assert_eq!(w.digest_messages().await.len(), 1);
    let mut conn = w.conn().await;
    let (by, done): (String, Option<chrono::NaiveDateTime>) = job_claims::table
        .filter(job_claims::job.eq("sunday_sync"))
        .select((job_claims::claimed_by, job_claims::completed_at))
        .first(&mut *conn)
        .await
        .expect("claim");
    assert_eq!(by, "replica-a");
    assert!(done.is_some());
}
on_both_backends!(a_dead_replicas_digest_is_taken_over_after_its_lease
    => sqlite_dead_replica_digest_taken_over, postgres_dead_replica_digest_taken_over);

/// Two replicas, each with its own pool, run every due job at the same moment, round after
/// round: every effect happens exactly once.
async fn two_replicas_do_each_due_job_exactly_once(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    {
        let mut conn = w.conn().await;
        let partner = insert_user(&mut conn).await;
        insert_membership(&mut conn, w.home, partner, "member")
            .await
            .expect("member");
    }
    let staples: Vec<Uuid> = {
        let mut ids = Vec::new();
        for name in ["Milk", "Bread", "Coffee", "Eggs", "Rice"] {
            ids.push(
                w.add(name, |i| {
                    i.is_recurring = true;
                    i.recurring_interval = Some(RecurringInterval::Daily);
                })
                .await,
            );
        }
        ids
    };
    let now = w.clock.now();
    for (n, name) in ["Spinach", "Yoghurt", "Tofu"].iter().enumerate() {
        w.add(name, |i| {
            i.expires_at = Some(now + Duration::days(n as i64 + 1))
        })
        .await;
    }
    let mut weekly = NewList::named("Weekly".to_owned());
    weekly.recurring_schedule = Some(ListSchedule::Weekly);
    weekly.schedule_day_of_week = Some(0);
    w.lists(&w.db)
        .create(&w.actor(), w.home, weekly)
        .await
        .expect("list");
    // Sunday 13:00: staples due, the list's reset due, the digest due.
    w.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 6, 13, 0, 0).unwrap());

    let other_pool = Database::new(&t.config()).expect("second pool");
    let a = w.scheduler(&w.db, "replica-a");
    let b = w.scheduler(&other_pool, "replica-b");
    let mut total = TickReport::default();
    for _ in 0..3 {
        let (ra, rb) = tokio::join!(a.tick(), b.tick());
        for r in [ra, rb] {
            assert_eq!(r.errors, Vec::<String>::new());
            total.restocked += r.restocked;
            total.lists_reset += r.lists_reset;
            total.expiry_notices += r.expiry_notices;
            total.digests += r.digests;
        }
    }
    assert_eq!(total.restocked, 5);
    assert_eq!(total.lists_reset, 1);
    assert_eq!(total.expiry_notices, 3);
    assert_eq!(total.digests, 1);
    for staple in staples {
        assert_eq!(w.on_default_list(staple).await, (1, 0));
    }
    assert_eq!(w.notices("recurring_due").await.len(), 5);
    assert_eq!(w.notices("expiring_soon").await.len(), 3);
    assert_eq!(w.notices("sunday_sync").await.len(), 1);
    assert_eq!(w.digest_messages().await.len(), 1);
    let mut conn = w.conn().await;
    let rounds: Vec<i32> = grocery_lists::table
        .filter(grocery_lists::home_id.eq(w.home.to_string()))
        .filter(grocery_lists::name.eq("Weekly"))
        .select(grocery_lists::round_number)
        .load(&mut *conn)
        .await
        .expect("rounds");
    assert_eq!(rounds, [1]);
    let staples_on_list: i64 = items::table
        .filter(items::home_id.eq(w.home.to_string()))
        .filter(items::is_recurring.eq(true))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(staples_on_list, 5);
}
on_both_backends!(two_replicas_do_each_due_job_exactly_once
    => sqlite_two_replicas_each_job_once, postgres_two_replicas_each_job_once, multi_thread);

async fn running_low_is_announced_once_per_expected_run_out(t: &TestDb) {
    let w = World::new(t, "UTC").await;
    // Coffee bought every 7 days, 8 times; the last purchase 6 days before "now".
    w.clock.advance(Duration::days(-55));
    for n in 0..8 {
        if n > 0 {
            w.clock.advance(Duration::days(7));
        }
        w.items()
            .add(
                &w.actor(),
                w.home,
                NewItem::named("Coffee".to_owned()),
                false,
            )
            .await
            .expect("buy coffee");
    }
    // Bought rarely and irregularly: no notice for this one.
    w.add("Saffron", |_| {}).await;
    w.clock.advance(Duration::days(6));
    let report = w.tick().await;
    assert_eq!(report.running_low_notices, 1);
    assert_eq!(w.notices("running_low").await, ["Running low on Coffee"]);
    let mut conn = w.conn().await;
    let data: Option<String> = notifications::table
        .filter(notifications::home_id.eq(w.home.to_string()))
        .filter(notifications::notification_type.eq("running_low"))
        .select(notifications::data)
        .first(&mut *conn)
        .await
        .expect("data");
    drop(conn);
    let data: serde_json::Value = serde_json::from_str(&data.expect("data")).expect("json");
    assert_eq!(data["itemName"], "Coffee");

    // Later rounds, and another replica, never repeat it for the same run-out.
    for _ in 0..3 {
        w.clock.advance(Duration::hours(2));
        assert_eq!(w.tick().await.running_low_notices, 0);
    }
    let other = w.scheduler(&w.db, "replica-b");
    assert_eq!(other.tick().await.running_low_notices, 0);
    assert_eq!(w.notices("running_low").await.len(), 1);
}
on_both_backends!(running_low_is_announced_once_per_expected_run_out
    => sqlite_running_low_once, postgres_running_low_once);
