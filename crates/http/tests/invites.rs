//! Invites over HTTP (creating, previewing, accepting, limits, expiry, revocation) and the
//! change feed their operations write.

#[macro_use]
mod support;

use actix_web::http::header;
use actix_web::test;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration as Days;
use pantry_core::accounts::session::TokenSource;
use pantry_core::clock::FixedClock;
use pantry_core::homes::invites::InviteService;
use pantry_http::auth::random_tokens::OsRandomTokens;
use pantry_store::test_support::TestDb;
use pantry_store::{StoreHomes, StoreInvites};
use serde_json::{Value, json};
use std::sync::Arc;
use support::{CapturedLog, Person, call, status};

fn claim(token: &str, name: &str) -> Value {
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    payload[name].clone()
}

async fn invite_flow(db: &TestDb) {
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let carol = sign_up!(app, "carol");

    // Created without a body, as the earlier clients do: single use, 7 days, member.
    let created = send!(
        app,
        "POST",
        format!("/api/homes/{}/invites", alice.home),
        Some(&alice.token)
    );
    assert_eq!(status(&created), 201, "{:?}", created.body);
    let data = created.json()["data"].clone();
    let code = data["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 20, "80 bits as hex");
    let expires: chrono::DateTime<chrono::Utc> =
        data["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "{days} hours");
    assert_eq!(data["invite"]["role"], "member");
    assert_eq!(data["invite"]["maxUses"], 1);

    // Anyone with the code may see who invites them where, and nothing else.
    let preview = send!(app, "GET", format!("/api/invites/{code}"), None);
    assert_eq!(status(&preview), 200);
    let preview = preview.json()["data"].clone();
    assert_eq!(
        preview,
        json!({"homeName": "alice's Kitchen", "inviterName": "alice", "expiresAt": data["expiresAt"]})
    );

    let joined = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&bob.token)
    );
    assert_eq!(status(&joined), 200, "{:?}", joined.body);
    let joined = joined.json()["data"].clone();
    assert_eq!(joined["homeId"], alice.home.to_string());
    assert_eq!(joined["homeName"], "alice's Kitchen");
    assert_eq!(
        claim(joined["token"].as_str().unwrap(), "homeId"),
        alice.home.to_string()
    );
    let home = send!(
        app,
        "GET",
        format!("/api/homes/{}", alice.home),
        Some(&bob.token)
    )
    .json();
    assert_eq!(home["data"]["role"], "member");
    assert_eq!(
        send!(app, "GET", "/api/auth/me", Some(&bob.token)).json()["data"]["homeId"],
        alice.home.to_string()
    );

    // Twice by the same person: a clear 409; by someone else: used up.
    let again = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&bob.token)
    );
    assert_eq!(
        status(&again),
        410,
        "the only use is spent: {:?}",
        again.body
    );
    let late = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&carol.token)
    );
    assert_eq!(status(&late), 410);
    assert_eq!(late.json()["code"], "INVITE_USED");
    assert_eq!(
        status(&send!(app, "GET", format!("/api/invites/{code}"), None)),
        404
    );
    let members = send!(
        app,
        "GET",
        format!("/api/homes/{}/members", alice.home),
        Some(&alice.token)
    )
    .json();
    assert_eq!(members["data"].as_array().unwrap().len(), 2);

    // A multi-use viewer invite; a member already inside gets 409 and uses nothing.
    let multi = send!(
        app,
        "POST",
        format!("/api/homes/{}/invites", alice.home),
        Some(&alice.token),
        json!({"maxUses": 2, "role": "viewer", "expiresInDays": 1})
    )
    .json()["data"]
        .clone();
    let multi_code = multi["code"].as_str().unwrap().to_owned();
    let dup = send!(
        app,
        "POST",
        format!("/api/invites/{multi_code}/accept"),
        Some(&bob.token)
    );
    assert_eq!(status(&dup), 409);
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("/api/invites/{multi_code}/accept"),
            Some(&carol.token)
        )),
        200
    );
    assert_eq!(
        send!(
            app,
            "GET",
            format!("/api/homes/{}", alice.home),
            Some(&carol.token)
        )
        .json()["data"]["role"],
        "viewer"
    );
    let list = send!(
        app,
        "GET",
        format!("/api/homes/{}/invites", alice.home),
        Some(&alice.token)
    )
    .json();
    let listed = list["data"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["uses"], 1, "newest first, one use so far: {list}");
    assert_eq!(listed[1]["status"], "used");

    // Revoked invites stop working at once.
    let revoke_uri = format!(
        "/api/homes/{}/invites/{}",
        alice.home,
        multi["invite"]["id"].as_str().unwrap()
    );
    assert_eq!(
        status(&send!(app, "DELETE", revoke_uri, Some(&alice.token))),
        200
    );
    let dave = sign_up!(app, "dave");
    let revoked = send!(
        app,
        "POST",
        format!("/api/invites/{multi_code}/accept"),
        Some(&dave.token)
    );
    assert_eq!(status(&revoked), 410);
    assert_eq!(revoked.json()["code"], "INVITE_REVOKED");

    // Unknown codes and ids.
    assert_eq!(
        status(&send!(
            app,
            "GET",
            "/api/invites/0123456789abcdef0123",
            None
        )),
        404
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            "/api/invites/0123456789abcdef0123/accept",
            Some(&dave.token)
        )),
        404
    );
    let foreign = format!(
        "/api/homes/{}/invites/{}",
        dave.home,
        multi["invite"]["id"].as_str().unwrap()
    );
    assert_eq!(
        status(&send!(app, "DELETE", foreign, Some(&dave.token))),
        404
    );
    // Accepting needs a signed-in person.
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("/api/invites/{code}/accept"),
            None
        )),
        401
    );
}

