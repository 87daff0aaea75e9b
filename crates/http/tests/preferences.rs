//! Preferences over HTTP: the round trip, one 400 per validation rule with nothing changed,
//! who may write the home's fields, which home they come from, and homes the caller is not in.

#[macro_use]
mod support;

use actix_web::test;
use pantry_http::state::AppState;
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use support::{CapturedLog, Person, call, status};
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

const PREFS: &str = "/api/users/me/preferences";

fn in_home(home: Uuid) -> String {
    format!("{PREFS}?homeId={home}")
}

/// What a home looks like to its owner, and the seq of its latest change.
macro_rules! home_state {
    ($app:expr, $owner:expr) => {{
        let home = send!(
            $app,
            "GET",
            format!("/api/homes/{}", $owner.home),
            Some(&$owner.token)
        )
        .json()["data"]
            .clone();
        let seq = send!(
            $app,
            "GET",
            format!("/api/homes/{}/changes", $owner.home),
            Some(&$owner.token)
        )
        .json()["data"]["latestSeq"]
            .clone();
        (home, seq)
    }};
}

async fn round_trip(db: &TestDb, state: AppState) {
    let _ = db;
    let app = app!(state);
    let alice = sign_up!(app, "alice");

    let fresh = send!(app, "GET", PREFS, Some(&alice.token));
    assert_eq!(status(&fresh), 200, "{:?}", fresh.body);
    assert_eq!(
        fresh.json()["data"],
        json!({
            "dietaryRestrictions": [], "cookingSkillLevel": null, "budgetConsciousness": null,
            "mutedNotificationTypes": [], "householdSize": null, "sharedDietaryRestrictions": [],
            "monthlyBudget": null, "homeId": alice.home.to_string()
        })
    );

    let patched = send!(
        app,
        "PATCH",
        PREFS,
        Some(&alice.token),
        json!({
            "dietaryRestrictions": [" Vegan ", "vegan", "halal"],
            "cookingSkillLevel": "intermediate",
            "budgetConsciousness": "high",
            "mutedNotificationTypes": ["sunday_sync", "running_low"],
            "householdSize": 3,
            "sharedDietaryRestrictions": ["nut-free"],
            "monthlyBudget": "250.50",
            "homeId": "ignored in the body, as before",
        })
    );
    assert_eq!(status(&patched), 200, "{:?}", patched.body);
    let patched = patched.json();
    assert_eq!(patched["success"], true);
    assert!(patched["timestamp"].is_string());
    let expected = json!({
        "dietaryRestrictions": ["Vegan", "halal"], "cookingSkillLevel": "intermediate",
        "budgetConsciousness": "high", "mutedNotificationTypes": ["sunday_sync", "running_low"],
        "householdSize": 3, "sharedDietaryRestrictions": ["nut-free"], "monthlyBudget": 250.5,
        "homeId": alice.home.to_string()
    });
    assert_eq!(patched["data"], expected);
    assert_eq!(
        send!(app, "GET", PREFS, Some(&alice.token)).json()["data"],
        expected,
        "what PATCH answered is what GET reads back"
    );

    // The home fields went to the home itself, through the home use case and its log.
    let (home, _) = home_state!(app, alice);
    assert_eq!(home["householdSize"], 3);
    assert_eq!(home["monthlyBudget"], 250.5);
    assert_eq!(home["sharedDietaryRestrictions"], json!(["nut-free"]));
    assert_eq!(home["version"], 2);
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes", alice.home),
        Some(&alice.token)
    )
    .json();
    let last = changes["data"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "home.updated");
    assert_eq!(last["actorId"], alice.id.to_string());

    // A partial update touches only what it names; null clears; a number works for money.
    let partial = send!(
        app,
        "PATCH",
        PREFS,
        Some(&alice.token),
        json!({"cookingSkillLevel": null, "monthlyBudget": 40, "mutedNotificationTypes": null})
    );
    assert_eq!(status(&partial), 200, "{:?}", partial.body);
    let mut now_expected = expected.clone();
    now_expected["cookingSkillLevel"] = Value::Null;
    now_expected["monthlyBudget"] = json!(40.0);
    now_expected["mutedNotificationTypes"] = json!([]);
    assert_eq!(partial.json()["data"], now_expected);

    // Only user fields: the home is not written at all.
    let (_, seq_before) = home_state!(app, alice);
    let user_only = send!(
        app,
        "PATCH",
        PREFS,
        Some(&alice.token),
        json!({"budgetConsciousness": "low"})
    );
    assert_eq!(status(&user_only), 200, "{:?}", user_only.body);
    let (home, seq_after) = home_state!(app, alice);
    assert_eq!((home["version"].clone(), seq_after), (json!(3), seq_before));
}
on_both_backends!(sqlite_round_trip, postgres_round_trip, round_trip);

