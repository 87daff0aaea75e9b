//! The hardened request pipeline, exercised through the real `build_app`.

mod support;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpResponse, test, web};
use garde::Validate;
use pantry_http::config::{HttpConfig, RateLimit};
use pantry_http::routes::{RouteTable, Routes};
use pantry_http::state::AppState;
use pantry_http::{ApiError, Pipeline, build_app};
use pantry_store::test_support::TestDb;
use pantry_store::{Database, DbConfig};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{CapturedLog, Reply, call};

const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "x-request-id",
];

#[derive(serde::Deserialize, Validate)]
struct Signup {
    #[garde(length(min = 1, max = 10))]
    name: String,
    #[garde(range(min = 1, max = 5))]
    quantity: u32,
}

static SLOW_FINISHED: AtomicBool = AtomicBool::new(false);

/// The production routes plus routes that exist only to exercise the pipeline.
fn routes() -> RouteTable {
    let production = RouteTable::production();
    let api: Routes = Arc::new(|cfg: &mut web::ServiceConfig| {
        cfg.service(web::resource("/echo").route(
            web::post().to(|body: web::Json<Value>| async move { HttpResponse::Ok().json(body.into_inner()) }),
        ))
        .service(web::resource("/signup").route(web::post().to(|body: web::Json<Signup>| async move {
            body.validate()?;
            Ok::<_, ApiError>(HttpResponse::Created().finish())
        })))
        .service(web::resource("/slow").route(web::get().to(|| async {
            tokio::time::sleep(Duration::from_millis(600)).await;
            SLOW_FINISHED.store(true, Ordering::SeqCst);
            HttpResponse::Ok().finish()
        })))
        .service(web::resource("/boom").route(web::get().to(|| async {
            Err::<HttpResponse, _>(ApiError::internal(
                "relation \"users\" does not exist: SELECT password_hash FROM users at /work/main/src/x.rs:42",
            ))
        })))
        .service(web::resource("/ping").route(web::get().to(|| async { HttpResponse::Ok().finish() })));
    });
    let auth: Routes = Arc::new(|cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::resource("/ping").route(web::post().to(|| async { HttpResponse::Ok().finish() })),
        );
    });
    RouteTable {
        probes: production.probes,
        auth,
        api,
        fallback: production.fallback,
    }
}

fn config() -> HttpConfig {
    HttpConfig {
        request_timeout: Duration::from_millis(200),
        body_limit: 1024,
        ..HttpConfig::development()
    }
}

async fn state(log: slog::Logger) -> (AppState, TestDb) {
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, log);
    (state, db)
}

fn peer(ip: &str) -> SocketAddr {
    format!("{ip}:40000").parse().unwrap()
}

macro_rules! app {
    ($state:expr, $config:expr) => {{
        let pipeline = Pipeline::new($config, $state.log.clone());
        test::init_service(build_app($state.clone(), pipeline, routes())).await
    }};
}

fn assert_security_headers(headers: &header::HeaderMap) {
    for name in SECURITY_HEADERS {
        assert!(headers.contains_key(*name), "missing {name} in {headers:?}");
    }
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
}

/// Asserts the JSON error envelope and returns it.
async fn error_body(resp: Reply, status: u16, code: &str) -> Value {
    assert_eq!(resp.status.as_u16(), status, "{:?}", resp.body);
    assert_security_headers(&resp.headers);
    assert_eq!(
        resp.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let request_id = resp
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body = resp.json();
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert_eq!(body["requestId"], request_id.as_str());
    body
}

#[actix_web::test]
async fn health_reports_liveness_in_the_earlier_shape() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let resp = call(&app, test::TestRequest::get().uri("/health").to_request()).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_security_headers(&resp.headers);
    let body = resp.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["agent"], "offline");
    assert!(body["uptime"].as_f64().is_some());
    assert!(chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).is_ok());
}

#[actix_web::test]
async fn ready_is_200_when_the_database_answers() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let resp = call(&app, test::TestRequest::get().uri("/ready").to_request()).await;
    assert_eq!(resp.status, StatusCode::OK);
    let body = resp.json();
    assert_eq!(body["status"], "ready");
}

