//! `Idempotency-Key` over HTTP: a retried create answers the first response and creates
//! nothing new; a reused key, a key still in use, and a malformed key are refused; failed,
//! timed-out, abandoned and panicking requests free their key; secrets are never stored.

#[macro_use]
mod support;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, test, web};
use chrono::Duration as Days;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::FutureExt;
use futures_util::future::join;
use pantry_core::clock::FixedClock;
use pantry_core::idempotency::Idempotency;
use pantry_http::config::HttpConfig;
use pantry_http::routes::{RouteTable, Routes};
use pantry_http::state::AppState;
use pantry_http::{ApiError, Pipeline, build_app};
use pantry_store::StoreIdempotency;
use pantry_store::schema::idempotency_keys;
use pantry_store::test_support::TestDb;
use serde_json::{Value, json};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{CapturedLog, Person, Reply, call, status};
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

/// A request as `token`, with `Idempotency-Key: key` when given.
fn keyed(
    method: &str,
    uri: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<Value>,
) -> actix_http::Request {
    let mut r = test::TestRequest::default()
        .method(method.parse().unwrap())
        .uri(uri)
        .peer_addr("192.0.2.9:1000".parse().unwrap());
    if let Some(t) = token {
        r = r.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    if let Some(k) = key {
        r = r.insert_header(("idempotency-key", k));
    }
    match body {
        Some(b) => r.set_json(b).to_request(),
        None => r.to_request(),
    }
}

fn create_home(person: &Person, key: Option<&str>, name: &str) -> actix_http::Request {
    keyed(
        "POST",
        "/api/homes",
        Some(&person.token),
        key,
        Some(json!({ "name": name })),
    )
}

fn replayed(reply: &Reply) -> bool {
    match reply.headers.get("idempotent-replayed") {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) => panic!("unexpected Idempotent-Replayed: {v:?}"),
    }
}

/// The names of `person`'s homes, oldest first.
async fn homes<S, B>(app: &S, person: &Person) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let reply = send!(app, "GET", "/api/homes", Some(&person.token));
    assert_eq!(status(&reply), 200, "{:?}", reply.body);
    reply.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_error(reply: &Reply, status_code: u16, code: &str) {
    assert_eq!(status(reply), status_code, "{:?}", reply.body);
    let body = reply.json();
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["requestId"].is_string(), "{body}");
}

async fn stored_keys(db: &TestDb, user: Uuid) -> i64 {
    let mut conn = db.db.conn().await.unwrap();
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .unwrap()
}

