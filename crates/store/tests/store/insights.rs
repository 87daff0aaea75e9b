//! Budgets and restock predictions over the real purchase ledger and usage history: history
//! is written through the pantry use cases at controlled times, then read back through the
//! insights services.

use crate::fixtures::{insert_membership, insert_user_and_home};
use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::Actor;
use pantry_core::clock::{Clock, FixedClock};
use pantry_core::insights::budget::{BudgetHealth, Trend};
use pantry_core::insights::{BudgetPeriod, BudgetService, InsightsError, PredictionService};
use pantry_core::items::item::ItemEdit;
use pantry_core::items::{Category, ItemService, NewItem, Quantity};
use pantry_store::schema::homes;
use pantry_store::test_support::TestDb;
use pantry_store::{StoreHomes, StoreInsights, StoreItems};
use std::sync::Arc;
use uuid::Uuid;

struct World {
    clock: Arc<FixedClock>,
    items: ItemService,
    budget: BudgetService,
    predictions: PredictionService,
}

/// Moves the clock to `at`.
fn set(clock: &FixedClock, at: DateTime<Utc>) {
    clock.advance(at - clock.now());
}

fn world(db: &TestDb, start: DateTime<Utc>) -> World {
    let clock = Arc::new(FixedClock::new(start));
    let homes = Arc::new(StoreHomes::new(db.db.clone()));
    let insights = Arc::new(StoreInsights::new(db.db.clone()));
    World {
        items: ItemService::new(
            homes.clone(),
            Arc::new(StoreItems::new(db.db.clone())),
            clock.clone(),
        ),
        budget: BudgetService::new(homes.clone(), insights.clone(), clock.clone()),
        predictions: PredictionService::new(homes, insights, clock.clone()),
        clock,
    }
}

async fn home(db: &TestDb, timezone: &str, budget_minor: Option<i64>) -> (Uuid, Uuid) {
    let mut conn = db.db.conn().await.unwrap();
    let (user, home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, home, user, "owner")
        .await
        .unwrap();
    diesel::update(homes::table.find(home.to_string()))
        .set((
            homes::timezone.eq(timezone),
            homes::currency.eq("THB"),
            homes::monthly_budget_minor.eq(budget_minor),
        ))
        .execute(&mut conn)
        .await
        .unwrap();
    (user, home)
}

fn purchase(name: &str, category: Category, price: Option<i64>, store: Option<&str>) -> NewItem {
    let mut item = NewItem::named(name.to_owned());
    item.category = category;
    item.price_minor = price;
    item.store = store.map(str::to_owned);
    item
}

/// 2026-12-20 12:00 in Bangkok (UTC+7).
fn bangkok_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 20, 5, 0, 0).unwrap()
}

/// The reference figures: Milk 120 (3 days ago, Big C), Cheese 80 (10 days, Big C), Apples
/// 50 (12 days, Wet Market), Rice 100 (40 days), a budget of 500.
async fn seeded(db: &TestDb) -> (World, Uuid, Uuid) {
    let now = bangkok_noon();
    let w = world(db, now - Duration::days(40));
    let (user, home) = home(db, "Asia/Bangkok", Some(50_000)).await;
    let actor = Actor::user(user);
    let buy = async |days_ago: i64, item: NewItem| {
        set(&w.clock, now - Duration::days(days_ago));
        w.items.add(&actor, home, item, false).await.unwrap();
    };
    buy(40, purchase("Rice", Category::Grains, Some(10_000), None)).await;
    buy(
        12,
        purchase("Apples", Category::Produce, Some(5_000), Some("Wet Market")),
    )
    .await;
    buy(
        10,
        purchase("Cheese", Category::Dairy, Some(8_000), Some("Big C")),
    )
    .await;
    buy(
        3,
        purchase("Milk", Category::Dairy, Some(12_000), Some("Big C")),
    )
    .await;
    // Unpriced: a restock, not a purchase.
    buy(2, purchase("Bread", Category::Grains, None, Some("Big C"))).await;
    set(&w.clock, now);
    (w, user, home)
}