#[actix_web::test]
async fn ready_is_503_when_the_database_is_unreachable() {
    let unreachable = Database::new(&DbConfig {
        url: "postgres://postgres@127.0.0.1:1/nowhere".into(),
        pool_max: 1,
        idle_timeout: Duration::from_secs(60),
        connect_timeout: Duration::from_millis(500),
    })
    .unwrap();
    let state = support::state(&unreachable, CapturedLog::default().logger());
    let app = app!(state, config());
    let resp = call(&app, test::TestRequest::get().uri("/ready").to_request()).await;
    let body = error_body(resp, 503, "SERVICE_UNAVAILABLE").await;
    assert!(
        !body.to_string().contains("127.0.0.1"),
        "internals leaked: {body}"
    );
}

#[actix_web::test]
async fn an_exhausted_pool_answers_503_fast_instead_of_hanging() {
    let test_db = TestDb::sqlite().await;
    let db = Database::new(&DbConfig {
        pool_max: 1,
        connect_timeout: Duration::from_millis(300),
        ..test_db.config()
    })
    .unwrap();
    let state = support::state(&db, CapturedLog::default().logger());
    let app = app!(state, config());
    let held = db.conn().await.unwrap();
    let started = Instant::now();
    let resp = call(&app, test::TestRequest::get().uri("/ready").to_request()).await;
    error_body(resp, 503, "SERVICE_UNAVAILABLE").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        started.elapsed()
    );
    drop(held);
    let resp = call(&app, test::TestRequest::get().uri("/ready").to_request()).await;
    assert_eq!(resp.status, StatusCode::OK);
}

#[actix_web::test]
async fn unknown_routes_and_methods_get_json_404_and_405() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    for uri in ["/nope", "/api/nope", "/api/auth/nope"] {
        let resp = call(&app, test::TestRequest::get().uri(uri).to_request()).await;
        error_body(resp, 404, "NOT_FOUND").await;
    }
    let resp = call(&app, test::TestRequest::post().uri("/health").to_request()).await;
    error_body(resp, 405, "METHOD_NOT_ALLOWED").await;
    let resp = call(
        &app,
        test::TestRequest::delete().uri("/api/echo").to_request(),
    )
    .await;
    error_body(resp, 405, "METHOD_NOT_ALLOWED").await;
}

#[actix_web::test]
async fn malformed_json_and_wrong_content_type_are_clear_4xx() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let req = test::TestRequest::post()
        .uri("/api/echo")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload("{\"a\": [1, 2")
        .to_request();
    let body = error_body(call(&app, req).await, 400, "BAD_REQUEST").await;
    assert_eq!(body["error"], "Request body is not valid JSON");

    let req = test::TestRequest::post()
        .uri("/api/echo")
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("{}")
        .to_request();
    error_body(call(&app, req).await, 415, "UNSUPPORTED_MEDIA_TYPE").await;

    let deep = "[".repeat(10_000);
    let req = test::TestRequest::post()
        .uri("/api/echo")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(deep.into_bytes())
        .to_request();
    let resp = call(&app, req).await;
    assert!(matches!(resp.status.as_u16(), 400 | 413), "{}", resp.status);
}

