//! Budgets and restock predictions over HTTP: the wire shapes, the reference figures with the
//! clock under control, validation of the query, who may read, and isolation between homes;
//! and Pixie's queryBudget and checkPredictions tools, called by a fake model that speaks the
//! real chat-completions format.

#[macro_use]
mod support;

use chrono::{DateTime, Duration, TimeZone, Utc};
use pantry_core::clock::{Clock, FixedClock};
use pantry_core::items::ItemService;
use pantry_core::pixie::service::PixieConfig;
use pantry_http::state::AppState;
use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
use pantry_openai::{OpenAiConfig, OpenAiModel};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreHomes, StoreItems};
use serde_json::{Value, json};
use std::sync::Arc;
use support::{CapturedLog, Person, status};

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

macro_rules! on_both_backends_chat {
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

/// The state with the pantry and the insights read at `clock`'s time.
fn at_clock(db: &TestDb, mut state: AppState, clock: &Arc<FixedClock>) -> AppState {
    state.items = Arc::new(ItemService::new(
        Arc::new(StoreHomes::new(db.db.clone())),
        Arc::new(StoreItems::new(db.db.clone())),
        clock.clone(),
    ));
    state.budget = support::budget_service(&db.db, clock.clone());
    state.predictions = support::prediction_service(&db.db, clock.clone());
    state
}

fn set(clock: &FixedClock, at: DateTime<Utc>) {
    clock.advance(at - clock.now());
}

/// 2026-12-20 12:00 in Bangkok (UTC+7).
fn bangkok_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 20, 5, 0, 0).unwrap()
}

fn budget_uri(p: &Person, query: &str) -> String {
    format!("/api/homes/{}/budget{query}", p.home)
}

fn predictions_uri(p: &Person, query: &str) -> String {
    format!("/api/homes/{}/predictions{query}", p.home)
}

