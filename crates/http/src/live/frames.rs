//! What travels on a live socket: the earlier server's envelope `{type, payload, timestamp}`,
//! with `seq` and `homeId` beside them on every frame about a home, and the mapping of
//! change-log kinds to the earlier frame types (`docs/live.md` is the client's view).

use super::outbox::text_frame;
use actix_web::web::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use pantry_core::change_log::{ActorKind, HomeEvent};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<i64>,
    #[serde(rename = "homeId", skip_serializing_if = "Option::is_none")]
    home_id: Option<Uuid>,
    payload: &'a Value,
    timestamp: String,
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One encoded frame.
fn encode(
    kind: &str,
    seq: Option<i64>,
    home_id: Option<Uuid>,
    payload: &Value,
    at: DateTime<Utc>,
) -> Bytes {
    let envelope = Envelope {
        kind,
        seq,
        home_id,
        payload,
        timestamp: timestamp(at),
    };
    // Serialising a `Value` inside a plain struct cannot fail.
    let json = serde_json::to_vec(&envelope).unwrap_or_default();
    text_frame(&json)
}

/// A frame that is not about one home (`status`, `pong`, `error`).
pub fn plain(kind: &str, payload: Value) -> Bytes {
    encode(kind, None, None, &payload, Utc::now())
}

/// A frame that is not about one change, stamped with the moment it describes (a chat
/// message's `createdAt`).
pub fn plain_at(kind: &str, payload: Value, at: DateTime<Utc>) -> Bytes {
    encode(kind, None, None, &payload, at)
}

/// A frame about a home that reports no change (`subscribed`, `unsubscribed`,
/// `resync_required`): `seq` is the home's position it refers to.
pub fn about_home(kind: &str, home_id: Uuid, seq: i64, mut payload: Value) -> Bytes {
    if let Value::Object(map) = &mut payload {
        map.insert("homeId".to_owned(), json!(home_id));
        map.insert("seq".to_owned(), json!(seq));
    }
    encode(kind, Some(seq), Some(home_id), &payload, Utc::now())
}

/// The error frame of the earlier protocol, with a machine-readable code.
pub fn error(message: &str, code: &str) -> Bytes {
    plain("error", json!({ "error": message, "code": code }))
}

/// The frame type, the earlier protocol's `action`, and the payload key the change's data
/// goes under, for a change-log kind.
pub fn classify(kind: &str) -> (&'static str, String, &'static str) {
    let (entity, verb) = kind.split_once('.').unwrap_or((kind, ""));
    match entity {
        "item" => {
            let action = match verb {
                "added" => "added",
                "deleted" => "removed",
                "toggled" => "toggled",
                // merged, updated, consumed: the row is still there with new values.
                _ => "updated",
            };
            ("inventory_update", action.to_owned(), "item")
        }
        "list" => {
            let key = if verb == "reordered" { "data" } else { "list" };
            ("list_update", verb.to_owned(), key)
        }
        "list_item" => {
            let (action, key) = match verb {
                "reordered" => ("items_reordered".to_owned(), "data"),
                other => (format!("item_{other}"), "listItem"),
            };
            ("list_update", action, key)
        }
        _ => ("home_update", kind.replace('.', "_"), "data"),
    }
}

/// Whether a change is shown to partners as "Alice added milk" / "Alice used up milk"
/// (`partner_activity`), and as which action.
pub fn partner_action(event: &HomeEvent) -> Option<&'static str> {
    if event.actor.user_id.is_none() || event.actor.kind == ActorKind::System {
        return None;
    }
    match event.kind.as_str() {
        "item.added" | "item.merged" => Some("item_added"),
        "item.deleted" => Some("item_removed"),
        "item.consumed" if event.payload.get("usedUp").and_then(Value::as_bool) == Some(true) => {
            Some("item_removed")
        }
        _ => None,
    }
}

/// The frame reporting `event`.
pub fn change(event: &HomeEvent) -> Bytes {
    let (frame_type, action, key) = classify(&event.kind);
    let mut payload = Map::new();
    payload.insert("action".to_owned(), json!(action));
    payload.insert("homeId".to_owned(), json!(event.home_id));
    payload.insert("seq".to_owned(), json!(event.seq));
    payload.insert("kind".to_owned(), json!(event.kind));
    payload.insert("id".to_owned(), json!(event.entity_id));
    payload.insert("actorId".to_owned(), json!(event.actor.user_id));
    payload.insert("actorKind".to_owned(), json!(event.actor.kind));
    payload.insert("at".to_owned(), json!(timestamp(event.at)));
    if key == "listItem"
        && let Some(list_id) = event.payload.get("listId")
    {
        payload.insert("listId".to_owned(), list_id.clone());
    }
    payload.insert(key.to_owned(), event.payload.clone());
    encode(
        frame_type,
        Some(event.seq),
        Some(event.home_id),
        &Value::Object(payload),
        event.at,
    )
}

/// The `notification` frame of a notice's event: `{type: "notification", seq, homeId,
/// notification, payload: {homeId, seq, notification}, timestamp}`, the notice as its
/// recipient sees it (unread). The top-level `notification` is the shape clients match on;
/// `payload` keeps the envelope every other frame has.
pub fn notification(event: &HomeEvent) -> Bytes {
    let notice = event
        .payload
        .get("notification")
        .cloned()
        .unwrap_or(Value::Null);
    let frame = json!({
        "type": "notification",
        "seq": event.seq,
        "homeId": event.home_id,
        "notification": notice,
        "payload": { "homeId": event.home_id, "seq": event.seq, "notification": notice },
        "timestamp": timestamp(event.at),
    });
    // Serialising a `Value` cannot fail.
    text_frame(&serde_json::to_vec(&frame).unwrap_or_default())
}

/// The `partner_activity` frame of `event` (see [`partner_action`]).
pub fn partner_activity(event: &HomeEvent, action: &str, actor_name: Option<&str>) -> Bytes {
    let subject = event
        .payload
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let payload = json!({
        "actorName": actor_name,
        "actorId": event.actor.user_id,
        "actorKind": event.actor.kind,
        "action": action,
        "subject": subject,
        "itemId": event.entity_id,
        "homeId": event.home_id,
        "seq": event.seq,
        "kind": event.kind,
    });
    encode(
        "partner_activity",
        Some(event.seq),
        Some(event.home_id),
        &payload,
        event.at,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_earlier_frame_types() {
        let cases = [
            ("item.added", "inventory_update", "added", "item"),
            ("item.merged", "inventory_update", "updated", "item"),
            ("item.consumed", "inventory_update", "updated", "item"),
            ("item.toggled", "inventory_update", "toggled", "item"),
            ("item.deleted", "inventory_update", "removed", "item"),
            ("list.created", "list_update", "created", "list"),
            ("list.reset", "list_update", "reset", "list"),
            ("list.reordered", "list_update", "reordered", "data"),
            ("list_item.added", "list_update", "item_added", "listItem"),
            (
                "list_item.toggled",
                "list_update",
                "item_toggled",
                "listItem",
            ),
            (
                "list_item.reordered",
                "list_update",
                "items_reordered",
                "data",
            ),
            ("member.removed", "home_update", "member_removed", "data"),
            ("home.updated", "home_update", "home_updated", "data"),
            ("invite.created", "home_update", "invite_created", "data"),
        ];
        for (kind, frame, action, key) in cases {
            assert_eq!(classify(kind), (frame, action.to_owned(), key), "{kind}");
        }
    }
}
