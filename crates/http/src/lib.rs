//! # pantry-http
//!
//! The actix-web front of Pantry Pixie: the hardened request pipeline (request ids, JSON
//! errors, CORS, security headers, rate limits, body limits, timeouts, access logs) and the
//! routes that turn HTTP into calls on `pantry-core` use cases, and live updates over
//! WebSocket ([`live`]).
//!
//! [`app::build_app`] assembles everything; the binary and the tests both use it, so what is
//! tested is what is served.

pub mod app;
pub mod auth;
pub mod chat;
pub mod client_ip;
pub mod config;
pub mod cors;
pub mod edge;
pub mod envelope;
pub mod error;
pub mod extractors;
pub mod health;
pub mod homes;
pub mod idempotency;
pub mod insights;
pub mod items;
pub mod limits;
pub mod lists;
pub mod live;
pub mod middleware;
pub mod notifications;
pub mod openapi;
pub mod paging;
pub mod preferences;
pub mod rate_limit;
pub mod receipts;
pub mod routes;
pub mod security_headers;
pub mod state;
pub mod wire;

pub use app::{Pipeline, build_app};
pub use config::HttpConfig;
pub use error::ApiError;
pub use state::AppState;
