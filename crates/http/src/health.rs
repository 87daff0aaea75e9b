//! Liveness and readiness probes.

use crate::edge::ErrorEnvelope;
use crate::error::ApiError;
use crate::state::{AgentStatus, AppState};
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

/// Liveness, in the earlier server's shape (not enveloped).
#[derive(Serialize, ToSchema)]
#[schema(as = Health)]
pub(crate) struct HealthBody {
    /// Always `ok` while the process answers.
    #[schema(example = "ok")]
    status: &'static str,
    #[schema(format = DateTime)]
    timestamp: String,
    /// Seconds since the process started.
    uptime: f64,
    /// `ready` with a language model, `offline` when the offline assistant answers.
    agent: AgentStatus,
    /// Which assistant answers: `offline` or `openai:<model>`.
    #[schema(example = "openai:gpt-4o-mini")]
    assistant: String,
}

/// Readiness (not enveloped).
#[derive(Serialize, ToSchema)]
#[schema(as = Ready)]
pub(crate) struct ReadyBody {
    #[schema(example = "ready")]
    status: &'static str,
    #[schema(example = "ok")]
    database: &'static str,
}

/// Liveness
///
/// The process is alive. Not rate limited, so orchestrators can poll it.
#[utoipa::path(
    get,
    path = "/health",
    tag = "probes",
    operation_id = "health",
    responses((status = 200, description = "The process is alive", body = HealthBody)),
)]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(HealthBody {
        status: "ok",
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        uptime: state.started.elapsed().as_secs_f64(),
        agent: if state.chat.is_offline() {
            AgentStatus::Offline
        } else {
            AgentStatus::Ready
        },
        assistant: state.chat.model_name(),
    })
}

/// Readiness
///
/// 200 only when the database answers; 503 otherwise, so a load balancer stops sending
/// traffic to an instance that cannot serve it. Not rate limited.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "probes",
    operation_id = "ready",
    responses(
        (status = 200, description = "The database answers", body = ReadyBody),
        (status = 503, description = "The database is not reachable (`SERVICE_UNAVAILABLE`)", body = ErrorEnvelope),
    ),
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.database.check().await {
        Ok(()) => Ok(HttpResponse::Ok().json(ReadyBody {
            status: "ready",
            database: "ok",
        })),
        Err(cause) => {
            let mut error = ApiError::unavailable("The database is not reachable");
            error.body.cause = Some(cause.to_string());
            Err(error)
        }
    }
}
