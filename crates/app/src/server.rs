//! Wiring: the adapters are built from the settings and handed to the HTTP server.

use crate::config::Settings;
use actix_web::HttpServer;
use actix_web::http::KeepAlive;
use pantry_core::accounts::preferences::PreferencesService;
use pantry_core::accounts::service::AccountService;
use pantry_core::accounts::throttle::{LoginThrottle, ThrottlePolicy};
use pantry_core::activity::ActivityFeed;
use pantry_core::change_feed::ChangeFeed;
use pantry_core::clock::SystemClock;
use pantry_core::health::HealthProbe;
use pantry_core::homes::invites::InviteService;
use pantry_core::homes::service::HomeService;
use pantry_core::idempotency::Idempotency;
use pantry_core::insights::{BudgetService, PredictionService};
use pantry_core::items::ItemService;
use pantry_core::lists::ListService;
use pantry_core::notifications::NotificationService;
use pantry_core::pixie::model::LanguageModel;
use pantry_core::pixie::offline::OfflinePixie;
use pantry_core::pixie::service::{ChatDeps, ChatService};
use pantry_core::portability::PortabilityService;
use pantry_core::receipts::ReceiptService;
use pantry_http::auth::argon2_hasher::Argon2Hasher;
use pantry_http::auth::jwt::TokenService;
use pantry_http::auth::random_tokens::OsRandomTokens;
use pantry_http::idempotency;
use pantry_http::live::{LiveDeps, LiveHub};
use pantry_http::routes::RouteTable;
use pantry_http::state::AppState;
use pantry_http::{Pipeline, build_app};
use pantry_store::StoreInsights;
use pantry_store::{
    Database, DbConfig, ListenerEvent, StoreAccounts, StoreActivity, StoreChangeLog,
    StoreChangeSignals, StoreChat, StoreHomes, StoreIdempotency, StoreInvites, StoreItems,
    StoreListItems, StoreLists, StoreNotifications, StorePortability, StoreReceipts, StoreSessions,
};
use slog::{Logger, info, warn};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("DATABASE_URL: {0}")]
    Database(#[from] pantry_store::StoreError),
    #[error("DATABASE_URL: the database is not reachable ({0})")]
    Unreachable(pantry_core::repo_error::RepoError),
    #[error("{0}")]
    Setup(String),
    #[error("HOST/PORT: cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// How long a client may take to send its request head (slowloris defence).
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an idle keep-alive connection stays open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long SIGTERM waits for in-flight requests before closing connections.
const SHUTDOWN_TIMEOUT_SECS: u64 = 30;
/// How long SIGTERM waits for live sockets to finish their closing handshake (1001).
const LIVE_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs pending migrations.
pub async fn migrate(settings: &Settings) -> Result<usize, ServeError> {
    Ok(pantry_store::run_migrations(settings.database.url.expose()).await?)
}

fn database(settings: &Settings) -> Result<Database, ServeError> {
    Ok(Database::new(&DbConfig {
        url: settings.database.url.expose().to_owned(),
        pool_max: settings.database.pool_max,
        idle_timeout: settings.database.idle_timeout,
        connect_timeout: settings.database.connect_timeout,
    })?)
}

/// The account use cases over the store, argon2id and the OS's random generator.
fn account_service(settings: &Settings, db: &Database) -> Result<AccountService, ServeError> {
    // One hash per core at most: more would only queue inside the CPU.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let hasher = Argon2Hasher::new(cores).map_err(|e| ServeError::Setup(e.to_string()))?;
    let refresh_ttl = chrono::Duration::from_std(settings.refresh_token_ttl)
        .map_err(|_| ServeError::Setup("REFRESH_TOKEN_TTL: too large".into()))?;
    Ok(AccountService::new(
        Arc::new(StoreAccounts::new(db.clone())),
        Arc::new(StoreSessions::new(db.clone())),
        Arc::new(hasher),
        Arc::new(OsRandomTokens),
        Arc::new(SystemClock),
        LoginThrottle::new(ThrottlePolicy::default()),
        refresh_ttl,
    ))
}

/// Migrates, checks the database, and serves until SIGTERM/SIGINT.
pub async fn serve(settings: Settings, log: Logger, started: Instant) -> Result<(), ServeError> {
    let applied = migrate(&settings).await?;
    let db = database(&settings)?;
    db.check().await.map_err(ServeError::Unreachable)?;

    let tokens = TokenService::new(
        settings.jwt_secret.expose().as_bytes(),
        settings.access_token_ttl,
    )
    .map_err(|e| ServeError::Setup(format!("JWT_SECRET: {e}")))?;
    let live = live_hub(&settings, &db, &log);
    let db_for_jobs = db.clone();
    let state = AppState {
        live: live.clone(),
        accounts: Arc::new(account_service(&settings, &db)?),
        tokens: Arc::new(tokens),
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
            idempotency::policy(&settings.http),
        )),
        lists: Arc::new(ListService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            Arc::new(SystemClock),
        )),
        item_listings: Default::default(),
        notifications: Arc::new(notification_service(&db)),
        chat: Arc::new(chat_service(&settings, &db)?),
        budget: budget_service(&db),
        predictions: prediction_service(&db),
        receipts: Arc::new(ReceiptService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreReceipts::new(db.clone())),
            language_model(&settings)?,
            Arc::new(SystemClock),
        )),
        database: Arc::new(db),
        started,
        log: log.clone(),
    };
    actix_web::rt::spawn(idempotency::purge_periodically(
        state.idempotency.clone(),
        idempotency::PURGE_EVERY,
        log.clone(),
    ));
    if let Some(every) = settings.scheduler.interval {
        let jobs = crate::scheduler::scheduler(&settings, &db_for_jobs)?;
        actix_web::rt::spawn(crate::scheduler::run_periodically(jobs, every, log.clone()));
    }
    let assistant = state.chat.model_name();
    let pipeline = Pipeline::new(settings.http.clone(), log.clone());
    let addr = format!("{}:{}", settings.host, settings.port);
    let server = HttpServer::new(move || {
        let routes = RouteTable {
            fallback: Arc::new(pantry_web::configure),
            ..RouteTable::production()
        };
        build_app(state.clone(), pipeline.clone(), routes)
    })
    // Streamed frames (live changes, Pixie's words) are small writes: without this, Nagle's
    // algorithm holds each one until the client's delayed ACK, up to 40 ms.
    .tcp_nodelay(true)
    .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
    .client_disconnect_timeout(Duration::from_secs(1))
    .keep_alive(KeepAlive::Timeout(KEEP_ALIVE))
    .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
    // Signals are handled below: live sockets are closed (1001) before the server stops.
    .disable_signals()
    .bind((settings.host.as_str(), settings.port))
    .map_err(|source| ServeError::Bind {
        addr: addr.clone(),
        source,
    })?;
    let listening: Vec<String> = server
        .addrs()
        .iter()
        .map(|a| format!("http://{a}"))
        .collect();
    info!(log, "ready";
        "listening" => listening.join(", "),
        "mode" => format!("{:?}", settings.mode).to_lowercase(),
        "database" => format!("{:?}", pantry_store::Backend::from_url(settings.database.url.expose()).ok()),
        "migrations_applied" => applied,
        "assistant" => assistant,
        "startup_ms" => started.elapsed().as_millis() as u64,
    );
    let server = server.run();
    let handle = server.handle();
    let stopping = log.clone();
    actix_web::rt::spawn(async move {
        let signal = shutdown_signal().await;
        info!(stopping, "stopping"; "signal" => signal, "live_sockets" => live.socket_count());
        // Clients reconnect to another instance and resume from their last seq.
        live.shutdown(LIVE_SHUTDOWN_GRACE).await;
        handle.stop(true).await;
    });
    server.await?;
    info!(log, "stopped");
    Ok(())
}

