//! Chat and Pixie over HTTP, against a fake OpenAI server that speaks the real streaming
//! format (`pantry_openai::fake`) and against the offline assistant: threads and messages,
//! a multi-step turn that uses tools as Pixie for the asking member, the card kept for a
//! reload, the requests the model receives, failures of the model, small models' slips,
//! the token budget and the limits. Every scenario runs on SQLite and on PostgreSQL.

#[macro_use]
mod support;

use pantry_core::pixie::agent::{CONFUSED, LOST_THREAD, TROUBLE};
use pantry_core::pixie::service::PixieConfig;
use pantry_http::state::AppState;
use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
use pantry_openai::{OpenAiConfig, OpenAiModel};
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
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

/// The app with Pixie answering through the fake OpenAI server.
fn with_fake(db: &TestDb, fake: &FakeOpenAi, config: PixieConfig) -> AppState {
    let model = OpenAiModel::new(OpenAiConfig {
        base_url: fake.base_url(),
        api_key: FakeOpenAi::KEY.to_owned(),
        model: "gpt-4o-mini".to_owned(),
        idle_timeout: Duration::from_millis(400),
        first_token_timeout: Duration::from_secs(5),
        retry_base_delay: Duration::from_millis(10),
        ..OpenAiConfig::default()
    })
    .unwrap();
    let mut state = support::state(&db.db, CapturedLog::default().logger());
    state.chat = support::chat_service(&db.db, Arc::new(model), config);
    state
}

fn offline(db: &TestDb, config: PixieConfig) -> AppState {
    let mut state = support::state(&db.db, CapturedLog::default().logger());
    state.chat = support::chat_service(
        &db.db,
        Arc::new(pantry_core::pixie::offline::OfflinePixie::new()),
        config,
    );
    state
}

macro_rules! new_thread {
    ($app:expr, $who:expr) => {{
        let reply = send!(
            $app,
            "POST",
            format!("/api/homes/{}/chat/threads", $who.home),
            Some(&$who.token)
        );
        assert_eq!(status(&reply), 201, "{:?}", reply.body);
        reply.json()["data"]["id"].as_str().unwrap().to_owned()
    }};
}

macro_rules! say {
    ($app:expr, $who:expr, $thread:expr, $text:expr) => {{
        send!(
            $app,
            "POST",
            format!("/api/homes/{}/chat/threads/{}/messages", $who.home, $thread),
            Some(&$who.token),
            json!({ "content": $text })
        )
    }};
}

/// A thread's messages as `GET …/messages` answers (newest first, in the envelope).
macro_rules! messages_of {
    ($app:expr, $who:expr, $thread:expr) => {
        send!(
            $app,
            "GET",
            format!("/api/homes/{}/chat/threads/{}/messages", $who.home, $thread),
            Some(&$who.token)
        )
        .json()
    };
}

/// The pantry items whose name contains `$name`, as `GET …/items?search=` answers.
macro_rules! pantry_search {
    ($app:expr, $who:expr, $name:expr) => {
        send!(
            $app,
            "GET",
            format!("/api/homes/{}/items?search={}", $who.home, $name),
            Some(&$who.token)
        )
        .json()
    };
}

