//! A notification as one member sees it, what the inbox asks for, and the storage port.

use crate::change_log::HomeEvent;
use crate::items::item::WriteMeta;
use crate::notifications::notice::{NewNotice, NoticeKind};
use crate::notifications::partner::PartnerActivity;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Change-log kind of a notice that was created.
pub const CREATED: &str = "notification.created";
/// Change-log kind of a notice a partner's burst coalesced into ("Alice added 3 items").
pub const COALESCED: &str = "notification.coalesced";

/// A notification in a member's inbox.
///
/// ```
/// use pantry_core::notifications::{Notification, NoticeKind};
/// let at = chrono::Utc::now();
/// let notice = Notification {
///     id: uuid::Uuid::now_v7(),
///     home_id: uuid::Uuid::now_v7(),
///     kind: NoticeKind::SundaySync,
///     title: "Your Sunday Sync is ready".into(),
///     body: None,
///     ref_id: None,
///     data: None,
///     count: 1,
///     recipient: None,
///     read: false,
///     created_at: at,
///     updated_at: at,
/// };
/// let wire = serde_json::to_value(&notice).unwrap();
/// assert_eq!(wire["type"], "sunday_sync");
/// assert_eq!(wire["recipient"], serde_json::Value::Null);
/// assert_eq!(wire["read"], false);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Stable id (UUIDv7).
    pub id: Uuid,
    /// The home it belongs to.
    pub home_id: Uuid,
    /// What it is about (wire name `type`).
    #[serde(rename = "type")]
    pub kind: NoticeKind,
    /// One line shown in the inbox.
    pub title: String,
    /// More detail, if any.
    pub body: Option<String>,
    /// The item, thread or list it refers to.
    pub ref_id: Option<String>,
    /// What an action on it needs (`itemName`, `itemId` for "add to list").
    pub data: Option<serde_json::Value>,
    /// How many events it stands for (a coalesced burst counts each).
    pub count: i32,
    /// The member it is addressed to; `None` for the whole household.
    pub recipient: Option<Uuid>,
    /// Whether the member looking at it has read it (each member reads on their own).
    pub read: bool,
    /// When it first appeared.
    pub created_at: DateTime<Utc>,
    /// When it last changed (a coalesced burst moves it).
    pub updated_at: DateTime<Utc>,
}

/// The inbox most notices one page returns, and the default.
pub const DEFAULT_PAGE: u32 = 50;
/// The largest page.
pub const MAX_PAGE: u32 = 200;

/// Which part of a member's inbox to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxQuery {
    /// At most this many, newest updated first.
    pub limit: u32,
    /// Only notices after this one in the inbox order (the last one of the previous page).
    pub before: Option<Uuid>,
    /// Only notices this member has not read.
    pub unread_only: bool,
}

impl Default for InboxQuery {
    fn default() -> Self {
        InboxQuery {
            limit: DEFAULT_PAGE,
            before: None,
            unread_only: false,
        }
    }
}

/// The members a notice's change-log event is for, when `event` is a notice's event;
/// `None` for every other event (those are for every member).
///
/// The storage adapter writes the audience (the recipient, or every member for a
/// household notice, minus those who muted its kind) into the event, so that every reader of
/// the log (live sockets, resume, the change feed) can keep a notice from the others.
///
/// ```
/// use pantry_core::change_log::{Actor, HomeEvent};
/// use pantry_core::notifications::notification::{audience, visible_to};
/// let (alice, bob) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
/// let event = HomeEvent {
///     home_id: uuid::Uuid::now_v7(),
///     seq: 4,
///     kind: "notification.created".into(),
///     entity_id: None,
///     payload: serde_json::json!({ "audience": [bob], "notification": {} }),
///     actor: Actor::user(alice),
///     at: chrono::Utc::now(),
/// };
/// assert_eq!(audience(&event), Some(vec![bob]));
/// assert!(visible_to(&event, bob));
/// assert!(!visible_to(&event, alice));
/// ```
pub fn audience(event: &HomeEvent) -> Option<Vec<Uuid>> {
    if !event.kind.starts_with("notification.") {
        return None;
    }
    let members = event
        .payload
        .get("audience")
        .and_then(serde_json::Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect()
        })
        .unwrap_or_default();
    Some(members)
}

/// Whether `user_id` may see `event`: every event but another member's notice.
pub fn visible_to(event: &HomeEvent, user_id: Uuid) -> bool {
    audience(event).is_none_or(|members| members.contains(&user_id))
}

/// Storage of notifications and of each member's read state.
///
/// Every write that creates or coalesces a notice also appends its change-log event (kinds
/// [`CREATED`], [`COALESCED`]) in the same transaction, which is what pushes it live.
#[async_trait]
pub trait NotificationRepository: Send + Sync {
    /// The member's inbox: notices addressed to them or to the household, minus the kinds
    /// they muted, newest updated first.
    async fn inbox(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        query: &InboxQuery,
    ) -> Result<Vec<Notification>, RepoError>;

    /// One notice as the member sees it; `None` when it is not in the home or is addressed
    /// to someone else.
    async fn get(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Notification>, RepoError>;

    /// Marks a notice read for this member only (`None` as for [`get`](Self::get)).
    async fn mark_read(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, RepoError>;

    /// Marks every notice of the member's inbox read; how many were unread.
    async fn mark_all_read(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<u64, RepoError>;

    /// How many notices of the member's inbox (muted kinds left out) are unread.
    async fn unread_count(&self, home_id: Uuid, user_id: Uuid) -> Result<u64, RepoError>;

    /// Creates a notice in its own transaction; `None` when its `once_key` already exists in
    /// the home (then nothing is created, however many replicas try at once).
    async fn create(
        &self,
        home_id: Uuid,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Option<Notification>, RepoError>;

    /// Tells each other member who has not muted [`NoticeKind::PartnerActivity`] about a
    /// member's activity, coalescing bursts; the notices created or coalesced.
    async fn partner_activity(
        &self,
        home_id: Uuid,
        activity: &PartnerActivity,
        meta: WriteMeta,
    ) -> Result<Vec<Notification>, RepoError>;
}