/// The assistant that answers chat: the OpenAI-compatible model when a key is set (and
/// `PIXIE_ASSISTANT` is not `offline`), else the offline parser.
pub fn language_model(settings: &Settings) -> Result<Arc<dyn LanguageModel>, ServeError> {
    let key = match (&settings.openai.api_key, settings.pixie.assistant) {
        (Some(key), crate::config::AssistantChoice::Auto) => key,
        _ => return Ok(Arc::new(OfflinePixie::new())),
    };
    let config = pantry_openai::OpenAiConfig {
        base_url: settings.openai.base_url.clone(),
        api_key: key.expose().to_owned(),
        model: settings.openai.model.clone(),
        first_token_timeout: settings.openai.first_token_timeout,
        idle_timeout: settings.openai.idle_timeout,
        max_retries: settings.openai.max_retries,
        ..Default::default()
    };
    let model = pantry_openai::OpenAiModel::new(config)
        .map_err(|e| ServeError::Setup(format!("OPENAI_BASE_URL: {e}")))?
        .with_vision(settings.openai.vision);
    Ok(Arc::new(model))
}

/// Spending summaries over `db`.
fn budget_service(db: &Database) -> Arc<BudgetService> {
    Arc::new(BudgetService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreInsights::new(db.clone())),
        Arc::new(SystemClock),
    ))
}