async fn budget_figures_roles_and_validation(db: &TestDb, state: AppState) {
    let clock = Arc::new(FixedClock::new(bangkok_noon() - Duration::days(40)));
    let state = at_clock(db, state, &clock);
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");
    support::add_member(&db.db, alice.home, bob.id, "viewer").await;
    let home = send!(
        app,
        "PATCH",
        format!("/api/homes/{}", alice.home),
        Some(&alice.token),
        json!({"timezone": "Asia/Bangkok", "currency": "THB", "monthlyBudget": 500})
    );
    assert_eq!(status(&home), 200, "{:?}", home.body);

    let items = format!("/api/homes/{}/items", alice.home);
    let mut milk = None;
    for (days_ago, body) in [
        (
            40,
            json!({"name": "Rice", "category": "grains", "price": 100}),
        ),
        (
            12,
            json!({"name": "Apples", "category": "produce", "price": "50", "store": "Wet Market"}),
        ),
        (
            10,
            json!({"name": "Cheese", "category": "dairy", "price": 80, "store": "Big C"}),
        ),
        (
            3,
            json!({"name": "Milk", "category": "dairy", "price": 120, "store": "Big C"}),
        ),
        (
            2,
            json!({"name": "Bread", "category": "grains", "store": "Big C"}),
        ),
    ] {
        set(&clock, bangkok_noon() - Duration::days(days_ago));
        let added = send!(app, "POST", items, Some(&alice.token), body);
        assert_eq!(status(&added), 201, "{:?}", added.body);
        if days_ago == 3 {
            milk = Some(added.json()["data"]["id"].as_str().unwrap().to_owned());
        }
    }
    set(&clock, bangkok_noon());

    let month = send!(
        app,
        "GET",
        budget_uri(&alice, "?period=month"),
        Some(&alice.token)
    );
    assert_eq!(status(&month), 200, "{:?}", month.body);
    let month = month.json()["data"].clone();
    assert_eq!(month["period"], "month");
    assert_eq!(month["currency"], "THB");
    assert_eq!(month["total"], 250);
    assert_eq!(month["itemCount"], 3, "the unpriced bread is no purchase");
    assert_eq!(month["start"], "2026-11-30T17:00:00Z");
    assert_eq!(month["end"], "2026-12-20T05:00:00Z");
    assert_eq!(
        month["byCategory"][0],
        json!({"category": "dairy", "total": 200, "itemCount": 2, "averagePerItem": 100})
    );
    assert_eq!(
        month["byStore"],
        json!([{"store": "Big C", "total": 200, "itemCount": 2},
               {"store": "Wet Market", "total": 50, "itemCount": 1}])
    );
    assert_eq!(
        month["comparison"],
        json!({"previousTotal": 100, "changePercent": 150.0, "trend": "up"})
    );
    assert_eq!(
        month["budget"],
        json!({"monthlyBudget": 500, "spent": 250, "percentUsed": 50.0, "remaining": 250, "status": "on_track"})
    );
    let insights = month["insights"].to_string();
    assert!(insights.contains("Dairy"), "{insights}");
    assert!(insights.contains("budget"), "{insights}");
    assert!(insights.contains("฿250.00"), "{insights}");

    let week = send!(
        app,
        "GET",
        budget_uri(&alice, "?period=WEEK"),
        Some(&bob.token)
    );
    assert_eq!(status(&week), 200, "a viewer may read: {:?}", week.body);
    let week = week.json()["data"].clone();
    assert_eq!(week["total"], 120);
    assert_eq!(week["comparison"]["previousTotal"], 130);
    assert_eq!(week["comparison"]["trend"], "down");
    assert_eq!(
        week["budget"]["percentUsed"], 50.0,
        "always the calendar month"
    );

    // Without a period: both, as the earlier server answered.
    let both = send!(app, "GET", budget_uri(&alice, ""), Some(&alice.token));
    assert_eq!(status(&both), 200);
    let both = both.json()["data"].clone();
    let keys: Vec<_> = both.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["month", "week"]);
    assert_eq!(both["week"], week);
    assert_eq!(both["month"], month);

    // Money already spent stays spent when the item goes.
    let milk = milk.unwrap();
    let gone = send!(app, "DELETE", format!("{items}/{milk}"), Some(&alice.token));
    assert_eq!(status(&gone), 200, "{:?}", gone.body);
    let after = send!(
        app,
        "GET",
        budget_uri(&alice, "?period=month"),
        Some(&alice.token)
    );
    assert_eq!(after.json()["data"]["total"], 250);

    for bad in ["?period=year", "?period=7", "?period=week%20month"] {
        let reply = send!(app, "GET", budget_uri(&alice, bad), Some(&alice.token));
        assert_eq!(status(&reply), 400, "{bad}: {:?}", reply.body);
        let body = reply.json();
        assert_eq!(body["code"], "VALIDATION_ERROR", "{body}");
        assert_eq!(body["details"][0]["field"], "period", "{body}");
    }
    let empty = send!(
        app,
        "GET",
        budget_uri(&alice, "?period="),
        Some(&alice.token)
    );
    assert_eq!(status(&empty), 200, "an empty period is no period");

    // Carol's own home is empty and Alice's is not hers to read.
    let theirs = send!(
        app,
        "GET",
        budget_uri(&carol, "?period=month"),
        Some(&carol.token)
    );
    let theirs = theirs.json()["data"].clone();
    assert_eq!(theirs["total"], 0);
    assert_eq!(theirs["currency"], "USD");
    assert_eq!(theirs["comparison"], Value::Null);
    assert_eq!(theirs["budget"], Value::Null);
    assert_eq!(
        theirs["insights"],
        json!([
            "No priced items logged this month yet — add prices and I'll spot patterns for you."
        ])
    );
    for uri in [budget_uri(&alice, ""), budget_uri(&alice, "?period=week")] {
        let refused = send!(app, "GET", uri, Some(&carol.token));
        assert_eq!(status(&refused), 404, "{:?}", refused.body);
        assert_eq!(refused.json()["code"], "NOT_FOUND");
    }
    let anonymous = send!(app, "GET", budget_uri(&alice, ""), None);
    assert_eq!(status(&anonymous), 401);
}
on_both_backends!(
    sqlite_budget_figures_roles_and_validation,
    postgres_budget_figures_roles_and_validation,
    budget_figures_roles_and_validation
);