/// The default list's entry names, in order.
macro_rules! default_list_names {
    ($app:expr, $who:expr) => {{
        let lists = send!(
            $app,
            "GET",
            format!("/api/homes/{}/lists", $who.home),
            Some(&$who.token)
        )
        .json();
        let default = lists["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["isDefault"] == true)
            .cloned()
            .unwrap();
        default["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["item"]["name"].as_str().unwrap().to_owned(),
                    e["quantity"].as_f64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    }};
}

fn add_to_list_call() -> Reply {
    // The arguments arrive in three fragments, as OpenAI streams them.
    Reply::tool_calls(vec![ToolCallScript::new(
        "call_list_1",
        "addToList",
        &[
            "{\"items\": [{\"name\": \"milk\", \"qua",
            "ntity\": 2}, {\"name\": \"bre",
            "ad\"}]}",
        ],
    )])
    .with_usage(120, 18)
}

/// A member asks; Pixie calls addToList, reads the result and answers; the thread is named.
/// The reply, its tool call and its card are stored, and the list really changed, as Pixie
/// acting for the member.
async fn a_multi_step_turn_adds_to_a_list_then_answers(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        add_to_list_call(),
        Reply::text(&["Done! ", "Milk and bread ", "are on Quick Items."]).with_usage(160, 9),
        Reply::text(&["Weekend ", "shopping"]).with_usage(30, 2),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);

    let reply = say!(app, alice, thread, "add 2 milk and bread to the list");
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let data = reply.json()["data"].clone();
    assert_eq!(
        data["assistantText"],
        "Done! Milk and bread are on Quick Items."
    );
    assert_eq!(data["threadTitle"], "Weekend shopping");
    assert_eq!(data["usage"]["totalTokens"], 120 + 18 + 160 + 9 + 30 + 2);
    assert_eq!(
        default_list_names!(app, alice),
        vec![("milk".to_owned(), 2.0), ("bread".to_owned(), 1.0)]
    );

    // What the model received: tools on the first request; on the second, the assistant's
    // tool call echoed and the tool's result under its call id.
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first["stream"], true);
    assert_eq!(first["model"], "gpt-4o-mini");
    let tools: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    for expected in [
        "addToList",
        "addItem",
        "consumeItem",
        "checkOffListItem",
        "queryBudget",
        "checkPredictions",
    ] {
        assert!(tools.contains(&expected), "{tools:?}");
    }
    // Only a turn that carries a receipt offers its review (tests/receipts.rs).
    assert!(
        !tools.contains(&"presentReceiptReview"),
        "presentReceiptReview is offered in a turn without a receipt"
    );
    assert_eq!(first["messages"][0]["role"], "system");
    let last = first["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["role"], "user");
    assert_eq!(last["content"], "add 2 milk and bread to the list");
    let second = requests[1]["messages"].as_array().unwrap();
    let n = second.len();
    assert_eq!(second[n - 2]["role"], "assistant");
    assert_eq!(second[n - 2]["tool_calls"][0]["id"], "call_list_1");
    assert_eq!(
        second[n - 2]["tool_calls"][0]["function"]["name"],
        "addToList"
    );
    let arguments: Value = serde_json::from_str(
        second[n - 2]["tool_calls"][0]["function"]["arguments"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(arguments["items"][0]["quantity"], 2);
    assert_eq!(second[n - 1]["role"], "tool");
    assert_eq!(second[n - 1]["tool_call_id"], "call_list_1");
    let result: Value = serde_json::from_str(second[n - 1]["content"].as_str().unwrap()).unwrap();
    assert_eq!(result["ok"], true, "{result}");
    // The title request offers no tools.
    assert!(requests[2].get("tools").is_none());

    // A reload shows the same reply, with its tool call and card.
    let messages = messages_of!(app, alice, thread);
    let messages = messages["data"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    let (reply_row, asked) = (&messages[0], &messages[1]);
    assert_eq!(asked["role"], "user");
    assert_eq!(asked["metadata"]["userId"], json!(alice.id));
    assert_eq!(reply_row["role"], "assistant");
    assert_eq!(
        reply_row["content"],
        "Done! Milk and bread are on Quick Items."
    );
    assert_eq!(reply_row["toolCalls"][0]["name"], "addToList");
    assert_eq!(reply_row["toolCalls"][0]["result"]["ok"], true);
    assert_eq!(reply_row["ui"]["type"], "grocery-list");
    let card_items: Vec<&str> = reply_row["ui"]["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(card_items, vec!["milk", "bread"]);
    let thread_row = send!(
        app,
        "GET",
        format!("/api/homes/{}/chat/threads/{thread}", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(thread_row["data"]["title"], "Weekend shopping");

    // The change log says Pixie did it, for Alice.
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes?since=0&limit=100", alice.home),
        Some(&alice.token)
    )
    .json();
    let added: Vec<&Value> = changes["data"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "list_item.added")
        .collect();
    assert_eq!(added.len(), 2, "{changes}");
    for event in added {
        assert_eq!(event["actorKind"], "pixie", "{event}");
        assert_eq!(event["actorId"], json!(alice.id), "{event}");
    }

    // The month's use.
    let usage = send!(
        app,
        "GET",
        format!("/api/homes/{}/chat/usage", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(usage["data"]["totalTokens"], 339);
    assert_eq!(usage["data"]["turns"], 1);
    assert_eq!(usage["data"]["byMember"][0]["userId"], json!(alice.id));
    assert_eq!(usage["data"]["assistant"], "openai:gpt-4o-mini");
}
on_both_backends!(
    sqlite_a_multi_step_turn_adds_to_a_list_then_answers,
    postgres_a_multi_step_turn_adds_to_a_list_then_answers,
    a_multi_step_turn_adds_to_a_list_then_answers
);

/// Two parallel tool calls, their fragments interleaved, are both run; the reply carries both.
async fn parallel_tool_calls_both_run(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![
            ToolCallScript::new(
                "call_a",
                "addItem",
                &[
                    "{\"name\": \"ri",
                    "ce\", \"quantity\": 500, \"unit\": \"g\"}",
                ],
            ),
            ToolCallScript::new(
                "call_b",
                "addToList",
                &["{\"items\": [{\"na", "me\": \"eggs\"}]}"],
            ),
        ])
        .interleaved(),
        Reply::text(&["Rice is in, eggs are on the list."]),
        Reply::text(&["Rice and eggs"]),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    let reply = say!(app, alice, thread, "bought 500 g rice, and we need eggs");
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let items = pantry_search!(app, alice, "rice");
    assert_eq!(items["data"][0]["quantity"], 500);
    assert_eq!(items["data"][0]["unit"], "gram");
    assert_eq!(
        default_list_names!(app, alice),
        vec![("eggs".to_owned(), 1.0)]
    );
    let second = &fake.requests()[1]["messages"];
    let tool_ids: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    assert_eq!(tool_ids, vec!["call_a", "call_b"]);
    let calls = &reply.json()["data"]["assistantMessage"]["toolCalls"];
    assert_eq!(calls.as_array().unwrap().len(), 2);
}
on_both_backends!(
    sqlite_parallel_tool_calls_both_run,
    postgres_parallel_tool_calls_both_run,
    parallel_tool_calls_both_run
);

/// The model fails: mid-stream (the partial text is kept, with an apology), after a 429 (the
/// retry succeeds), and by stalling (the idle timeout ends it). A reply is stored every time.
async fn model_failures_end_in_a_stored_friendly_reply(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::error_mid_stream(&["Let me ", "think"]),
        Reply::text(&["Title one"]),
        Reply::status(429, Some(0)),
        Reply::text(&["All good now."]),
        Reply::stall_after(&["Hmm, "]),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);

    let broken = say!(app, alice, thread, "what's for dinner?");
    assert_eq!(status(&broken), 201, "{:?}", broken.body);
    assert_eq!(
        broken.json()["data"]["assistantText"],
        format!("Let me think\n\n{LOST_THREAD}")
    );

    let retried = say!(app, alice, thread, "and now?");
    assert_eq!(status(&retried), 201);
    assert_eq!(retried.json()["data"]["assistantText"], "All good now.");

    let stalled = say!(app, alice, thread, "still there?");
    assert_eq!(status(&stalled), 201);
    assert_eq!(
        stalled.json()["data"]["assistantText"],
        format!("Hmm, \n\n{LOST_THREAD}")
    );
    assert_eq!(
        fake.request_count(),
        5,
        "the 429 was retried once, nothing else"
    );

    let messages = messages_of!(app, alice, thread);
    assert_eq!(
        messages["data"].as_array().unwrap().len(),
        6,
        "three turns, all stored"
    );
}
on_both_backends!(
    sqlite_model_failures_end_in_a_stored_friendly_reply,
    postgres_model_failures_end_in_a_stored_friendly_reply,
    model_failures_end_in_a_stored_friendly_reply
);

/// A model that cannot be reached at all: the member gets an apology, not an error.
async fn an_unreachable_model_gets_an_apology(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::status(500, None),
        Reply::status(500, None),
        Reply::status(500, None),
        Reply::status(500, None),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    let reply = say!(app, alice, thread, "hello");
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    assert_eq!(reply.json()["data"]["assistantText"], TROUBLE);
}
on_both_backends!(
    sqlite_an_unreachable_model_gets_an_apology,
    postgres_an_unreachable_model_gets_an_apology,
    an_unreachable_model_gets_an_apology
);

/// Small models' slips: arguments in a code fence with a trailing comma work; arguments that
/// still do not fit get one repair round with the error, then a clear apology.
async fn malformed_arguments_are_repaired_once_then_apologised_for(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![ToolCallScript::new(
            "call_1",
            "addToList",
            &["```json\n{\"items\": {\"name\": \"flour\",},}\n```"],
        )]),
        Reply::text(&["Flour is on the list."]),
        Reply::text(&["Flour"]),
        // Second turn: no name, twice.
        Reply::tool_calls(vec![ToolCallScript::new(
            "call_2",
            "consumeItem",
            &["{\"all\": true}"],
        )]),
        Reply::tool_calls(vec![ToolCallScript::new(
            "call_3",
            "consumeItem",
            &["{\"qty\": 1}"],
        )]),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    let fenced = say!(app, alice, thread, "we need flour");
    assert_eq!(status(&fenced), 201, "{:?}", fenced.body);
    assert_eq!(
        default_list_names!(app, alice),
        vec![("flour".to_owned(), 1.0)]
    );

    let confused = say!(app, alice, thread, "used it up");
    assert_eq!(status(&confused), 201, "{:?}", confused.body);
    assert_eq!(confused.json()["data"]["assistantText"], CONFUSED);
    let repair = &fake.requests()[4]["messages"];
    let tool = repair.as_array().unwrap().last().unwrap();
    assert_eq!(tool["role"], "tool");
    assert!(
        tool["content"]
            .as_str()
            .unwrap()
            .contains("missing field `name`"),
        "{tool}"
    );
    assert_eq!(fake.request_count(), 5, "one repair round, then it stops");
}
on_both_backends!(
    sqlite_malformed_arguments_are_repaired_once_then_apologised_for,
    postgres_malformed_arguments_are_repaired_once_then_apologised_for,
    malformed_arguments_are_repaired_once_then_apologised_for
);

/// A prompt that asks Pixie to change another household: no tool argument can name a home,
/// ids of the other home are not found, and an invented `homeId` is ignored. The other home
/// is unchanged.
async fn pixie_cannot_touch_another_home(db: &TestDb) {
    let state = offline(db, PixieConfig::default());
    let bob_app = app!(state);
    let bob = sign_up!(bob_app, "bob");
    let bob_list = send!(
        bob_app,
        "POST",
        format!("/api/homes/{}/lists", bob.home),
        Some(&bob.token),
        json!({"name": "Bob's party"})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob_export = || async {
        let mut export = send!(
            bob_app,
            "GET",
            format!("/api/homes/{}/export", bob.home),
            Some(&bob.token)
        )
        .json();
        export.as_object_mut().unwrap().remove("exportedAt");
        export
    };
    let before = bob_export().await;

    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![
            ToolCallScript::new(
                "call_1",
                "showGroceryListEditor",
                &[&format!("{{\"listId\": \"{bob_list}\"}}")],
            ),
            ToolCallScript::new(
                "call_2",
                "addItem",
                &[&format!(
                    "{{\"name\": \"caviar\", \"homeId\": \"{}\"}}",
                    bob.home
                )],
            ),
            ToolCallScript::new(
                "call_3",
                "addToList",
                &["{\"items\": [{\"name\": \"beer\"}], \"listName\": \"Bob's party\"}"],
            ),
        ]),
        Reply::text(&["I can only help with your own home."]),
        Reply::text(&["Another home"]),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    let reply = say!(
        app,
        alice,
        thread,
        format!(
            "add caviar and beer to home {} and show list {bob_list}",
            bob.home
        )
    );
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let calls = reply.json()["data"]["assistantMessage"]["toolCalls"].clone();
    assert_eq!(calls[0]["result"]["ok"], false, "{calls}");
    assert_eq!(bob_export().await, before, "Bob's home changed");
    // What did happen, happened in Alice's home.
    let mine = pantry_search!(app, alice, "caviar");
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
}
on_both_backends!(
    sqlite_pixie_cannot_touch_another_home,
    postgres_pixie_cannot_touch_another_home,
    pixie_cannot_touch_another_home
);

/// Past the monthly budget the configured model is not called: offline Pixie answers, and
/// says so; the usage report shows it.
async fn over_budget_offline_pixie_takes_over(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["Hello!"]).with_usage(80, 20),
        Reply::text(&["Greetings"]).with_usage(5, 1),
    ]);
    let config = PixieConfig {
        monthly_token_budget: 100,
        ..PixieConfig::default()
    };
    let state = with_fake(db, &fake, config);
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    assert_eq!(status(&say!(app, alice, thread, "hi")), 201);
    assert_eq!(fake.request_count(), 2);

    let reply = say!(app, alice, thread, "add eggs to the list");
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    let text = reply.json()["data"]["assistantText"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.starts_with("This home has used this month's Pixie budget"),
        "{text}"
    );
    assert_eq!(
        fake.request_count(),
        2,
        "the model was not called over budget"
    );
    assert_eq!(
        default_list_names!(app, alice),
        vec![("eggs".to_owned(), 1.0)]
    );
    let usage = send!(
        app,
        "GET",
        format!("/api/homes/{}/chat/usage", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(usage["data"]["overBudget"], true, "{usage}");
    assert_eq!(usage["data"]["remaining"], 0);
    assert_eq!(usage["data"]["budget"], 100);
}
on_both_backends!(
    sqlite_over_budget_offline_pixie_takes_over,
    postgres_over_budget_offline_pixie_takes_over,
    over_budget_offline_pixie_takes_over
);

/// Offline Pixie through the whole stack: the phrases work, with quantities and units.
async fn offline_pixie_works_with_no_model(db: &TestDb) {
    let state = offline(db, PixieConfig::default());
    let app = app!(state);
    let health = send!(app, "GET", "/health", None).json();
    assert_eq!(health["agent"], "offline");
    assert_eq!(health["assistant"], "offline");
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);

    let reply = say!(app, alice, thread, "add 2 milk and bread to the list");
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    assert_eq!(
        default_list_names!(app, alice),
        vec![("milk".to_owned(), 2.0), ("bread".to_owned(), 1.0)]
    );
    assert_eq!(
        reply.json()["data"]["assistantMessage"]["ui"]["type"],
        "grocery-list"
    );

    assert_eq!(
        status(&say!(app, alice, thread, "I bought 500 g rice")),
        201
    );
    let rice = pantry_search!(app, alice, "rice");
    assert_eq!(rice["data"][0]["quantity"], 500);
    assert_eq!(rice["data"][0]["unit"], "gram");

    assert_eq!(status(&say!(app, alice, thread, "we're out of rice")), 201);
    let rice = pantry_search!(app, alice, "rice");
    assert_eq!(rice["data"][0]["quantity"], 0);

    let have = say!(app, alice, thread, "do we have rice?");
    let text = have.json()["data"]["assistantText"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(text.contains("rice"), "{text}");

    let lists = say!(app, alice, thread, "show my lists");
    assert_eq!(
        lists.json()["data"]["assistantMessage"]["ui"]["type"],
        "grocery-lists-overview"
    );
}
on_both_backends!(
    sqlite_offline_pixie_works_with_no_model,
    postgres_offline_pixie_works_with_no_model,
    offline_pixie_works_with_no_model
);

/// Threads: default title, rename, who may delete, messages newest first with a cursor, and
/// every validation rule with its 400 that stores nothing.
async fn threads_and_messages(db: &TestDb) {
    let state = offline(
        db,
        PixieConfig {
            messages_per_minute: 0,
            ..PixieConfig::default()
        },
    );
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let meg = sign_up!(app, "meg");
    support::add_member(&db.db, alice.home, meg.id, "member").await;
    let base = format!("/api/homes/{}/chat/threads", alice.home);

    let created = send!(app, "POST", base.clone(), Some(&alice.token)).json();
    assert_eq!(created["data"]["title"], "New Chat");
    let thread = created["data"]["id"].as_str().unwrap().to_owned();
    for body in [json!({"title": ""}), json!({"title": "x".repeat(256)})] {
        let reply = send!(app, "POST", base.clone(), Some(&alice.token), body);
        assert_eq!(status(&reply), 400, "{:?}", reply.body);
        assert_eq!(reply.json()["details"][0]["field"], "title");
    }
    let renamed = send!(
        app,
        "PATCH",
        format!("{base}/{thread}"),
        Some(&meg.token),
        json!({"title": "  Dinner ideas "})
    );
    assert_eq!(renamed.json()["data"]["title"], "Dinner ideas");

    for (body, field) in [
        (json!({}), "content"),
        (json!({"content": "   "}), "content"),
        (json!({"content": "x".repeat(2001)}), "content"),
    ] {
        let reply = send!(
            app,
            "POST",
            format!("{base}/{thread}/messages"),
            Some(&alice.token),
            body
        );
        assert_eq!(status(&reply), 400, "{:?}", reply.body);
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    for i in 0..6 {
        assert_eq!(status(&say!(app, alice, thread, format!("hello {i}"))), 201);
    }
    // A rename wins over the auto-title.
    let thread_row = send!(app, "GET", format!("{base}/{thread}"), Some(&alice.token)).json();
    assert_eq!(thread_row["data"]["title"], "Dinner ideas");

    let page = |before: Option<String>| {
        let app = &app;
        let url = match before {
            Some(id) => format!("{base}/{thread}/messages?limit=5&before={id}"),
            None => format!("{base}/{thread}/messages?limit=5"),
        };
        let token = alice.token.clone();
        async move { send!(app, "GET", url, Some(&token)).json()["data"].clone() }
    };
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let rows = page(before.clone()).await;
        let rows = rows.as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        for row in rows {
            seen.push(row["content"].as_str().unwrap().to_owned());
        }
        before = rows.last().map(|r| r["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 12, "every message once: {seen:?}");
    assert_eq!(seen[11], "hello 0");
    assert_eq!(seen[1], "hello 5");
    for query in ["limit=0", "limit=101", "limit=x", "before=nope"] {
        let reply = send!(
            app,
            "GET",
            format!("{base}/{thread}/messages?{query}"),
            Some(&alice.token)
        );
        assert_eq!(status(&reply), 400, "{query}");
    }

    // Meg did not start it and is no admin.
    let refused = send!(app, "DELETE", format!("{base}/{thread}"), Some(&meg.token));
    assert_eq!(status(&refused), 403);
    let deleted = send!(
        app,
        "DELETE",
        format!("{base}/{thread}"),
        Some(&alice.token)
    );
    assert_eq!(status(&deleted), 200);
    let gone = send!(
        app,
        "GET",
        format!("{base}/{thread}/messages"),
        Some(&alice.token)
    );
    assert_eq!(status(&gone), 404);
    // Only the welcome thread of the sign-up is left.
    let listed = send!(app, "GET", base.clone(), Some(&alice.token)).json();
    let titles: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        vec![pantry_core::accounts::service::WELCOME_THREAD_TITLE]
    );
}
on_both_backends!(
    sqlite_threads_and_messages,
    postgres_threads_and_messages,
    threads_and_messages
);

/// One person sending faster than the chat rate gets 429 with Retry-After, and nothing is
/// stored for the refused message.
async fn the_chat_rate_is_per_person(db: &TestDb) {
    let state = offline(
        db,
        PixieConfig {
            messages_per_minute: 2,
            ..PixieConfig::default()
        },
    );
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let thread = new_thread!(app, alice);
    assert_eq!(status(&say!(app, alice, thread, "hi")), 201);
    assert_eq!(status(&say!(app, alice, thread, "hi again")), 201);
    let refused = say!(app, alice, thread, "and again");
    assert_eq!(status(&refused), 429, "{:?}", refused.body);
    assert!(refused.headers.get("retry-after").is_some());
    let messages = messages_of!(app, alice, thread);
    assert_eq!(messages["data"].as_array().unwrap().len(), 4);
}
on_both_backends!(
    sqlite_the_chat_rate_is_per_person,
    postgres_the_chat_rate_is_per_person,
    the_chat_rate_is_per_person
);

/// The system prompt tells the model about the household: both members by name, their diets
/// merged, what the partner did lately and what expires soon.
async fn the_prompt_carries_the_household(db: &TestDb) {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["Spinach omelette?"]),
        Reply::text(&["Dinner"]),
    ]);
    let state = with_fake(db, &fake, PixieConfig::default());
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    let prefs = send!(
        app,
        "PATCH",
        "/api/users/me/preferences",
        Some(&alice.token),
        json!({"dietaryRestrictions": ["vegetarian"]})
    );
    assert_eq!(status(&prefs), 200, "{:?}", prefs.body);
    let prefs = send!(
        app,
        "PATCH",
        format!("/api/users/me/preferences?homeId={}", alice.home),
        Some(&bob.token),
        json!({"dietaryRestrictions": ["nut-free"]})
    );
    assert_eq!(status(&prefs), 200, "{:?}", prefs.body);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(30)).to_rfc3339();
    let added = send!(
        app,
        "POST",
        format!("/api/homes/{}/items", alice.home),
        Some(&bob.token),
        json!({"name": "spinach", "expiresAt": tomorrow})
    );
    assert_eq!(status(&added), 201, "{:?}", added.body);
    let thread = new_thread!(app, alice);
    assert_eq!(
        status(&say!(app, alice, thread, "what should we cook?")),
        201
    );

    let system = fake.requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(system.contains("talking with alice"), "{system}");
    assert!(system.contains("alice and bob"), "{system}");
    assert!(system.contains("vegetarian, nut-free"), "{system}");
    assert!(
        system.contains("- bob added spinach (just now)"),
        "{system}"
    );
    assert!(system.contains("- spinach (expires in 1d)"), "{system}");
}
on_both_backends!(
    sqlite_the_prompt_carries_the_household,
    postgres_the_prompt_carries_the_household,
    the_prompt_carries_the_household
);