async fn every_invalid_field_is_a_400_and_changes_nothing(db: &TestDb, state: AppState) {
    let _ = db;
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let set = send!(
        app,
        "PATCH",
        PREFS,
        Some(&alice.token),
        json!({"dietaryRestrictions": ["vegan"], "cookingSkillLevel": "beginner", "householdSize": 2})
    );
    assert_eq!(status(&set), 200, "{:?}", set.body);
    let prefs_before = send!(app, "GET", PREFS, Some(&alice.token)).json()["data"].clone();
    let home_before = home_state!(app, alice);

    let many: Vec<String> = (0..21).map(|i| format!("diet {i}")).collect();
    let cases = [
        (
            json!({"dietaryRestrictions": "vegan"}),
            "dietaryRestrictions",
        ),
        (json!({"dietaryRestrictions": [1]}), "dietaryRestrictions"),
        (
            json!({"dietaryRestrictions": ["  "]}),
            "dietaryRestrictions",
        ),
        (
            json!({"dietaryRestrictions": ["x".repeat(65)]}),
            "dietaryRestrictions",
        ),
        (json!({"dietaryRestrictions": many}), "dietaryRestrictions"),
        (json!({"cookingSkillLevel": "chef"}), "cookingSkillLevel"),
        (json!({"cookingSkillLevel": 3}), "cookingSkillLevel"),
        (
            json!({"budgetConsciousness": "frugal"}),
            "budgetConsciousness",
        ),
        (json!({"budgetConsciousness": true}), "budgetConsciousness"),
        (
            json!({"mutedNotificationTypes": ["marketing"]}),
            "mutedNotificationTypes",
        ),
        (
            json!({"mutedNotificationTypes": "sunday_sync"}),
            "mutedNotificationTypes",
        ),
        (json!({"householdSize": 0}), "householdSize"),
        (json!({"householdSize": 21}), "householdSize"),
        (json!({"householdSize": 2.5}), "householdSize"),
        (json!({"householdSize": "3"}), "householdSize"),
        (
            json!({"sharedDietaryRestrictions": [""]}),
            "sharedDietaryRestrictions",
        ),
        (
            json!({"sharedDietaryRestrictions": many}),
            "sharedDietaryRestrictions",
        ),
        (
            json!({"sharedDietaryRestrictions": {"a": 1}}),
            "sharedDietaryRestrictions",
        ),
        (json!({"monthlyBudget": -1}), "monthlyBudget"),
        (json!({"monthlyBudget": "-5"}), "monthlyBudget"),
        (json!({"monthlyBudget": "1.005"}), "monthlyBudget"),
        (json!({"monthlyBudget": "lots"}), "monthlyBudget"),
        (json!({"monthlyBudget": [10]}), "monthlyBudget"),
    ];
    for (body, field) in cases {
        // A valid field beside the bad one is not written either.
        let mut body = body;
        body["budgetConsciousness"] = body
            .get("budgetConsciousness")
            .cloned()
            .unwrap_or(json!("medium"));
        let reply = send!(app, "PATCH", PREFS, Some(&alice.token), body.clone());
        assert_eq!(status(&reply), 400, "{body}");
        let reply = reply.json();
        assert_eq!(reply["code"], "VALIDATION_ERROR", "{body}");
        assert_eq!(reply["details"].as_array().unwrap().len(), 1, "{reply}");
        assert_eq!(reply["details"][0]["field"], field, "{reply}");
        assert!(reply["details"][0]["message"].as_str().unwrap().len() > 5);
    }

    // Every bad field is listed at once.
    let reply = send!(
        app,
        "PATCH",
        format!("{PREFS}?homeId=not-a-uuid"),
        Some(&alice.token),
        json!({"cookingSkillLevel": "chef", "householdSize": 99, "monthlyBudget": -3})
    );
    assert_eq!(status(&reply), 400);
    let fields: Vec<String> = reply.json()["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "homeId",
            "cookingSkillLevel",
            "householdSize",
            "monthlyBudget"
        ]
    );

    // Nothing to update.
    for body in [json!({}), json!({"favouriteColour": "green"})] {
        let reply = send!(app, "PATCH", PREFS, Some(&alice.token), body);
        assert_eq!(status(&reply), 400);
        let reply = reply.json();
        assert_eq!(reply["error"], "No valid fields to update");
        assert_eq!(reply["success"], false);
    }
    // Not JSON at all, or not an object.
    let empty = test::TestRequest::patch()
        .uri(PREFS)
        .insert_header(("Authorization", format!("Bearer {}", alice.token)))
        .insert_header(("Content-Type", "application/json"))
        .peer_addr("192.0.2.9:1000".parse().unwrap())
        .to_request();
    assert_eq!(status(&call(&app, empty).await), 400);
    let reply = send!(app, "PATCH", PREFS, Some(&alice.token), json!("vegan"));
    assert_eq!(status(&reply), 400);
    // A malformed home id on GET too.
    let reply = send!(app, "GET", format!("{PREFS}?homeId=42"), Some(&alice.token));
    assert_eq!(status(&reply), 400);
    assert_eq!(reply.json()["details"][0]["field"], "homeId");

    assert_eq!(
        send!(app, "GET", PREFS, Some(&alice.token)).json()["data"],
        prefs_before,
        "refused updates changed nothing"
    );
    assert_eq!(
        home_state!(app, alice),
        home_before,
        "nor the home, nor its log"
    );
}
on_both_backends!(
    sqlite_every_invalid_field_is_a_400_and_changes_nothing,
    postgres_every_invalid_field_is_a_400_and_changes_nothing,
    every_invalid_field_is_a_400_and_changes_nothing
);

