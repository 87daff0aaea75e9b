//! Expiry notices: one when an item enters the last three days before it expires, one when it
//! has expired, each once per item and expiry date (reading it never brings it back).

use crate::lists::schedule::zone;
use crate::notifications::{NewNotice, NoticeKind};
use crate::scheduler::store::ExpiringItem;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// How far ahead an item counts as expiring soon.
pub const AHEAD: Duration = Duration::days(3);
/// How long after expiry an item is still worth a notice.
pub const BEHIND: Duration = Duration::days(2);

/// The notice for `item` at `now`: "Spinach expires tomorrow", "Milk has expired", ... Days
/// are counted between local dates in the home's zone.
///
/// ```
/// use pantry_core::scheduler::{expiry::notice, store::ExpiringItem};
/// use chrono::{TimeZone, Utc};
/// use uuid::Uuid;
/// let item = ExpiringItem {
///     home_id: Uuid::nil(),
///     item_id: Uuid::nil(),
///     name: "Spinach".into(),
///     // 00:30 on the 6th in New York, still the 5th in UTC
///     expires_at: Utc.with_ymd_and_hms(2026, 12, 6, 5, 30, 0).unwrap(),
///     timezone: "America/New_York".into(),
/// };
/// let now = Utc.with_ymd_and_hms(2026, 12, 5, 15, 0, 0).unwrap();
/// assert_eq!(notice(&item, now).title, "Spinach expires tomorrow");
/// let later = Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).unwrap();
/// assert_eq!(notice(&item, later).title, "Spinach has expired");
/// ```
pub fn notice(item: &ExpiringItem, now: DateTime<Utc>) -> NewNotice {
    let tz = zone(&item.timezone);
    let expired = item.expires_at <= now;
    let days = (item.expires_at.with_timezone(&tz).date_naive()
        - now.with_timezone(&tz).date_naive())
    .num_days();
    let title = if expired {
        format!("{} has expired", item.name)
    } else {
        match days {
            ..=0 => format!("{} expires today", item.name),
            1 => format!("{} expires tomorrow", item.name),
            n => format!("{} expires in {n} days", item.name),
        }
    };
    let body = if expired {
        "Check it before using it, or let it go and add it to the list."
    } else {
        "Use it up before it goes to waste: ask Pixie for a recipe idea!"
    };
    let phase = if expired { "expired" } else { "soon" };
    NewNotice {
        recipient: None,
        kind: NoticeKind::ExpiringSoon,
        title,
        body: Some(body.to_owned()),
        ref_id: Some(item.item_id.to_string()),
        once_key: Some(format!(
            "expiring_soon:{}:{}:{phase}",
            item.item_id,
            item.expires_at.timestamp_millis()
        )),
        data: Some(json!({ "itemId": item.item_id, "itemName": item.name })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn item(expires_at: DateTime<Utc>) -> ExpiringItem {
        ExpiringItem {
            home_id: Uuid::nil(),
            item_id: Uuid::nil(),
            name: "Milk".into(),
            expires_at,
            timezone: "UTC".into(),
        }
    }

    #[test]
    fn soon_and_expired_are_different_notices_of_one_expiry() {
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
        let soon = notice(&item(at), at - Duration::days(3));
        let gone = notice(&item(at), at + Duration::hours(1));
        assert_eq!(soon.title, "Milk expires in 3 days");
        assert_eq!(gone.title, "Milk has expired");
        assert_ne!(soon.once_key, gone.once_key);
        // The same phase of the same expiry always has the same key, however often it is seen.
        assert_eq!(
            soon.once_key,
            notice(&item(at), at - Duration::days(1)).once_key
        );
        assert_eq!(
            notice(&item(at), at - Duration::hours(2)).title,
            "Milk expires today"
        );
    }
}
