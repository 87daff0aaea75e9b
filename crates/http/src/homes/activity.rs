//! `GET /api/homes/:id/activity?limit=&before=`: the home's recent changes, newest first, each
//! with who made it by name. Entries keep the earlier feed's keys (`type`, `itemId`, `itemName`,
//! `actorName`, `timestamp`) beside the change log's own.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
use crate::homes::routes::home_error;
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::activity::{ActivityEntry, DEFAULT_LIMIT, MAX_LIMIT};
use pantry_core::change_log::ActorKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/activity").route(web::get().to(activity)));
}

/// Taken as text so that a malformed number is reported against its parameter.
#[derive(Deserialize)]
struct ActivityQuery {
    limit: Option<String>,
    before: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryBody {
    /// The earlier feed's spelling of the kind: `item_added` for `item.added`.
    #[serde(rename = "type")]
    legacy_type: String,
    seq: i64,
    kind: String,
    entity_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_name: Option<String>,
    actor_id: Option<Uuid>,
    actor_kind: ActorKind,
    actor_name: Option<String>,
    timestamp: DateTime<Utc>,
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
