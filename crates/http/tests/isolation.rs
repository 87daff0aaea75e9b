//! The isolation matrix: every home-scoped route, called by a member of another home, by each
//! role below the one it needs, and without a token, is refused and changes nothing in the home;
//! then the weakest role allowed succeeds, which proves the refusals came from the rules and not
//! from a mistyped path.

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

/// Roles from weakest to strongest, as the home's members hold them in the fixture.
#[derive(Clone, Copy, PartialEq, PartialOrd, Debug)]
enum Need {
    Viewer,
    Member,
    Admin,
    Owner,
}

/// One route of the matrix: `{home}`, `{item}`, ... are filled in from the fixture.
struct Route {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    need: Need,
    /// Who performs the successful call, when not the weakest allowed role.
    done_by: Option<&'static str>,
}

fn route(method: &'static str, path: &'static str, body: Option<Value>, need: Need) -> Route {
    Route {
        method,
        path,
        body,
        need,
        done_by: None,
    }
}

/// Everything a home-scoped route can name, in one home.
struct Ids {
    item: String,
    doomed_item: String,
    list: String,
    doomed_list: String,
    entry: String,
    doomed_entry: String,
    bought_entry: String,
    invite: String,
    thread: String,
    doomed_thread: String,
    receipt: String,
    notice: String,
    tom: Uuid,
    adam: Uuid,
}

impl Ids {
    fn fill(&self, path: &str, home: Uuid) -> String {
        path.replace("{home}", &home.to_string())
            .replace("{item}", &self.item)
            .replace("{doomed_item}", &self.doomed_item)
            .replace("{list}", &self.list)
            .replace("{doomed_list}", &self.doomed_list)
            .replace("{entry}", &self.entry)
            .replace("{doomed_entry}", &self.doomed_entry)
            .replace("{bought_entry}", &self.bought_entry)
            .replace("{invite}", &self.invite)
            .replace("{doomed_thread}", &self.doomed_thread)
            .replace("{thread}", &self.thread)
            .replace("{receipt}", &self.receipt)
            .replace("{notice}", &self.notice)
            .replace("{tom}", &self.tom.to_string())
    }

    fn body(&self, body: &Option<Value>) -> Option<Value> {
        let text = body.as_ref()?.to_string();
        let filled = text
            .replace("{item}", &self.item)
            .replace("{list}", &self.list)
            .replace("{entry}", &self.entry)
            .replace("{adam}", &self.adam.to_string());
        Some(serde_json::from_str(&filled).unwrap())
    }
}