#[actix_web::test]
async fn sqlite_invite_flow() {
    invite_flow(&TestDb::sqlite().await).await;
}

#[actix_web::test]
async fn postgres_invite_flow() {
    if let Some(db) = TestDb::postgres().await {
        invite_flow(&db).await;
    }
}

#[actix_web::test]
async fn only_admins_invite_and_only_the_owner_invites_admins() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let owner = sign_up!(app, "olivia");
    let admin = sign_up!(app, "adam");
    let member = sign_up!(app, "mia");
    let outsider = sign_up!(app, "otto");
    support::add_member(&db.db, owner.home, admin.id, "admin").await;
    support::add_member(&db.db, owner.home, member.id, "member").await;
    let uri = format!("/api/homes/{}/invites", owner.home);

    assert_eq!(status(&send!(app, "POST", uri, Some(&member.token))), 403);
    assert_eq!(status(&send!(app, "GET", uri, Some(&member.token))), 403);
    assert_eq!(status(&send!(app, "POST", uri, Some(&outsider.token))), 404);
    assert_eq!(status(&send!(app, "GET", uri, Some(&outsider.token))), 404);
    assert_eq!(
        status(&send!(
            app,
            "POST",
            uri,
            Some(&admin.token),
            json!({"role": "admin"})
        )),
        403
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            uri,
            Some(&admin.token),
            json!({"role": "viewer"})
        )),
        201
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            uri,
            Some(&owner.token),
            json!({"role": "admin"})
        )),
        201
    );
    // Nothing the outsiders tried was created.
    assert_eq!(
        send!(app, "GET", uri, Some(&owner.token)).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_web::test]
async fn every_invalid_invite_setting_is_a_400() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let owner = sign_up!(app, "olivia");
    let uri = format!("/api/homes/{}/invites", owner.home);
    for (body, field) in [
        (json!({"maxUses": 0}), "maxUses"),
        (json!({"maxUses": 51}), "maxUses"),
        (json!({"expiresInDays": 0}), "expiresInDays"),
        (json!({"expiresInDays": 31}), "expiresInDays"),
        (json!({"role": "owner"}), "role"),
        (json!({"role": "chef"}), "role"),
    ] {
        let reply = send!(app, "POST", uri, Some(&owner.token), body.clone());
        assert_eq!(status(&reply), 400, "{body}");
        assert_eq!(reply.json()["details"][0]["field"], field);
    }
    let unlimited = send!(
        app,
        "POST",
        uri,
        Some(&owner.token),
        json!({"maxUses": null})
    );
    assert_eq!(unlimited.json()["data"]["invite"]["maxUses"], Value::Null);
    let broken = call(
        &app,
        test::TestRequest::post()
            .uri(&uri)
            .peer_addr("192.0.2.9:1000".parse().unwrap())
            .insert_header((header::AUTHORIZATION, format!("Bearer {}", owner.token)))
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload("{\"maxUses\": ")
            .to_request(),
    )
    .await;
    assert_eq!(status(&broken), 400);
    assert_eq!(
        send!(app, "GET", uri, Some(&owner.token)).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn expired_invites_cannot_be_seen_or_used() {
    let db = TestDb::sqlite().await;
    let mut state = support::state(&db.db, CapturedLog::default().logger());
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    state.invites = Arc::new(InviteService::new(
        Arc::new(StoreInvites::new(db.db.clone())),
        Arc::new(StoreHomes::new(db.db.clone())),
        Arc::new(OsRandomTokens) as Arc<dyn TokenSource>,
        clock.clone(),
    ));
    let app = app!(state);
    let owner = sign_up!(app, "olivia");
    let guest = sign_up!(app, "gus");
    let code = send!(
        app,
        "POST",
        format!("/api/homes/{}/invites", owner.home),
        Some(&owner.token),
        json!({"expiresInDays": 2})
    )
    .json()["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(Days::days(2) + Days::seconds(1));
    assert_eq!(
        status(&send!(app, "GET", format!("/api/invites/{code}"), None)),
        404
    );
    let late = send!(
        app,
        "POST",
        format!("/api/invites/{code}/accept"),
        Some(&guest.token)
    );
    assert_eq!(status(&late), 410);
    assert_eq!(late.json()["code"], "INVITE_EXPIRED");
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{}", owner.home),
            Some(&guest.token)
        )),
        404
    );
}