async fn predictions_follow_the_clock(db: &TestDb, state: AppState) {
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let state = at_clock(db, state, &clock);
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");
    support::add_member(&db.db, alice.home, bob.id, "viewer").await;
    let items = format!("/api/homes/{}/items", alice.home);

    // Coffee every 7 days, 4 times (one row: the adds merge).
    let mut coffee = String::new();
    for week in 0..4 {
        set(&clock, start + Duration::days(7 * week));
        let added = send!(
            app,
            "POST",
            items,
            Some(&alice.token),
            json!({"name": "Coffee", "quantity": 2})
        );
        assert_eq!(status(&added), 201, "{:?}", added.body);
        coffee = added.json()["data"]["id"].as_str().unwrap().to_owned();
    }
    // Just after the last one: due in 7 days, outside a 3-day window.
    let soon = send!(
        app,
        "GET",
        predictions_uri(&alice, "?period=3"),
        Some(&alice.token)
    );
    assert_eq!(status(&soon), 200, "{:?}", soon.body);
    assert_eq!(soon.json()["data"]["predictions"], json!([]));
    assert_eq!(soon.json()["data"]["period"], 3);

    set(&clock, start + Duration::days(27));
    let reply = send!(app, "GET", predictions_uri(&alice, ""), Some(&bob.token));
    assert_eq!(status(&reply), 200, "a viewer may read: {:?}", reply.body);
    let data = reply.json()["data"].clone();
    assert_eq!(data["period"], 7, "the default window");
    assert_eq!(data["generatedAt"], "2026-12-28T09:00:00Z");
    assert_eq!(
        data["predictions"],
        json!([{
            "itemName": "Coffee",
            "itemId": coffee,
            "predictedDepletionDate": "2026-12-29",
            "predictedAt": "2026-12-29T09:00:00Z",
            "confidence": 0.4,
            "intervalDays": 7.0,
            "restockCount": 4,
            "averageQuantity": 2.0,
            "reasoning": "Based on 4 purchases, usually restocked about every 7 days."
        }])
    );

    // Used up: due at that moment, and still listed (overdue) days later.
    let used = send!(
        app,
        "POST",
        format!("{items}/{coffee}/consume"),
        Some(&alice.token),
        json!({"quantity": 10})
    );
    assert_eq!(status(&used), 200, "{:?}", used.body);
    set(&clock, start + Duration::days(40));
    let overdue = send!(
        app,
        "GET",
        predictions_uri(&alice, "?period=1"),
        Some(&alice.token)
    );
    let p = overdue.json()["data"]["predictions"][0].clone();
    assert_eq!(p["predictedAt"], "2026-12-28T09:00:00Z", "{p}");
    assert_eq!(p["confidence"], 1.0);
    assert!(p["reasoning"].as_str().unwrap().contains("used up"), "{p}");

    for bad in [
        "?period=0",
        "?period=366",
        "?period=abc",
        "?period=1.5",
        "?period=-2",
        "?period=",
    ] {
        let reply = send!(app, "GET", predictions_uri(&alice, bad), Some(&alice.token));
        assert_eq!(status(&reply), 400, "{bad}: {:?}", reply.body);
        let body = reply.json();
        assert_eq!(body["code"], "VALIDATION_ERROR", "{body}");
        assert_eq!(body["details"][0]["field"], "period", "{body}");
    }
    let widest = send!(
        app,
        "GET",
        predictions_uri(&alice, "?period=365"),
        Some(&alice.token)
    );
    assert_eq!(status(&widest), 200);

    let refused = send!(app, "GET", predictions_uri(&alice, ""), Some(&carol.token));
    assert_eq!(status(&refused), 404, "{:?}", refused.body);
    let own = send!(app, "GET", predictions_uri(&carol, ""), Some(&carol.token));
    assert_eq!(
        own.json()["data"]["predictions"],
        json!([]),
        "nothing leaks across homes"
    );
}
on_both_backends!(
    sqlite_predictions_follow_the_clock,
    postgres_predictions_follow_the_clock,
    predictions_follow_the_clock
);

/// Pixie answering through the fake OpenAI server.
fn with_fake(db: &TestDb, fake: &FakeOpenAi) -> AppState {
    let model = OpenAiModel::new(OpenAiConfig {
        base_url: fake.base_url(),
        api_key: FakeOpenAi::KEY.to_owned(),
        model: "gpt-4o-mini".to_owned(),
        idle_timeout: std::time::Duration::from_millis(400),
        first_token_timeout: std::time::Duration::from_secs(5),
        retry_base_delay: std::time::Duration::from_millis(10),
        ..OpenAiConfig::default()
    })
    .unwrap();
    let mut state = support::state(&db.db, CapturedLog::default().logger());
    state.chat = support::chat_service(&db.db, Arc::new(model), PixieConfig::default());
    state
}

