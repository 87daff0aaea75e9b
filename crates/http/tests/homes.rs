//! Homes and membership over HTTP: what each role may do, and that nobody outside a home can
//! see or touch it.

#[macro_use]
mod support;

use actix_web::test;
use pantry_http::state::AppState;
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use support::{CapturedLog, Person, call, req, status};
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

async fn create_list_get_update(db: &TestDb, state: AppState) {
    let _ = db;
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let list = send!(app, "GET", "/api/homes", Some(&alice.token)).json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["name"], "alice's Kitchen");
    assert_eq!(list["data"][0]["role"], "owner");
    assert_eq!(list["data"][0]["memberCount"], 1);

    let created = send!(
        app,
        "POST",
        "/api/homes",
        Some(&alice.token),
        json!({"name": "  Beach House "})
    );
    assert_eq!(status(&created), 201, "{:?}", created.body);
    let beach = created.json()["data"].clone();
    assert_eq!(beach["name"], "Beach House");
    assert_eq!(beach["ownerId"], alice.id.to_string());
    assert_eq!(beach["timezone"], "UTC");
    let beach_id = beach["id"].as_str().unwrap().to_owned();
    assert_eq!(
        send!(app, "GET", "/api/homes", Some(&alice.token)).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let updated = send!(
        app,
        "PUT",
        format!("/api/homes/{beach_id}"),
        Some(&alice.token),
        json!({"timezone": "Asia/Bangkok", "currency": "thb", "monthlyBudget": "500.50", "householdSize": 3,
               "sharedDietaryRestrictions": ["vegetarian", " Vegetarian ", "nut-free"], "description": "by the sea",
               "id": "ignored", "createdAt": "ignored too"})
    );
    assert_eq!(status(&updated), 200, "{:?}", updated.body);
    let home = updated.json()["data"].clone();
    assert_eq!(home["timezone"], "Asia/Bangkok");
    assert_eq!(home["currency"], "THB");
    assert_eq!(home["monthlyBudget"], 500.5);
    assert_eq!(home["householdSize"], 3);
    assert_eq!(
        home["sharedDietaryRestrictions"],
        json!(["vegetarian", "nut-free"])
    );
    assert_eq!(home["description"], "by the sea");
    assert_eq!(home["version"], beach["version"].as_i64().unwrap() + 1);

    // PATCH with null clears; a numeric budget works as well as a string one.
    let cleared = send!(
        app,
        "PATCH",
        format!("/api/homes/{beach_id}"),
        Some(&alice.token),
        json!({"description": null, "monthlyBudget": 42, "householdSize": null})
    )
    .json();
    assert_eq!(cleared["data"]["description"], Value::Null);
    assert_eq!(cleared["data"]["monthlyBudget"], 42.0);
    assert_eq!(cleared["data"]["householdSize"], Value::Null);
    assert_eq!(
        cleared["data"]["timezone"], "Asia/Bangkok",
        "untouched fields stay"
    );
}
on_both_backends!(
    sqlite_create_list_get_update,
    postgres_create_list_get_update,
    create_list_get_update
);

/// A home edit with an `If-Match` header.
fn if_match(method: &str, uri: &str, token: &str, tag: &str, body: Value) -> actix_http::Request {
    let mut r = req(method, uri, Some(token), Some(body));
    r.headers_mut().insert(
        actix_web::http::header::IF_MATCH,
        actix_web::http::header::HeaderValue::from_str(tag).unwrap(),
    );
    r
}

