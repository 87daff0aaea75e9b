//! The settings the HTTP layer needs, already parsed and validated by the app crate.

use crate::live::LiveConfig;
use ipnet::IpNet;
use std::time::Duration;

/// A token-bucket style limit: `points` requests per `duration`, after which the client is
/// refused for `block` (zero: only until the bucket refills).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub points: u32,
    pub duration: Duration,
    pub block: Duration,
}

/// Everything the pipeline is configured by.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Production hardening: HSTS, no development origins.
    pub production: bool,
    /// Exact origins allowed to make credentialed cross-origin requests.
    pub allowed_origins: Vec<String>,
    /// The global per-client limit on `/api/*`.
    pub rate_limit: RateLimit,
    /// The stricter per-client limit on `/api/auth/*`.
    pub auth_rate_limit: RateLimit,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// How long a handler may run before it is cancelled with 408.
    pub request_timeout: Duration,
    /// The largest request body accepted, counted on the bytes actually read.
    pub body_limit: usize,
    /// How long after its first request an `Idempotency-Key` answers with the stored response.
    pub idempotency_ttl: Duration,
    /// Limits and timings of live sockets.
    pub live: LiveConfig,
}

impl HttpConfig {
    /// Settings suitable for tests and local development: permissive limits, localhost CORS.
    pub fn development() -> Self {
        Self {
            production: false,
            allowed_origins: Vec::new(),
            rate_limit: RateLimit {
                points: 600,
                duration: Duration::from_secs(60),
                block: Duration::ZERO,
            },
            auth_rate_limit: RateLimit {
                points: 20,
                duration: Duration::from_secs(60),
                block: Duration::ZERO,
            },
            trusted_proxies: Vec::new(),
            request_timeout: Duration::from_secs(30),
            body_limit: 1024 * 1024,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
            live: LiveConfig::default(),
        }
    }
}