/// The model asks for the budget and the predictions in one step; the results it receives
/// next carry the home's real figures, in its currency, and hedge the guess; the reply keeps
/// the budget card.
async fn pixie_reads_the_budget_and_predictions(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![
            ToolCallScript::new(
                "call_budget",
                "queryBudget",
                &["{\"period\": \"mo", "nth\"}"],
            ),
            ToolCallScript::new("call_soon", "checkPredictions", &["{}"]),
        ]),
        Reply::text(&["You've spent €12.50 so far; coffee might run out next week."]),
        Reply::text(&["Budget check"]),
    ]);
    let state = with_fake(db, &fake);
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let home = send!(
        app,
        "PATCH",
        format!("/api/homes/{}", alice.home),
        Some(&alice.token),
        json!({"currency": "EUR", "monthlyBudget": "500"})
    );
    assert_eq!(status(&home), 200, "{:?}", home.body);
    let items = format!("/api/homes/{}/items", alice.home);
    for body in [
        json!({"name": "Milk", "category": "dairy", "price": "12.50", "store": "Lidl"}),
        json!({"name": "Coffee", "category": "beverages"}),
    ] {
        let added = send!(app, "POST", items, Some(&alice.token), body);
        assert_eq!(status(&added), 201, "{:?}", added.body);
    }
    let thread = send!(
        app,
        "POST",
        format!("/api/homes/{}/chat/threads", alice.home),
        Some(&alice.token)
    );
    let thread = thread.json()["data"]["id"].as_str().unwrap().to_owned();
    let reply = send!(
        app,
        "POST",
        format!("/api/homes/{}/chat/threads/{thread}/messages", alice.home),
        Some(&alice.token),
        json!({"content": "how much did we spend this month, and what runs out soon?"})
    );
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let data = reply.json()["data"].clone();
    assert_eq!(
        data["assistantMessage"]["ui"]["type"], "budget-summary",
        "{data}"
    );
    assert_eq!(data["assistantMessage"]["ui"]["data"]["total"], 12.5);

    let requests = fake.requests();
    let tools: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        tools.contains(&"queryBudget") && tools.contains(&"checkPredictions"),
        "{tools:?}"
    );
    let sent = requests[1]["messages"].as_array().unwrap();
    let result_of = |id: &str| -> Value {
        let message = sent
            .iter()
            .find(|m| m["role"] == "tool" && m["tool_call_id"] == id)
            .unwrap_or_else(|| panic!("no result for {id}"));
        serde_json::from_str(message["content"].as_str().unwrap()).unwrap()
    };
    let budget = result_of("call_budget");
    assert_eq!(budget["ok"], true, "{budget}");
    assert_eq!(budget["data"]["period"], "month");
    assert_eq!(budget["data"]["currency"], "EUR");
    assert_eq!(budget["data"]["total"], 12.5);
    assert_eq!(
        budget["data"]["itemCount"], 1,
        "the unpriced coffee is no purchase"
    );
    assert_eq!(budget["data"]["topCategories"][0]["category"], "dairy");
    assert_eq!(budget["data"]["topStores"][0]["store"], "Lidl");
    assert_eq!(budget["data"]["budget"]["percentUsed"], 2.5);
    assert_eq!(budget["data"]["budget"]["status"], "on_track");
    let message = budget["message"].as_str().unwrap();
    assert!(
        message.starts_with("This month so far: €12.50 on 1 priced item."),
        "{message}"
    );
    assert!(message.contains("€487.50 left — on track"), "{message}");

    let soon = result_of("call_soon");
    assert_eq!(soon["ok"], true, "{soon}");
    assert_eq!(soon["withinDays"], 14);
    let names: Vec<&str> = soon["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Milk", "Coffee"],
        "soonest first: milk was bought first: {soon}"
    );
    assert_eq!(soon["predictions"][0]["confidence"], 0.3);
    assert_eq!(soon["predictions"][0]["restockCount"], 1);
    let message = soon["message"].as_str().unwrap();
    assert!(
        message.contains("2 of them are low confidence"),
        "{message}"
    );
    assert!(message.contains("might"), "{message}");
}
on_both_backends_chat!(
    sqlite_pixie_reads_the_budget_and_predictions,
    postgres_pixie_reads_the_budget_and_predictions,
    pixie_reads_the_budget_and_predictions
);

/// Arguments outside the closed schemas are sent back for repair, not run.
async fn pixie_tool_arguments_are_checked(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![
            ToolCallScript::new("call_year", "queryBudget", &["{\"period\": \"year\"}"]),
            ToolCallScript::new("call_far", "checkPredictions", &["{\"withinDays\": 90}"]),
        ]),
        Reply::text(&["Let me try that again."]),
        Reply::text(&["Budget"]),
    ]);
    let state = with_fake(db, &fake);
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = send!(
        app,
        "POST",
        format!("/api/homes/{}/chat/threads", alice.home),
        Some(&alice.token)
    );
    let thread = thread.json()["data"]["id"].as_str().unwrap().to_owned();
    let reply = send!(
        app,
        "POST",
        format!("/api/homes/{}/chat/threads/{thread}/messages", alice.home),
        Some(&alice.token),
        json!({"content": "spending this year?"})
    );
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let requests = fake.requests();
    let sent = requests[1]["messages"].to_string();
    assert!(sent.contains("period must be week or month"), "{sent}");
    assert!(
        sent.contains("withinDays must be a whole number from 1 to 60"),
        "{sent}"
    );
}
on_both_backends_chat!(
    sqlite_pixie_tool_arguments_are_checked,
    postgres_pixie_tool_arguments_are_checked,
    pixie_tool_arguments_are_checked
);
