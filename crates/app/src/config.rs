//! Configuration: defaults, then `pixie.toml` (if present), then the environment. Every
//! setting has a conventional name (`PORT`, `DATABASE_URL`, ...) and a `PIXIE_`-prefixed one,
//! which wins. Loading validates everything and fails with one line naming the setting.

use crate::secret::{self, Secret, SecretSource};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use pantry_http::config::{HttpConfig, RateLimit};
use pantry_http::live::LiveConfig;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The setting names, as environment variables (also read with the `PIXIE_` prefix and as
/// lower-case keys in `pixie.toml`).
pub const SETTINGS: &[&str] = &[
    "PIXIE_ENV",
    "HOST",
    "PORT",
    "PIXIE_DATA_DIR",
    "DATABASE_URL",
    "DB_POOL_MAX",
    "DB_IDLE_TIMEOUT",
    "DB_CONNECT_TIMEOUT",
    "JWT_SECRET",
    "ACCESS_TOKEN_TTL",
    "REFRESH_TOKEN_TTL",
    "ALLOWED_ORIGINS",
    "TRUSTED_PROXIES",
    "RATE_LIMIT_POINTS",
    "RATE_LIMIT_DURATION",
    "RATE_LIMIT_BLOCK_DURATION",
    "AUTH_RATE_LIMIT_POINTS",
    "AUTH_RATE_LIMIT_DURATION",
    "REQUEST_TIMEOUT",
    "BODY_LIMIT",
    "IDEMPOTENCY_TTL",
    "WS_PING_INTERVAL",
    "WS_MAX_MISSED_PONGS",
    "WS_MAX_FRAME_SIZE",
    "WS_MESSAGE_RATE",
    "WS_MESSAGE_BURST",
    "WS_SEND_QUEUE",
    "WS_SEND_TIMEOUT",
    "WS_MAX_SOCKETS_PER_USER",
    "WS_SESSION_CHECK_INTERVAL",
    "LOG_LEVEL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "OPENAI_FIRST_TOKEN_TIMEOUT",
    "OPENAI_IDLE_TIMEOUT",
    "OPENAI_MAX_RETRIES",
    "OPENAI_VISION",
    "PIXIE_ASSISTANT",
    "PIXIE_MAX_STEPS",
    "PIXIE_TOKEN_BUDGET",
    "PIXIE_CHAT_RATE",
    "PIXIE_CHAT_CONCURRENCY",
    "SCHEDULER_INTERVAL",
    "DIGEST_HOUR",
];

/// The least secret length production accepts (HS256 wants at least the hash size).
pub const MIN_SECRET_BYTES: usize = 32;

/// Development (no configuration needed) or production (refuses unsafe settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Development,
    Production,
}

/// Log verbosity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    #[serde(alias = "warning")]
    Warn,
    Error,
    #[serde(alias = "critical")]
    Fatal,
}

/// The settings exactly as read, before validation. Field names are the setting names in
/// lower case (`data_dir` is `PIXIE_DATA_DIR`, `env` is `PIXIE_ENV`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawConfig {
    env: Mode,
    host: String,
    port: u16,
    data_dir: PathBuf,
    database_url: Option<String>,
    db_pool_max: u32,
    db_idle_timeout: u64,
    db_connect_timeout: u64,
    jwt_secret: Option<String>,
    access_token_ttl: u64,
    refresh_token_ttl: u64,
    #[serde(deserialize_with = "comma_list")]
    allowed_origins: Vec<String>,
    #[serde(deserialize_with = "comma_list")]
    trusted_proxies: Vec<String>,
    rate_limit_points: u32,
    rate_limit_duration: u64,
    rate_limit_block_duration: u64,
    auth_rate_limit_points: u32,
    auth_rate_limit_duration: u64,
    request_timeout: u64,
    body_limit: u64,
    idempotency_ttl: u64,
    ws_ping_interval: u64,
    ws_max_missed_pongs: u32,
    ws_max_frame_size: u64,
    ws_message_rate: u32,
    ws_message_burst: u32,
    ws_send_queue: u32,
    ws_send_timeout: u64,
    ws_max_sockets_per_user: u32,
    ws_session_check_interval: u64,
    log_level: LogLevel,
    openai_api_key: Option<String>,
    openai_base_url: String,
    openai_model: String,
    openai_first_token_timeout: u64,
    openai_idle_timeout: u64,
    openai_max_retries: u32,
    openai_vision: bool,
    assistant: AssistantChoice,
    max_steps: u32,
    token_budget: u64,
    chat_rate: u32,
    chat_concurrency: u32,
    scheduler_interval: u64,
    digest_hour: u32,
}