/// Every home-scoped route the server serves, in an order where each successful call leaves
/// what the later rows need (deletions last, the home itself at the very end).
fn matrix() -> Vec<Route> {
    use Need::*;
    let mut rows = vec![
        // Reads: any member.
        route("GET", "/api/homes/{home}", None, Viewer),
        route("GET", "/api/homes/{home}/members", None, Viewer),
        route("GET", "/api/homes/{home}/changes?since=0", None, Viewer),
        route("GET", "/api/homes/{home}/activity", None, Viewer),
        // The inbox: any member reads and marks their own; acting on a notice needs a member.
        route("GET", "/api/homes/{home}/notifications", None, Viewer),
        route(
            "PATCH",
            "/api/homes/{home}/notifications/{notice}/read",
            None,
            Viewer,
        ),
        route(
            "POST",
            "/api/homes/{home}/notifications/read-all",
            None,
            Viewer,
        ),
        route(
            "POST",
            "/api/homes/{home}/notifications/{notice}/add-to-list",
            None,
            Member,
        ),
        route("GET", "/api/homes/{home}/export", None, Viewer),
        route("GET", "/api/homes/{home}/items", None, Viewer),
        route("GET", "/api/homes/{home}/items/stats", None, Viewer),
        route("GET", "/api/homes/{home}/items/{item}", None, Viewer),
        route("GET", "/api/homes/{home}/lists", None, Viewer),
        route("GET", "/api/homes/{home}/lists/default", None, Viewer),
        route("GET", "/api/homes/{home}/lists/{list}", None, Viewer),
        route("GET", "/api/homes/{home}/lists/{list}/stats", None, Viewer),
        route("GET", "/api/homes/{home}/chat/threads", None, Viewer),
        route(
            "GET",
            "/api/homes/{home}/chat/threads/{thread}",
            None,
            Viewer,
        ),
        route(
            "GET",
            "/api/homes/{home}/chat/threads/{thread}/messages",
            None,
            Viewer,
        ),
        route("GET", "/api/homes/{home}/chat/usage", None, Viewer),
        route("GET", "/api/homes/{home}/budget", None, Viewer),
        route("GET", "/api/homes/{home}/budget?period=week", None, Viewer),
        route(
            "GET",
            "/api/homes/{home}/predictions?period=30",
            None,
            Viewer,
        ),
        route("GET", "/api/homes/{home}/receipts", None, Viewer),
        route("GET", "/api/homes/{home}/receipts/{receipt}", None, Viewer),
        // Receipts: members scan and confirm.
        route(
            "POST",
            "/api/homes/{home}/receipts/scan",
            Some(json!({"image": "data:image/png;base64,iVBORw0KGgo="})),
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/receipts/confirm",
            Some(json!({"merchant": "Probe Mart", "items": [{"name": "Probe", "price": 1}]})),
            Member,
        ),
        // Chat: members write; Pixie acts with the asker's rights.
        route(
            "POST",
            "/api/homes/{home}/chat/threads",
            Some(json!({"title": "Probe"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/chat/threads/{thread}",
            Some(json!({"title": "Renamed"})),
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/chat/threads/{thread}/messages",
            Some(json!({"content": "add 2 milk and bread to the list"})),
            Member,
        ),
        // Not the thread's starter: only an admin may delete it.
        route(
            "DELETE",
            "/api/homes/{home}/chat/threads/{doomed_thread}",
            None,
            Admin,
        ),
        // The pantry: members write.
        route(
            "POST",
            "/api/homes/{home}/items",
            Some(json!({"name": "Probe"})),
            Member,
        ),
        route(
            "PUT",
            "/api/homes/{home}/items/{item}",
            Some(json!({"name": "Renamed"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/items/{item}",
            Some(json!({"notes": "top shelf"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/items/{item}/toggle",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/items/{item}/toggle",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/items/{item}/consume",
            Some(json!({"quantity": 1})),
            Member,
        ),
        route(
            "DELETE",
            "/api/homes/{home}/items/{doomed_item}",
            None,
            Member,
        ),
        // Lists.
        route(
            "POST",
            "/api/homes/{home}/lists",
            Some(json!({"name": "Probe list"})),
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/reorder",
            Some(json!({"ids": ["{list}"]})),
            Member,
        ),
        route(
            "PUT",
            "/api/homes/{home}/lists/{list}",
            Some(json!({"name": "Weekend"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/lists/{list}",
            Some(json!({"description": "for Saturday"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/lists/{list}/complete",
            None,
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/lists/{list}/uncomplete",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/complete",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/uncomplete",
            None,
            Member,
        ),
        route("PATCH", "/api/homes/{home}/lists/{list}/reset", None, Admin),
        route("POST", "/api/homes/{home}/lists/{list}/reset", None, Admin),
        // List entries.
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/items",
            Some(json!({"itemId": "{item}", "quantity": 1})),
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/items/by-name",
            Some(json!({"name": "Probe flour", "quantity": 1, "unit": "kg"})),
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/items/reorder",
            Some(json!({"ids": ["{entry}"]})),
            Member,
        ),
        route(
            "PUT",
            "/api/homes/{home}/lists/{list}/items/{entry}",
            Some(json!({"quantity": 2})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/lists/{list}/items/{entry}",
            Some(json!({"notes": "the big one"})),
            Member,
        ),
        route(
            "PATCH",
            "/api/homes/{home}/lists/{list}/items/{entry}/toggle",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/items/{entry}/toggle",
            None,
            Member,
        ),
        route(
            "POST",
            "/api/homes/{home}/lists/{list}/items/{bought_entry}/bought",
            None,
            Member,
        ),
        route(
            "DELETE",
            "/api/homes/{home}/lists/{list}/items/{doomed_entry}",
            None,
            Member,
        ),
        route(
            "DELETE",
            "/api/homes/{home}/lists/{doomed_list}",
            None,
            Admin,
        ),
        // Invites and members: admins.
        route("GET", "/api/homes/{home}/invites", None, Admin),
        route("POST", "/api/homes/{home}/invites", Some(json!({})), Admin),
        route("DELETE", "/api/homes/{home}/invites/{invite}", None, Admin),
        route(
            "PATCH",
            "/api/homes/{home}/members/{tom}",
            Some(json!({"role": "viewer"})),
            Admin,
        ),
        route("DELETE", "/api/homes/{home}/members/{tom}", None, Admin),
        // The home itself.
        route(
            "PUT",
            "/api/homes/{home}",
            Some(json!({"name": "Renamed home"})),
            Admin,
        ),
        route(
            "PATCH",
            "/api/homes/{home}",
            Some(json!({"householdSize": 4})),
            Admin,
        ),
        route("POST", "/api/homes/{home}/activate", None, Viewer),
    ];
    rows.push(Route {
        done_by: Some("lea"),
        ..route("POST", "/api/homes/{home}/leave", None, Viewer)
    });
    rows.push(route(
        "POST",
        "/api/homes/{home}/transfer",
        Some(json!({"userId": "{adam}"})),
        Owner,
    ));
    // (Adam hands the home back after the transfer.)
    rows.push(route("DELETE", "/api/homes/{home}", None, Owner));
    rows
}

/// What a home holds, as its owner sees it: the export (all items, lists, entries, threads,
/// messages and members, with roles), the invites and the change log's tail.
async fn snapshot<S, B>(app: &S, owner: &Person, home: Uuid) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let mut export = send!(
        app,
        "GET",
        format!("/api/homes/{home}/export"),
        Some(&owner.token)
    )
    .json();
    export.as_object_mut().unwrap().remove("exportedAt");
    let members = send!(
        app,
        "GET",
        format!("/api/homes/{home}/members"),
        Some(&owner.token)
    )
    .json();
    let invites = send!(
        app,
        "GET",
        format!("/api/homes/{home}/invites"),
        Some(&owner.token)
    )
    .json();
    let changes = send!(
        app,
        "GET",
        format!("/api/homes/{home}/changes?since=0&limit=500"),
        Some(&owner.token)
    )
    .json();
    let events = changes["data"]["events"].as_array().unwrap();
    let inbox = send!(
        app,
        "GET",
        format!("/api/homes/{home}/notifications"),
        Some(&owner.token)
    )
    .json();
    json!({
        "export": export,
        "members": members["data"],
        "invites": invites["data"],
        "events": events.len(),
        "lastSeq": events.last().map(|e| e["seq"].clone()),
        "inbox": inbox["data"],
    })
}

async fn every_home_route_is_isolated(db: &TestDb, mut state: AppState) {
    // Receipts are read by a vision model: the fake one, answering every scan.
    let fake = pantry_openai::fake::FakeOpenAi::start_repeating(pantry_openai::fake::Reply::text(
        &[
            r#"{"merchant": null, "purchasedAt": null, "currency": null, "total": null, "items": []}"#,
        ],
    ));
    let vision = pantry_openai::OpenAiModel::new(fake.config()).unwrap();
    state.receipts = support::receipt_service(&db.db, std::sync::Arc::new(vision));
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let adam = sign_up!(app, "adam");
    let meg = sign_up!(app, "meg");
    let vic = sign_up!(app, "vic");
    let tom = sign_up!(app, "tom");
    let lea = sign_up!(app, "lea");
    let eve = sign_up!(app, "eve");
    let home = alice.home;
    for (who, role) in [
        (&adam, "admin"),
        (&meg, "member"),
        (&vic, "viewer"),
        (&tom, "member"),
        (&lea, "viewer"),
    ] {
        support::add_member(&db.db, home, who.id, role).await;
    }

    // What the routes name: items, lists, entries and an invite of Alice's home.
    let create = |path: String, body: Value| {
        let token = alice.token.clone();
        let app = &app;
        async move {
            let reply = send!(app, "POST", path, Some(&token), body);
            assert!(
                reply.status.is_success(),
                "fixture {path}: {:?}",
                reply.body
            );
            reply.json()["data"].clone()
        }
    };
    let items = format!("/api/homes/{home}/items");
    let lists = format!("/api/homes/{home}/lists");
    let item = create(items.clone(), json!({"name": "Rice", "quantity": 9})).await;
    let doomed_item = create(items.clone(), json!({"name": "Old bread"})).await;
    let list = create(lists.clone(), json!({"name": "Groceries"})).await;
    let doomed_list = create(lists.clone(), json!({"name": "Party"})).await;
    let list_id = list["id"].as_str().unwrap().to_owned();
    let entries = format!("{lists}/{list_id}/items");
    let entry = create(
        entries.clone(),
        json!({"itemId": item["id"], "quantity": 2}),
    )
    .await;
    let doomed_entry = create(
        format!("{entries}/by-name"),
        json!({"name": "Basil", "quantity": 1}),
    )
    .await;
    let bought_entry = create(
        format!("{entries}/by-name"),
        json!({"name": "Lemons", "quantity": 3}),
    )
    .await;
    let invite = create(format!("/api/homes/{home}/invites"), json!({})).await;
    let threads = format!("/api/homes/{home}/chat/threads");
    let thread = create(threads.clone(), json!({"title": "Plans"})).await;
    let doomed_thread = create(threads, json!({})).await;
    let receipt = create(
        format!("/api/homes/{home}/receipts/confirm"),
        json!({"merchant": "Test Mart", "items": [{"name": "Milk", "price": 2}]}),
    )
    .await;
    // A running-low notice for the whole household, as the scheduler makes it.
    let notice = state
        .notifications
        .notify(
            &pantry_core::change_log::Actor::system(),
            home,
            &pantry_core::notifications::NewNotice {
                recipient: None,
                kind: pantry_core::notifications::NoticeKind::RunningLow,
                title: "Running low on Coffee".to_owned(),
                body: None,
                ref_id: None,
                once_key: None,
                data: Some(json!({"itemName": "Coffee"})),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let ids = Ids {
        notice: notice.id.to_string(),
        item: id(&item),
        doomed_item: id(&doomed_item),
        list: list_id.clone(),
        doomed_list: id(&doomed_list),
        entry: id(&entry),
        doomed_entry: id(&doomed_entry["listItem"]),
        bought_entry: id(&bought_entry["listItem"]),
        invite: id(&invite["invite"]),
        thread: id(&thread),
        doomed_thread: id(&doomed_thread),
        receipt: receipt["receiptId"].as_str().unwrap().to_owned(),
        tom: tom.id,
        adam: adam.id,
    };
    // Eve's own home, so that she can also try Alice's ids through a home she does own.
    let eve_home_before = snapshot(&app, &eve, eve.home).await;

    let people = [
        (Need::Viewer, &vic),
        (Need::Member, &meg),
        (Need::Admin, &adam),
        (Need::Owner, &alice),
    ];
    let by_name = |name: &str| match name {
        "lea" => &lea,
        other => panic!("no {other} in the fixture"),
    };
    let mut seen = 0;
    for row in matrix() {
        let path = ids.fill(row.path, home);
        let body = ids.body(&row.body);
        let label = format!("{} {}", row.method, row.path);
        let before = snapshot(&app, &alice, home).await;
        let attempt = |token: Option<String>, path: String| {
            let body = body.clone();
            let app = &app;
            let method = row.method;
            async move {
                match body {
                    Some(b) => send!(app, method, path, token.as_deref(), b),
                    None => send!(app, method, path, token.as_deref()),
                }
            }
        };

        // A member of another home: as if the home did not exist.
        let reply = attempt(Some(eve.token.clone()), path.clone()).await;
        assert_eq!(status(&reply), 404, "{label} as outsider: {:?}", reply.body);
        assert_eq!(reply.json()["success"], false, "{label}");
        assert!(reply.json().get("data").is_none(), "{label} leaks data");
        // Alice's ids through Eve's own home: the ids do not belong there.
        if row.path.matches('{').count() > 1 {
            let through_own = ids.fill(row.path, eve.home);
            let reply = attempt(Some(eve.token.clone()), through_own).await;
            assert_eq!(
                status(&reply),
                404,
                "{label} through Eve's home: {:?}",
                reply.body
            );
        }
        // Without a token.
        assert_eq!(status(&attempt(None, path.clone()).await), 401, "{label}");
        // Every role below the one needed.
        for (role, person) in people.iter().filter(|(role, _)| *role < row.need) {
            let reply = attempt(Some(person.token.clone()), path.clone()).await;
            assert_eq!(status(&reply), 403, "{label} as {role:?}: {:?}", reply.body);
            assert_eq!(reply.json()["code"], "FORBIDDEN", "{label}");
        }
        assert_eq!(
            snapshot(&app, &alice, home).await,
            before,
            "{label}: a refused call changed the home"
        );

        // The weakest role allowed succeeds.
        let doer = match row.done_by {
            Some(name) => by_name(name),
            None => people.iter().find(|(role, _)| *role == row.need).unwrap().1,
        };
        let reply = attempt(Some(doer.token.clone()), path).await;
        assert!(
            reply.status.is_success(),
            "{label} as {:?}: {} {:?}",
            row.need,
            reply.status,
            reply.body
        );
        if row.path.ends_with("/transfer") {
            let back = send!(
                app,
                "POST",
                format!("/api/homes/{home}/transfer"),
                Some(&adam.token),
                json!({"userId": alice.id})
            );
            assert_eq!(status(&back), 200, "{:?}", back.body);
        }
        seen += 1;
    }
    assert_eq!(
        snapshot(&app, &eve, eve.home).await,
        eve_home_before,
        "nothing reached Eve's home either"
    );
    assert_eq!(
        status(&send!(
            app,
            "GET",
            format!("/api/homes/{home}"),
            Some(&alice.token)
        )),
        404,
        "the home is gone after its deletion"
    );
    assert_eq!(seen, matrix().len());
}
on_both_backends!(
    sqlite_every_home_route_is_isolated,
    postgres_every_home_route_is_isolated,
    every_home_route_is_isolated
);

/// Preferences write home fields (budget, household size, shared diet) only with admin rights:
/// a member or viewer changing them is refused and the home keeps its values.
async fn preferences_write_home_fields_only_as_admin(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let meg = sign_up!(app, "meg");
    let vic = sign_up!(app, "vic");
    support::add_member(&db.db, alice.home, meg.id, "member").await;
    support::add_member(&db.db, alice.home, vic.id, "viewer").await;
    for who in [&meg, &vic] {
        // Make Alice's home their active one: preferences act on the active home.
        let activated = send!(
            app,
            "POST",
            format!("/api/homes/{}/activate", alice.home),
            Some(&who.token)
        );
        assert_eq!(status(&activated), 200, "{:?}", activated.body);
        let token = activated.json()["data"]["token"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| who.token.clone());
        let before = snapshot(&app, &alice, alice.home).await;
        for body in [
            json!({"monthlyBudget": 1}),
            json!({"householdSize": 9}),
            json!({"dietaryRestrictions": ["vegan"], "monthlyBudget": 2}),
        ] {
            let reply = send!(
                app,
                "PATCH",
                "/api/users/me/preferences",
                Some(&token),
                body.clone()
            );
            assert_eq!(status(&reply), 403, "{body}: {:?}", reply.body);
        }
        assert_eq!(snapshot(&app, &alice, alice.home).await, before);
    }
}
on_both_backends!(
    sqlite_preferences_home_fields_need_admin,
    postgres_preferences_home_fields_need_admin,
    preferences_write_home_fields_only_as_admin
);

/// `{home_id}`, `{item}`, ... all become `{}`; the query goes.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

/// The matrix covers every home-scoped operation the server documents, and the OpenAPI tests
/// hold the document to what is served: a new home route fails here until it joins the matrix.
#[actix_web::test]
async fn the_matrix_covers_every_home_scoped_route() {
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, CapturedLog::default().logger());
    let app = app!(state);
    let doc = send!(app, "GET", "/api/openapi.json", None).json();
    let mut documented = std::collections::BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        // Import creates a new home: it is not scoped to an existing one.
        if !path.starts_with("/api/homes/{") {
            continue;
        }
        for method in operations.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), shape(path)));
            }
        }
    }
    let covered: std::collections::BTreeSet<_> = matrix()
        .iter()
        .map(|row| (row.method.to_owned(), shape(row.path)))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "home routes not in the matrix: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "matrix rows the server does not document: {unknown:?}"
    );
}
