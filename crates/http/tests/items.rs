//! The pantry over HTTP: the earlier server's wire shapes, every validation rule, merging,
//! consuming, versions, roles and isolation between homes.

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

fn items_uri(p: &Person) -> String {
    format!("/api/homes/{}/items", p.home)
}

async fn create_read_update_toggle_delete(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = items_uri(&alice);
    let created = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": " Oat milk ", "quantity": "1.5", "unit": "liter", "category": "beverages",
               "location": "Fridge", "expiresAt": "2030-01-31", "price": "3.49", "notes": "barista"})
    );
    assert_eq!(status(&created), 201, "{:?}", created.body);
    let item = created.json()["data"].clone();
    assert_eq!(item["name"], "Oat milk");
    assert_eq!(item["quantity"], 1.5);
    assert_eq!(item["unit"], "liter");
    assert_eq!(item["category"], "beverages");
    assert_eq!(item["price"], 3.49);
    assert_eq!(item["expiresAt"], "2030-01-31T00:00:00Z");
    assert_eq!(item["homeId"], alice.home.to_string());
    assert_eq!(item["addedBy"], alice.id.to_string());
    assert_eq!(item["isChecked"], false);
    assert_eq!(item["version"], 1);
    let id = item["id"].as_str().unwrap().to_owned();

    // Money as a number works too; whole amounts stay integers on the wire.
    let bread = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Bread", "price": 2})
    );
    assert_eq!(status(&bread), 201);
    assert_eq!(bread.json()["data"]["price"], 2);
    assert_eq!(bread.json()["data"]["quantity"], 1);
    assert_eq!(bread.json()["data"]["unit"], "piece");
    assert_eq!(bread.json()["data"]["category"], "other");

    let got = send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token));
    assert_eq!(got.json()["data"], item);

    let updated = send!(
        app,
        "PUT",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"quantity": 2, "location": null, "price": null, "isRecurring": true, "recurringInterval": "weekly"})
    );
    assert_eq!(status(&updated), 200, "{:?}", updated.body);
    let u = updated.json()["data"].clone();
    assert_eq!(
        (u["quantity"].clone(), u["location"].clone()),
        (json!(2), Value::Null)
    );
    assert_eq!(
        (u["price"].clone(), u["recurringInterval"].clone()),
        (Value::Null, json!("weekly"))
    );
    assert_eq!(u["notes"], "barista", "fields not sent stay as they are");
    assert_eq!(u["version"], 2);

    let toggled = send!(
        app,
        "PATCH",
        format!("{uri}/{id}/toggle"),
        Some(&alice.token)
    );
    assert_eq!(toggled.json()["data"]["isChecked"], true);

    let stats =
        send!(app, "GET", format!("{uri}/stats"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(stats["total"], 2);
    assert_eq!(stats["checked"], 1);
    assert_eq!(stats["unchecked"], 1);
    assert_eq!(
        stats["byCategory"]["beverages"],
        json!({"total": 1, "checked": 1})
    );
    assert_eq!(
        stats["byCategory"]["other"],
        json!({"total": 1, "checked": 0})
    );

    let deleted = send!(app, "DELETE", format!("{uri}/{id}"), Some(&alice.token));
    assert_eq!(status(&deleted), 200);
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("{uri}/{id}"),
            Some(&alice.token)
        )),
        404
    );
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("{uri}/{id}"),
            Some(&alice.token)
        )),
        404
    );

    // Every change is in the log, in order, with a tombstone for the deletion.
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes?since=0", alice.home),
        Some(&alice.token)
    )
    .json();
    let kinds: Vec<String> = changes["data"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .filter(|k| k.starts_with("item."))
        .collect();
    assert_eq!(
        kinds,
        [
            "item.added",
            "item.added",
            "item.updated",
            "item.toggled",
            "item.deleted"
        ]
    );
}
on_both_backends!(
    sqlite_item_lifecycle,
    postgres_item_lifecycle,
    create_read_update_toggle_delete
);