#[actix_web::test]
async fn validation_errors_list_each_field() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let req = test::TestRequest::post()
        .uri("/api/signup")
        .set_json(serde_json::json!({"name": "", "quantity": 9}))
        .to_request();
    let body = error_body(call(&app, req).await, 400, "VALIDATION_ERROR").await;
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"quantity"),
        "{body}"
    );
    assert!(
        body["details"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[actix_web::test]
async fn server_errors_hide_their_cause_from_the_client_but_log_it() {
    let log = CapturedLog::default();
    let (state, _db) = state(log.logger()).await;
    let app = app!(state, config());
    let resp = call(&app, test::TestRequest::get().uri("/api/boom").to_request()).await;
    let body = error_body(resp, 500, "INTERNAL_ERROR").await;
    let text = body.to_string();
    for leak in ["SELECT", "users", "/work", ".rs"] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    assert!(
        log.text().contains("password_hash FROM users"),
        "cause not logged: {}",
        log.text()
    );
}

#[actix_web::test]
async fn declared_body_over_the_limit_is_413_before_reading() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let req = test::TestRequest::post()
        .uri("/api/echo")
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(format!("\"{}\"", "x".repeat(2000)))
        .to_request();
    error_body(call(&app, req).await, 413, "PAYLOAD_TOO_LARGE").await;
}

#[actix_web::test]
async fn chunked_body_over_the_limit_is_413() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let cfg = config();
    let pipeline = Pipeline::new(cfg, state.log.clone());
    let srv = actix_test::start(move || build_app(state.clone(), pipeline.clone(), routes()));
    // A streamed body has no Content-Length: awc sends it chunked.
    let chunks = (0..40).map(|_| {
        Ok::<_, std::io::Error>(web::Bytes::from_static(
            b"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]",
        ))
    });
    let mut resp = awc::Client::new()
        .post(srv.url("/api/echo"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .send_stream(futures_util::stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert!(resp.headers().contains_key("content-security-policy"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");

    // The same body under the limit is accepted, so the limit is what refused it.
    let small = (0..5).map(|_| Ok::<_, std::io::Error>(web::Bytes::from_static(b"      ")));
    let chunks = std::iter::once(Ok(web::Bytes::from_static(b"[1,2]"))).chain(small);
    let resp = awc::Client::new()
        .post(srv.url("/api/echo"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .send_stream(futures_util::stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

#[actix_web::test]
async fn a_handler_that_overruns_is_cancelled_with_408() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let resp = call(&app, test::TestRequest::get().uri("/api/slow").to_request()).await;
    error_body(resp, 408, "REQUEST_TIMEOUT").await;
    // The handler's work was dropped, not left running in the background.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!SLOW_FINISHED.load(Ordering::SeqCst));
}

fn strict(points: u32, block: Duration) -> HttpConfig {
    HttpConfig {
        auth_rate_limit: RateLimit {
            points,
            duration: Duration::from_millis(300),
            block,
        },
        ..config()
    }
}

async fn auth_ping<S, B>(app: &S, ip: &str, xff: Option<&str>) -> Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let mut req = test::TestRequest::post()
        .uri("/api/auth/ping")
        .peer_addr(peer(ip));
    if let Some(xff) = xff {
        req = req.insert_header(("x-forwarded-for", xff));
    }
    call(app, req.to_request()).await
}

#[actix_web::test]
async fn auth_routes_are_rate_limited_with_retry_after() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, strict(3, Duration::ZERO));
    for _ in 0..3 {
        assert_eq!(auth_ping(&app, "192.0.2.10", None).await.status, 200);
    }
    let resp = auth_ping(&app, "192.0.2.10", None).await;
    let retry: u64 = resp
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body = error_body(resp, 429, "RATE_LIMIT").await;
    assert_eq!(body["retryAfter"], retry);
    // Another client is unaffected; other API routes keep their own, looser budget.
    assert_eq!(auth_ping(&app, "192.0.2.11", None).await.status, 200);
    let req = test::TestRequest::get()
        .uri("/api/ping")
        .peer_addr(peer("192.0.2.10"))
        .to_request();
    assert_eq!(call(&app, req).await.status, 200);
}

#[actix_web::test]
async fn spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, strict(2, Duration::ZERO));
    let mut statuses = Vec::new();
    for i in 0..4 {
        let resp = auth_ping(&app, "192.0.2.20", Some(&format!("203.0.113.{i}"))).await;
        statuses.push(resp.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
}

#[actix_web::test]
async fn forwarded_for_from_a_trusted_proxy_names_the_client() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let mut cfg = strict(2, Duration::ZERO);
    cfg.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let app = app!(state, cfg);
    // Through the proxy, two clients have a bucket each.
    for client in ["198.51.100.1", "198.51.100.2"] {
        for _ in 0..2 {
            assert_eq!(auth_ping(&app, "10.0.0.1", Some(client)).await.status, 200);
        }
    }
    assert_eq!(
        auth_ping(&app, "10.0.0.1", Some("198.51.100.1"))
            .await
            .status,
        429
    );
}

#[actix_web::test]
async fn exceeding_the_limit_blocks_for_the_block_duration() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, strict(1, Duration::from_secs(60)));
    assert_eq!(auth_ping(&app, "192.0.2.30", None).await.status, 200);
    let resp = auth_ping(&app, "192.0.2.30", None).await;
    assert_eq!(resp.status, 429);
    assert_eq!(resp.headers.get(header::RETRY_AFTER).unwrap(), "60");
    // The bucket refills after 300 ms, but the client stays blocked.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let resp = auth_ping(&app, "192.0.2.30", None).await;
    assert_eq!(resp.status, 429);
    assert_security_headers(&resp.headers);

    // Without a block duration the same client is back once the bucket refills.
    let (state, _db) = self::state(CapturedLog::default().logger()).await;
    let app = app!(state, strict(1, Duration::ZERO));
    assert_eq!(auth_ping(&app, "192.0.2.31", None).await.status, 200);
    assert_eq!(auth_ping(&app, "192.0.2.31", None).await.status, 429);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(auth_ping(&app, "192.0.2.31", None).await.status, 200);
}

#[actix_web::test]
async fn cors_allows_listed_origins_only() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let mut cfg = config();
    cfg.production = true;
    cfg.allowed_origins = vec!["https://pantry.example".into()];
    let app = app!(state, cfg);

    let req = test::TestRequest::get()
        .uri("/api/ping")
        .insert_header((header::ORIGIN, "https://pantry.example"))
        .to_request();
    let resp = call(&app, req).await;
    assert_eq!(
        resp.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "https://pantry.example"
    );
    assert_eq!(
        resp.headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .unwrap(),
        "true"
    );
    let vary = resp
        .headers
        .get_all(header::VARY)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(",");
    assert!(vary.to_lowercase().contains("origin"), "{vary}");
    assert!(resp.headers.contains_key("strict-transport-security"));

    for origin in [
        "https://evil.example",
        "http://localhost:3000",
        "https://pantry.example.evil",
    ] {
        let req = test::TestRequest::get()
            .uri("/api/ping")
            .insert_header((header::ORIGIN, origin))
            .to_request();
        let resp = call(&app, req).await;
        assert!(
            !resp
                .headers
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            "{origin} allowed"
        );
        assert!(
            !resp
                .headers
                .contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
            "{origin}"
        );
    }

    let preflight = test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/echo")
        .insert_header((header::ORIGIN, "https://pantry.example"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        .insert_header((
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type, authorization",
        ))
        .to_request();
    let resp = call(&app, preflight).await;
    assert!(resp.status.is_success(), "{}", resp.status);
    assert_eq!(
        resp.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "https://pantry.example"
    );
    assert_eq!(
        resp.headers.get(header::ACCESS_CONTROL_MAX_AGE).unwrap(),
        "600"
    );
    assert_security_headers(&resp.headers);

    let preflight = test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/echo")
        .insert_header((header::ORIGIN, "https://evil.example"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        .to_request();
    let resp = call(&app, preflight).await;
    assert!(
        !resp
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

#[actix_web::test]
async fn development_cors_allows_localhost_ports_only_and_sends_no_hsts() {
    let (state, _db) = state(CapturedLog::default().logger()).await;
    let app = app!(state, config());
    let req = test::TestRequest::get()
        .uri("/api/ping")
        .insert_header((header::ORIGIN, "http://localhost:5173"))
        .to_request();
    let resp = call(&app, req).await;
    assert_eq!(
        resp.headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "http://localhost:5173"
    );
    assert!(!resp.headers.contains_key("strict-transport-security"));
    let req = test::TestRequest::get()
        .uri("/api/ping")
        .insert_header((header::ORIGIN, "http://192.168.1.5:3000"))
        .to_request();
    let resp = call(&app, req).await;
    assert!(
        !resp
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

#[actix_web::test]
async fn access_log_has_one_line_per_request_and_no_secrets() {
    let log = CapturedLog::default();
    let (state, _db) = state(log.logger()).await;
    let app = app!(state, config());
    let req = test::TestRequest::post()
        .uri("/api/echo?token=QUERY-TOKEN-123&access_token=QUERY-TOKEN-456")
        .insert_header((header::AUTHORIZATION, "Bearer HEADER-TOKEN-eyJhbGciOi"))
        .insert_header((header::COOKIE, "session=COOKIE-SECRET-789"))
        .set_json(serde_json::json!({"email": "a@b.c", "password": "BODY-PASSWORD-hunter2"}))
        .to_request();
    let resp = call(&app, req).await;
    assert_eq!(resp.status, 200);
    let request_id = resp
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let text = log.text();
    for secret in [
        "QUERY-TOKEN",
        "HEADER-TOKEN",
        "eyJhbGciOi",
        "COOKIE-SECRET",
        "BODY-PASSWORD",
        "hunter2",
    ] {
        assert!(!text.contains(secret), "{secret} logged: {text}");
    }
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let line = lines
        .iter()
        .find(|l| l["request_id"] == request_id.as_str())
        .expect("no access line");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["path"], "/api/echo");
    assert_eq!(line["status"], 200);
    assert!(line["latency_ms"].as_str().is_some());
}
