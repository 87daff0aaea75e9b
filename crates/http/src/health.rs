//! Liveness and readiness probes.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// `GET /health`: the process is alive. Same shape as the earlier server (not enveloped).
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "uptime": state.started.elapsed().as_secs_f64(),
        "agent": state.agent.as_str(),
    }))
}

/// `GET /ready`: 200 only when the database answers; 503 otherwise, so a load balancer
/// stops sending traffic to an instance that cannot serve it.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.database.check().await {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({ "status": "ready", "database": "ok" }))),
        Err(cause) => {
            let mut error = ApiError::unavailable("The database is not reachable");
            error.body.cause = Some(cause.to_string());
            Err(error)
        }
    }
}
