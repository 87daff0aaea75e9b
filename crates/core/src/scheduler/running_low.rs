//! "Running low" notices: an item whose usual restock cadence says it runs out within three
//! days (or already has), when that cadence is trustworthy enough.

use crate::insights::predictions::Prediction;
use crate::notifications::{NewNotice, NoticeKind};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

/// The least confidence worth a notice.
pub const MIN_CONFIDENCE: f64 = 0.5;
/// How far ahead a predicted run-out is worth a notice.
pub const AHEAD_DAYS: u32 = 3;

/// The notice for `prediction` at `now`, or `None` when it is not sure or near enough. The
/// key holds the predicted date: one notice per expected run-out, never repeated after it is
/// read, and a new one once the item is restocked and runs low again.
///
/// ```
/// use pantry_core::insights::predictions::Prediction;
/// use pantry_core::scheduler::running_low::notice;
/// use chrono::{Duration, TimeZone, Utc};
/// use uuid::Uuid;
/// let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
/// let coffee = Prediction {
///     item_name: "Coffee".into(),
///     item_id: None,
///     predicted_depletion_date: (now + Duration::days(2)).date_naive(),
///     predicted_at: now + Duration::days(2),
///     confidence: 0.8,
///     interval_days: 9.0,
///     restock_count: 8,
///     average_quantity: 1.0,
///     reasoning: String::new(),
/// };
/// let made = notice(Uuid::nil(), &coffee, now).unwrap();
/// assert_eq!(made.title, "Running low on Coffee");
/// assert_eq!(made.body.as_deref(), Some("Based on your usual cadence, you'll likely need more in about 2 days."));
/// let unsure = Prediction { confidence: 0.3, ..coffee };
/// assert!(notice(Uuid::nil(), &unsure, now).is_none());
/// ```
pub fn notice(home_id: Uuid, prediction: &Prediction, now: DateTime<Utc>) -> Option<NewNotice> {
    let horizon = now + Duration::days(i64::from(AHEAD_DAYS));
    if prediction.confidence < MIN_CONFIDENCE || prediction.predicted_at > horizon {
        return None;
    }
    let days = (prediction.predicted_at - now).num_hours().div_euclid(24)
        + i64::from((prediction.predicted_at - now).num_hours().rem_euclid(24) >= 12);
    let when = match days {
        ..=0 => "now".to_owned(),
        1 => "in about a day".to_owned(),
        n => format!("in about {n} days"),
    };
    let name = prediction.item_name.trim();
    Some(NewNotice {
        recipient: None,
        kind: NoticeKind::RunningLow,
        title: format!("Running low on {name}"),
        body: Some(format!(
            "Based on your usual cadence, you'll likely need more {when}."
        )),
        ref_id: prediction.item_id.map(|id| id.to_string()),
        once_key: Some(format!(
            "running_low:{home_id}:{}:{}",
            name.to_lowercase(),
            prediction.predicted_depletion_date
        )),
        data: Some(json!({ "itemName": name, "itemId": prediction.item_id })),
    })
}
