//! Accounts and sessions over HTTP, against real databases and real argon2id.

mod support;

use actix_web::http::header;
use actix_web::test;
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use pantry_core::accounts::password::{HashError, PasswordHasher, Verification};
use pantry_core::accounts::service::AccountService;
use pantry_core::accounts::throttle::{LoginThrottle, ThrottlePolicy};
use pantry_core::accounts::user::AccountRepository;
use pantry_core::clock::SystemClock;
use pantry_http::auth::argon2_hasher::Argon2Hasher;
use pantry_http::auth::jwt::{AUDIENCE, ISSUER};
use pantry_http::auth::random_tokens::OsRandomTokens;
use pantry_http::config::{HttpConfig, RateLimit};
use pantry_http::routes::RouteTable;
use pantry_http::state::AppState;
use pantry_http::{Pipeline, build_app};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreAccounts, StoreSessions};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{CapturedLog, Reply, call};
use uuid::Uuid;

fn config() -> HttpConfig {
    HttpConfig {
        auth_rate_limit: RateLimit {
            points: 1000,
            duration: Duration::from_secs(60),
            block: Duration::ZERO,
        },
        ..HttpConfig::development()
    }
}

macro_rules! app {
    ($state:expr) => {{
        let pipeline = Pipeline::new(config(), $state.log.clone());
        test::init_service(build_app(
            $state.clone(),
            pipeline,
            RouteTable::production(),
        ))
        .await
    }};
}

/// Runs a scenario against SQLite and, when reachable, PostgreSQL.
macro_rules! on_both_backends {
    ($sqlite:ident, $postgres:ident, $scenario:ident) => {
        #[actix_web::test]
        async fn $sqlite() {
            let db = TestDb::sqlite().await;
            $scenario(support::state(&db.db, CapturedLog::default().logger())).await;
        }
        #[actix_web::test]
        async fn $postgres() {
            let Some(db) = TestDb::postgres().await else {
                return;
            };
            $scenario(support::state(&db.db, CapturedLog::default().logger())).await;
        }
    };
}

fn post(uri: &str, body: Value) -> test::TestRequest {
    test::TestRequest::post()
        .uri(uri)
        .peer_addr("192.0.2.1:5000".parse().unwrap())
        .set_json(body)
}

fn bearer(req: test::TestRequest, token: &str) -> test::TestRequest {
    req.insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
}

fn get_me(token: &str) -> actix_http::Request {
    bearer(test::TestRequest::get().uri("/api/auth/me"), token).to_request()
}

fn register_body(email: &str, name: &str) -> Value {
    json!({"email": email, "password": "a long kitchen password", "name": name})
}

fn assert_unauthorized(reply: &Reply) {
    assert_eq!(reply.status.as_u16(), 401, "{:?}", reply.body);
    let body = reply.json();
    assert_eq!(body["success"], false);
    assert!(body["code"].as_str().is_some(), "{body}");
}