async fn a_retry_replays_the_first_answer(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let key = Uuid::now_v7().to_string();

    let first = call(&app, create_home(&alice, Some(&key), "Flat")).await;
    assert_eq!(status(&first), 201, "{:?}", first.body);
    assert!(!replayed(&first));

    let again = call(&app, create_home(&alice, Some(&key), "Flat")).await;
    assert_eq!(again.status, first.status);
    assert_eq!(again.body, first.body, "the stored body, byte for byte");
    assert!(replayed(&again));
    assert_eq!(
        again.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    // The edge still dresses the replay: its own request id, the security headers.
    assert_ne!(
        again.headers.get("x-request-id"),
        first.headers.get("x-request-id")
    );
    assert!(again.headers.contains_key("x-content-type-options"));

    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
}
on_both_backends!(
    sqlite_a_retry_replays_the_first_answer,
    postgres_a_retry_replays_the_first_answer,
    a_retry_replays_the_first_answer
);

async fn a_key_reused_for_another_request_is_refused(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let first = call(&app, create_home(&alice, Some("key-1"), "Flat")).await;
    assert_eq!(status(&first), 201, "{:?}", first.body);
    let flat = first.json()["data"]["id"].as_str().unwrap().to_owned();

    // Another body, another path, another method: each is another request.
    let other_body = call(&app, create_home(&alice, Some("key-1"), "Barn")).await;
    assert_error(&other_body, 422, "IDEMPOTENCY_KEY_REUSED");
    let other_path = call(
        &app,
        keyed(
            "POST",
            "/api/homes?copy=1",
            Some(&alice.token),
            Some("key-1"),
            Some(json!({"name": "Flat"})),
        ),
    )
    .await;
    assert_error(&other_path, 422, "IDEMPOTENCY_KEY_REUSED");
    let other_method = call(
        &app,
        keyed(
            "PATCH",
            &format!("/api/homes/{flat}"),
            Some(&alice.token),
            Some("key-1"),
            Some(json!({"name": "Renamed"})),
        ),
    )
    .await;
    assert_error(&other_method, 422, "IDEMPOTENCY_KEY_REUSED");

    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
    // The original request still replays.
    let again = call(&app, create_home(&alice, Some("key-1"), "Flat")).await;
    assert_eq!(again.body, first.body);
}
on_both_backends!(
    sqlite_a_key_reused_for_another_request_is_refused,
    postgres_a_key_reused_for_another_request_is_refused,
    a_key_reused_for_another_request_is_refused
);

async fn without_a_key_every_request_runs(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    for _ in 0..2 {
        let reply = call(&app, create_home(&alice, None, "Flat")).await;
        assert_eq!(status(&reply), 201, "{:?}", reply.body);
        assert!(!replayed(&reply));
    }
    assert_eq!(
        homes(&app, &alice).await,
        ["alice's Kitchen", "Flat", "Flat"]
    );
}
on_both_backends!(
    sqlite_without_a_key_every_request_runs,
    postgres_without_a_key_every_request_runs,
    without_a_key_every_request_runs
);

async fn keys_belong_to_their_user(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let bob = sign_up!(app, "bob");

    let hers = call(&app, create_home(&alice, Some("same"), "Flat")).await;
    assert_eq!(status(&hers), 201, "{:?}", hers.body);
    let his = call(&app, create_home(&bob, Some("same"), "Flat")).await;
    assert_eq!(status(&his), 201, "{:?}", his.body);
    assert!(!replayed(&his));
    assert_eq!(his.json()["data"]["ownerId"], bob.id.to_string());
    assert_ne!(his.json()["data"]["id"], hers.json()["data"]["id"]);

    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
    assert_eq!(homes(&app, &bob).await, ["bob's Kitchen", "Flat"]);
}
on_both_backends!(
    sqlite_keys_belong_to_their_user,
    postgres_keys_belong_to_their_user,
    keys_belong_to_their_user
);

async fn concurrent_duplicates_create_one_home(_db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let (a, b) = join(
        call(&app, create_home(&alice, Some("twice"), "Flat")),
        call(&app, create_home(&alice, Some("twice"), "Flat")),
    )
    .await;
    let mut statuses = [status(&a), status(&b)];
    statuses.sort_unstable();
    match statuses {
        // The second arrived while the first ran.
        [201, 409] => {
            let busy = if status(&a) == 409 { &a } else { &b };
            assert_error(busy, 409, "IDEMPOTENCY_IN_PROGRESS");
            assert_eq!(busy.headers.get(header::RETRY_AFTER).unwrap(), "1");
        }
        // Or after it finished: a replay.
        [201, 201] => {
            assert_eq!(a.body, b.body);
            assert!(replayed(&a) != replayed(&b));
        }
        other => panic!("unexpected statuses {other:?}: {:?} {:?}", a.body, b.body),
    }
    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
}
on_both_backends!(
    sqlite_concurrent_duplicates_create_one_home,
    postgres_concurrent_duplicates_create_one_home,
    concurrent_duplicates_create_one_home
);

async fn a_failed_request_frees_its_key(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");

    let invalid = call(&app, create_home(&alice, Some("fix-me"), "")).await;
    assert_error(&invalid, 400, "VALIDATION_ERROR");
    assert_eq!(stored_keys(db, alice.id).await, 0);
    // The same mistake runs again rather than being replayed...
    let still_invalid = call(&app, create_home(&alice, Some("fix-me"), "")).await;
    assert_error(&still_invalid, 400, "VALIDATION_ERROR");
    assert!(!replayed(&still_invalid));

    // ...and the corrected request may use the key.
    let fixed = call(&app, create_home(&alice, Some("fix-me"), "Flat")).await;
    assert_eq!(status(&fixed), 201, "{:?}", fixed.body);
    assert!(!replayed(&fixed));
    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
}
on_both_backends!(
    sqlite_a_failed_request_frees_its_key,
    postgres_a_failed_request_frees_its_key,
    a_failed_request_frees_its_key
);

async fn malformed_keys_are_refused(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let too_long = "k".repeat(256);
    for bad in ["", "two words", too_long.as_str(), "tab\tkey"] {
        let reply = call(&app, create_home(&alice, Some(bad), "Flat")).await;
        assert_error(&reply, 400, "BAD_REQUEST");
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap()
                .starts_with("Idempotency-Key"),
            "{:?}",
            reply.body
        );
    }
    let non_ascii = test::TestRequest::post()
        .uri("/api/homes")
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", alice.token)))
        .insert_header((
            "idempotency-key",
            header::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        ))
        .set_json(json!({"name": "Flat"}))
        .to_request();
    assert_error(&call(&app, non_ascii).await, 400, "BAD_REQUEST");
    let twice = test::TestRequest::post()
        .uri("/api/homes")
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", alice.token)))
        .append_header(("idempotency-key", "a"))
        .append_header(("idempotency-key", "b"))
        .set_json(json!({"name": "Flat"}))
        .to_request();
    assert_error(&call(&app, twice).await, 400, "BAD_REQUEST");

    // The longest valid key works.
    let longest = "k".repeat(255);
    let reply = call(&app, create_home(&alice, Some(&longest), "Flat")).await;
    assert_eq!(status(&reply), 201, "{:?}", reply.body);
    assert_eq!(homes(&app, &alice).await, ["alice's Kitchen", "Flat"]);
    assert_eq!(stored_keys(db, alice.id).await, 1);

    // Reads are idempotent anyway: the header is ignored there.
    let read = call(
        &app,
        keyed("GET", "/api/homes", Some(&alice.token), Some(""), None),
    )
    .await;
    assert_eq!(status(&read), 200, "{:?}", read.body);
}
on_both_backends!(
    sqlite_malformed_keys_are_refused,
    postgres_malformed_keys_are_refused,
    malformed_keys_are_refused
);

