//! `GET /api/homes/:id/changes?since=<seq>&limit=`: the home's change log after a `seq`,
//! for clients that resume or sync.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::homes::routes::home_error;
use crate::openapi::{ActorKindSchema, BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::change_feed::MAX_PAGE;
use pantry_core::change_log::{ActorKind, HomeEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/changes").route(web::get().to(changes)));
}

const DEFAULT_LIMIT: i64 = 100;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    /// Answer changes after this `seq` (default 0: from the start).
    #[param(minimum = 0, default = 0)]
    since: Option<i64>,
    /// At most this many changes (default 100).
    #[param(minimum = 1, maximum = 500, default = 100)]
    limit: Option<i64>,
}

/// One change: `entity` is the kind of thing changed (`home`, `member`, `invite`, ...), `id` the
/// thing itself, `data` what the change carried.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Change)]
struct ChangeBody {
    /// Increases by one per change within a home, with no gaps.
    seq: i64,
    #[schema(example = "member.joined")]
    kind: String,
    #[schema(example = "member")]
    entity: String,
    /// The thing changed.
    #[schema(required = true)]
    id: Option<Uuid>,
    /// The user who made the change, or for whom Pixie made it.
    #[schema(required = true)]
    actor_id: Option<Uuid>,
    #[schema(value_type = ActorKindSchema)]
    actor_kind: ActorKind,
    at: DateTime<Utc>,
    /// What the change carried; depends on `kind`.
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

/// A page of a home's changes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChangePage)]
struct PageBody {
    /// Oldest first.
    events: Vec<ChangeBody>,
    /// The home's latest `seq` when read.
    latest_seq: i64,
    /// More changes follow: ask again with `since` = the last event's `seq`.
    has_more: bool,
}

/// The home's changes after a `seq`
///
/// For clients that resume or sync: remember the last `seq` seen and page while `hasMore`.
/// Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/changes",
    tag = "changes",
    operation_id = "listChanges",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ChangesQuery),
    responses(
        (status = 200, description = "A page of changes", body = Success<PageBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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
