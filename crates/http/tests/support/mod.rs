//! Shared pieces of the HTTP integration tests: the real adapters over a throw-away database,
//! a log that can be read back, and a client-side view of responses.

#![allow(dead_code, unused_macros)] // each test binary uses a different subset

use actix_web::http::{StatusCode, header};
use actix_web::{test, web};
use pantry_core::accounts::preferences::PreferencesService;
use pantry_core::accounts::service::AccountService;
use pantry_core::accounts::throttle::{LoginThrottle, ThrottlePolicy};
use pantry_core::activity::ActivityFeed;
use pantry_core::change_feed::ChangeFeed;
use pantry_core::clock::{Clock, SystemClock};
use pantry_core::homes::invites::InviteService;
use pantry_core::homes::service::HomeService;
use pantry_core::idempotency::Idempotency;
use pantry_core::insights::{BudgetService, PredictionService};
use pantry_core::items::ItemService;
use pantry_core::lists::ListService;
use pantry_core::notifications::NotificationService;
use pantry_core::pixie::model::LanguageModel;
use pantry_core::pixie::offline::OfflinePixie;
use pantry_core::pixie::service::{ChatDeps, ChatService, PixieConfig};
use pantry_core::portability::PortabilityService;
use pantry_http::auth::argon2_hasher::Argon2Hasher;
use pantry_http::auth::jwt::TokenService;
use pantry_http::auth::random_tokens::OsRandomTokens;
use pantry_http::config::{HttpConfig, RateLimit};
use pantry_http::live::{LiveConfig, LiveDeps, LiveHub};
use pantry_http::state::AppState;
use pantry_store::StoreInsights;
use pantry_store::{
    Database, StoreAccounts, StoreActivity, StoreChangeLog, StoreChangeSignals, StoreChat,
    StoreHomes, StoreIdempotency, StoreInvites, StoreItems, StoreListItems, StoreLists,
    StoreNotifications, StorePortability, StoreSessions,
};
use serde_json::Value;
use slog::Drain;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const JWT_SECRET: &[u8] = b"test-secret-0123456789abcdef0123456789abcdef";
pub const ACCESS_TTL: Duration = Duration::from_secs(900);

/// Log lines written by the app, as JSON text.
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    pub fn logger(&self) -> slog::Logger {
        let drain = slog_json::Json::new(self.clone())
            .add_default_keys()
            .build();
        slog::Logger::root(Mutex::new(drain).fuse(), slog::o!())
    }
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The state the server builds, over `db`, with OWASP argon2id parameters.
pub fn state(db: &Database, log: slog::Logger) -> AppState {
    state_with_throttle(db, log, ThrottlePolicy::default())
}

/// The live-update hub the server builds over `db` (call inside a runtime; on PostgreSQL it
/// starts this instance's listener).
pub fn live_hub(db: &Database, log: slog::Logger, config: LiveConfig) -> LiveHub {
    LiveHub::start(
        LiveDeps {
            signals: Arc::new(StoreChangeSignals::start(db, |_| {})),
            log: Arc::new(StoreChangeLog::new(db.clone())),
            homes: Arc::new(StoreHomes::new(db.clone())),
            accounts: Arc::new(StoreAccounts::new(db.clone())),
        },
        config,
        log,
    )
}

