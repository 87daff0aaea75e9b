//! `GET /api/homes/:id/activity?limit=&before=`: the home's recent changes, newest first, each
//! with who made it by name. Entries keep the earlier feed's keys (`type`, `itemId`, `itemName`,
//! `actorName`, `timestamp`) beside the change log's own.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::homes::routes::home_error;
use crate::openapi::{ActorKindSchema, BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::activity::{ActivityEntry, DEFAULT_LIMIT, MAX_LIMIT};
use pantry_core::change_log::ActorKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/activity").route(web::get().to(activity)));
}

// Taken as text so that a malformed number is reported against its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ActivityQuery {
    /// At most this many entries (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
    /// Only changes with a smaller `seq`: pass the smallest `seq` of a page to get the page
    /// before it.
    #[param(value_type = Option<i64>, minimum = 1)]
    before: Option<String>,
}

/// One change, for people to read.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ActivityEntry)]
struct EntryBody {
    /// The earlier feed's spelling of the kind: `item_added` for `item.added`.
    #[serde(rename = "type")]
    #[schema(example = "item_added")]
    legacy_type: String,
    /// The change's place in the home's change log.
    seq: i64,
    /// The change's kind, as in the change feed.
    #[schema(example = "item.added")]
    kind: String,
    /// The thing changed.
    #[schema(required = true)]
    entity_id: Option<Uuid>,
    /// The pantry item's id; for `item.*` changes only.
    #[serde(skip_serializing_if = "Option::is_none")]
    item_id: Option<Uuid>,
    /// The `name` the item's change carried; for `item.*` changes only.
    #[serde(skip_serializing_if = "Option::is_none")]
    item_name: Option<String>,
    /// The user who made the change, or for whom Pixie made it.
    #[schema(required = true)]
    actor_id: Option<Uuid>,
    #[schema(value_type = ActorKindSchema)]
    actor_kind: ActorKind,
    /// The current display name of `actorId` (for `pixie`, the person Pixie acted for);
    /// `null` for `system` and for accounts that no longer exist.
    #[schema(required = true)]
    actor_name: Option<String>,
    /// When the change was made.
    timestamp: DateTime<Utc>,
    /// What the change carried; depends on `kind`.
    data: serde_json::Value,
}

impl From<ActivityEntry> for EntryBody {
    fn from(entry: ActivityEntry) -> Self {
        let event = entry.event;
        let is_item = event.kind.starts_with("item.");
        Self {
            legacy_type: event.kind.replace('.', "_"),
            seq: event.seq,
            item_id: event.entity_id.filter(|_| is_item),
            item_name: event.payload["name"]
                .as_str()
                .filter(|_| is_item)
                .map(str::to_owned),
            kind: event.kind,
            entity_id: event.entity_id,
            actor_id: event.actor.user_id,
            actor_kind: event.actor.kind,
            actor_name: entry.actor_name,
            timestamp: event.at,
            data: event.payload,
        }
    }
}

/// `limit` (1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`]) and `before` (a seq, at least 1),
/// every bad one reported.
fn parse_query(query: &ActivityQuery) -> Result<(u32, Option<i64>), ApiError> {
    let mut errors = Vec::new();
    let limit = match query.limit.as_deref().map(str::trim) {
        None => Some(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n)),
    };
    if limit.is_none() {
        errors.push(FieldError::new(
            "limit",
            format!("must be a whole number from 1 to {MAX_LIMIT}"),
        ));
    }
    let mut before = None;
    if let Some(text) = query.before.as_deref().map(str::trim) {
        match text.parse::<i64>() {
            Ok(seq) if seq >= 1 => before = Some(seq),
            _ => errors.push(FieldError::new(
                "before",
                "must be a whole number of at least 1",
            )),
        }
    }
    match limit {
        Some(limit) if errors.is_empty() => Ok((limit, before)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// The home's recent activity
///
/// Its changes, newest first, each with who made it by name. Any member may read, viewers
/// included. An empty page means you reached the first change.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/activity",
    tag = "activity",
    operation_id = "listActivity",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ActivityQuery),
    responses(
        (status = 200, description = "A page of entries, newest first", body = Success<Vec<EntryBody>>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn activity(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, before) = parse_query(&query)?;
    let entries = state
        .activity
        .recent(user.user_id, *path, before, limit)
        .await
        .map_err(home_error)?;
    let body: Vec<EntryBody> = entries.into_iter().map(EntryBody::from).collect();
    Ok(envelope::ok(body))
}