async fn filters(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = items_uri(&alice);
    let soon = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339();
    for body in [
        json!({"name": "Yoghurt", "category": "dairy", "location": "Fridge", "expiresAt": soon}),
        json!({"name": "Cheddar", "category": "dairy", "location": "fridge", "expiresAt": later}),
        json!({"name": "50% cocoa", "category": "baking", "location": "Shelf"}),
    ] {
        assert_eq!(
            status(&send!(app, "POST", uri, Some(&alice.token), body)),
            201
        );
    }
    let names = |reply: support::Reply| -> Vec<String> {
        reply.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |q: &str| format!("{uri}?{q}");
    assert_eq!(
        names(send!(app, "GET", get("category=dairy"), Some(&alice.token))),
        ["Yoghurt", "Cheddar"]
    );
    assert_eq!(
        names(send!(app, "GET", get("search=CHED"), Some(&alice.token))),
        ["Cheddar"]
    );
    assert_eq!(
        names(send!(app, "GET", get("search=%25"), Some(&alice.token))),
        ["50% cocoa"]
    );
    assert_eq!(
        names(send!(
            app,
            "GET",
            get("location=FRIDGE"),
            Some(&alice.token)
        ))
        .len(),
        2
    );
    assert_eq!(
        names(send!(
            app,
            "GET",
            get("expiringWithin=3"),
            Some(&alice.token)
        )),
        ["Yoghurt"]
    );
    for bad in [
        "category=furniture",
        "expiringWithin=soon",
        "expiringWithin=-1",
        "checked=maybe",
    ] {
        let reply = send!(app, "GET", get(bad), Some(&alice.token));
        assert_eq!(status(&reply), 400, "{bad}: {:?}", reply.body);
        assert_eq!(reply.json()["success"], false);
    }
}
on_both_backends!(sqlite_item_filters, postgres_item_filters, filters);

async fn validation(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = items_uri(&alice);
    let cases = [
        (json!({}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({"name": "a", "quantity": -1}), "quantity"),
        (json!({"name": "a", "quantity": 1000000}), "quantity"),
        (json!({"name": "a", "quantity": "0.0001"}), "quantity"),
        (json!({"name": "a", "quantity": "two"}), "quantity"),
        (json!({"name": "a", "unit": "parsec"}), "unit"),
        (json!({"name": "a", "category": "furniture"}), "category"),
        (json!({"name": "a", "price": "-1"}), "price"),
        (json!({"name": "a", "price": "1.999"}), "price"),
        (json!({"name": "a", "price": "cheap"}), "price"),
        (json!({"name": "a", "expiresAt": "tomorrow"}), "expiresAt"),
        (
            json!({"name": "a", "location": "x".repeat(256)}),
            "location",
        ),
        (json!({"name": "a", "notes": "x".repeat(1001)}), "notes"),
        (
            json!({"name": "a", "recurringInterval": "hourly"}),
            "recurringInterval",
        ),
    ];
    for (body, field) in cases {
        let reply = send!(app, "POST", uri, Some(&alice.token), body.clone());
        assert_eq!(status(&reply), 400, "{body}: {:?}", reply.body);
        let json = reply.json();
        assert_eq!(json["code"], "VALIDATION_ERROR");
        assert_eq!(json["details"][0]["field"], field, "{body}");
    }
    // Several bad fields are all reported at once.
    let many = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "", "unit": "x", "price": "y"})
    );
    assert_eq!(many.json()["details"].as_array().unwrap().len(), 3);
    let not_json = send!(app, "POST", uri, Some(&alice.token), json!([1, 2]));
    assert_eq!(status(&not_json), 400);

    // Nothing was created by any of them.
    let list = send!(app, "GET", uri, Some(&alice.token)).json();
    assert_eq!(list["data"], json!([]));

    let item =
        send!(app, "POST", uri, Some(&alice.token), json!({"name": "Tea"})).json()["data"].clone();
    let id = item["id"].as_str().unwrap();
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"quantity": "lots"}), "quantity"),
        (json!({"expiresAt": 12.5}), "expiresAt"),
    ] {
        let reply = send!(
            app,
            "PUT",
            format!("{uri}/{id}"),
            Some(&alice.token),
            body.clone()
        );
        if field == "expiresAt" {
            // A float is not a date in any of the accepted forms.
            assert_eq!(status(&reply), 400, "{body}");
            continue;
        }
        assert_eq!(status(&reply), 400, "{body}: {:?}", reply.body);
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    for body in [json!({}), json!({"quantity": 0}), json!({"quantity": "x"})] {
        let reply = send!(
            app,
            "POST",
            format!("{uri}/{id}/consume"),
            Some(&alice.token),
            body.clone()
        );
        assert_eq!(status(&reply), 400, "{body}: {:?}", reply.body);
    }
    let unchanged =
        send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(unchanged, item);
}
on_both_backends!(sqlite_item_validation, postgres_item_validation, validation);