pub fn state_with_throttle(db: &Database, log: slog::Logger, policy: ThrottlePolicy) -> AppState {
    let accounts = AccountService::new(
        Arc::new(StoreAccounts::new(db.clone())),
        Arc::new(StoreSessions::new(db.clone())),
        Arc::new(Argon2Hasher::new(2).unwrap()),
        Arc::new(OsRandomTokens),
        Arc::new(SystemClock),
        LoginThrottle::new(policy),
        chrono::Duration::days(30),
    );
    let log_for_live = log.clone();
    AppState {
        database: Arc::new(db.clone()),
        started: Instant::now(),
        log,
        accounts: Arc::new(accounts),
        tokens: Arc::new(TokenService::new(JWT_SECRET, ACCESS_TTL).unwrap()),
        homes: Arc::new(HomeService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(SystemClock),
        )),
        invites: Arc::new(InviteService::new(
            Arc::new(StoreInvites::new(db.clone())),
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(OsRandomTokens),
            Arc::new(SystemClock),
        )),
        changes: Arc::new(ChangeFeed::new(
            Arc::new(StoreChangeLog::new(db.clone())),
            Arc::new(StoreHomes::new(db.clone())),
        )),
        items: Arc::new(ItemService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreItems::new(db.clone())),
            Arc::new(SystemClock),
        )),
        portability: Arc::new(PortabilityService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StorePortability::new(db.clone())),
            Arc::new(SystemClock),
        )),
        preferences: Arc::new(PreferencesService::new(
            Arc::new(StoreAccounts::new(db.clone())),
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(HomeService::new(
                Arc::new(StoreHomes::new(db.clone())),
                Arc::new(SystemClock),
            )),
            Arc::new(SystemClock),
        )),
        activity: Arc::new(ActivityFeed::new(
            Arc::new(StoreActivity::new(db.clone())),
            Arc::new(StoreHomes::new(db.clone())),
        )),
        idempotency: Arc::new(Idempotency::new(
            Arc::new(StoreIdempotency::new(db.clone())),
            Arc::new(SystemClock),
            pantry_http::idempotency::policy(&config()),
        )),
        lists: Arc::new(ListService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            Arc::new(SystemClock),
        )),
        item_listings: Default::default(),
        notifications: notification_service(db, Arc::new(SystemClock)),
        chat: chat_service(db, Arc::new(OfflinePixie::new()), PixieConfig::default()),
        receipts: receipt_service(db, Arc::new(OfflinePixie::new())),
        live: live_hub(db, log_for_live, LiveConfig::default()),
        budget: budget_service(db, Arc::new(SystemClock)),
        predictions: prediction_service(db, Arc::new(SystemClock)),
    }
}

/// Spending summaries over `db`, read at `clock`'s time.
pub fn budget_service(db: &Database, clock: Arc<dyn Clock>) -> Arc<BudgetService> {
    Arc::new(BudgetService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreInsights::new(db.clone())),
        clock,
    ))
}

/// Restock predictions over `db`, read at `clock`'s time.
pub fn prediction_service(db: &Database, clock: Arc<dyn Clock>) -> Arc<PredictionService> {
    Arc::new(PredictionService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreInsights::new(db.clone())),
        clock,
    ))
}

/// The inbox over `db`, on `clock`, as the server wires it.
pub fn notification_service(
    db: &Database,
    clock: Arc<dyn pantry_core::clock::Clock>,
) -> Arc<NotificationService> {
    Arc::new(NotificationService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreNotifications::new(db.clone())),
        Arc::new(ListService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            clock.clone(),
        )),
        clock,
    ))
}

/// Chat over `db` with `model` answering (the offline Pixie takes over past the budget), as
/// the server wires it.
pub fn chat_service(
    db: &Database,
    model: Arc<dyn LanguageModel>,
    config: PixieConfig,
) -> Arc<ChatService> {
    let items = Arc::new(ItemService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreItems::new(db.clone())),
        Arc::new(SystemClock),
    ));
    let lists = Arc::new(ListService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreLists::new(db.clone())),
        Arc::new(StoreListItems::new(db.clone())),
        Arc::new(SystemClock),
    ));
    Arc::new(ChatService::new(
        ChatDeps {
            chats: Arc::new(StoreChat::new(db.clone())),
            homes: Arc::new(StoreHomes::new(db.clone())),
            accounts: Arc::new(StoreAccounts::new(db.clone())),
            activity: Arc::new(StoreActivity::new(db.clone())),
            items,
            lists,
            budget: budget_service(db, Arc::new(SystemClock)),
            predictions: prediction_service(db, Arc::new(SystemClock)),
            clock: Arc::new(SystemClock),
            model,
            offline: Arc::new(OfflinePixie::new()),
        },
        config,
    ))
}

