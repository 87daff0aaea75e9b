//! The per-home change log. Every change to a home's data appends one [`HomeEvent`] in the
//! same transaction as the change, numbered by a gap-free per-home sequence (`seq`). The log
//! drives live updates, resume after reconnect, the activity feed and attribution.

use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A person, through the app or the API.
    User,
    /// The assistant, acting for the user named in [`Actor::user_id`].
    Pixie,
    /// A scheduled job.
    System,
}

impl ActorKind {
    /// The stored and wire spelling.
    ///
    /// ```
    /// use pantry_core::change_log::ActorKind;
    /// assert_eq!(ActorKind::Pixie.as_str(), "pixie");
    /// assert_eq!(ActorKind::parse("system"), Some(ActorKind::System));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Pixie => "pixie",
            ActorKind::System => "system",
        }
    }

    /// The kind spelled `s` (as [`ActorKind::as_str`] writes it), if any.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(ActorKind::User),
            "pixie" => Some(ActorKind::Pixie),
            "system" => Some(ActorKind::System),
            _ => None,
        }
    }
}

/// The author of a change: a kind, and the user on whose behalf it was made (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// A person, Pixie or a scheduled job.
    pub kind: ActorKind,
    /// The person who acted, or for whom Pixie acted; `None` for scheduled jobs.
    pub user_id: Option<Uuid>,
}

impl Actor {
    /// A person acting through the app or the API.
    pub fn user(user_id: Uuid) -> Actor {
        Actor {
            kind: ActorKind::User,
            user_id: Some(user_id),
        }
    }

    /// Pixie acting for `user_id`.
    pub fn pixie(user_id: Uuid) -> Actor {
        Actor {
            kind: ActorKind::Pixie,
            user_id: Some(user_id),
        }
    }

    /// A scheduled job.
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::System,
            user_id: None,
        }
    }
}

/// An event to append; the store assigns `seq` and the timestamp comes from the caller's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHomeEvent {
    /// The home whose log it joins.
    pub home_id: Uuid,
    /// Dotted event name, e.g. `item.added`, `list_item.toggled`.
    pub kind: String,
    /// The entity the event is about, when there is one.
    pub entity_id: Option<Uuid>,
    /// What clients need to apply the change without reloading (depends on `kind`).
    pub payload: serde_json::Value,
    /// Who made the change.
    pub actor: Actor,
    /// When, by the use case's clock.
    pub at: DateTime<Utc>,
}

/// An event as stored, with its place in the home's sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeEvent {
    /// The home whose log it is in.
    pub home_id: Uuid,
    /// Its place in the home's log: 1, 2, 3, … with no gaps.
    pub seq: i64,
    /// Dotted event name, e.g. `member.joined`.
    pub kind: String,
    /// The entity the event is about, when there is one.
    pub entity_id: Option<Uuid>,
    /// What the change carried (depends on `kind`).
    pub payload: serde_json::Value,
    /// Who made the change.
    pub actor: Actor,
    /// When it was made.
    pub at: DateTime<Utc>,
}

impl HomeEvent {
    /// The user whose membership of the home this event ends (`member.removed`,
    /// `member.left`), if it is such an event. From this event on, that user must not see
    /// the home's changes any more.
    ///
    /// ```
    /// use pantry_core::change_log::{Actor, HomeEvent};
    /// let bob = uuid::Uuid::now_v7();
    /// let event = HomeEvent {
    ///     home_id: uuid::Uuid::now_v7(),
    ///     seq: 9,
    ///     kind: "member.removed".into(),
    ///     entity_id: Some(bob),
    ///     payload: serde_json::json!({ "userId": bob }),
    ///     actor: Actor::user(uuid::Uuid::now_v7()),
    ///     at: chrono::Utc::now(),
    /// };
    /// assert_eq!(event.membership_ended_for(), Some(bob));
    /// ```
    pub fn membership_ended_for(&self) -> Option<Uuid> {
        if self.kind != "member.removed" && self.kind != "member.left" {
            return None;
        }
        self.entity_id.or_else(|| {
            self.payload
                .get("userId")
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
        })
    }
}

/// Read access to the change log. Appends happen inside the adapters' units of work so that
/// an event commits or rolls back together with the change it records.
#[async_trait]
pub trait ChangeLogReader: Send + Sync {
    /// Events of `home_id` with `seq > after`, oldest first, at most `limit` of them.
    async fn events_since(
        &self,
        home_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<HomeEvent>, RepoError>;

    /// The highest `seq` of the home (0 when nothing has happened yet).
    async fn latest_seq(&self, home_id: Uuid) -> Result<i64, RepoError>;
}
