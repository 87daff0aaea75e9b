//! Export then import of a whole home: the round trip keeps everything, bad documents are
//! refused with every problem listed, and only members can export.

#[macro_use]
mod support;

use diesel::ExpressionMethods;
use diesel_async::RunQueryDsl;
use pantry_http::state::AppState;
use pantry_store::schema::{chat_messages, chat_threads, grocery_lists, list_items};
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

/// A list with two entries and a chat thread with two messages, straight into the tables
/// (their routes live in other modules; this test is about carrying them across).
async fn add_list_and_chat(db: &TestDb, home: Uuid, author: Uuid, items: [&str; 2]) {
    let mut conn = db.db.conn().await.unwrap();
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3).naive_utc();
    let list = Uuid::now_v7().to_string();
    diesel::insert_into(grocery_lists::table)
        .values((
            grocery_lists::id.eq(&list),
            grocery_lists::home_id.eq(home.to_string()),
            grocery_lists::name.eq("Weekend"),
            grocery_lists::recurring_schedule.eq(Some("weekly")),
            grocery_lists::schedule_day_of_week.eq(Some(6)),
            grocery_lists::total_budget_minor.eq(Some(5000_i64)),
            grocery_lists::created_at.eq(now),
            grocery_lists::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .await
        .unwrap();
    for (position, item) in items.iter().enumerate() {
        diesel::insert_into(list_items::table)
            .values((
                list_items::id.eq(Uuid::now_v7().to_string()),
                list_items::list_id.eq(&list),
                list_items::item_id.eq(*item),
                list_items::quantity_milli.eq(2000_i64),
                list_items::is_completed.eq(position == 1),
                list_items::estimated_price_minor.eq(Some(250_i64)),
                list_items::position.eq(position as i32),
                list_items::added_at.eq(now),
                list_items::updated_at.eq(now),
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let thread = Uuid::now_v7().to_string();
    diesel::insert_into(chat_threads::table)
        .values((
            chat_threads::id.eq(&thread),
            chat_threads::home_id.eq(home.to_string()),
            chat_threads::title.eq(Some("Curry night")),
            chat_threads::created_at.eq(now),
            chat_threads::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .await
        .unwrap();
    for (role, content, user) in [
        ("user", "What can we cook?", Some(author.to_string())),
        ("assistant", "Green curry!", None),
    ] {
        diesel::insert_into(chat_messages::table)
            .values((
                chat_messages::id.eq(Uuid::now_v7().to_string()),
                chat_messages::thread_id.eq(&thread),
                chat_messages::user_id.eq(user),
                chat_messages::role.eq(role),
                chat_messages::content.eq(content),
                chat_messages::ui
                    .eq((role == "assistant").then(|| r#"{"card":"list"}"#.to_owned())),
                chat_messages::created_at.eq(now),
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

/// The document without what legitimately differs between two homes: ids, export time and
/// the people (accounts do not travel).
fn comparable(mut doc: Value) -> Value {
    let ids: Vec<Value> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    for item in doc["items"].as_array_mut().unwrap() {
        item.as_object_mut().unwrap().remove("id");
    }
    // List entries point at items by position in the document instead of by id.
    for list in doc["lists"].as_array_mut().unwrap() {
        for entry in list["items"].as_array_mut().unwrap() {
            let index = ids.iter().position(|id| *id == entry["itemId"]).unwrap();
            entry["itemId"] = json!(index);
        }
    }
    let object = doc.as_object_mut().unwrap();
    object.remove("exportedAt");
    object.remove("members");
    doc
}

async fn round_trip(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let items_uri = format!("/api/homes/{}/items", alice.home);
    let mut ids = Vec::new();
    for body in [
        json!({"name": "Coconut milk", "quantity": 2, "unit": "can-ignored", "category": "pantry"}),
        json!({"name": "Coconut milk", "quantity": 2, "unit": "bottle", "category": "pantry", "price": "1.99"}),
        json!({"name": "Thai basil", "quantity": "0.5", "unit": "bunch", "category": "produce", "location": "Fridge", "expiresAt": "2031-05-01T10:00:00Z"}),
    ] {
        let reply = send!(app, "POST", items_uri, Some(&alice.token), body);
        if status(&reply) == 201 {
            ids.push(reply.json()["data"]["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(ids.len(), 2, "the unknown unit was refused");
    let updated = send!(
        app,
        "PUT",
        format!("/api/homes/{}", alice.home),
        Some(&alice.token),
        json!({"timezone": "Asia/Bangkok", "currency": "thb", "monthlyBudget": "12000.50", "sharedDietaryRestrictions": ["vegetarian"]})
    );
    assert_eq!(status(&updated), 200, "{:?}", updated.body);
    add_list_and_chat(db, alice.home, alice.id, [&ids[0], &ids[1]]).await;

    let export = send!(
        app,
        "GET",
        format!("/api/homes/{}/export", alice.home),
        Some(&alice.token)
    );
    assert_eq!(status(&export), 200, "{:?}", export.body);
    assert!(
        export
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let first = export.json();
    assert_eq!(first["format"], "pantry-pixie/home-export");
    assert_eq!(first["version"], 1);
    assert_eq!(first["home"]["timezone"], "Asia/Bangkok");
    assert_eq!(first["home"]["monthlyBudgetMinor"], 1_200_050);
    assert_eq!(first["members"][0]["name"], "alice");
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(first["lists"][0]["items"].as_array().unwrap().len(), 2);
    // After the welcome thread every new home starts with.
    let curry = &first["threads"][1];
    assert_eq!(curry["title"], "Curry night");
    assert_eq!(curry["messages"][0]["authorName"], "alice");
    assert_eq!(curry["messages"][1]["ui"], json!({"card": "list"}));

    // Bob imports it into a new home of his own.
    let bob = sign_up!(app, "bob");
    let imported = send!(
        app,
        "POST",
        "/api/homes/import",
        Some(&bob.token),
        first.clone()
    );
    assert_eq!(status(&imported), 201, "{:?}", imported.body);
    let new_home = imported.json()["data"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_home, alice.home.to_string());
    assert_eq!(imported.json()["data"]["ownerId"], bob.id.to_string());
    let second = send!(
        app,
        "GET",
        format!("/api/homes/{new_home}/export"),
        Some(&bob.token)
    )
    .json();
    assert_eq!(comparable(second.clone()), comparable(first.clone()));
    // The imported home works like any other: its items are there under new ids.
    let listed = send!(
        app,
        "GET",
        format!("/api/homes/{new_home}/items"),
        Some(&bob.token)
    )
    .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !ids.contains(&i["id"].as_str().unwrap().to_owned()))
    );
}
on_both_backends!(
    sqlite_export_import_round_trip,
    postgres_export_import_round_trip,
    round_trip
);

async fn refusals(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let mallory = sign_up!(app, "mallory");
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{}/export", alice.home),
            Some(&mallory.token)
        )),
        404
    );
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{}/export", alice.home),
            None
        )),
        401
    );

    let doc = send!(
        app,
        "GET",
        format!("/api/homes/{}/export", alice.home),
        Some(&alice.token)
    )
    .json();
    let homes_before = send!(app, "GET", "/api/homes", Some(&mallory.token)).json()["data"]
        .as_array()
        .unwrap()
        .len();
    let dangling = Uuid::now_v7();
    let mut bad = doc.clone();
    bad["format"] = json!("something-else");
    bad["version"] = json!(2);
    bad["home"]["timezone"] = json!("Mars/Olympus");
    bad["items"] = json!([{"id": Uuid::now_v7(), "name": "", "category": "dairy", "quantityMilli": -5,
        "unit": "piece", "isChecked": false, "isRecurring": false, "dateAdded": "2026-01-01T00:00:00Z",
        "lastUpdated": "2026-01-01T00:00:00Z", "description": null, "location": null, "expiresAt": null,
        "recurringInterval": null, "priceMinor": null, "store": null, "notes": null}]);
    bad["lists"] = json!([{"name": "L", "isActive": true, "isDefault": false, "roundNumber": 0, "position": 0,
        "createdAt": "2026-01-01T00:00:00Z", "recurringSchedule": "hourly", "description": null,
        "completedAt": null, "totalBudgetMinor": null, "scheduleDayOfWeek": 9, "scheduleDayOfMonth": null,
        "nextResetAt": null, "lastResetAt": null,
        "items": [{"itemId": dangling, "quantityMilli": 1000, "isCompleted": false, "position": 0,
                   "addedAt": "2026-01-01T00:00:00Z", "completedAt": null, "notes": null, "estimatedPriceMinor": null}]}]);
    let reply = send!(app, "POST", "/api/homes/import", Some(&mallory.token), bad);
    assert_eq!(status(&reply), 400, "{:?}", reply.body);
    let fields: Vec<String> = reply.json()["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "format",
        "version",
        "home.timezone",
        "items[0].name",
        "items[0].quantityMilli",
        "lists[0].recurringSchedule",
        "lists[0].scheduleDayOfWeek",
        "lists[0].items[0].itemId",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} in {fields:?}"
        );
    }
    let not_a_document = send!(
        app,
        "POST",
        "/api/homes/import",
        Some(&mallory.token),
        json!({"hello": 1})
    );
    assert_eq!(status(&not_a_document), 400);
    let homes_after = send!(app, "GET", "/api/homes", Some(&mallory.token)).json()["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        homes_before, homes_after,
        "no home was created by a refused import"
    );
    let _ = Person {
        id: alice.id,
        token: String::new(),
        home: alice.home,
    };
}
on_both_backends!(sqlite_import_refusals, postgres_import_refusals, refusals);
