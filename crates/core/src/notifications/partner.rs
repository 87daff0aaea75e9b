//! Partner activity: what a member's partners are told when the member adds, uses up or
//! removes pantry items, or joins the home, and how a burst becomes one notice
//! ("Alice added 3 items").

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A burst coalesces while the recipient's open notice was updated less than this long ago.
pub const COALESCE_WINDOW: Duration = Duration::minutes(5);

/// What the partner did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartnerVerb {
    /// Put something in the pantry (a new row or a restock).
    Added,
    /// Consumed the last of something.
    UsedUp,
    /// Removed something from the pantry.
    Removed,
    /// Joined the home.
    Joined,
}

impl PartnerVerb {
    /// The stored spelling (part of the coalescing key and of the notice's `data.verb`).
    pub fn as_str(self) -> &'static str {
        match self {
            PartnerVerb::Added => "added",
            PartnerVerb::UsedUp => "used_up",
            PartnerVerb::Removed => "removed",
            PartnerVerb::Joined => "joined",
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            PartnerVerb::Added => "added",
            PartnerVerb::UsedUp => "used up",
            PartnerVerb::Removed => "removed",
            PartnerVerb::Joined => "joined",
        }
    }

    /// Whether several in a row become one notice (joining happens once).
    pub fn coalesces(self) -> bool {
        !matches!(self, PartnerVerb::Joined)
    }
}

/// One thing a member did that partners hear about.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerActivity {
    /// What they did.
    pub verb: PartnerVerb,
    /// The item's name (unused for [`PartnerVerb::Joined`]).
    pub subject: String,
    /// The item's id, the notice's `refId`.
    pub subject_id: Option<Uuid>,
}

/// The inbox line for `count` events by `actor`.
///
/// ```
/// use pantry_core::notifications::partner::{PartnerVerb, title};
/// assert_eq!(title("Alice", PartnerVerb::Added, "milk", 1), "Alice added milk");
/// assert_eq!(title("Alice", PartnerVerb::Added, "eggs", 3), "Alice added 3 items");
/// assert_eq!(title("Bob", PartnerVerb::UsedUp, "rice", 2), "Bob used up 2 items");
/// assert_eq!(title("Bob", PartnerVerb::Joined, "", 1), "Bob joined your home");
/// ```
pub fn title(actor: &str, verb: PartnerVerb, subject: &str, count: i32) -> String {
    match verb {
        PartnerVerb::Joined => format!("{actor} joined your home"),
        _ if count > 1 => format!("{actor} {} {count} items", verb.phrase()),
        _ => format!("{actor} {} {subject}", verb.phrase()),
    }
}

/// The body of a notice, if it has one.
pub fn body(verb: PartnerVerb) -> Option<String> {
    match verb {
        PartnerVerb::Joined => Some("You're now sharing this pantry together.".to_owned()),
        _ => None,
    }
}

/// The key that notices of one actor and verb share (stored as the notice's dedupe key).
///
/// ```
/// use pantry_core::notifications::partner::{PartnerVerb, coalescing_key};
/// let alice = uuid::Uuid::nil();
/// assert_eq!(
///     coalescing_key(alice, PartnerVerb::UsedUp),
///     "partner_activity:00000000-0000-0000-0000-000000000000:used_up"
/// );
/// ```
pub fn coalescing_key(actor: Uuid, verb: PartnerVerb) -> String {
    format!("partner_activity:{actor}:{}", verb.as_str())
}

/// Whether an unread notice with the same key, last updated at `updated_at`, takes an event
/// happening `at` (a read notice never does: the caller only offers unread ones).
///
/// ```
/// use chrono::{Duration, Utc};
/// use pantry_core::notifications::partner::joins_burst;
/// let at = Utc::now();
/// assert!(joins_burst(at - Duration::minutes(4), at));
/// assert!(!joins_burst(at - Duration::minutes(6), at));
/// ```
pub fn joins_burst(updated_at: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    at - updated_at < COALESCE_WINDOW
}
