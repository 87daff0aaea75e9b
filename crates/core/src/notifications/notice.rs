//! What a notification is about and how a new one is described.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of notification; members mute them one kind at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A recurring item was put on the shopping list.
    RecurringDue,
    /// An item expires soon or has expired.
    ExpiringSoon,
    /// A partner added or used up items.
    PartnerActivity,
    /// The weekly digest is ready.
    SundaySync,
    /// An item usually runs out about now (from its restock history).
    RunningLow,
}

impl NoticeKind {
    /// Every kind, in a stable order.
    pub const ALL: [NoticeKind; 5] = [
        NoticeKind::RecurringDue,
        NoticeKind::ExpiringSoon,
        NoticeKind::PartnerActivity,
        NoticeKind::SundaySync,
        NoticeKind::RunningLow,
    ];

    /// The stored and wire name (`recurring_due`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::RecurringDue => "recurring_due",
            NoticeKind::ExpiringSoon => "expiring_soon",
            NoticeKind::PartnerActivity => "partner_activity",
            NoticeKind::SundaySync => "sunday_sync",
            NoticeKind::RunningLow => "running_low",
        }
    }

    /// The kind a stored or wire name denotes.
    ///
    /// ```
    /// use pantry_core::notifications::NoticeKind;
    /// for kind in NoticeKind::ALL {
    ///     assert_eq!(NoticeKind::parse(kind.as_str()), Some(kind));
    /// }
    /// assert_eq!(NoticeKind::parse("spam"), None);
    /// ```
    pub fn parse(text: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A notification to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice {
    /// The member it is for; `None` addresses the whole household.
    pub recipient: Option<Uuid>,
    /// What it is about.
    pub kind: NoticeKind,
    /// One line shown in the inbox.
    pub title: String,
    /// More detail, if any.
    pub body: Option<String>,
    /// The item, thread or list it refers to.
    pub ref_id: Option<String>,
    /// Notices that may exist only once per home carry a key (`expiring_soon:<item>:<date>`):
    /// creating one whose key exists does nothing, even after it was read, and even when
    /// several replicas try at once.
    pub once_key: Option<String>,
    /// What an action on it needs, e.g. `{"itemName": "Coffee", "itemId": "…"}` for the
    /// running-low "add to list" action.
    pub data: Option<serde_json::Value>,
}