async fn unauthenticated_requests_pass_through(db: &TestDb, state: AppState) {
    let app = app!(state);
    let anonymous = call(
        &app,
        keyed(
            "POST",
            "/api/homes",
            None,
            Some("k"),
            Some(json!({"name": "Flat"})),
        ),
    )
    .await;
    assert_error(&anonymous, 401, "UNAUTHORIZED");
    let forged = call(
        &app,
        keyed(
            "POST",
            "/api/homes",
            Some("not.a.jwt"),
            Some("k"),
            Some(json!({"name": "Flat"})),
        ),
    )
    .await;
    assert_error(&forged, 401, "UNAUTHORIZED");
    let mut conn = db.db.conn().await.unwrap();
    let rows: i64 = idempotency_keys::table
        .count()
        .get_result(&mut *conn)
        .await
        .unwrap();
    assert_eq!(rows, 0);
}
on_both_backends!(
    sqlite_unauthenticated_requests_pass_through,
    postgres_unauthenticated_requests_pass_through,
    unauthenticated_requests_pass_through
);

async fn responses_with_secrets_are_never_stored(db: &TestDb, state: AppState) {
    let app = app!(state);
    let alice = sign_up!(app, "alice");
    let home = alice.home;

    for _ in 0..2 {
        let activated = call(
            &app,
            keyed(
                "POST",
                &format!("/api/homes/{home}/activate"),
                Some(&alice.token),
                Some("switch"),
                None,
            ),
        )
        .await;
        assert_eq!(status(&activated), 200, "{:?}", activated.body);
        assert!(!replayed(&activated));
    }
    let mut codes = Vec::new();
    for _ in 0..2 {
        let invite = call(
            &app,
            keyed(
                "POST",
                &format!("/api/homes/{home}/invites"),
                Some(&alice.token),
                Some("invite"),
                Some(json!({})),
            ),
        )
        .await;
        assert_eq!(status(&invite), 201, "{:?}", invite.body);
        codes.push(invite.json()["data"]["code"].as_str().unwrap().to_owned());
    }
    // Each retry ran for real: a second code, and no code or token at rest.
    assert_ne!(codes[0], codes[1]);
    assert_eq!(stored_keys(db, alice.id).await, 0);
}
on_both_backends!(
    sqlite_responses_with_secrets_are_never_stored,
    postgres_responses_with_secrets_are_never_stored,
    responses_with_secrets_are_never_stored
);