/// Restock predictions over `db` (the scheduler's "running low" notices read them too).
fn prediction_service(db: &Database) -> Arc<PredictionService> {
    Arc::new(PredictionService::new(
        Arc::new(StoreHomes::new(db.clone())),
        Arc::new(StoreInsights::new(db.clone())),
        Arc::new(SystemClock),
    ))
}

/// Each member's inbox over `db`.
fn notification_service(db: &Database) -> NotificationService {
    let homes = || Arc::new(StoreHomes::new(db.clone()));
    NotificationService::new(
        homes(),
        Arc::new(StoreNotifications::new(db.clone())),
        Arc::new(ListService::new(
            homes(),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            Arc::new(SystemClock),
        )),
        Arc::new(SystemClock),
    )
}

/// Chat threads and Pixie's turns over `db`.
fn chat_service(settings: &Settings, db: &Database) -> Result<ChatService, ServeError> {
    let homes = || Arc::new(StoreHomes::new(db.clone()));
    Ok(ChatService::new(
        ChatDeps {
            chats: Arc::new(StoreChat::new(db.clone())),
            homes: homes(),
            accounts: Arc::new(StoreAccounts::new(db.clone())),
            activity: Arc::new(StoreActivity::new(db.clone())),
            items: Arc::new(ItemService::new(
                homes(),
                Arc::new(StoreItems::new(db.clone())),
                Arc::new(SystemClock),
            )),
            lists: Arc::new(ListService::new(
                homes(),
                Arc::new(StoreLists::new(db.clone())),
                Arc::new(StoreListItems::new(db.clone())),
                Arc::new(SystemClock),
            )),
            budget: budget_service(db),
            predictions: prediction_service(db),
            clock: Arc::new(SystemClock),
            model: language_model(settings)?,
            offline: Arc::new(OfflinePixie::new()),
        },
        settings.pixie.chat.clone(),
    ))
}

/// Waits for SIGTERM or SIGINT (Ctrl-C) and names it.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// Live updates: the change-log hints of this database (a `LISTEN` connection on
/// PostgreSQL, in-process on SQLite) delivered by this instance's hub.
fn live_hub(settings: &Settings, db: &Database, log: &Logger) -> LiveHub {
    let listener_log = log.new(slog::o!("component" => "change-listener"));
    let signals = StoreChangeSignals::start(db, move |event| match event {
        ListenerEvent::Connected { pid } => {
            info!(listener_log, "listening for changes"; "pid" => pid)
        }
        ListenerEvent::Lost { error } => {
            warn!(listener_log, "change listener lost its connection; reconnecting"; "error" => error)
        }
        ListenerEvent::ConnectFailed { error, retry_in } => {
            warn!(listener_log, "change listener cannot connect"; "error" => error, "retry_in_ms" => retry_in.as_millis() as u64)
        }
    });
    LiveHub::start(
        LiveDeps {
            signals: Arc::new(signals),
            log: Arc::new(StoreChangeLog::new(db.clone())),
            homes: Arc::new(StoreHomes::new(db.clone())),
            accounts: Arc::new(StoreAccounts::new(db.clone())),
        },
        settings.http.live.clone(),
        log.new(slog::o!("component" => "live")),
    )
}