async fn merge_consume_and_versions(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = items_uri(&alice);
    let first = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Sugar", "quantity": 1, "unit": "kg"})
    );
    let id = first.json()["data"]["id"].as_str().unwrap().to_owned();
    let merged = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "sugar", "quantity": 250, "unit": "g"})
    );
    assert_eq!(status(&merged), 201);
    assert_eq!(merged.headers.get("pixie-merged").unwrap(), "true");
    assert_eq!(merged.json()["data"]["id"], id.as_str());
    assert_eq!(merged.json()["data"]["quantity"], 1.25);
    let separate = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Sugar", "quantity": 1, "unit": "kg", "separate": true})
    );
    assert_ne!(separate.json()["data"]["id"], id.as_str());

    let used = send!(
        app,
        "POST",
        format!("{uri}/{id}/consume"),
        Some(&alice.token),
        json!({"quantity": "0.25"})
    );
    assert_eq!(status(&used), 200, "{:?}", used.body);
    assert_eq!(used.json()["data"]["quantity"], 1);
    let all = send!(
        app,
        "POST",
        format!("{uri}/{id}/consume"),
        Some(&alice.token),
        json!({"quantity": 5})
    );
    assert_eq!(all.json()["data"]["quantity"], 0);
    let none = send!(
        app,
        "POST",
        format!("{uri}/{id}/consume"),
        Some(&alice.token),
        json!({"quantity": 1})
    );
    assert_eq!(status(&none), 409);
    let version = all.json()["data"]["version"].as_i64().unwrap();

    // If-Match with an old version: 409 with the current row, nothing changed.
    let stale = support::call(
        &app,
        actix_web::test::TestRequest::put()
            .uri(&format!("{uri}/{id}"))
            .insert_header(("Authorization", format!("Bearer {}", alice.token)))
            .insert_header(("If-Match", format!("\"{}\"", version - 1)))
            .set_json(json!({"name": "Brown sugar"}))
            .to_request(),
    )
    .await;
    assert_eq!(status(&stale), 409, "{:?}", stale.body);
    assert_eq!(stale.json()["code"], "STALE_VERSION");
    assert_eq!(stale.json()["current"]["name"], "Sugar");
    assert_eq!(stale.json()["current"]["version"], version);
    // `version` in the body works the same; the current one succeeds.
    let body_stale = send!(
        app,
        "PUT",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"name": "X", "version": 1})
    );
    assert_eq!(status(&body_stale), 409);
    let ok = send!(
        app,
        "PUT",
        format!("{uri}/{id}"),
        Some(&alice.token),
        json!({"name": "Brown sugar", "version": version})
    );
    assert_eq!(status(&ok), 200, "{:?}", ok.body);
    let stale_delete = send!(
        app,
        "DELETE",
        format!("{uri}/{id}?version=1"),
        Some(&alice.token)
    );
    assert_eq!(status(&stale_delete), 409);
    assert_eq!(stale_delete.json()["current"]["name"], "Brown sugar");

    // A client-chosen id makes a retried create harmless.
    let client_id = Uuid::now_v7();
    let body = json!({"id": client_id, "name": "Honey"});
    let a = send!(app, "POST", uri, Some(&alice.token), body.clone());
    let b = send!(app, "POST", uri, Some(&alice.token), body);
    assert_eq!((status(&a), status(&b)), (201, 200));
    assert_eq!(a.json()["data"], b.json()["data"]);
    assert_eq!(a.json()["data"]["id"], client_id.to_string());
    let honey = send!(
        app,
        "GET",
        format!("{uri}?search=honey"),
        Some(&alice.token)
    )
    .json();
    assert_eq!(honey["data"].as_array().unwrap().len(), 1);
}
on_both_backends!(
    sqlite_item_merge_consume_versions,
    postgres_item_merge_consume_versions,
    merge_consume_and_versions
);