async fn edits_honour_versions(db: &TestDb, state: AppState) {
    let _ = db;
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let uri = format!("/api/homes/{}", alice.home);
    let get = |reply: &support::Reply| reply.json()["data"].clone();
    let before = get(&send!(app, "GET", uri, Some(&alice.token)));
    let v1 = before["version"].as_i64().unwrap();
    macro_rules! logged_events {
        () => {
            send!(
                app,
                "GET",
                format!("{uri}/changes?since=0&limit=100"),
                Some(&alice.token)
            )
            .json()["data"]["events"]
                .as_array()
                .map(Vec::len)
        };
    }

    // The current version in If-Match applies and bumps it.
    let ok = call(
        &app,
        if_match(
            "PUT",
            &uri,
            &alice.token,
            &format!("\"{v1}\""),
            json!({"name": "Version two"}),
        ),
    )
    .await;
    assert_eq!(status(&ok), 200, "{:?}", ok.body);
    assert_eq!(ok.json()["data"]["version"], v1 + 1);
    let v2 = v1 + 1;
    let logged = logged_events!();
    assert!(logged.is_some_and(|n| n >= 2), "{logged:?}");

    // A stale If-Match: 409 STALE_VERSION with the home as GET shows it; nothing changed.
    let stale = call(
        &app,
        if_match(
            "PUT",
            &uri,
            &alice.token,
            &format!("\"{v1}\""),
            json!({"name": "Never stored"}),
        ),
    )
    .await;
    assert_eq!(status(&stale), 409, "{:?}", stale.body);
    assert_eq!(stale.json()["code"], "STALE_VERSION");
    assert_eq!(stale.json()["current"]["version"], v2);
    assert_eq!(stale.json()["current"]["name"], "Version two");
    let now = get(&send!(app, "GET", uri, Some(&alice.token)));
    assert_eq!(
        stale.json()["current"],
        now,
        "current is the home as GET answers it"
    );
    assert_eq!(now["role"], "owner");
    assert_eq!(logged_events!(), logged, "a stale edit logs nothing");

    // `version` in the body works the same, on PATCH too; If-Match takes precedence over it.
    let body_stale = send!(
        app,
        "PATCH",
        uri,
        Some(&alice.token),
        json!({"name": "X", "version": v1})
    );
    assert_eq!(status(&body_stale), 409, "{:?}", body_stale.body);
    assert_eq!(body_stale.json()["current"]["version"], v2);
    let body_ok = send!(
        app,
        "PATCH",
        uri,
        Some(&alice.token),
        json!({"name": "Body", "version": v2})
    );
    assert_eq!(status(&body_ok), 200, "{:?}", body_ok.body);
    let v3 = v2 + 1;
    assert_eq!(body_ok.json()["data"]["version"], v3);
    let header_wins = call(
        &app,
        if_match(
            "PUT",
            &uri,
            &alice.token,
            &format!("\"{v1}\""),
            json!({"name": "X", "version": v3}),
        ),
    )
    .await;
    assert_eq!(status(&header_wins), 409, "{:?}", header_wins.body);

    // The weak form W/"3" and a bare number work.
    let weak = call(
        &app,
        if_match(
            "PATCH",
            &uri,
            &alice.token,
            &format!("W/\"{v3}\""),
            json!({"name": "Weak"}),
        ),
    )
    .await;
    assert_eq!(status(&weak), 200, "{:?}", weak.body);
    assert_eq!(weak.json()["data"]["name"], "Weak");
    let v4 = v3 + 1;
    let bare = call(
        &app,
        if_match(
            "PUT",
            &uri,
            &alice.token,
            &v4.to_string(),
            json!({"name": "Bare"}),
        ),
    )
    .await;
    assert_eq!(status(&bare), 200, "{:?}", bare.body);
    let v5 = v4 + 1;

    // A malformed If-Match is a 400 and changes nothing.
    let bad = call(
        &app,
        if_match(
            "PUT",
            &uri,
            &alice.token,
            "\"three\"",
            json!({"name": "Bad"}),
        ),
    )
    .await;
    assert_eq!(status(&bad), 400, "{:?}", bad.body);
    assert_eq!(
        get(&send!(app, "GET", uri, Some(&alice.token)))["version"],
        v5
    );

    // Without a version (or with `*`) the last write wins.
    let blind = send!(
        app,
        "PUT",
        uri,
        Some(&alice.token),
        json!({"name": "Blind"})
    );
    assert_eq!(status(&blind), 200, "{:?}", blind.body);
    let any = call(
        &app,
        if_match("PUT", &uri, &alice.token, "*", json!({"name": "Any"})),
    )
    .await;
    assert_eq!(status(&any), 200, "{:?}", any.body);
    let last = get(&send!(app, "GET", uri, Some(&alice.token)));
    assert_eq!(last["name"], "Any");
    assert_eq!(last["version"], v5 + 2);
}
on_both_backends!(
    sqlite_edits_honour_versions,
    postgres_edits_honour_versions,
    edits_honour_versions
);