async fn keys_expire_after_their_lifetime(db: &TestDb, mut state: AppState) {
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    state.idempotency = Arc::new(Idempotency::new(
        Arc::new(StoreIdempotency::new(db.db.clone())),
        clock.clone(),
        pantry_http::idempotency::policy(&support::config()),
    ));
    let app = app!(state);
    let alice = sign_up!(app, "alice");

    let first = call(&app, create_home(&alice, Some("daily"), "Flat")).await;
    assert_eq!(status(&first), 201, "{:?}", first.body);
    clock.advance(Days::hours(23));
    assert!(replayed(
        &call(&app, create_home(&alice, Some("daily"), "Flat")).await
    ));

    clock.advance(Days::hours(2));
    let next_day = call(&app, create_home(&alice, Some("daily"), "Flat")).await;
    assert_eq!(status(&next_day), 201, "{:?}", next_day.body);
    assert!(!replayed(&next_day));
    assert_eq!(
        homes(&app, &alice).await,
        ["alice's Kitchen", "Flat", "Flat"]
    );

    // The purge deletes what has expired, and only that.
    clock.advance(Days::hours(25));
    call(&app, create_home(&alice, Some("recent"), "Barn")).await;
    assert_eq!(stored_keys(db, alice.id).await, 2);
    assert_eq!(state.idempotency.purge_expired().await.unwrap(), 1);
    assert_eq!(stored_keys(db, alice.id).await, 1);
}
on_both_backends!(
    sqlite_keys_expire_after_their_lifetime,
    postgres_keys_expire_after_their_lifetime,
    keys_expire_after_their_lifetime
);

// ---- Routes that fail, hang and panic on demand ------------------------------------------------

/// How a request to `/api/test/create` behaves, chosen by a header (headers are not part of
/// a request's identity, so a retry without it is the same request).
const BEHAVE: &str = "x-test-behave";