/// Receipts over `db` with `model` reading photos, as the server wires it.
pub fn receipt_service(
    db: &Database,
    model: Arc<dyn LanguageModel>,
) -> Arc<pantry_core::receipts::ReceiptService> {
    Arc::new(pantry_core::receipts::ReceiptService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(pantry_store::StoreReceipts::new(db.clone())),
        model,
        Arc::new(SystemClock),
    ))
}

/// A response as a client receives it. A middleware error is rendered exactly as actix's
/// dispatcher renders it for a real connection (`Error::error_response`, with its mappers).
pub struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: web::Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

pub async fn call<S, B>(app: &S, req: actix_http::Request) -> Reply
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    let response = match test::try_call_service(app, req).await {
        Ok(res) => res.into_parts().1.map_into_boxed_body(),
        Err(err) => err.error_response(),
    };
    let status = response.status();
    let headers = response.headers().clone();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    Reply {
        status,
        headers,
        body,
    }
}

/// Adds `user` to `home` with `role` directly in the database: the invite flow that does this
/// over HTTP is not built yet, and these tests are about what members may do once inside.
pub async fn add_member(db: &Database, home: uuid::Uuid, user: uuid::Uuid, role: &str) {
    use diesel::ExpressionMethods;
    use diesel_async::RunQueryDsl;
    use pantry_store::schema::memberships;
    let mut conn = db.conn().await.unwrap();
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(uuid::Uuid::now_v7().to_string()),
            memberships::home_id.eq(home.to_string()),
            memberships::user_id.eq(user.to_string()),
            memberships::role.eq(role),
            memberships::joined_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(&mut *conn)
        .await
        .unwrap();
}

// ---- Households: signed-up people and requests as them --------------------------------------

/// Limits high enough that tests about households never meet them.
pub fn config() -> HttpConfig {
    let generous = RateLimit {
        points: 10_000,
        duration: Duration::from_secs(60),
        block: Duration::ZERO,
    };
    HttpConfig {
        rate_limit: generous,
        auth_rate_limit: generous,
        ..HttpConfig::development()
    }
}

macro_rules! app {
    ($state:expr) => {{
        let pipeline = ::pantry_http::Pipeline::new($crate::support::config(), $state.log.clone());
        ::actix_web::test::init_service(::pantry_http::build_app(
            $state.clone(),
            pipeline,
            ::pantry_http::routes::RouteTable::production(),
        ))
        .await
    }};
}

pub struct Person {
    pub id: Uuid,
    pub token: String,
    pub home: Uuid,
}

pub fn req(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> actix_http::Request {
    let mut r = test::TestRequest::default()
        .method(method.parse().unwrap())
        .uri(uri)
        .peer_addr("192.0.2.9:1000".parse().unwrap());
    if let Some(t) = token {
        r = r.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
    }
    match body {
        Some(b) => r.set_json(b).to_request(),
        None => r.to_request(),
    }
}

macro_rules! send {
    ($app:expr, $method:expr, $uri:expr, $token:expr) => {
        $crate::support::call(&$app, $crate::support::req($method, &$uri, $token, None)).await
    };
    ($app:expr, $method:expr, $uri:expr, $token:expr, $body:expr) => {
        $crate::support::call(
            &$app,
            $crate::support::req($method, &$uri, $token, Some($body)),
        )
        .await
    };
}

macro_rules! sign_up {
    ($app:expr, $name:expr) => {{
        let reply = send!(
            $app,
            "POST",
            "/api/auth/register",
            None,
            ::serde_json::json!({"email": format!("{}@example.com", $name), "password": "a long kitchen password", "name": $name})
        );
        assert_eq!(reply.status.as_u16(), 201, "{:?}", reply.body);
        let data = reply.json()["data"].clone();
        Person {
            id: data["user"]["id"].as_str().unwrap().parse().unwrap(),
            token: data["token"].as_str().unwrap().to_owned(),
            home: data["user"]["homeId"].as_str().unwrap().parse().unwrap(),
        }
    }};
}

pub fn status(reply: &Reply) -> u16 {
    reply.status.as_u16()
}
