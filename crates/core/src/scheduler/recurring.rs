//! When a recurring item goes back on the shopping list, and what the household is told.

use crate::items::item::RecurringInterval;
use crate::lists::schedule::zone;
use crate::notifications::{NewNotice, NoticeKind};
use crate::scheduler::store::RecurringItem;
use chrono::{DateTime, Duration, Months, Utc};
use serde_json::json;

/// When `item` is next due: one interval after it was last put on the list (or became
/// recurring). A month is a calendar month in the home's zone, so "monthly" from 31 January
/// is the last day of February, not 3 March.
///
/// ```
/// use pantry_core::items::item::RecurringInterval;
/// use pantry_core::scheduler::recurring::next_due;
/// use chrono::{TimeZone, Utc};
/// let since = Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).unwrap();
/// let due = next_due(since, RecurringInterval::Monthly, "UTC").unwrap();
/// assert_eq!(due, Utc.with_ymd_and_hms(2026, 2, 28, 9, 0, 0).unwrap());
/// let weekly = next_due(since, RecurringInterval::Weekly, "UTC").unwrap();
/// assert_eq!(weekly, Utc.with_ymd_and_hms(2026, 2, 7, 9, 0, 0).unwrap());
/// ```
pub fn next_due(
    since: DateTime<Utc>,
    interval: RecurringInterval,
    timezone: &str,
) -> Option<DateTime<Utc>> {
    match interval {
        RecurringInterval::Daily => since.checked_add_signed(Duration::days(1)),
        RecurringInterval::Weekly => since.checked_add_signed(Duration::days(7)),
        RecurringInterval::Biweekly => since.checked_add_signed(Duration::days(14)),
        RecurringInterval::Monthly => {
            let local = since.with_timezone(&zone(timezone));
            local
                .checked_add_months(Months::new(1))
                .map(|t| t.with_timezone(&Utc))
        }
    }
}

/// The claim window of a restock: the instant it fell due, so each due date is claimed once.
pub fn window(due: DateTime<Utc>) -> String {
    due.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The household notice for an item put back on the list.
pub fn notice(item: &RecurringItem, due: DateTime<Utc>) -> NewNotice {
    NewNotice {
        recipient: None,
        kind: NoticeKind::RecurringDue,
        title: format!("Time to restock {}", item.name),
        body: Some(format!(
            "Added to your shopping list ({} staple).",
            item.interval.as_str()
        )),
        ref_id: Some(item.item_id.to_string()),
        once_key: Some(format!("recurring_due:{}:{}", item.item_id, window(due))),
        data: Some(json!({ "itemId": item.item_id, "itemName": item.name })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn monthly_follows_the_local_calendar() {
        // 31 Jan 23:30 in Bangkok is 16:30 UTC; a month later locally is 28 Feb 23:30.
        let since = Utc.with_ymd_and_hms(2026, 1, 31, 16, 30, 0).unwrap();
        let due = next_due(since, RecurringInterval::Monthly, "Asia/Bangkok").unwrap();
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 2, 28, 16, 30, 0).unwrap());
    }

    #[test]
    fn intervals_in_days() {
        let since = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let days = |i| (next_due(since, i, "UTC").unwrap() - since).num_days();
        assert_eq!(days(RecurringInterval::Daily), 1);
        assert_eq!(days(RecurringInterval::Weekly), 7);
        assert_eq!(days(RecurringInterval::Biweekly), 14);
    }
}