async fn reference_figures(db: &TestDb) {
    let (w, user, home) = seeded(db).await;
    let month = w
        .budget
        .summary(&Actor::user(user), home, BudgetPeriod::Month)
        .await
        .unwrap();
    assert_eq!(month.total, 25_000);
    assert_eq!(month.item_count, 3, "the unpriced bread is not a purchase");
    assert_eq!(
        month.start,
        Utc.with_ymd_and_hms(2026, 11, 30, 17, 0, 0).unwrap()
    );
    assert_eq!(month.end, bangkok_noon());
    assert_eq!(month.by_category[0].category, Category::Dairy);
    assert_eq!(month.by_category[0].total, 20_000);
    assert_eq!(month.by_category[0].item_count, 2);
    assert_eq!(month.by_store[0].store, "Big C");
    assert_eq!(month.by_store[0].total, 20_000);
    assert_eq!(month.by_store.len(), 2);
    let comparison = month.comparison.clone().unwrap();
    assert_eq!(comparison.previous_total, 10_000);
    assert_eq!(comparison.change_percent, 150.0);
    assert_eq!(comparison.trend, Trend::Up);
    let budget = month.budget.clone().unwrap();
    assert_eq!(budget.percent_used, 50.0);
    assert_eq!(budget.remaining, 25_000);
    assert_eq!(budget.status, BudgetHealth::OnTrack);
    let text = month.insights.join(" ");
    assert!(text.contains("Dairy"), "{text}");
    assert!(text.contains("budget"), "{text}");
    assert!(text.contains("฿250.00"), "the home's currency: {text}");

    let week = w
        .budget
        .summary(&Actor::user(user), home, BudgetPeriod::Week)
        .await
        .unwrap();
    assert_eq!(week.total, 12_000);
    let comparison = week.comparison.clone().unwrap();
    assert_eq!(comparison.previous_total, 13_000);
    assert_eq!(comparison.trend, Trend::Down);
    let budget = week.budget.clone().unwrap();
    assert_eq!(
        budget.percent_used, 50.0,
        "the budget is always the calendar month"
    );
    assert_eq!(budget.spent, 25_000);

    let (both_week, both_month) = w.budget.both(&Actor::system(), home).await.unwrap();
    assert_eq!((both_week, both_month), (week, month));
}
on_both_backends!(reference_figures => sqlite_budget_reference_figures, postgres_budget_reference_figures);

async fn the_month_starts_at_local_midnight(db: &TestDb) {
    // New York is UTC−5 in winter: 23:59 on 30 November there is 04:59 UTC on 1 December.
    let w = world(db, Utc.with_ymd_and_hms(2026, 12, 1, 4, 59, 0).unwrap());
    let (user, home) = home(db, "America/New_York", None).await;
    let actor = Actor::user(user);
    w.items
        .add(
            &actor,
            home,
            purchase("Wine", Category::Beverages, Some(3_000), None),
            false,
        )
        .await
        .unwrap();
    set(
        &w.clock,
        Utc.with_ymd_and_hms(2026, 12, 1, 5, 1, 0).unwrap(),
    );
    w.items
        .add(
            &actor,
            home,
            purchase("Bread", Category::Grains, Some(400), None),
            false,
        )
        .await
        .unwrap();
    // Late on 31 December: the whole of November is the previous span.
    set(&w.clock, Utc.with_ymd_and_hms(2027, 1, 1, 3, 0, 0).unwrap());
    let month = w
        .budget
        .summary(&actor, home, BudgetPeriod::Month)
        .await
        .unwrap();
    assert_eq!(
        month.total, 400,
        "only the bread was bought in December, locally"
    );
    assert_eq!(month.comparison.unwrap().previous_total, 3_000);
    assert!(month.budget.is_none(), "no budget set");
}
on_both_backends!(the_month_starts_at_local_midnight => sqlite_budget_month_local_midnight, postgres_budget_month_local_midnight);

async fn past_spend_survives_merges_edits_and_deletions(db: &TestDb) {
    let now = bangkok_noon();
    let w = world(db, now - Duration::days(1));
    let (user, home) = home(db, "Asia/Bangkok", None).await;
    let actor = Actor::user(user);
    let first = w
        .items
        .add(
            &actor,
            home,
            purchase("Milk", Category::Dairy, Some(12_000), None),
            false,
        )
        .await
        .unwrap();
    let merged = w
        .items
        .add(
            &actor,
            home,
            purchase("milk", Category::Dairy, Some(8_000), Some("Big C")),
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        merged.item().id,
        first.item().id,
        "the second purchase merged"
    );
    set(&w.clock, now);
    let edit = ItemEdit {
        price_minor: Some(Some(1)),
        category: Some(Category::Snacks),
        ..ItemEdit::default()
    };
    w.items
        .update(&actor, home, first.item().id, edit, None)
        .await
        .unwrap();
    let before = w
        .budget
        .summary(&actor, home, BudgetPeriod::Week)
        .await
        .unwrap();
    assert_eq!(before.total, 20_000);
    assert_eq!(before.item_count, 2);
    assert_eq!(
        before.by_category[0].category,
        Category::Dairy,
        "the category when bought"
    );
    w.items
        .delete(&actor, home, first.item().id, None)
        .await
        .unwrap();
    let after = w
        .budget
        .summary(&actor, home, BudgetPeriod::Week)
        .await
        .unwrap();
    assert_eq!(after, before, "money spent stays spent");
}
on_both_backends!(past_spend_survives_merges_edits_and_deletions => sqlite_budget_survives_deletion, postgres_budget_survives_deletion);