async fn registration_and_login_flow(state: AppState) {
    let app = app!(state);
    let reply = call(
        &app,
        post(
            "/api/auth/register",
            register_body("  Alice@Example.com ", "Alice"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 201, "{:?}", reply.body);
    let body = reply.json();
    assert_eq!(body["success"], true);
    assert!(body["timestamp"].is_string());
    let data = &body["data"];
    assert_eq!(data["expiresIn"], 900);
    assert_eq!(data["user"]["email"], "Alice@Example.com");
    assert_eq!(data["user"]["name"], "Alice");
    let home_id = data["user"]["homeId"]
        .as_str()
        .expect("a first home")
        .to_owned();
    let token = data["token"].as_str().unwrap().to_owned();
    assert_eq!(data["refreshToken"].as_str().unwrap().len(), 64);

    // The access token carries the earlier clients' claims.
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["userId"], data["user"]["id"]);
    assert_eq!(payload["homeId"], home_id.as_str());
    assert_eq!(payload["email"], "Alice@Example.com");
    assert_eq!(payload["iss"], ISSUER);
    assert_eq!(payload["aud"], AUDIENCE);
    assert_eq!(
        payload["exp"].as_i64().unwrap() - payload["iat"].as_i64().unwrap(),
        900
    );

    let me = call(&app, get_me(&token)).await;
    assert_eq!(me.status.as_u16(), 200);
    let me = me.json();
    assert_eq!(me["data"]["userId"], data["user"]["id"]);
    assert_eq!(me["data"]["homeId"], home_id.as_str());
    assert_eq!(me["data"]["name"], "Alice");

    // Same address in another case: taken.
    let dup = call(
        &app,
        post(
            "/api/auth/register",
            register_body("alice@EXAMPLE.com", "Eve"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(dup.status.as_u16(), 409);
    assert_eq!(dup.json()["error"], "Email already registered");

    // Login is case-insensitive on the email too.
    let login = call(
        &app,
        post(
            "/api/auth/login",
            json!({"email": "ALICE@example.COM", "password": "a long kitchen password"}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(login.status.as_u16(), 200, "{:?}", login.body);
    assert_eq!(login.json()["data"]["user"]["homeId"], home_id.as_str());
}
on_both_backends!(
    sqlite_registration_and_login,
    postgres_registration_and_login,
    registration_and_login_flow
);

#[actix_web::test]
async fn registration_validates_every_field() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let cases = [
        (
            json!({"email": "nope", "password": "a long kitchen password", "name": "A"}),
            "email",
            "valid email",
        ),
        (
            json!({"email": "a@b.co", "password": "short", "name": "A"}),
            "password",
            "at least 8",
        ),
        (
            json!({"email": "a@b.co", "password": "Password123", "name": "A"}),
            "password",
            "most common passwords",
        ),
        (
            json!({"email": "a@b.co", "password": "a long kitchen password", "name": "   "}),
            "name",
            "empty",
        ),
        (
            json!({"email": "a@b.co", "password": "x".repeat(1025), "name": "A"}),
            "password",
            "",
        ),
    ];
    for (body, field, message) in cases {
        let reply = call(&app, post("/api/auth/register", body.clone()).to_request()).await;
        assert_eq!(reply.status.as_u16(), 400, "{body}");
        let reply = reply.json();
        assert_eq!(reply["code"], "VALIDATION_ERROR");
        let detail = reply["details"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["field"] == field)
            .unwrap_or_else(|| panic!("no {field} error in {reply}"));
        assert!(
            detail["message"].as_str().unwrap().contains(message),
            "{reply}"
        );
    }
    // Nothing was created by any of them.
    let login = call(
        &app,
        post(
            "/api/auth/login",
            json!({"email": "a@b.co", "password": "a long kitchen password"}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(login.status.as_u16(), 401);
}

/// A hasher that records which hashes it was asked to verify against.
struct RecordingHasher {
    inner: Argon2Hasher,
    verified_against: Mutex<Vec<String>>,
}

#[async_trait]
impl PasswordHasher for RecordingHasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        self.inner.hash(password).await
    }
    async fn verify(&self, password: &str, phc: &str) -> Result<Verification, HashError> {
        self.verified_against.lock().unwrap().push(phc.to_owned());
        self.inner.verify(password, phc).await
    }
    fn saturated(&self) -> bool {
        self.inner.saturated()
    }
    fn dummy_hash(&self) -> &str {
        self.inner.dummy_hash()
    }
}

#[actix_web::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let db = TestDb::sqlite().await;
    let hasher = Arc::new(RecordingHasher {
        inner: Argon2Hasher::new(2).unwrap(),
        verified_against: Mutex::new(Vec::new()),
    });
    let mut state = support::state(&db.db, CapturedLog::default().logger());
    state.accounts = Arc::new(AccountService::new(
        Arc::new(StoreAccounts::new(db.db.clone())),
        Arc::new(StoreSessions::new(db.db.clone())),
        hasher.clone(),
        Arc::new(OsRandomTokens),
        Arc::new(SystemClock),
        LoginThrottle::new(ThrottlePolicy::default()),
        chrono::Duration::days(30),
    ));
    let app = app!(state);
    call(
        &app,
        post(
            "/api/auth/register",
            register_body("bob@example.com", "Bob"),
        )
        .to_request(),
    )
    .await;

    let wrong = call(
        &app,
        post(
            "/api/auth/login",
            json!({"email": "bob@example.com", "password": "not bob's password"}),
        )
        .to_request(),
    )
    .await;
    let unknown = call(
        &app,
        post(
            "/api/auth/login",
            json!({"email": "nobody@example.com", "password": "not bob's password"}),
        )
        .to_request(),
    )
    .await;
    assert_eq!(wrong.status.as_u16(), 401);
    assert_eq!(unknown.status.as_u16(), 401);
    let (mut w, mut u) = (wrong.json(), unknown.json());
    assert_ne!(w["requestId"], u["requestId"]);
    w["requestId"] = Value::Null;
    u["requestId"] = Value::Null;
    assert_eq!(w, u, "the bodies must not tell the cases apart");
    assert_eq!(w["error"], "Invalid email or password");

    // Both paths paid for one full argon2id verification: the unknown email against the dummy.
    let verified = hasher.verified_against.lock().unwrap().clone();
    assert_eq!(verified.len(), 2);
    assert_eq!(verified[1], hasher.dummy_hash());
    assert!(
        verified
            .iter()
            .all(|h| h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
    );
}

async fn login(
    app: &impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody + 'static>,
        Error = actix_web::Error,
    >,
    email: &str,
    password: &str,
) -> Reply {
    call(
        app,
        post(
            "/api/auth/login",
            json!({"email": email, "password": password}),
        )
        .to_request(),
    )
    .await
}

fn tokens_of(reply: &Reply) -> (String, String) {
    let body = reply.json();
    (
        body["data"]["token"].as_str().unwrap().to_owned(),
        body["data"]["refreshToken"].as_str().unwrap().to_owned(),
    )
}

async fn refresh_rotation_and_reuse_detection(state: AppState) {
    let app = app!(state);
    call(
        &app,
        post(
            "/api/auth/register",
            register_body("carol@example.com", "Carol"),
        )
        .to_request(),
    )
    .await;
    let (access, first_refresh) =
        tokens_of(&login(&app, "carol@example.com", "a long kitchen password").await);

    let rotated = call(
        &app,
        post("/api/auth/refresh", json!({"refreshToken": first_refresh})).to_request(),
    )
    .await;
    assert_eq!(rotated.status.as_u16(), 200, "{:?}", rotated.body);
    let body = rotated.json();
    assert_eq!(body["data"]["expiresIn"], 900);
    let (new_access, second_refresh) = tokens_of(&rotated);
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(call(&app, get_me(&new_access)).await.status.as_u16(), 200);
    assert_eq!(
        call(&app, get_me(&access)).await.status.as_u16(),
        200,
        "rotation keeps the session"
    );

    // A thief replays the first (already used) token: refused, and the family dies.
    let replay = call(
        &app,
        post("/api/auth/refresh", json!({"refreshToken": first_refresh})).to_request(),
    )
    .await;
    assert_unauthorized(&replay);
    let owner = call(
        &app,
        post("/api/auth/refresh", json!({"refreshToken": second_refresh})).to_request(),
    )
    .await;
    assert_unauthorized(&owner);
    assert_unauthorized(&call(&app, get_me(&new_access)).await);

    // Garbage is simply invalid.
    let garbage = call(
        &app,
        post("/api/auth/refresh", json!({"refreshToken": "0".repeat(64)})).to_request(),
    )
    .await;
    assert_unauthorized(&garbage);
}
on_both_backends!(
    sqlite_refresh_rotation,
    postgres_refresh_rotation,
    refresh_rotation_and_reuse_detection
);

async fn logout_logout_all_and_password_change(state: AppState) {
    let app = app!(state);
    call(
        &app,
        post(
            "/api/auth/register",
            register_body("dave@example.com", "Dave"),
        )
        .to_request(),
    )
    .await;
    let (phone_access, phone_refresh) =
        tokens_of(&login(&app, "dave@example.com", "a long kitchen password").await);
    let (laptop_access, laptop_refresh) =
        tokens_of(&login(&app, "dave@example.com", "a long kitchen password").await);

    // Logout ends that session only, access token included.
    let out = call(
        &app,
        post("/api/auth/logout", json!({"refreshToken": phone_refresh})).to_request(),
    )
    .await;
    assert_eq!(out.status.as_u16(), 200);
    assert_eq!(out.json()["success"], true);
    assert_unauthorized(&call(&app, get_me(&phone_access)).await);
    assert_unauthorized(
        &call(
            &app,
            post("/api/auth/refresh", json!({"refreshToken": phone_refresh})).to_request(),
        )
        .await,
    );
    assert_eq!(
        call(&app, get_me(&laptop_access)).await.status.as_u16(),
        200
    );

    // Password change: the caller gets fresh tokens; every earlier token dies at once.
    let (tablet_access, tablet_refresh) =
        tokens_of(&login(&app, "dave@example.com", "a long kitchen password").await);
    let wrong = call(
        &app,
        bearer(post("/api/auth/password", json!({"currentPassword": "nope nope nope", "newPassword": "another long password"})), &laptop_access).to_request(),
    )
    .await;
    assert_eq!(wrong.status.as_u16(), 400);
    assert_eq!(wrong.json()["details"][0]["field"], "currentPassword");
    let common = call(
        &app,
        bearer(
            post(
                "/api/auth/password",
                json!({"currentPassword": "a long kitchen password", "newPassword": "iloveyou"}),
            ),
            &laptop_access,
        )
        .to_request(),
    )
    .await;
    assert_eq!(common.status.as_u16(), 400);
    let changed = call(
        &app,
        bearer(post("/api/auth/password", json!({"currentPassword": "a long kitchen password", "newPassword": "another long password"})), &laptop_access).to_request(),
    )
    .await;
    assert_eq!(changed.status.as_u16(), 200, "{:?}", changed.body);
    let (fresh_access, fresh_refresh) = tokens_of(&changed);
    for old in [&laptop_access, &tablet_access] {
        assert_unauthorized(&call(&app, get_me(old)).await);
    }
    for old in [&laptop_refresh, &tablet_refresh] {
        assert_unauthorized(
            &call(
                &app,
                post("/api/auth/refresh", json!({"refreshToken": old})).to_request(),
            )
            .await,
        );
    }
    assert_eq!(call(&app, get_me(&fresh_access)).await.status.as_u16(), 200);
    assert_eq!(
        login(&app, "dave@example.com", "a long kitchen password")
            .await
            .status
            .as_u16(),
        401
    );
    let (other_access, _) =
        tokens_of(&login(&app, "dave@example.com", "another long password").await);

    // Logout everywhere: every access and refresh token of the user stops working at once.
    let all = call(
        &app,
        bearer(post("/api/auth/logout-all", json!({})), &fresh_access).to_request(),
    )
    .await;
    assert_eq!(all.status.as_u16(), 200);
    for access in [&fresh_access, &other_access] {
        assert_unauthorized(&call(&app, get_me(access)).await);
    }
    assert_unauthorized(
        &call(
            &app,
            post("/api/auth/refresh", json!({"refreshToken": fresh_refresh})).to_request(),
        )
        .await,
    );
    // Signing in again works.
    assert_eq!(
        login(&app, "dave@example.com", "another long password")
            .await
            .status
            .as_u16(),
        200
    );
}
on_both_backends!(
    sqlite_logout_and_password,
    postgres_logout_and_password,
    logout_logout_all_and_password_change
);

fn sign(header: &Header, claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
}

#[actix_web::test]
async fn forged_and_malformed_tokens_are_refused() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    let reply = call(
        &app,
        post(
            "/api/auth/register",
            register_body("erin@example.com", "Erin"),
        )
        .to_request(),
    )
    .await;
    let (genuine, _) = tokens_of(&reply);
    assert_eq!(call(&app, get_me(&genuine)).await.status.as_u16(), 200);
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(genuine.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let now = chrono::Utc::now().timestamp();
    let hs256 = Header::new(Algorithm::HS256);

    // Re-signing the genuine claims with the real secret works: the variants below fail for
    // the one thing each changes.
    assert_eq!(
        call(&app, get_me(&sign(&hs256, &claims, support::JWT_SECRET)))
            .await
            .status
            .as_u16(),
        200
    );

    let mut forged: Vec<(&str, String)> = Vec::new();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = genuine.split('.').nth(1).unwrap();
    forged.push(("alg none", format!("{none_header}.{body}.")));
    forged.push((
        "HS512",
        sign(&Header::new(Algorithm::HS512), &claims, support::JWT_SECRET),
    ));
    forged.push((
        "other secret",
        sign(
            &hs256,
            &claims,
            b"another-secret-0123456789abcdef0123456789",
        ),
    ));
    let mut tampered = genuine.clone();
    tampered.pop();
    tampered.push(if genuine.ends_with('A') { 'B' } else { 'A' });
    forged.push(("bad signature", tampered));
    for missing in [
        "sub", "exp", "nbf", "iat", "jti", "iss", "aud", "sid", "sep",
    ] {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(missing);
        forged.push((missing, sign(&hs256, &c, support::JWT_SECRET)));
    }
    let variants: [(&str, &str, Value); 6] = [
        ("future nbf", "nbf", json!(now + 300)),
        ("expired", "exp", json!(now - 300)),
        ("other issuer", "iss", json!("someone-else")),
        ("other audience", "aud", json!("another-api")),
        (
            "other user in userId",
            "userId",
            json!(Uuid::now_v7().to_string()),
        ),
        ("unknown session", "sid", json!(Uuid::now_v7().to_string())),
    ];
    for (name, key, value) in variants {
        let mut c = claims.clone();
        c[key] = value;
        forged.push((name, sign(&hs256, &c, support::JWT_SECRET)));
    }
    for (name, token) in forged {
        let reply = call(&app, get_me(&token)).await;
        assert_eq!(reply.status.as_u16(), 401, "{name} was accepted");
        assert_eq!(reply.json()["code"], "UNAUTHORIZED", "{name}");
    }

    for header_value in [
        "",
        "Bearer",
        "Bearer ",
        &format!("Basic {genuine}"),
        &format!("Token {genuine}"),
        &genuine,
    ] {
        let mut req = test::TestRequest::get().uri("/api/auth/me");
        if !header_value.is_empty() {
            req = req.insert_header((header::AUTHORIZATION, header_value.to_owned()));
        }
        let reply = call(&app, req.to_request()).await;
        assert_eq!(reply.status.as_u16(), 401, "{header_value:?}");
        assert_eq!(reply.json()["code"], "UNAUTHORIZED");
    }
}

#[actix_web::test]
async fn repeated_failures_are_throttled_with_retry_after_even_for_the_right_password() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    call(
        &app,
        post(
            "/api/auth/register",
            register_body("frank@example.com", "Frank"),
        )
        .to_request(),
    )
    .await;
    for _ in 0..6 {
        assert_eq!(
            login(&app, "frank@example.com", "wrong password!")
                .await
                .status
                .as_u16(),
            401
        );
    }
    let throttled = login(&app, "frank@example.com", "a long kitchen password").await;
    assert_eq!(throttled.status.as_u16(), 429);
    assert_eq!(throttled.headers.get(header::RETRY_AFTER).unwrap(), "1");
    let body = throttled.json();
    assert_eq!(body["code"], "RATE_LIMIT");
    assert_eq!(body["retryAfter"], 1);

    // An unknown account is throttled identically: the 429 reveals nothing either.
    for _ in 0..6 {
        login(&app, "ghost@example.com", "wrong password!").await;
    }
    assert_eq!(
        login(&app, "ghost@example.com", "wrong password!")
            .await
            .status
            .as_u16(),
        429
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        login(&app, "frank@example.com", "a long kitchen password")
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn one_client_guessing_across_accounts_is_throttled() {
    let db = TestDb::sqlite().await;
    let app = app!(support::state(&db.db, CapturedLog::default().logger()));
    for i in 0..21 {
        let reply = login(&app, &format!("victim{i}@example.com"), "guess guess").await;
        assert_eq!(reply.status.as_u16(), 401, "attempt {i}");
    }
    let reply = login(&app, "victim99@example.com", "guess guess").await;
    assert_eq!(reply.status.as_u16(), 429);
    // Another client is not affected.
    let other = call(
        &app,
        test::TestRequest::post()
            .uri("/api/auth/login")
            .peer_addr("192.0.2.2:5000".parse().unwrap())
            .set_json(json!({"email": "victim99@example.com", "password": "guess guess"}))
            .to_request(),
    )
    .await;
    assert_eq!(other.status.as_u16(), 401);
}

#[actix_web::test]
async fn an_earlier_server_hash_verifies_and_is_upgraded() {
    use argon2::{Algorithm as A2, Argon2, Params, PasswordHasher as _, Version};
    let db = TestDb::sqlite().await;
    let state = support::state(&db.db, CapturedLog::default().logger());
    let app = app!(state);
    let reply = call(
        &app,
        post(
            "/api/auth/register",
            register_body("grace@example.com", "Grace"),
        )
        .to_request(),
    )
    .await;
    let user_id = Uuid::parse_str(reply.json()["data"]["user"]["id"].as_str().unwrap()).unwrap();

    // What Bun.password.hash produced: argon2id, m=65536, t=2, p=1.
    let old = Argon2::new(
        A2::Argon2id,
        Version::V0x13,
        Params::new(65_536, 2, 1, None).unwrap(),
    )
    .hash_password(b"password from 2025")
    .unwrap()
    .to_string();
    let accounts = StoreAccounts::new(db.db.clone());
    accounts
        .set_password_hash(user_id, &old, false, chrono::Utc::now())
        .await
        .unwrap();

    assert_eq!(
        login(&app, "grace@example.com", "password from 2025")
            .await
            .status
            .as_u16(),
        200
    );
    let upgraded = accounts
        .find_by_id(user_id)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{upgraded}"
    );
    assert_eq!(
        login(&app, "grace@example.com", "password from 2025")
            .await
            .status
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn the_access_log_names_the_authenticated_user_but_no_token() {
    let db = TestDb::sqlite().await;
    let log = CapturedLog::default();
    let app = app!(support::state(&db.db, log.logger()));
    let reply = call(
        &app,
        post(
            "/api/auth/register",
            register_body("heidi@example.com", "Heidi"),
        )
        .to_request(),
    )
    .await;
    let (access, refresh) = tokens_of(&reply);
    let user_id = reply.json()["data"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    call(&app, get_me(&access)).await;
    let text = log.text();
    assert!(
        !text.contains(&access) && !text.contains(&refresh),
        "token logged"
    );
    assert!(!text.contains("a long kitchen password"), "password logged");
    let me_line = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["path"] == "/api/auth/me")
        .unwrap();
    assert_eq!(me_line["user_id"], user_id.as_str());
}
