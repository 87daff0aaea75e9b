//! The weekly digest written by the model (the fake OpenAI server) and read through the API:
//! the request Pixie sends, the thread and message members see, and the offline text when the
//! model fails. Both databases.

#[macro_use]
mod support;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use pantry_core::clock::FixedClock;
use pantry_core::insights::predictions::PredictionService;
use pantry_core::scheduler::{Scheduler, SchedulerConfig, SchedulerDeps};
use pantry_openai::fake::{FakeOpenAi, Reply};
use pantry_openai::{OpenAiConfig, OpenAiModel};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreHomes, StoreInsights, StoreJobs};
use serde_json::{Value, json};
use std::sync::Arc;
use support::{CapturedLog, Person, status};

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

/// 10:00 UTC on the first Sunday after now: the digest is due in a UTC home, and what was
/// added just now happened this week.
fn next_sunday() -> DateTime<Utc> {
    let today = Utc::now().date_naive();
    let ahead = 7 - i64::from(today.weekday().num_days_from_sunday());
    let sunday = today + Duration::days(ahead);
    Utc.from_utc_datetime(&sunday.and_hms_opt(10, 0, 0).unwrap())
}

fn scheduler(db: &TestDb, fake: &FakeOpenAi) -> Scheduler {
    let model = OpenAiModel::new(OpenAiConfig {
        retry_base_delay: std::time::Duration::from_millis(10),
        ..fake.config()
    })
    .unwrap();
    let state = support::state(&db.db, CapturedLog::default().logger());
    let clock = Arc::new(FixedClock::new(next_sunday()));
    Scheduler::new(
        SchedulerDeps {
            jobs: Arc::new(StoreJobs::new(db.db.clone())),
            lists: state.lists.clone(),
            predictions: Arc::new(PredictionService::new(
                Arc::new(StoreHomes::new(db.db.clone())),
                Arc::new(StoreInsights::new(db.db.clone())),
                clock.clone(),
            )),
            model: Arc::new(model),
            clock,
        },
        SchedulerConfig::default(),
        "replica-test".to_owned(),
    )
}

/// Alice and Bob share a home; Alice added spinach that expires tomorrow.
macro_rules! household {
    ($app:expr, $db:expr) => {{
        let alice = sign_up!($app, "Alice");
        let bob = sign_up!($app, "Bob");
        support::add_member(&$db.db, alice.home, bob.id, "member").await;
        let expires = (Utc::now() + Duration::days(1)).to_rfc3339();
        let added = send!(
            $app,
            "POST",
            format!("/api/homes/{}/items", alice.home),
            Some(&alice.token),
            json!({ "name": "Spinach", "expiresAt": expires })
        );
        assert_eq!(status(&added), 201, "{:?}", added.body);
        (alice, bob)
    }};
}

/// The home's Sunday Sync thread and its messages (oldest first), as Bob reads them.
macro_rules! digest_thread {
    ($app:expr, $who:expr) => {{
        let threads = send!(
            $app,
            "GET",
            format!("/api/homes/{}/chat/threads", $who.home),
            Some(&$who.token)
        )
        .json();
        let thread = threads["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == "Sunday Sync")
            .cloned()
            .expect("a Sunday Sync thread");
        let messages = send!(
            $app,
            "GET",
            format!(
                "/api/homes/{}/chat/threads/{}/messages",
                $who.home,
                thread["id"].as_str().unwrap()
            ),
            Some(&$who.token)
        )
        .json();
        let mut messages: Vec<Value> = messages["data"].as_array().unwrap().clone();
        messages.reverse();
        messages
    }};
}

async fn the_model_writes_the_digest_once(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let app = app!(state);
    let (_alice, bob) = household!(app, db);
    let fake = FakeOpenAi::start_repeating(Reply::text(&[
        "Happy Sunday, team! ",
        "Use the spinach first.",
    ]));
    let jobs = scheduler(db, &fake);
    let report = jobs.tick().await;
    assert_eq!(report.errors, Vec::<String>::new());
    // Alice's home, and the home Bob got when he signed up.
    assert_eq!(report.digests, 2);
    assert_eq!(jobs.tick().await.digests, 0);
    assert_eq!(fake.request_count(), 2, "one model call per digest");

    let requests = fake.requests();
    let request = requests
        .iter()
        .find(|r| {
            r["messages"][0]["content"]
                .as_str()
                .unwrap()
                .contains("Alice")
        })
        .expect("the shared home's digest request");
    assert!(
        request
            .get("tools")
            .is_none_or(|t| t.as_array().is_some_and(Vec::is_empty))
    );
    assert_eq!(request["max_tokens"], 250);
    let system = request["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Alice and Bob"), "{system}");
    let user = request["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("Added to the pantry this week: 1."), "{user}");
    assert!(user.contains("Expiring soon: Spinach."), "{user}");

    let messages = digest_thread!(app, bob);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["role"], "assistant");
    assert_eq!(
        messages[0]["content"],
        "Happy Sunday, team! Use the spinach first."
    );
}
on_both_backends!(
    sqlite_the_model_writes_the_digest_once,
    postgres_the_model_writes_the_digest_once,
    the_model_writes_the_digest_once
);

async fn a_failing_model_still_leaves_the_plain_digest(db: &TestDb) {
    let state = support::state(&db.db, CapturedLog::default().logger());
    let app = app!(state);
    let (alice, _bob) = household!(app, db);
    let fake = FakeOpenAi::start_repeating(Reply::status(500, None));
    let report = scheduler(db, &fake).tick().await;
    assert_eq!(report.digests, 2, "Alice's home and Bob's own");
    assert!(fake.request_count() >= 1);
    let messages = digest_thread!(app, alice);
    let text = messages[0]["content"].as_str().unwrap();
    assert!(text.starts_with("Happy Sunday, Alice and Bob!"), "{text}");
    assert!(text.contains("Spinach"), "{text}");
}
on_both_backends!(
    sqlite_a_failing_model_still_leaves_the_plain_digest,
    postgres_a_failing_model_still_leaves_the_plain_digest,
    a_failing_model_still_leaves_the_plain_digest
);