#[actix_web::test]
async fn every_invalid_field_is_a_400_and_changes_nothing() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let alice = sign_up!(app, "alice");
    let uri = format!("/api/homes/{}", alice.home);
    let before = send!(app, "GET", uri, Some(&alice.token)).json()["data"].clone();
    let cases = [
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"currency": "EURO"}), "currency"),
        (json!({"monthlyBudget": -1}), "monthlyBudget"),
        (json!({"monthlyBudget": "1.005"}), "monthlyBudget"),
        (json!({"monthlyBudget": "lots"}), "monthlyBudget"),
        (json!({"householdSize": 0}), "householdSize"),
        (json!({"householdSize": 21}), "householdSize"),
        (
            json!({"sharedDietaryRestrictions": vec!["x"; 21].iter().enumerate().map(|(i, _)| format!("diet {i}")).collect::<Vec<_>>()}),
            "sharedDietaryRestrictions",
        ),
        (
            json!({"sharedDietaryRestrictions": [""]}),
            "sharedDietaryRestrictions",
        ),
        (json!({"description": "d".repeat(1001)}), "description"),
    ];
    for (body, field) in cases {
        let reply = send!(app, "PUT", uri, Some(&alice.token), body.clone());
        assert_eq!(status(&reply), 400, "{body}");
        let reply = reply.json();
        assert_eq!(reply["code"], "VALIDATION_ERROR");
        assert_eq!(reply["details"][0]["field"], field, "{reply}");
    }
    // Two bad fields are both reported, and a good field beside them is not applied.
    let reply = send!(
        app,
        "PUT",
        uri,
        Some(&alice.token),
        json!({"name": "Fine", "currency": "12", "householdSize": 99})
    )
    .json();
    assert_eq!(reply["details"].as_array().unwrap().len(), 2, "{reply}");
    let wrong_type = send!(
        app,
        "PUT",
        uri,
        Some(&alice.token),
        json!({"householdSize": "three"})
    );
    assert_eq!(status(&wrong_type), 400);
    let created = send!(
        app,
        "POST",
        "/api/homes",
        Some(&alice.token),
        json!({"name": ""})
    );
    assert_eq!(status(&created), 400);
    assert_eq!(
        send!(app, "GET", uri, Some(&alice.token)).json()["data"],
        before
    );
}

