//! `GET /api/homes/:id/changes?since=<seq>&limit=`: the home's change log after a `seq`,
//! for clients that resume or sync.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
use crate::homes::routes::home_error;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::change_feed::MAX_PAGE;
use pantry_core::change_log::{ActorKind, HomeEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/changes").route(web::get().to(changes)));
}

const DEFAULT_LIMIT: i64 = 100;

#[derive(Deserialize)]
struct ChangesQuery {
    since: Option<i64>,
    limit: Option<i64>,
}

/// One change: `entity` is the kind of thing changed (`home`, `member`, `invite`, ...), `id` the
/// thing itself, `data` what the change carried.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeBody {
    seq: i64,
    kind: String,
    entity: String,
    id: Option<Uuid>,
    actor_id: Option<Uuid>,
    actor_kind: ActorKind,
    at: DateTime<Utc>,
    data: serde_json::Value,
}

impl From<HomeEvent> for ChangeBody {
    fn from(event: HomeEvent) -> Self {
        let entity = event.kind.split('.').next().unwrap_or_default().to_owned();
        Self {
            seq: event.seq,
            entity,
            kind: event.kind,
            id: event.entity_id,
            actor_id: event.actor.user_id,
            actor_kind: event.actor.kind,
            at: event.at,
            data: event.payload,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageBody {
    events: Vec<ChangeBody>,
    latest_seq: i64,
    has_more: bool,
}

async fn changes(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let since = query.since.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let mut errors = Vec::new();
    if since < 0 {
        errors.push(FieldError::new("since", "must be zero or more"));
    }
    if !(1..=i64::from(MAX_PAGE)).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let page = state
        .changes
        .since(user.user_id, *path, since, limit as u32)
        .await
        .map_err(home_error)?;
    Ok(envelope::ok(PageBody {
        events: page.events.into_iter().map(ChangeBody::from).collect(),
        latest_seq: page.latest_seq,
        has_more: page.has_more,
    }))
}