/// Which assistant answers chat (`PIXIE_ASSISTANT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssistantChoice {
    /// The OpenAI-compatible model when `OPENAI_API_KEY` is set, else the offline one.
    Auto,
    /// Always the offline parser, even with a key.
    Offline,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            env: Mode::Development,
            host: "127.0.0.1".into(),
            port: 3000,
            data_dir: PathBuf::from("./data"),
            database_url: None,
            db_pool_max: 10,
            db_idle_timeout: 300,
            db_connect_timeout: 5,
            jwt_secret: None,
            access_token_ttl: 15 * 60,
            refresh_token_ttl: 30 * 24 * 60 * 60,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            rate_limit_points: 300,
            rate_limit_duration: 60,
            rate_limit_block_duration: 60,
            auth_rate_limit_points: 30,
            auth_rate_limit_duration: 60,
            request_timeout: 30_000,
            body_limit: 1024 * 1024,
            idempotency_ttl: 24 * 60 * 60,
            ws_ping_interval: 30,
            ws_max_missed_pongs: 2,
            ws_max_frame_size: 64 * 1024,
            ws_message_rate: 10,
            ws_message_burst: 20,
            ws_send_queue: 256,
            ws_send_timeout: 20,
            ws_max_sockets_per_user: 10,
            ws_session_check_interval: 60,
            log_level: LogLevel::Info,
            openai_api_key: None,
            openai_base_url: "https://api.openai.com/v1".into(),
            openai_model: "gpt-4o-mini".into(),
            openai_first_token_timeout: 30,
            openai_idle_timeout: 20,
            openai_max_retries: 2,
            openai_vision: true,
            assistant: AssistantChoice::Auto,
            max_steps: 5,
            token_budget: 1_000_000,
            chat_rate: 20,
            chat_concurrency: 2,
            scheduler_interval: 60,
            digest_hour: 9,
        }
    }
}

/// A comma-separated string (environment) or an array (TOML).
fn comma_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        String(String),
    }
    let items = match ListOrString::deserialize(d)? {
        ListOrString::List(items) => items,
        ListOrString::String(s) => s.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}

/// The language-model settings.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub api_key: Option<Secret>,
    pub base_url: String,
    pub model: String,
    /// Longest wait for the first token of a step.
    pub first_token_timeout: Duration,
    /// Longest silence between tokens.
    pub idle_timeout: Duration,
    /// Retries on 429/5xx/connection errors before the first token.
    pub max_retries: u32,
    /// Whether the model reads images (receipt scanning); `false` for text-only local models.
    pub vision: bool,
}

/// Pixie's limits and which assistant answers.
#[derive(Debug, Clone)]
pub struct PixieSettings {
    pub assistant: AssistantChoice,
    pub chat: pantry_core::pixie::service::PixieConfig,
}

/// Database pool settings.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_max: usize,
    pub idle_timeout: Duration,
    pub connect_timeout: Duration,
}

/// The validated configuration of one process.
#[derive(Debug, Clone)]
pub struct Settings {
    pub mode: Mode,
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub jwt_secret: Secret,
    pub jwt_secret_source: SecretSource,
    /// Lifetime of access tokens (JWT).
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens; each refresh starts a new one.
    pub refresh_token_ttl: Duration,
    pub http: HttpConfig,
    pub log_level: LogLevel,
    pub openai: OpenAiSettings,
    pub pixie: PixieSettings,
    pub scheduler: SchedulerSettings,
}

/// Scheduled jobs (`SCHEDULER_INTERVAL`, `DIGEST_HOUR`).
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// Time between rounds; `None` when this replica runs no jobs (`SCHEDULER_INTERVAL=0`).
    pub interval: Option<Duration>,
    /// The local hour on Sundays from which the weekly digest is posted.
    pub digest_hour: u32,
}