async fn roles_and_isolation(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let mallory = sign_up!(app, "mallory");
    let victor = sign_up!(app, "victor");
    support::add_member(&db.db, alice.home, victor.id, "viewer").await;
    let uri = items_uri(&alice);
    let item = send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Saffron", "quantity": 3})
    )
    .json()["data"]
        .clone();
    let id = item["id"].as_str().unwrap().to_owned();
    let writes = [
        ("POST", uri.clone(), Some(json!({"name": "Stolen"}))),
        ("PUT", format!("{uri}/{id}"), Some(json!({"name": "Mine"}))),
        (
            "PATCH",
            format!("{uri}/{id}"),
            Some(json!({"name": "Mine"})),
        ),
        ("PATCH", format!("{uri}/{id}/toggle"), None),
        (
            "POST",
            format!("{uri}/{id}/consume"),
            Some(json!({"quantity": 1})),
        ),
        ("DELETE", format!("{uri}/{id}"), None),
    ];
    let reads = [uri.clone(), format!("{uri}/stats"), format!("{uri}/{id}")];
    for (method, path, body) in &writes {
        let as_mallory = match body {
            Some(b) => send!(app, *method, path, Some(&mallory.token), b.clone()),
            None => send!(app, *method, path, Some(&mallory.token)),
        };
        assert_eq!(status(&as_mallory), 404, "{method} {path}");
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
    // Mallory's own home cannot reach Alice's item by id either.
    let cross = format!("{}/{id}", items_uri(&mallory));
    assert_eq!(status(&send!(app, "GET", cross, Some(&mallory.token))), 404);
    assert_eq!(
        status(&send!(app, "DELETE", cross, Some(&mallory.token))),
        404
    );
    let after = send!(app, "GET", format!("{uri}/{id}"), Some(&alice.token)).json()["data"].clone();
    assert_eq!(after, item, "Alice's item is untouched");
}
on_both_backends!(
    sqlite_item_roles_isolation,
    postgres_item_roles_isolation,
    roles_and_isolation
);

/// Listings are served from memory while the home's change log stands still; any change, made
/// through this server or another one on the same database, shows at once, and a member who
/// leaves loses access at once.
async fn listings_stay_current_across_instances(db: &TestDb, state: AppState) {
    let app = app!(state);
    let other = app!(support::state(&db.db, CapturedLog::default().logger()));
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    let uri = items_uri(&alice);
    let names = |reply: &support::Reply| -> Vec<String> {
        reply.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_owned())
            .collect()
    };
    send!(
        app,
        "POST",
        uri,
        Some(&alice.token),
        json!({"name": "Rice"})
    );
    let first = send!(app, "GET", uri, Some(&alice.token));
    let again = send!(app, "GET", uri, Some(&alice.token));
    assert_eq!(names(&first), ["Rice"]);
    assert_eq!(
        again.json()["data"],
        first.json()["data"],
        "the same listing"
    );
    assert_eq!(again.json()["success"], true);
    assert!(again.json()["timestamp"].is_string());
    let search = format!("{uri}?search=ric");
    assert_eq!(
        names(&send!(app, "GET", search, Some(&bob.token))),
        ["Rice"]
    );

    // Bob adds through the other instance; Alice's next read on this one has it.
    let beans = send!(
        other,
        "POST",
        uri,
        Some(&bob.token),
        json!({"name": "Rice noodles", "category": "grains"})
    );
    assert_eq!(status(&beans), 201);
    let after = send!(app, "GET", uri, Some(&alice.token));
    assert_eq!(names(&after), ["Rice noodles", "Rice"]);
    assert_eq!(
        names(&send!(app, "GET", search, Some(&bob.token))),
        ["Rice noodles", "Rice"]
    );
    // An edit through the other instance too.
    let id = beans.json()["data"]["id"].as_str().unwrap().to_owned();
    let renamed = send!(
        other,
        "PATCH",
        format!("{uri}/{id}"),
        Some(&bob.token),
        json!({"name": "Udon"})
    );
    assert_eq!(status(&renamed), 200);
    assert_eq!(
        names(&send!(app, "GET", uri, Some(&alice.token))),
        ["Udon", "Rice"]
    );
    assert_eq!(
        names(&send!(app, "GET", search, Some(&bob.token))),
        ["Rice"]
    );

    // Bob leaves: the cached listing is not his any more.
    let left = send!(
        other,
        "POST",
        format!("/api/homes/{}/leave", alice.home),
        Some(&bob.token)
    );
    assert_eq!(status(&left), 200, "{:?}", left.body);
    assert_eq!(status(&send!(app, "GET", uri, Some(&bob.token))), 404);
    assert_eq!(status(&send!(app, "GET", search, Some(&bob.token))), 404);
}
on_both_backends!(
    sqlite_listings_stay_current_across_instances,
    postgres_listings_stay_current_across_instances,
    listings_stay_current_across_instances
);