/// The production routes plus `POST /api/test/create`, which counts its runs and answers
/// `201 {"success":true,"data":{"run":n}}`, or as `x-test-behave` says: `slow` (300 ms),
/// `hang` (10 s), `fail` (500), `panic`.
fn routes(runs: Arc<AtomicUsize>) -> RouteTable {
    let production = RouteTable::production();
    let production_api = production.api.clone();
    let api: Routes = Arc::new(move |cfg: &mut web::ServiceConfig| {
        production_api(cfg);
        let runs = runs.clone();
        cfg.service(web::resource("/test/create").route(web::post().to(
            move |req: HttpRequest, _body: web::Json<Value>| {
                let runs = runs.clone();
                async move {
                    let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                    let behave = req
                        .headers()
                        .get(BEHAVE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    match behave {
                        "slow" => tokio::time::sleep(Duration::from_millis(300)).await,
                        "hang" => tokio::time::sleep(Duration::from_secs(10)).await,
                        "fail" => return Err(ApiError::internal("asked to fail")),
                        "panic" => panic!("asked to panic"),
                        _ => {}
                    }
                    Ok::<_, ApiError>(
                        HttpResponse::Created()
                            .json(json!({"success": true, "data": {"run": run}})),
                    )
                }
            },
        )));
    });
    RouteTable {
        probes: production.probes,
        auth: production.auth,
        api,
        fallback: production.fallback,
    }
}

macro_rules! test_app {
    ($state:expr, $runs:expr) => {{
        let config = HttpConfig {
            request_timeout: Duration::from_millis(1000),
            ..support::config()
        };
        let pipeline = Pipeline::new(config, $state.log.clone());
        test::init_service(build_app($state.clone(), pipeline, routes($runs.clone()))).await
    }};
}

fn test_create(person: &Person, key: &str, behave: &str) -> actix_http::Request {
    test::TestRequest::post()
        .uri("/api/test/create")
        .peer_addr("192.0.2.9:1000".parse().unwrap())
        .insert_header((header::AUTHORIZATION, format!("Bearer {}", person.token)))
        .insert_header(("idempotency-key", key))
        .insert_header((BEHAVE, behave))
        .set_json(json!({"x": 1}))
        .to_request()
}

/// Retries `key` until it is no longer in progress (a cancelled request frees its key from a
/// spawned task), for at most fifteen seconds: generous, as the machine may be busy.
async fn retry_until_free<S, B>(app: &S, person: &Person, key: &str) -> Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while std::time::Instant::now() < deadline {
        let reply = call(app, test_create(person, key, "")).await;
        if status(&reply) != 409 {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{key} stayed in progress");
}

async fn a_replay_does_not_run_the_route(_db: &TestDb, state: AppState) {
    let runs = Arc::new(AtomicUsize::new(0));
    let app = test_app!(state, runs);
    let alice = sign_up!(app, "alice");

    let first = call(&app, test_create(&alice, "k", "")).await;
    assert_eq!(first.json()["data"]["run"], 1);
    for _ in 0..3 {
        let again = call(&app, test_create(&alice, "k", "")).await;
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        assert!(replayed(&again));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
on_both_backends!(
    sqlite_a_replay_does_not_run_the_route,
    postgres_a_replay_does_not_run_the_route,
    a_replay_does_not_run_the_route
);

async fn a_retry_while_the_first_runs_is_told_to_wait(_db: &TestDb, state: AppState) {
    let runs = Arc::new(AtomicUsize::new(0));
    let app = test_app!(state, runs);
    let alice = sign_up!(app, "alice");

    let (first, early) = join(call(&app, test_create(&alice, "k", "slow")), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        call(&app, test_create(&alice, "k", "")).await
    })
    .await;
    assert_eq!(status(&first), 201, "{:?}", first.body);
    assert_error(&early, 409, "IDEMPOTENCY_IN_PROGRESS");
    assert_eq!(early.headers.get(header::RETRY_AFTER).unwrap(), "1");

    let later = call(&app, test_create(&alice, "k", "")).await;
    assert!(replayed(&later));
    assert_eq!(later.body, first.body);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
on_both_backends!(
    sqlite_a_retry_while_the_first_runs_is_told_to_wait,
    postgres_a_retry_while_the_first_runs_is_told_to_wait,
    a_retry_while_the_first_runs_is_told_to_wait
);

async fn server_errors_timeouts_and_hang_ups_free_the_key(_db: &TestDb, state: AppState) {
    let runs = Arc::new(AtomicUsize::new(0));
    let app = test_app!(state, runs);
    let alice = sign_up!(app, "alice");

    let failed = call(&app, test_create(&alice, "fails", "fail")).await;
    assert_error(&failed, 500, "INTERNAL_ERROR");
    let retried = call(&app, test_create(&alice, "fails", "")).await;
    assert_eq!(status(&retried), 201, "{:?}", retried.body);
    assert!(!replayed(&retried));

    let timed_out = call(&app, test_create(&alice, "hangs", "hang")).await;
    assert_error(&timed_out, 408, "REQUEST_TIMEOUT");
    let retried = retry_until_free(&app, &alice, "hangs").await;
    assert_eq!(status(&retried), 201, "{:?}", retried.body);
    assert!(!replayed(&retried));

    // The client gives up: its request future is dropped mid-route.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(100),
        call(&app, test_create(&alice, "hangs-up", "hang")),
    )
    .await;
    assert!(gave_up.is_err());
    let retried = retry_until_free(&app, &alice, "hangs-up").await;
    assert_eq!(status(&retried), 201, "{:?}", retried.body);

    assert_eq!(runs.load(Ordering::SeqCst), 6);
}
on_both_backends!(
    sqlite_server_errors_timeouts_and_hang_ups_free_the_key,
    postgres_server_errors_timeouts_and_hang_ups_free_the_key,
    server_errors_timeouts_and_hang_ups_free_the_key
);

async fn a_panicking_route_frees_the_key(_db: &TestDb, state: AppState) {
    let runs = Arc::new(AtomicUsize::new(0));
    let alice = {
        let app = test_app!(state, runs);
        let alice = sign_up!(app, "alice");
        let panicked = AssertUnwindSafe(call(&app, test_create(&alice, "boom", "panic")))
            .catch_unwind()
            .await;
        assert!(panicked.is_err());
        alice
    };
    let app = test_app!(state, runs);
    let retried = retry_until_free(&app, &alice, "boom").await;
    assert_eq!(status(&retried), 201, "{:?}", retried.body);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
on_both_backends!(
    sqlite_a_panicking_route_frees_the_key,
    postgres_a_panicking_route_frees_the_key,
    a_panicking_route_frees_the_key
);
