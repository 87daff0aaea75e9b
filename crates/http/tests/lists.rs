//! Grocery lists over HTTP: the earlier server's wire shapes, every validation rule, versions,
//! the default list, buying into the pantry, roles and isolation between homes.

#[macro_use]
mod support;

use pantry_http::state::AppState;
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

fn lists_uri(p: &Person) -> String {
    format!("/api/homes/{}/lists", p.home)
}

/// A pantry item of `p`'s home, created over HTTP; its id.
macro_rules! pantry {
    ($app:expr, $p:expr, $body:expr) => {{
        let reply = send!(
            $app,
            "POST",
            format!("/api/homes/{}/items", $p.home),
            Some(&$p.token),
            $body
        );
        assert_eq!(status(&reply), 201, "{:?}", reply.body);
        reply.json()["data"]["id"].as_str().unwrap().to_owned()
    }};
}

/// The home's change log kinds after `since`.
macro_rules! kinds_since {
    ($app:expr, $p:expr, $since:expr) => {{
        let page = send!(
            $app,
            "GET",
            format!("/api/homes/{}/changes?since={}&limit=500", $p.home, $since),
            Some(&$p.token)
        )
        .json();
        page["data"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<String>>()
    }};
}

macro_rules! latest_seq {
    ($app:expr, $p:expr) => {
        send!(
            $app,
            "GET",
            format!("/api/homes/{}/changes?since=0&limit=1", $p.home),
            Some(&$p.token)
        )
        .json()["data"]["latestSeq"]
            .as_i64()
            .unwrap()
    };
}

async fn lists_and_entries_in_the_earlier_wire_shape(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = lists_uri(&alice);
    let milk = pantry!(
        app,
        alice,
        json!({"name": "Milk", "quantity": 1, "unit": "liter"})
    );
    let eggs = pantry!(app, alice, json!({"name": "Eggs", "quantity": 0}));

    // The first read creates the default list.
    let all = send!(app, "GET", uri, Some(&alice.token));
    assert_eq!(status(&all), 200, "{:?}", all.body);
    let all = all.json()["data"].clone();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let quick = all[0].clone();
    assert_eq!(quick["name"], "Quick Items");
    assert_eq!(quick["isDefault"], true);
    assert_eq!(quick["items"], json!([]));
    assert_eq!(
        (
            quick["completionPercentage"].clone(),
            quick["totalItems"].clone()
        ),
        (json!(0), json!(0))
    );
    let default = send!(app, "GET", format!("{uri}/default"), Some(&alice.token));
    assert_eq!(status(&default), 200);
    let default = default.json()["data"].clone();
    assert_eq!(default["id"], quick["id"]);
    assert!(default.get("items").is_none(), "the row alone");

    let created = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": " Weekly shop ", "description": "Saturday market", "totalBudget": "80.50",
               "recurringSchedule": "weekly", "scheduleDayOfWeek": 6,
               "items": [{"itemId": milk, "quantity": 2, "estimatedPrice": "1.25", "notes": "oat if none"},
                         {"itemId": eggs, "quantity": "12", "estimatedPrice": 0.3}]})
    );
    assert_eq!(status(&created), 201, "{:?}", created.body);
    let list = created.json()["data"].clone();
    let keys: Vec<&str> = list
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "homeId",
        "name",
        "description",
        "isActive",
        "isDefault",
        "completedAt",
        "totalBudget",
        "estimatedCost",
        "recurringSchedule",
        "scheduleDayOfWeek",
        "scheduleDayOfMonth",
        "nextResetAt",
        "lastResetAt",
        "roundNumber",
        "position",
        "version",
        "createdAt",
        "updatedAt",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert_eq!(list["name"], "Weekly shop");
    assert_eq!(list["homeId"], alice.home.to_string());
    assert_eq!(list["totalBudget"], 80.5);
    assert_eq!(list["estimatedCost"], 6.1, "2 × 1.25 + 12 × 0.30");
    assert_eq!(list["recurringSchedule"], "weekly");
    assert_eq!(list["scheduleDayOfWeek"], 6);
    assert_eq!(list["scheduleDayOfMonth"], Value::Null);
    assert!(
        list["nextResetAt"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z")
    );
    assert_eq!(list["isActive"], true);
    assert_eq!(list["roundNumber"], 0);
    assert_eq!(list["version"], 1);
    let id = list["id"].as_str().unwrap().to_owned();

    let got = send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(got["totalItems"], 2);
    assert_eq!(got["completedItems"], 0);
    let first = got["items"][0].clone();
    assert_eq!(first["listId"], id);
    assert_eq!(first["itemId"], milk);
    assert_eq!(first["quantity"], 2);
    assert_eq!(first["estimatedPrice"], 1.25);
    assert_eq!(first["notes"], "oat if none");
    assert_eq!(first["isCompleted"], false);
    assert_eq!(first["completedAt"], Value::Null);
    assert_eq!(first["addedBy"], alice.id.to_string());
    assert!(first["addedAt"].is_string());
    assert_eq!(first["item"]["name"], "Milk");
    assert_eq!(first["item"]["unit"], "liter");
    let eggs_entry = got["items"][1]["id"].as_str().unwrap().to_owned();

    // Tick the eggs: 50 %, and the stats say so with money in major units.
    let toggled = send!(
        app,
        "PATCH",
        format!("{uri}/{id}/items/{eggs_entry}/toggle"),
        Some(&alice.token)
    );
    assert_eq!(status(&toggled), 200);
    assert_eq!(toggled.json()["data"]["isCompleted"], true);
    assert!(toggled.json()["data"]["completedAt"].is_string());
    let stats = send!(app, "GET", format!("{uri}/{id}/stats"), Some(&alice.token));
    assert_eq!(
        stats.json()["data"],
        json!({"totalItems": 2, "completedItems": 1, "completionPercentage": 50,
               "estimatedTotal": 6.1, "estimatedPerItem": 3.05})
    );

    // Lists come default first, then active, then completed.
    let party = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Party"})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = send!(
        app,
        "PATCH",
        format!("{uri}/{party}/complete"),
        Some(&alice.token)
    );
    assert_eq!(done.json()["data"]["isActive"], false);
    assert!(done.json()["data"]["completedAt"].is_string());
    let names: Vec<String> = send!(app, "GET", uri, Some(&alice.token)).json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Quick Items", "Weekly shop", "Party"]);
    let reopened = send!(
        app,
        "PATCH",
        format!("{uri}/{party}/uncomplete"),
        Some(&alice.token)
    );
    assert_eq!(reopened.json()["data"]["isActive"], true);
    assert_eq!(reopened.json()["data"]["completedAt"], Value::Null);

    // Edit: null clears, changing the day moves the next reset.
    let updated = send!(
        app,
        "PUT",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"description": null, "totalBudget": 100, "scheduleDayOfWeek": 3})
    );
    assert_eq!(status(&updated), 200, "{:?}", updated.body);
    let updated = updated.json()["data"].clone();
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["totalBudget"], 100);
    assert_ne!(updated["nextResetAt"], list["nextResetAt"]);
    assert_eq!(updated["name"], "Weekly shop", "untouched");
    assert_eq!(updated["version"], 2);

    // Reset (admin): every entry unticked, round counted.
    let reset = send!(
        app,
        "PATCH",
        format!("{uri}/{id}/reset"),
        Some(&alice.token)
    );
    assert_eq!(status(&reset), 200);
    assert_eq!(reset.json()["data"]["roundNumber"], 1);
    assert!(reset.json()["data"]["lastResetAt"].is_string());
    let after = send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(after["completedItems"], 0);

    // Reorder the lists and the entries.
    let reordered = send!(
        app,
        "POST",
        format!("{uri}/reorder"),
        Some(&alice.token),
        json!({"ids": [id, party]})
    );
    assert_eq!(status(&reordered), 200, "{:?}", reordered.body);
    let order: Vec<Value> = reordered.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].clone())
        .collect();
    assert_eq!(order, [quick["id"].clone(), json!(id), json!(party)]);
    let entries = send!(
        app,
        "POST",
        format!("{uri}/{id}/items/reorder"),
        Some(&alice.token),
        json!({"ids": [eggs_entry]})
    );
    assert_eq!(status(&entries), 200, "{:?}", entries.body);
    assert_eq!(entries.json()["data"][0]["id"], eggs_entry);

    // Deleting an entry and a list.
    let removed = send!(
        app,
        "DELETE",
        format!("{uri}/{id}/items/{eggs_entry}"),
        Some(&alice.token)
    );
    assert_eq!(status(&removed), 200);
    assert!(removed.json().get("data").is_none());
    let deleted = send!(app, "DELETE", format!("{uri}/{party}"), Some(&alice.token));
    assert_eq!(status(&deleted), 200);
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("{uri}/{party}"),
            Some(&alice.token)
        )),
        404
    );
    let gone = send!(
        app,
        "DELETE",
        format!("{uri}/{id}/items/{eggs_entry}"),
        Some(&alice.token)
    );
    assert_eq!(status(&gone), 404);
    assert_eq!(gone.json()["error"], "List item not found");

    // Every change is in the change feed.
    let kinds = kinds_since!(app, alice, 0);
    for kind in [
        "list.created",
        "list_item.added",
        "list_item.toggled",
        "list.completed",
        "list.uncompleted",
        "list.updated",
        "list.reset",
        "list.reordered",
        "list_item.reordered",
        "list_item.removed",
        "list.deleted",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}