async fn homes_see_only_their_own_spend(db: &TestDb) {
    let (w, user, home) = seeded(db).await;
    let (stranger, other) = self::home(db, "Asia/Bangkok", Some(100)).await;
    w.items
        .add(
            &Actor::user(stranger),
            other,
            purchase("Caviar", Category::Other, Some(999_900), Some("Big C")),
            false,
        )
        .await
        .unwrap();
    let month = w
        .budget
        .summary(&Actor::user(user), home, BudgetPeriod::Month)
        .await
        .unwrap();
    assert_eq!(month.total, 25_000);
    let theirs = w
        .budget
        .summary(&Actor::user(stranger), other, BudgetPeriod::Month)
        .await
        .unwrap();
    assert_eq!(theirs.total, 999_900);
    assert!(matches!(
        w.budget
            .summary(&Actor::user(stranger), home, BudgetPeriod::Month)
            .await,
        Err(InsightsError::HomeNotFound)
    ));
    assert!(matches!(
        w.predictions
            .upcoming(&Actor::user(stranger), home, 7)
            .await,
        Err(InsightsError::HomeNotFound)
    ));
}
on_both_backends!(homes_see_only_their_own_spend => sqlite_budget_isolated, postgres_budget_isolated);

async fn predictions_follow_restocks_and_use(db: &TestDb) {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let w = world(db, start);
    let (user, home) = home(db, "UTC", None).await;
    let actor = Actor::user(user);
    let mut viewer_conn = db.db.conn().await.unwrap();
    let viewer = crate::fixtures::insert_user(&mut viewer_conn).await;
    insert_membership(&mut viewer_conn, home, viewer, "viewer")
        .await
        .unwrap();
    drop(viewer_conn);

    // Coffee every 7 days, 8 times: the last on 20 December.
    let mut coffee = None;
    for week in 0..8 {
        set(&w.clock, start + Duration::days(7 * week));
        let added = w
            .items
            .add(
                &actor,
                home,
                purchase("Coffee", Category::Beverages, None, None),
                false,
            )
            .await
            .unwrap();
        coffee = Some(added.item().id);
    }
    // Milk twice, ten days apart, then used up.
    set(&w.clock, start + Duration::days(30));
    let mut milk = purchase("Milk", Category::Dairy, None, None);
    milk.quantity = Quantity::parse("2").unwrap();
    let milk_id = w
        .items
        .add(&actor, home, milk.clone(), false)
        .await
        .unwrap()
        .item()
        .id;
    set(&w.clock, start + Duration::days(40));
    w.items.add(&actor, home, milk, false).await.unwrap();
    set(&w.clock, start + Duration::days(42));
    w.items
        .consume(&actor, home, milk_id, Quantity::parse("4").unwrap())
        .await
        .unwrap();
    // A deleted item is not predicted.
    let tofu = w
        .items
        .add(
            &actor,
            home,
            purchase("Tofu", Category::Other, None, None),
            false,
        )
        .await
        .unwrap();
    w.items
        .delete(&actor, home, tofu.item().id, None)
        .await
        .unwrap();

    // 6 days and an hour after the last coffee.
    set(&w.clock, start + Duration::days(55) + Duration::hours(1));
    let now = w.clock.now();
    let soon = w
        .predictions
        .upcoming(&Actor::system(), home, 3)
        .await
        .unwrap();
    let names: Vec<_> = soon.iter().map(|p| p.item_name.as_str()).collect();
    assert_eq!(names, ["Milk", "Coffee"], "{soon:#?}");
    let milk = &soon[0];
    assert_eq!(
        milk.predicted_at,
        start + Duration::days(42),
        "due since it ran out"
    );
    assert_eq!(milk.confidence, 1.0);
    assert_eq!(milk.restock_count, 2);
    assert_eq!(milk.item_id, Some(milk_id));
    let coffee_p = &soon[1];
    assert_eq!(coffee_p.item_id, coffee);
    assert_eq!(coffee_p.restock_count, 8);
    assert!(coffee_p.confidence >= 0.5, "{}", coffee_p.confidence);
    assert!(coffee_p.predicted_at <= now + Duration::days(3));
    assert_eq!(coffee_p.predicted_depletion_date.to_string(), "2026-12-27");

    let viewer_sees = w
        .predictions
        .upcoming(&Actor::user(viewer), home, 3)
        .await
        .unwrap();
    assert_eq!(viewer_sees, soon, "viewers may read");
    // A day window drops what is further off: Milk is overdue, Coffee due in under a day.
    let today = w.predictions.upcoming(&actor, home, 1).await.unwrap();
    assert_eq!(today.len(), 2);
    let tomorrow_only = {
        set(&w.clock, start + Duration::days(52));
        w.predictions.upcoming(&actor, home, 1).await.unwrap()
    };
    assert_eq!(
        tomorrow_only
            .iter()
            .map(|p| p.item_name.as_str())
            .collect::<Vec<_>>(),
        ["Milk"],
        "coffee is four days off"
    );
}
on_both_backends!(predictions_follow_restocks_and_use => sqlite_predictions_from_history, postgres_predictions_from_history);