async fn change_feed_orders_resumes_and_pages(db: &TestDb) {
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");
    let home = alice.home;
    let code = send!(
        app,
        "POST",
        format!("/api/homes/{home}/invites"),
        Some(&alice.token)
    )
    .json()["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        status(&send!(
            app,
            "PUT",
            format!("/api/homes/{home}"),
            Some(&alice.token),
            json!({"name": "Home"})
        )),
        200
    );
    assert_eq!(
        status(&send!(
            app,
            "POST",
            format!("/api/invites/{code}/accept"),
            Some(&bob.token)
        )),
        200
    );
    let role_uri = format!("/api/homes/{home}/members/{}", bob.id);
    assert_eq!(
        status(&send!(
            app,
            "PATCH",
            role_uri,
            Some(&alice.token),
            json!({"role": "viewer"})
        )),
        200
    );
    // A refused write appends nothing.
    assert_eq!(
        status(&send!(
            app,
            "PUT",
            format!("/api/homes/{home}"),
            Some(&alice.token),
            json!({"timezone": "Nowhere/Else"})
        )),
        400
    );

    let all = send!(
        app,
        "GET",
        format!("/api/homes/{home}/changes"),
        Some(&bob.token)
    );
    assert_eq!(
        status(&all),
        200,
        "a viewer may read the feed: {:?}",
        all.body
    );
    let page = all.json()["data"].clone();
    let kinds: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "home.created",
            "invite.created",
            "home.updated",
            "member.joined",
            "member.role_changed"
        ]
    );
    let seqs: Vec<i64> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    // Seq 5 is the owner's notice that the new member joined: not this reader's to see.
    assert_eq!(seqs, [1, 2, 3, 4, 6]);
    assert_eq!(page["latestSeq"], 6);
    assert_eq!(page["hasMore"], false);
    let joined = &page["events"][3];
    assert_eq!(joined["entity"], "member");
    assert_eq!(joined["actorId"], bob.id.to_string());
    assert_eq!(joined["actorKind"], "user");
    assert_eq!(joined["data"]["role"], "member");
    assert_eq!(page["events"][4]["actorId"], alice.id.to_string());

    // Resume after seq 3; page by two.
    let resumed = send!(
        app,
        "GET",
        format!("/api/homes/{home}/changes?since=3"),
        Some(&alice.token)
    )
    .json()["data"]
        .clone();
    assert_eq!(
        resumed["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        // Alice, the owner, sees her own notice of Bob's joining (seq 5).
        [4, 5, 6]
    );
    let first = send!(
        app,
        "GET",
        format!("/api/homes/{home}/changes?since=0&limit=2"),
        Some(&alice.token)
    )
    .json()["data"]
        .clone();
    assert_eq!(first["events"].as_array().unwrap().len(), 2);
    assert_eq!(first["hasMore"], true);
    assert_eq!(first["latestSeq"], 6);
    let caught_up = send!(
        app,
        "GET",
        format!("/api/homes/{home}/changes?since=6"),
        Some(&alice.token)
    )
    .json()["data"]
        .clone();
    assert_eq!(caught_up["events"], json!([]));
    assert_eq!(caught_up["hasMore"], false);

    for bad in ["since=-1", "limit=0", "limit=501", "since=abc"] {
        let reply = send!(
            app,
            "GET",
            format!("/api/homes/{home}/changes?{bad}"),
            Some(&alice.token)
        );
        assert_eq!(status(&reply), 400, "{bad}");
    }
    let outsider = sign_up!(app, "otto");
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{home}/changes"),
            Some(&outsider.token)
        )),
        404
    );
}

#[actix_web::test]
async fn sqlite_change_feed() {
    change_feed_orders_resumes_and_pages(&TestDb::sqlite().await).await;
}

#[actix_web::test]
async fn postgres_change_feed() {
    if let Some(db) = TestDb::postgres().await {
        change_feed_orders_resumes_and_pages(&db).await;
    }
}