on_both_backends!(
    sqlite_lists_and_entries_in_the_earlier_wire_shape,
    postgres_lists_and_entries_in_the_earlier_wire_shape,
    lists_and_entries_in_the_earlier_wire_shape
);

async fn adding_by_name_and_buying(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = lists_uri(&alice);
    let flour = pantry!(
        app,
        alice,
        json!({"name": "Flour", "quantity": 1, "unit": "kg"})
    );
    let _cream = pantry!(app, alice, json!({"name": "50% cream", "quantity": 1}));
    let default =
        send!(app, "GET", format!("{uri}/default"), Some(&alice.token)).json()["data"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let items = format!("{uri}/{default}/items");

    // An existing item, by a name that differs only in case and spacing; grams into kilograms.
    let by_name = send!(
        app,
        "POST",
        format!("{items}/by-name"),
        Some(&alice.token),
        json!({"name": "  FLOUR ", "quantity": 500, "unit": "g"})
    );
    assert_eq!(status(&by_name), 201, "{:?}", by_name.body);
    let by_name = by_name.json()["data"].clone();
    assert_eq!(by_name["item"]["id"], flour);
    assert_eq!(by_name["listItem"]["itemId"], flour);
    assert_eq!(by_name["listItem"]["quantity"], 0.5);
    // The same item again is added to its open entry.
    let again = send!(
        app,
        "POST",
        items,
        Some(&alice.token),
        json!({"itemId": flour, "quantity": 1.5, "estimatedPrice": 2})
    );
    assert_eq!(status(&again), 201);
    assert_eq!(
        again
            .headers
            .get("pixie-merged")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(again.json()["data"]["id"], by_name["listItem"]["id"]);
    assert_eq!(again.json()["data"]["quantity"], 2);

    // `%` and `_` are not wildcards: a new catalogue item, with nothing in stock.
    let odd = send!(
        app,
        "POST",
        format!("{items}/by-name"),
        Some(&alice.token),
        json!({"name": "50_ cream", "category": "dairy"})
    );
    assert_eq!(status(&odd), 201);
    let odd = odd.json()["data"].clone();
    assert_eq!(odd["item"]["name"], "50_ cream");
    assert_eq!(odd["item"]["quantity"], 0);
    assert_eq!(odd["item"]["category"], "dairy");
    assert_eq!(odd["listItem"]["quantity"], 1);
    let pantry = send!(
        app,
        "GET",
        format!("/api/homes/{}/items?search=cream", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(pantry["data"].as_array().unwrap().len(), 2);

    // Bought: the entry is ticked off and the pantry restocked, in the item's unit.
    let entry = by_name["listItem"]["id"].as_str().unwrap().to_owned();
    let seq = latest_seq!(app, alice);
    let bought = send!(
        app,
        "POST",
        format!("{items}/{entry}/bought"),
        Some(&alice.token)
    );
    assert_eq!(status(&bought), 200, "{:?}", bought.body);
    let bought = bought.json()["data"].clone();
    assert_eq!(bought["listItem"]["isCompleted"], true);
    assert_eq!(bought["item"]["id"], flour);
    assert_eq!(bought["item"]["quantity"], 3, "1 kg + 2 kg");
    let flour_now = send!(
        app,
        "GET",
        format!("/api/homes/{}/items/{flour}", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(flour_now["data"]["quantity"], 3);
    assert_eq!(
        kinds_since!(app, alice, seq),
        ["item.merged", "list_item.bought"]
    );
    // Not twice.
    let twice = send!(
        app,
        "POST",
        format!("{items}/{entry}/bought"),
        Some(&alice.token)
    );
    assert_eq!(status(&twice), 409);
    assert_eq!(twice.json()["code"], "CONFLICT");
    assert_eq!(latest_seq!(app, alice), seq + 2);

    // The default list cannot be deleted: 409, not 500.
    let refused = send!(
        app,
        "DELETE",
        format!("{uri}/{default}"),
        Some(&alice.token)
    );
    assert_eq!(status(&refused), 409, "{:?}", refused.body);
    assert_eq!(
        refused.json()["error"],
        "the default list cannot be deleted"
    );
}
on_both_backends!(
    sqlite_adding_by_name_and_buying,
    postgres_adding_by_name_and_buying,
    adding_by_name_and_buying
);

async fn versions_and_client_ids(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = lists_uri(&alice);
    let tea = pantry!(app, alice, json!({"name": "Tea"}));
    let client_id = Uuid::now_v7();
    let body = json!({"id": client_id, "name": "Offline list"});
    let a = send!(app, "POST", uri, Some(&alice.token), body.clone());
    let b = send!(app, "POST", uri, Some(&alice.token), body);
    assert_eq!((status(&a), status(&b)), (201, 200));
    assert_eq!(a.json()["data"], b.json()["data"]);
    let id = client_id.to_string();
    let renamed = send!(
        app,
        "PATCH",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"name": "Renamed"})
    );
    assert_eq!(renamed.json()["data"]["version"], 2);

    let with_if_match = |value: &str, name: &str| {
        actix_web::test::TestRequest::put()
            .uri(&format!("{uri}/{id}"))
            .insert_header(("Authorization", format!("Bearer {}", alice.token)))
            .insert_header(("If-Match", value.to_owned()))
            .set_json(json!({ "name": name }))
            .to_request()
    };
    let stale = support::call(&app, with_if_match("\"1\"", "Lost")).await;
    assert_eq!(status(&stale), 409, "{:?}", stale.body);
    assert_eq!(stale.json()["code"], "STALE_VERSION");
    assert_eq!(stale.json()["current"]["name"], "Renamed");
    assert_eq!(stale.json()["current"]["version"], 2);
    let weak = support::call(&app, with_if_match("W/\"2\"", "Weekly")).await;
    assert_eq!(status(&weak), 200, "{:?}", weak.body);
    let bare = support::call(&app, with_if_match("3", "Weekly shop")).await;
    assert_eq!(status(&bare), 200);
    let garbage = support::call(&app, with_if_match("\"three\"", "X")).await;
    assert_eq!(status(&garbage), 400);
    let body_version = send!(
        app,
        "PUT",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"name": "X", "version": 1})
    );
    assert_eq!(status(&body_version), 409);
    let stale_delete = send!(
        app,
        "DELETE",
        format!("{uri}/{id}?version=1"),
        Some(&alice.token)
    );
    assert_eq!(status(&stale_delete), 409);
    assert_eq!(stale_delete.json()["current"]["name"], "Weekly shop");

    // Entries: the same, with the entry as `current`.
    let entry = send!(
        app,
        "POST",
        format!("{uri}/{id}/items"),
        Some(&alice.token),
        json!({"itemId": tea, "id": Uuid::now_v7()})
    );
    assert_eq!(status(&entry), 201);
    let entry_id = entry.json()["data"]["id"].as_str().unwrap().to_owned();
    let edited = send!(
        app,
        "PUT",
        format!("{uri}/{id}/items/{entry_id}"),
        Some(&alice.token),
        json!({"quantity": 3, "notes": "green", "estimatedPrice": "4.50", "version": 1})
    );
    assert_eq!(status(&edited), 200, "{:?}", edited.body);
    assert_eq!(edited.json()["data"]["quantity"], 3);
    assert_eq!(edited.json()["data"]["estimatedPrice"], 4.5);
    let stale_entry = send!(
        app,
        "PATCH",
        format!("{uri}/{id}/items/{entry_id}"),
        Some(&alice.token),
        json!({"notes": null, "version": 1})
    );
    assert_eq!(status(&stale_entry), 409);
    assert_eq!(stale_entry.json()["current"]["notes"], "green");
    let list = send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(list["estimatedCost"], 13.5);
    assert_eq!(list["items"][0]["notes"], "green");
    // Replaying the add with its client id neither adds nor changes anything.
    let replay = send!(
        app,
        "POST",
        format!("{uri}/{id}/items"),
        Some(&alice.token),
        json!({"itemId": tea, "id": entry_id})
    );
    assert_eq!(status(&replay), 200);
    assert_eq!(replay.json()["data"]["quantity"], 3);
}
on_both_backends!(
    sqlite_versions_and_client_ids,
    postgres_versions_and_client_ids,
    versions_and_client_ids
);

#[actix_web::test]
async fn every_invalid_field_is_a_400_and_changes_nothing() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let uri = lists_uri(&alice);
    let rice = pantry!(app, alice, json!({"name": "Rice"}));
    let bobs = pantry!(app, bob, json!({"name": "Bob's rice"}));
    let list = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Weekly"})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let entry = send!(
        app,
        "POST",
        format!("{uri}/{list}/items"),
        Some(&alice.token),
        json!({"itemId": rice})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = send!(app, "GET", uri, Some(&alice.token)).json()["data"].clone();
    let seq = latest_seq!(app, alice);

    let many: Vec<Value> = (0..501).map(|_| json!({"itemId": rice})).collect();
    let create_cases = [
        (json!({}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (
            json!({"name": "L", "description": "d".repeat(1001)}),
            "description",
        ),
        (json!({"name": "L", "totalBudget": -1}), "totalBudget"),
        (json!({"name": "L", "totalBudget": "1.005"}), "totalBudget"),
        (json!({"name": "L", "totalBudget": "lots"}), "totalBudget"),
        (
            json!({"name": "L", "recurringSchedule": "daily"}),
            "recurringSchedule",
        ),
        (
            json!({"name": "L", "scheduleDayOfWeek": 7}),
            "scheduleDayOfWeek",
        ),
        (
            json!({"name": "L", "scheduleDayOfWeek": -1}),
            "scheduleDayOfWeek",
        ),
        (
            json!({"name": "L", "scheduleDayOfWeek": 1.5}),
            "scheduleDayOfWeek",
        ),
        (
            json!({"name": "L", "scheduleDayOfMonth": 0}),
            "scheduleDayOfMonth",
        ),
        (
            json!({"name": "L", "scheduleDayOfMonth": 32}),
            "scheduleDayOfMonth",
        ),
        (json!({"name": "L", "items": many}), "items"),
        (json!({"name": "L", "items": [{}]}), "items.0.itemId"),
        (
            json!({"name": "L", "items": [{"itemId": rice, "quantity": 0}]}),
            "items.0.quantity",
        ),
        (
            json!({"name": "L", "items": [{"itemId": rice}, {"itemId": rice, "quantity": -2}]}),
            "items.1.quantity",
        ),
        (
            json!({"name": "L", "items": [{"itemId": rice, "notes": "n".repeat(501)}]}),
            "items.0.notes",
        ),
        (
            json!({"name": "L", "items": [{"itemId": rice, "estimatedPrice": "-3"}]}),
            "items.0.estimatedPrice",
        ),
    ];
    for (body, field) in create_cases {
        let reply = send!(app, "POST", uri, Some(&alice.token), body.clone());
        assert_eq!(status(&reply), 400, "{body}");
        let reply = reply.json();
        assert_eq!(reply["code"], "VALIDATION_ERROR", "{body}");
        assert_eq!(reply["details"][0]["field"], field, "{reply}");
    }
    let update_cases = [
        (json!({"name": ""}), "name"),
        (json!({"description": "d".repeat(1001)}), "description"),
        (json!({"totalBudget": -5}), "totalBudget"),
        (json!({"recurringSchedule": "yearly"}), "recurringSchedule"),
        (json!({"scheduleDayOfWeek": 9}), "scheduleDayOfWeek"),
        (json!({"scheduleDayOfMonth": 40}), "scheduleDayOfMonth"),
    ];
    for (body, field) in update_cases {
        let reply = send!(
            app,
            "PUT",
            format!("{uri}/{list}"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    let entry_cases = [
        (json!({}), "itemId"),
        (json!({"itemId": rice, "quantity": 0}), "quantity"),
        (json!({"itemId": rice, "quantity": "0.0001"}), "quantity"),
        (json!({"itemId": rice, "notes": "n".repeat(501)}), "notes"),
        (
            json!({"itemId": rice, "estimatedPrice": "free"}),
            "estimatedPrice",
        ),
    ];
    for (body, field) in entry_cases {
        let reply = send!(
            app,
            "POST",
            format!("{uri}/{list}/items"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    let by_name_cases = [
        (json!({}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({"name": "Salt", "quantity": 0}), "quantity"),
        (json!({"name": "Salt", "unit": "parsec"}), "unit"),
        (json!({"name": "Salt", "category": "furniture"}), "category"),
    ];
    for (body, field) in by_name_cases {
        let reply = send!(
            app,
            "POST",
            format!("{uri}/{list}/items/by-name"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    let edit_cases = [
        (json!({"quantity": 0}), "quantity"),
        (json!({"notes": "n".repeat(501)}), "notes"),
        (json!({"estimatedPrice": -1}), "estimatedPrice"),
    ];
    for (body, field) in edit_cases {
        let reply = send!(
            app,
            "PATCH",
            format!("{uri}/{list}/items/{entry}"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    for body in [json!({}), json!({"ids": []}), json!({"ids": [list, list]})] {
        let reply = send!(
            app,
            "POST",
            format!("{uri}/reorder"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], "ids");
    }
    // Wrong JSON types and malformed ids are 400 too.
    for body in [
        json!({"name": 5}),
        json!({"name": "L", "items": [{"itemId": "not-a-uuid"}]}),
    ] {
        assert_eq!(
            status(&send!(app, "POST", uri, Some(&alice.token), body)),
            400
        );
    }
    // Several bad fields are all reported.
    let reply = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "", "scheduleDayOfWeek": 8, "items": [{"itemId": rice, "quantity": 0}]})
    )
    .json();
    assert_eq!(reply["details"].as_array().unwrap().len(), 3, "{reply}");
    // Another home's item (or an unknown one): 404, nothing created.
    for item in [bobs.clone(), Uuid::now_v7().to_string()] {
        let reply = send!(
            app,
            "POST",
            uri,
            Some(&alice.token),
            json!({"name": "Sneaky", "items": [{"itemId": rice}, {"itemId": item}]})
        );
        assert_eq!(status(&reply), 404, "{:?}", reply.body);
        assert_eq!(reply.json()["error"], "Item not found");
        let reply = send!(
            app,
            "POST",
            format!("{uri}/{list}/items"),
            Some(&alice.token),
            json!({"itemId": item})
        );
        assert_eq!(status(&reply), 404);
    }

    assert_eq!(latest_seq!(app, alice), seq, "nothing was logged");
    assert_eq!(
        send!(app, "GET", uri, Some(&alice.token)).json()["data"],
        before,
        "nothing changed"
    );
}

async fn roles_and_isolation(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let mallory = sign_up!(app, "mallory");
    let victor = sign_up!(app, "victor");
    let mia = sign_up!(app, "mia");
    support::add_member(&db.db, alice.home, victor.id, "viewer").await;
    support::add_member(&db.db, alice.home, mia.id, "member").await;
    let uri = lists_uri(&alice);
    let soap = pantry!(app, alice, json!({"name": "Soap"}));
    let list = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Weekly"})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let entry = send!(
        app,
        "POST",
        format!("{uri}/{list}/items"),
        Some(&alice.token),
        json!({"itemId": soap})
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = send!(app, "GET", uri, Some(&alice.token)).json()["data"].clone();
    let seq = latest_seq!(app, alice);

    let l = format!("{uri}/{list}");
    let e = format!("{l}/items/{entry}");
    let writes: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", uri.clone(), Some(json!({"name": "Mine"}))),
        (
            "POST",
            format!("{uri}/reorder"),
            Some(json!({"ids": [list]})),
        ),
        ("PUT", l.clone(), Some(json!({"name": "Mine"}))),
        ("PATCH", l.clone(), Some(json!({"name": "Mine"}))),
        ("PATCH", format!("{l}/complete"), None),
        ("PATCH", format!("{l}/uncomplete"), None),
        ("PATCH", format!("{l}/reset"), None),
        ("DELETE", l.clone(), None),
        ("POST", format!("{l}/items"), Some(json!({"itemId": soap}))),
        (
            "POST",
            format!("{l}/items/by-name"),
            Some(json!({"name": "Soap"})),
        ),
        (
            "POST",
            format!("{l}/items/reorder"),
            Some(json!({"ids": [entry]})),
        ),
        ("PUT", e.clone(), Some(json!({"quantity": 5}))),
        ("PATCH", e.clone(), Some(json!({"quantity": 5}))),
        ("PATCH", format!("{e}/toggle"), None),
        ("POST", format!("{e}/bought"), None),
        ("DELETE", e.clone(), None),
    ];
    let reads = [
        uri.clone(),
        format!("{uri}/default"),
        l.clone(),
        format!("{l}/stats"),
    ];
    for (method, path, body) in &writes {
        let as_outsider = match body {
            Some(b) => send!(app, *method, path, Some(&mallory.token), b.clone()),
            None => send!(app, *method, path, Some(&mallory.token)),
        };
        assert_eq!(status(&as_outsider), 404, "{method} {path}");
        assert_eq!(as_outsider.json()["error"], "Home not found");
        let as_viewer = match body {
            Some(b) => send!(app, *method, path, Some(&victor.token), b.clone()),
            None => send!(app, *method, path, Some(&victor.token)),
        };
        assert_eq!(status(&as_viewer), 403, "{method} {path}");
        assert_eq!(status(&send!(app, *method, path, None)), 401);
    }
    for path in &reads {
        assert_eq!(
            status(&send!(app, "GET", path, Some(&mallory.token))),
            404,
            "{path}"
        );
        assert_eq!(
            status(&send!(app, "GET", path, Some(&victor.token))),
            200,
            "{path}"
        );
    }
    // A member writes, but deleting and resetting a list take an admin.
    assert_eq!(status(&send!(app, "DELETE", l, Some(&mia.token))), 403);
    assert_eq!(
        status(&send!(app, "PATCH", format!("{l}/reset"), Some(&mia.token))),
        403
    );

    // Mallory's own home cannot reach Alice's list or entry by id either.
    let theirs = format!("{}/{list}", lists_uri(&mallory));
    let cross: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", theirs.clone(), None),
        ("GET", format!("{theirs}/stats"), None),
        ("PUT", theirs.clone(), Some(json!({"name": "Mine"}))),
        ("PATCH", format!("{theirs}/reset"), None),
        ("DELETE", theirs.clone(), None),
        (
            "POST",
            format!("{theirs}/items/by-name"),
            Some(json!({"name": "Soap"})),
        ),
        ("PATCH", format!("{theirs}/items/{entry}/toggle"), None),
        ("POST", format!("{theirs}/items/{entry}/bought"), None),
        ("DELETE", format!("{theirs}/items/{entry}"), None),
    ];
    for (method, path, body) in &cross {
        let reply = match body {
            Some(b) => send!(app, *method, path, Some(&mallory.token), b.clone()),
            None => send!(app, *method, path, Some(&mallory.token)),
        };
        assert_eq!(status(&reply), 404, "{method} {path}");
    }
    // Nor can Mallory put Alice's pantry item on her own list.
    let own = send!(
        app,
        "GET",
        format!("{}/default", lists_uri(&mallory)),
        Some(&mallory.token)
    )
    .json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stolen = send!(
        app,
        "POST",
        format!("{}/{own}/items", lists_uri(&mallory)),
        Some(&mallory.token),
        json!({"itemId": soap})
    );
    assert_eq!(status(&stolen), 404);

    assert_eq!(
        latest_seq!(app, alice),
        seq,
        "nothing was logged in Alice's home"
    );
    assert_eq!(
        send!(app, "GET", uri, Some(&alice.token)).json()["data"],
        before,
        "Alice's lists are untouched"
    );
}
on_both_backends!(
    sqlite_list_roles_isolation,
    postgres_list_roles_isolation,
    roles_and_isolation
);