/// Why the configuration was refused; `Display` is the one line printed before exiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting at fault, by its environment name.
    pub setting: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.reason)
    }
}

impl std::error::Error for ConfigError {}

fn refuse(setting: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_owned(),
        reason: reason.into(),
    }
}

/// The providers in precedence order: defaults < `pixie.toml` < conventional names < `PIXIE_*`.
pub fn figment(config_file: &Path) -> Figment {
    let conventional: Vec<&str> = SETTINGS
        .iter()
        .copied()
        .filter(|name| !name.starts_with("PIXIE_"))
        .collect();
    Figment::from(Serialized::defaults(RawConfig::default()))
        .merge(Toml::file(config_file))
        .merge(Env::raw().only(&conventional))
        .merge(Env::prefixed("PIXIE_"))
}

impl Settings {
    /// Reads `pixie.toml` from the working directory (or `PIXIE_CONFIG`) and the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let file = std::env::var_os("PIXIE_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("pixie.toml"));
        Self::from_figment(figment(&file))
    }

    /// Extracts and validates. In development without `JWT_SECRET` this reads, or creates
    /// once, the secret kept in the data directory.
    pub fn from_figment(figment: Figment) -> Result<Settings, ConfigError> {
        let raw: RawConfig = figment.extract().map_err(describe_figment_error)?;
        validate(raw)
    }
}