async fn outsiders_get_404_everywhere_and_change_nothing(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");
    support::add_member(&db.db, alice.home, carol.id, "member").await;
    let home = alice.home;
    let before_home =
        send!(app, "GET", format!("/api/homes/{home}"), Some(&alice.token)).json()["data"].clone();
    let before_members = send!(
        app,
        "GET",
        format!("/api/homes/{home}/members"),
        Some(&alice.token)
    )
    .json()["data"]
        .clone();

    let attempts: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/api/homes/{home}"), None),
        (
            "PUT",
            format!("/api/homes/{home}"),
            Some(json!({"name": "Mine now"})),
        ),
        (
            "PATCH",
            format!("/api/homes/{home}"),
            Some(json!({"name": "Mine now"})),
        ),
        ("DELETE", format!("/api/homes/{home}"), None),
        ("GET", format!("/api/homes/{home}/members"), None),
        (
            "PATCH",
            format!("/api/homes/{home}/members/{}", carol.id),
            Some(json!({"role": "viewer"})),
        ),
        (
            "DELETE",
            format!("/api/homes/{home}/members/{}", carol.id),
            None,
        ),
        ("POST", format!("/api/homes/{home}/leave"), None),
        (
            "POST",
            format!("/api/homes/{home}/transfer"),
            Some(json!({"userId": bob.id})),
        ),
        ("POST", format!("/api/homes/{home}/activate"), None),
    ];
    for (method, uri, body) in attempts {
        let reply = call(&app, req(method, &uri, Some(&bob.token), body)).await;
        assert_eq!(status(&reply), 404, "{method} {uri}: {:?}", reply.body);
        assert_eq!(reply.json()["code"], "NOT_FOUND");
    }
    // Unknown and malformed ids look the same as someone else's home.
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{}", Uuid::now_v7()),
            Some(&bob.token)
        )),
        404
    );
    assert_eq!(
        status(&send!(
            app,
            "GET",
            "/api/homes/not-a-uuid",
            Some(&bob.token)
        )),
        404
    );
    // Bob's list shows only his own home.
    let bobs = send!(app, "GET", "/api/homes", Some(&bob.token)).json();
    assert_eq!(bobs["data"].as_array().unwrap().len(), 1);
    assert_eq!(bobs["data"][0]["id"], bob.home.to_string());

    assert_eq!(
        send!(app, "GET", format!("/api/homes/{home}"), Some(&alice.token)).json()["data"],
        before_home
    );
    assert_eq!(
        send!(
            app,
            "GET",
            format!("/api/homes/{home}/members"),
            Some(&alice.token)
        )
        .json()["data"],
        before_members
    );
    // Without a token at all: 401.
    let anonymous = call(
        &app,
        test::TestRequest::get()
            .uri(&format!("/api/homes/{home}"))
            .to_request(),
    )
    .await;
    assert_eq!(status(&anonymous), 401);
}
on_both_backends!(
    sqlite_outsiders_get_404,
    postgres_outsiders_get_404,
    outsiders_get_404_everywhere_and_change_nothing
);

async fn roles_decide_who_may_do_what(db: &TestDb, state: AppState) {
    let app = app!(state);
    let owner = sign_up!(app, "olivia");
    let admin = sign_up!(app, "adam");
    let member = sign_up!(app, "mia");
    let viewer = sign_up!(app, "victor");
    let home = owner.home;
    support::add_member(&db.db, home, admin.id, "admin").await;
    support::add_member(&db.db, home, member.id, "member").await;
    support::add_member(&db.db, home, viewer.id, "viewer").await;
    let uri = format!("/api/homes/{home}");

    // Everyone inside can read.
    for p in [&owner, &admin, &member, &viewer] {
        assert_eq!(status(&send!(app, "GET", uri, Some(&p.token))), 200);
        assert_eq!(
            send!(app, "GET", format!("{uri}/members"), Some(&p.token)).json()["data"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
    // Editing the home: admins and the owner only.
    for p in [&member, &viewer] {
        let reply = send!(app, "PUT", uri, Some(&p.token), json!({"name": "Renamed"}));
        assert_eq!(status(&reply), 403, "{:?}", reply.body);
        assert_eq!(reply.json()["code"], "FORBIDDEN");
    }
    assert_eq!(
        status(&send!(
            app,
            "PUT",
            uri,
            Some(&admin.token),
            json!({"name": "Renamed by admin"})
        )),
        200
    );
    // Deleting and transferring: the owner only.
    assert_eq!(status(&send!(app, "DELETE", uri, Some(&admin.token))), 403);
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/transfer"),
            Some(&admin.token),
            json!({"userId": admin.id})
        )),
        403
    );
    // Roles: members cannot change them; admins manage members and viewers, not admins.
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", viewer.id),
            Some(&member.token),
            json!({"role": "member"})
        )),
        403
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", viewer.id),
            Some(&admin.token),
            json!({"role": "member"})
        )),
        200
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", viewer.id),
            Some(&admin.token),
            json!({"role": "admin"})
        )),
        403
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", owner.id),
            Some(&admin.token),
            json!({"role": "member"})
        )),
        409
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", member.id),
            Some(&owner.token),
            json!({"role": "owner"})
        )),
        409
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", member.id),
            Some(&owner.token),
            json!({"role": "chef"})
        )),
        400
    );
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            format!("{uri}/members/{}", Uuid::now_v7()),
            Some(&owner.token),
            json!({"role": "viewer"})
        )),
        404
    );
    let roles: Vec<(String, String)> =
        send!(app, "GET", format!("{uri}/members"), Some(&owner.token)).json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["userId"].as_str().unwrap().to_owned(),
                    m["role"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    assert!(
        roles.contains(&(viewer.id.to_string(), "member".to_owned())),
        "{roles:?}"
    );

    // Removing: not the owner, admins only by the owner, members by admins.
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("{uri}/members/{}", owner.id),
            Some(&admin.token)
        )),
        409
    );
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("{uri}/members/{}", admin.id),
            Some(&member.token)
        )),
        403
    );
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("{uri}/members/{}", viewer.id),
            Some(&admin.token)
        )),
        200
    );
    assert_eq!(
        status(&send!(app, "GET", uri, Some(&viewer.token))),
        404,
        "a removed member sees nothing"
    );

    // Leaving: anyone but the owner.
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/leave"),
            Some(&owner.token)
        )),
        409
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/leave"),
            Some(&member.token)
        )),
        200
    );
    assert_eq!(status(&send!(app, "GET", uri, Some(&member.token))), 404);

    // Transfer: the admin becomes owner, the owner becomes admin and may then leave.
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/transfer"),
            Some(&owner.token),
            json!({"userId": member.id})
        )),
        404
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/transfer"),
            Some(&owner.token),
            json!({"userId": admin.id})
        )),
        200
    );
    let home_now = send!(app, "GET", uri, Some(&admin.token)).json()["data"].clone();
    assert_eq!(home_now["ownerId"], admin.id.to_string());
    assert_eq!(home_now["role"], "owner");
    assert_eq!(
        send!(app, "GET", uri, Some(&owner.token)).json()["data"]["role"],
        "admin"
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("{uri}/leave"),
            Some(&owner.token)
        )),
        200
    );
    let members =
        send!(app, "GET", format!("{uri}/members"), Some(&admin.token)).json()["data"].clone();
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["role"], "owner");
}
on_both_backends!(sqlite_roles, postgres_roles, roles_decide_who_may_do_what);