async fn only_admins_write_the_home_fields(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let vic = sign_up!(app, "vic");
    support::add_member(&db.db, alice.home, bob.id, "member").await;
    support::add_member(&db.db, alice.home, vic.id, "viewer").await;
    let home_before = home_state!(app, alice);

    for person in [&bob, &vic] {
        let before =
            send!(app, "GET", in_home(alice.home), Some(&person.token)).json()["data"].clone();
        assert_eq!(
            before["homeId"],
            alice.home.to_string(),
            "members read the home's fields"
        );
        for home_field in [
            json!({"householdSize": 4}),
            json!({"sharedDietaryRestrictions": ["kosher"]}),
            json!({"monthlyBudget": 10}),
            json!({"monthlyBudget": null}),
        ] {
            let mut body = home_field.clone();
            body["cookingSkillLevel"] = json!("advanced");
            let reply = send!(app, "PATCH", in_home(alice.home), Some(&person.token), body);
            assert_eq!(status(&reply), 403, "{home_field}");
            let reply = reply.json();
            assert_eq!(reply["code"], "FORBIDDEN");
            assert_eq!(reply["error"], "Forbidden: admin or owner role required");
        }
        assert_eq!(
            send!(app, "GET", in_home(alice.home), Some(&person.token)).json()["data"],
            before,
            "the refused update did not write the user's own fields either"
        );
    }
    assert_eq!(
        home_state!(app, alice),
        home_before,
        "the home is untouched"
    );

    // Their own fields alone are fine.
    let reply = send!(
        app,
        "PATCH",
        in_home(alice.home),
        Some(&bob.token),
        json!({"cookingSkillLevel": "advanced"})
    );
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    assert_eq!(reply.json()["data"]["cookingSkillLevel"], "advanced");

    // Once admin, bob may.
    let promoted = send!(
        app,
        "PATCH",
        format!("/api/homes/{}/members/{}", alice.home, bob.id),
        Some(&alice.token),
        json!({"role": "admin"})
    );
    assert_eq!(status(&promoted), 200, "{:?}", promoted.body);
    let reply = send!(
        app,
        "PATCH",
        in_home(alice.home),
        Some(&bob.token),
        json!({"householdSize": 4, "monthlyBudget": "99.99", "dietaryRestrictions": ["pescatarian"]})
    );
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    let data = reply.json()["data"].clone();
    assert_eq!(
        (data["householdSize"].clone(), data["monthlyBudget"].clone()),
        (json!(4), json!(99.99))
    );
    assert_eq!(data["dietaryRestrictions"], json!(["pescatarian"]));
    let (home, _) = home_state!(app, alice);
    assert_eq!(home["householdSize"], 4);
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{}/changes", alice.home),
        Some(&alice.token)
    )
    .json();
    let last = changes["data"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["kind"].clone(), last["actorId"].clone()),
        (json!("home.updated"), json!(bob.id.to_string()))
    );
    // Bob's own home is not the one that changed.
    let own = send!(app, "GET", PREFS, Some(&bob.token)).json()["data"].clone();
    assert_eq!(
        (own["homeId"].clone(), own["householdSize"].clone()),
        (json!(bob.home.to_string()), Value::Null)
    );
}
on_both_backends!(
    sqlite_only_admins_write_the_home_fields,
    postgres_only_admins_write_the_home_fields,
    only_admins_write_the_home_fields
);