/// Turns figment's error into one line naming the setting as the operator wrote it.
fn describe_figment_error(error: figment::Error) -> ConfigError {
    let setting = match (&error.metadata, &error.profile) {
        (Some(meta), Some(profile)) if !error.path.is_empty() => {
            let source = meta.interpolate(profile, &error.path).to_uppercase();
            if meta.name.contains("PIXIE_") && !source.starts_with("PIXIE_") {
                // figment names prefixed variables without their prefix.
                format!("PIXIE_{source}")
            } else if meta.name.contains("environment") {
                source
            } else {
                let file = meta
                    .source
                    .as_ref()
                    .map_or_else(|| meta.name.to_string(), ToString::to_string);
                format!("{} (in {file})", error.path.join("."))
            }
        }
        _ => error
            .path
            .last()
            .map(|k| k.to_uppercase())
            .unwrap_or_else(|| "configuration".into()),
    };
    ConfigError {
        setting,
        reason: format!("invalid value: {}", error.kind),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

fn validate(raw: RawConfig) -> Result<Settings, ConfigError> {
    let production = raw.env == Mode::Production;

    let database_url = match non_empty(raw.database_url) {
        Some(url) => url,
        None => format!("sqlite://{}", raw.data_dir.join("pantry.db").display()),
    };
    pantry_store::Backend::from_url(&database_url)
        .map_err(|e| refuse("DATABASE_URL", e.to_string()))?;

    for (name, value) in [
        ("DB_POOL_MAX", u64::from(raw.db_pool_max)),
        ("DB_IDLE_TIMEOUT", raw.db_idle_timeout),
        ("DB_CONNECT_TIMEOUT", raw.db_connect_timeout),
        ("ACCESS_TOKEN_TTL", raw.access_token_ttl),
        ("REFRESH_TOKEN_TTL", raw.refresh_token_ttl),
        ("RATE_LIMIT_POINTS", u64::from(raw.rate_limit_points)),
        ("RATE_LIMIT_DURATION", raw.rate_limit_duration),
        (
            "AUTH_RATE_LIMIT_POINTS",
            u64::from(raw.auth_rate_limit_points),
        ),
        ("AUTH_RATE_LIMIT_DURATION", raw.auth_rate_limit_duration),
        ("REQUEST_TIMEOUT", raw.request_timeout),
        ("BODY_LIMIT", raw.body_limit),
        ("IDEMPOTENCY_TTL", raw.idempotency_ttl),
        ("WS_PING_INTERVAL", raw.ws_ping_interval),
        ("WS_MAX_MISSED_PONGS", u64::from(raw.ws_max_missed_pongs)),
        ("WS_MAX_FRAME_SIZE", raw.ws_max_frame_size),
        ("WS_MESSAGE_RATE", u64::from(raw.ws_message_rate)),
        ("WS_MESSAGE_BURST", u64::from(raw.ws_message_burst)),
        ("WS_SEND_QUEUE", u64::from(raw.ws_send_queue)),
        ("WS_SEND_TIMEOUT", raw.ws_send_timeout),
        (
            "WS_MAX_SOCKETS_PER_USER",
            u64::from(raw.ws_max_sockets_per_user),
        ),
        ("WS_SESSION_CHECK_INTERVAL", raw.ws_session_check_interval),
        ("OPENAI_FIRST_TOKEN_TIMEOUT", raw.openai_first_token_timeout),
        ("OPENAI_IDLE_TIMEOUT", raw.openai_idle_timeout),
        ("PIXIE_MAX_STEPS", u64::from(raw.max_steps)),
        ("PIXIE_CHAT_CONCURRENCY", u64::from(raw.chat_concurrency)),
    ] {
        if value == 0 {
            return Err(refuse(name, "must be greater than zero"));
        }
    }
    if raw.digest_hour > 23 {
        return Err(refuse("DIGEST_HOUR", "must be an hour from 0 to 23"));
    }
    let body_limit =
        usize::try_from(raw.body_limit).map_err(|_| refuse("BODY_LIMIT", "too large"))?;
    let ws_max_frame_size = usize::try_from(raw.ws_max_frame_size)
        .map_err(|_| refuse("WS_MAX_FRAME_SIZE", "too large"))?;

    let mut allowed_origins = Vec::with_capacity(raw.allowed_origins.len());
    for origin in raw.allowed_origins {
        allowed_origins.push(validate_origin(&origin)?);
    }
    if production && allowed_origins.is_empty() {
        return Err(refuse(
            "ALLOWED_ORIGINS",
            "must list the origins the app is served from (e.g. https://pantry.example.com) in production",
        ));
    }

    let trusted_proxies = raw
        .trusted_proxies
        .iter()
        .map(|entry| parse_cidr(entry))
        .collect::<Result<Vec<_>, _>>()?;

    let (jwt_secret, jwt_secret_source) = match non_empty(raw.jwt_secret) {
        Some(value) => {
            if production && value.len() < MIN_SECRET_BYTES {
                return Err(refuse(
                    "JWT_SECRET",
                    format!(
                        "must be at least {MIN_SECRET_BYTES} bytes in production (got {})",
                        value.len()
                    ),
                ));
            }
            (Secret::new(value), SecretSource::Environment)
        }
        None if production => {
            return Err(refuse(
                "JWT_SECRET",
                format!("is required in production (at least {MIN_SECRET_BYTES} random bytes)"),
            ));
        }
        None => secret::load_or_create(&raw.data_dir).map_err(|e| refuse("PIXIE_DATA_DIR", e))?,
    };

    if !(raw.openai_base_url.starts_with("http://") || raw.openai_base_url.starts_with("https://"))
    {
        return Err(refuse(
            "OPENAI_BASE_URL",
            "must be an http:// or https:// URL",
        ));
    }
    if raw.openai_model.trim().is_empty() {
        return Err(refuse("OPENAI_MODEL", "must not be empty"));
    }

    let http = HttpConfig {
        production,
        allowed_origins,
        rate_limit: RateLimit {
            points: raw.rate_limit_points,
            duration: Duration::from_secs(raw.rate_limit_duration),
            block: Duration::from_secs(raw.rate_limit_block_duration),
        },
        auth_rate_limit: RateLimit {
            points: raw.auth_rate_limit_points,
            duration: Duration::from_secs(raw.auth_rate_limit_duration),
            block: Duration::from_secs(raw.rate_limit_block_duration),
        },
        trusted_proxies,
        request_timeout: Duration::from_millis(raw.request_timeout),
        body_limit,
        idempotency_ttl: Duration::from_secs(raw.idempotency_ttl),
        live: LiveConfig {
            ping_interval: Duration::from_secs(raw.ws_ping_interval),
            max_missed_pongs: raw.ws_max_missed_pongs,
            max_frame_size: ws_max_frame_size,
            message_rate: raw.ws_message_rate,
            message_burst: raw.ws_message_burst,
            send_queue: raw.ws_send_queue as usize,
            send_timeout: Duration::from_secs(raw.ws_send_timeout),
            max_sockets_per_user: raw.ws_max_sockets_per_user as usize,
            session_check_interval: Duration::from_secs(raw.ws_session_check_interval),
        },
    };

    Ok(Settings {
        mode: raw.env,
        host: raw.host,
        port: raw.port,
        data_dir: raw.data_dir,
        database: DatabaseSettings {
            url: Secret::new(database_url),
            pool_max: raw.db_pool_max as usize,
            idle_timeout: Duration::from_secs(raw.db_idle_timeout),
            connect_timeout: Duration::from_secs(raw.db_connect_timeout),
        },
        jwt_secret,
        jwt_secret_source,
        access_token_ttl: Duration::from_secs(raw.access_token_ttl),
        refresh_token_ttl: Duration::from_secs(raw.refresh_token_ttl),
        http,
        log_level: raw.log_level,
        openai: OpenAiSettings {
            api_key: non_empty(raw.openai_api_key).map(Secret::new),
            base_url: raw.openai_base_url,
            model: raw.openai_model,
            first_token_timeout: Duration::from_secs(raw.openai_first_token_timeout),
            idle_timeout: Duration::from_secs(raw.openai_idle_timeout),
            max_retries: raw.openai_max_retries,
            vision: raw.openai_vision,
        },
        pixie: PixieSettings {
            assistant: raw.assistant,
            chat: pantry_core::pixie::service::PixieConfig {
                max_steps: raw.max_steps,
                monthly_token_budget: raw.token_budget,
                messages_per_minute: raw.chat_rate,
                max_concurrent_turns_per_home: raw.chat_concurrency as usize,
                ..Default::default()
            },
        },
        scheduler: SchedulerSettings {
            interval: (raw.scheduler_interval > 0)
                .then(|| Duration::from_secs(raw.scheduler_interval)),
            digest_hour: raw.digest_hour,
        },
    })
}

/// An origin is `scheme://host[:port]`, exactly what browsers send in `Origin`.
fn validate_origin(origin: &str) -> Result<String, ConfigError> {
    if origin == "*" || origin.contains('*') {
        return Err(refuse(
            "ALLOWED_ORIGINS",
            "must not contain '*': list each origin, credentials are never shared with any origin",
        ));
    }
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let valid = rest.is_some_and(|host| {
        !host.is_empty()
            && !host.contains('/')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
    });
    if !valid {
        return Err(refuse(
            "ALLOWED_ORIGINS",
            format!(
                "'{origin}' is not an origin like https://pantry.example.com (no path, no trailing slash)"
            ),
        ));
    }
    Ok(origin.to_owned())
}

/// A CIDR block, or a single address.
fn parse_cidr(entry: &str) -> Result<IpNet, ConfigError> {
    entry
        .parse::<IpNet>()
        .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            refuse(
                "TRUSTED_PROXIES",
                format!("'{entry}' is not an address or CIDR block"),
            )
        })
}