async fn switching_and_deleting_homes(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    support::add_member(&db.db, alice.home, bob.id, "member").await;

    let switched = send!(
        app,
        "POST",
        format!("/api/homes/{}/activate", alice.home),
        Some(&bob.token)
    );
    assert_eq!(status(&switched), 200, "{:?}", switched.body);
    let data = switched.json()["data"].clone();
    assert_eq!(data["home"]["id"], alice.home.to_string());
    let token = data["token"].as_str().unwrap().to_owned();
    assert_eq!(data["expiresIn"], 900);
    let me = send!(app, "GET", "/api/auth/me", Some(&token)).json();
    assert_eq!(me["data"]["homeId"], alice.home.to_string());
    // The old token is still valid (same session), and /me reads the database, not the token.
    assert_eq!(
        send!(app, "GET", "/api/auth/me", Some(&bob.token)).json()["data"]["homeId"],
        alice.home.to_string()
    );

    // The owner deletes the home: it is gone for everyone, and Bob falls back to his own home.
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("/api/homes/{}", alice.home),
            Some(&bob.token)
        )),
        403
    );
    assert_eq!(
        status(&send!(
            app,
            "DELETE",
            format!("/api/homes/{}", alice.home),
            Some(&alice.token)
        )),
        200
    );
    for p in [&alice, &bob] {
        assert_eq!(
            status(&send!(
                app,
                "GET",
                format!("/api/homes/{}", alice.home),
                Some(&p.token)
            )),
            404
        );
    }
    assert_eq!(
        send!(app, "GET", "/api/auth/me", Some(&token)).json()["data"]["homeId"],
        bob.home.to_string()
    );
    assert_eq!(
        send!(app, "GET", "/api/auth/me", Some(&alice.token)).json()["data"]["homeId"],
        Value::Null
    );
    assert_eq!(
        send!(app, "GET", "/api/homes", Some(&alice.token)).json()["data"],
        json!([])
    );
}
on_both_backends!(
    sqlite_switching_and_deleting,
    postgres_switching_and_deleting,
    switching_and_deleting_homes
);