async fn a_home_you_are_not_in_is_404(db: &TestDb, state: AppState) {
    let _ = db;
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let mallory = sign_up!(app, "mallory");
    let mallory_before = send!(app, "GET", PREFS, Some(&mallory.token)).json()["data"].clone();
    let alice_home_before = home_state!(app, alice);

    for home in [alice.home, Uuid::now_v7()] {
        let reply = send!(app, "GET", in_home(home), Some(&mallory.token));
        assert_eq!(status(&reply), 404);
        assert_eq!(reply.json()["error"], "Home not found");
        for body in [
            json!({"cookingSkillLevel": "beginner"}),
            json!({"householdSize": 9, "cookingSkillLevel": "beginner"}),
        ] {
            let reply = send!(app, "PATCH", in_home(home), Some(&mallory.token), body);
            assert_eq!(status(&reply), 404);
        }
    }
    assert_eq!(
        send!(app, "GET", PREFS, Some(&mallory.token)).json()["data"],
        mallory_before
    );
    assert_eq!(home_state!(app, alice), alice_home_before);

    for method in ["GET", "PATCH"] {
        let reply = send!(
            app,
            method,
            PREFS,
            None,
            json!({"cookingSkillLevel": "beginner"})
        );
        assert_eq!(status(&reply), 401, "{method}");
    }
}
on_both_backends!(
    sqlite_a_home_you_are_not_in_is_404,
    postgres_a_home_you_are_not_in_is_404,
    a_home_you_are_not_in_is_404
);

/// Without `?homeId`, the home is the token's; once the caller has left it, their current
/// home; with no home at all, the home fields are empty and cannot be written.
async fn the_default_home_follows_the_session(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let set = send!(
        app,
        "PATCH",
        PREFS,
        Some(&alice.token),
        json!({"householdSize": 2})
    );
    assert_eq!(status(&set), 200, "{:?}", set.body);
    support::add_member(&db.db, alice.home, bob.id, "member").await;

    let activated = send!(
        app,
        "POST",
        format!("/api/homes/{}/activate", alice.home),
        Some(&bob.token)
    );
    assert_eq!(status(&activated), 200, "{:?}", activated.body);
    let in_alices = activated.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = send!(app, "GET", PREFS, Some(&in_alices)).json()["data"].clone();
    assert_eq!(
        (seen["homeId"].clone(), seen["householdSize"].clone()),
        (json!(alice.home.to_string()), json!(2))
    );
    let own = send!(app, "GET", PREFS, Some(&bob.token)).json()["data"].clone();
    assert_eq!(
        own["homeId"],
        bob.home.to_string(),
        "the older token keeps its home"
    );

    // Bob leaves; his token still names alice's home, which he may no longer see.
    let left = send!(
        app,
        "POST",
        format!("/api/homes/{}/leave", alice.home),
        Some(&in_alices)
    );
    assert_eq!(status(&left), 200, "{:?}", left.body);
    let after = send!(app, "GET", PREFS, Some(&in_alices)).json()["data"].clone();
    assert_eq!(
        (after["homeId"].clone(), after["householdSize"].clone()),
        (json!(bob.home.to_string()), Value::Null)
    );

    // Bob deletes his only home: no home fields to read or write.
    let deleted = send!(
        app,
        "DELETE",
        format!("/api/homes/{}", bob.home),
        Some(&bob.token)
    );
    assert_eq!(status(&deleted), 200, "{:?}", deleted.body);
    let homeless = send!(app, "GET", PREFS, Some(&bob.token)).json()["data"].clone();
    assert_eq!(
        (
            homeless["homeId"].clone(),
            homeless["householdSize"].clone(),
            homeless["sharedDietaryRestrictions"].clone(),
            homeless["monthlyBudget"].clone()
        ),
        (Value::Null, Value::Null, json!([]), Value::Null)
    );
    let reply = send!(
        app,
        "PATCH",
        PREFS,
        Some(&bob.token),
        json!({"householdSize": 1, "cookingSkillLevel": "beginner"})
    );
    assert_eq!(status(&reply), 404);
    assert_eq!(
        send!(app, "GET", PREFS, Some(&bob.token)).json()["data"]["cookingSkillLevel"],
        Value::Null
    );
    let reply = send!(
        app,
        "PATCH",
        PREFS,
        Some(&bob.token),
        json!({"cookingSkillLevel": "beginner"})
    );
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    assert_eq!(reply.json()["data"]["cookingSkillLevel"], "beginner");
}
on_both_backends!(
    sqlite_the_default_home_follows_the_session,
    postgres_the_default_home_follows_the_session,
    the_default_home_follows_the_session
);