impl Settings {
    /// The effective configuration, one `NAME = value` line per setting, secrets masked.
    pub fn masked(&self) -> String {
        let origins = self.http.allowed_origins.join(",");
        let proxies: Vec<String> = self
            .http
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        let lines: Vec<(&str, String)> = vec![
            ("PIXIE_ENV", format!("{:?}", self.mode).to_lowercase()),
            ("HOST", self.host.clone()),
            ("PORT", self.port.to_string()),
            ("PIXIE_DATA_DIR", self.data_dir.display().to_string()),
            (
                "PIXIE_ASSISTANT",
                format!("{:?}", self.pixie.assistant).to_lowercase(),
            ),
            ("PIXIE_MAX_STEPS", self.pixie.chat.max_steps.to_string()),
            (
                "PIXIE_TOKEN_BUDGET",
                self.pixie.chat.monthly_token_budget.to_string(),
            ),
            (
                "PIXIE_CHAT_RATE",
                self.pixie.chat.messages_per_minute.to_string(),
            ),
            (
                "PIXIE_CHAT_CONCURRENCY",
                self.pixie.chat.max_concurrent_turns_per_home.to_string(),
            ),
            (
                "SCHEDULER_INTERVAL",
                self.scheduler
                    .interval
                    .map_or_else(|| "0 (off)".to_owned(), |i| i.as_secs().to_string()),
            ),
            ("DIGEST_HOUR", self.scheduler.digest_hour.to_string()),
            (
                "DATABASE_URL",
                mask_url_password(self.database.url.expose()),
            ),
            ("DB_POOL_MAX", self.database.pool_max.to_string()),
            (
                "DB_IDLE_TIMEOUT",
                self.database.idle_timeout.as_secs().to_string(),
            ),
            (
                "DB_CONNECT_TIMEOUT",
                self.database.connect_timeout.as_secs().to_string(),
            ),
            (
                "JWT_SECRET",
                format!(
                    "<set: {} bytes, {}>",
                    self.jwt_secret.expose().len(),
                    self.jwt_secret_source
                ),
            ),
            (
                "ACCESS_TOKEN_TTL",
                self.access_token_ttl.as_secs().to_string(),
            ),
            (
                "REFRESH_TOKEN_TTL",
                self.refresh_token_ttl.as_secs().to_string(),
            ),
            ("ALLOWED_ORIGINS", origins),
            ("TRUSTED_PROXIES", proxies.join(",")),
            ("RATE_LIMIT_POINTS", self.http.rate_limit.points.to_string()),
            (
                "RATE_LIMIT_DURATION",
                self.http.rate_limit.duration.as_secs().to_string(),
            ),
            (
                "RATE_LIMIT_BLOCK_DURATION",
                self.http.rate_limit.block.as_secs().to_string(),
            ),
            (
                "AUTH_RATE_LIMIT_POINTS",
                self.http.auth_rate_limit.points.to_string(),
            ),
            (
                "AUTH_RATE_LIMIT_DURATION",
                self.http.auth_rate_limit.duration.as_secs().to_string(),
            ),
            (
                "REQUEST_TIMEOUT",
                self.http.request_timeout.as_millis().to_string(),
            ),
            ("BODY_LIMIT", self.http.body_limit.to_string()),
            (
                "IDEMPOTENCY_TTL",
                self.http.idempotency_ttl.as_secs().to_string(),
            ),
            (
                "WS_PING_INTERVAL",
                self.http.live.ping_interval.as_secs().to_string(),
            ),
            (
                "WS_MAX_MISSED_PONGS",
                self.http.live.max_missed_pongs.to_string(),
            ),
            (
                "WS_MAX_FRAME_SIZE",
                self.http.live.max_frame_size.to_string(),
            ),
            ("WS_MESSAGE_RATE", self.http.live.message_rate.to_string()),
            ("WS_MESSAGE_BURST", self.http.live.message_burst.to_string()),
            ("WS_SEND_QUEUE", self.http.live.send_queue.to_string()),
            (
                "WS_SEND_TIMEOUT",
                self.http.live.send_timeout.as_secs().to_string(),
            ),
            (
                "WS_MAX_SOCKETS_PER_USER",
                self.http.live.max_sockets_per_user.to_string(),
            ),
            (
                "WS_SESSION_CHECK_INTERVAL",
                self.http.live.session_check_interval.as_secs().to_string(),
            ),
            ("LOG_LEVEL", format!("{:?}", self.log_level).to_lowercase()),
            (
                "OPENAI_API_KEY",
                if self.openai.api_key.is_some() {
                    "<set>".into()
                } else {
                    "<not set: offline assistant>".into()
                },
            ),
            ("OPENAI_BASE_URL", self.openai.base_url.clone()),
            ("OPENAI_MODEL", self.openai.model.clone()),
            (
                "OPENAI_FIRST_TOKEN_TIMEOUT",
                self.openai.first_token_timeout.as_secs().to_string(),
            ),
            (
                "OPENAI_IDLE_TIMEOUT",
                self.openai.idle_timeout.as_secs().to_string(),
            ),
            ("OPENAI_MAX_RETRIES", self.openai.max_retries.to_string()),
            ("OPENAI_VISION", self.openai.vision.to_string()),
        ];
        lines
            .into_iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }
}

/// `postgres://user:pw@host/db` → `postgres://user:****@host/db`.
pub fn mask_url_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:****@{host}"),
        None => url.to_owned(),
    }
}
