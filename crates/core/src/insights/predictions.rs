//! When the household will probably need an item again, from how often it restocks it and how
//! fast it has been using it since.
//!
//! The rules ([`predict`], pure over the history and now):
//! 1. History is grouped by [`normalize_name`], since a name may live in several rows over
//!    time. Only the last [`HISTORY_DAYS`] days count, at most [`HISTORY_LIMIT`] rows.
//! 2. Restocks are the `added` events. With one, the interval is [`DEFAULT_INTERVAL_DAYS`] and
//!    the confidence [`SINGLE_RESTOCK_CONFIDENCE`]. With more, the interval is the median of
//!    the gaps between consecutive restocks (their mean if the median is zero, 7 days if both
//!    are), and the confidence is `(1 − min(CV, 1)) × min(n, 10) / 10`, with CV the gaps'
//!    coefficient of variation (population standard deviation over mean; 1 when the mean is
//!    zero) and n the number of restocks, clamped to 0..1 and rounded to 2 decimals. The item
//!    is due one interval after the last restock.
//! 3. Consumption since the last restock can bring that date earlier, never later:
//!    - a `used_up` after the last restock, while no row of that name has anything left,
//!      means it ran out: it is due at that moment, with confidence 1 (it is a fact);
//!    - otherwise, if some of the last restocked row was `consumed` since its restock and
//!      some is left, the rate so far (used ÷ days since the restock, at least one day) is
//!      projected: it is due when what is left runs out at that rate, if that is sooner.
//!      Quantities are compared within that one row, so they share a unit.
//! 4. A name whose last event is a deletion and that no row carries any more is not
//!    predicted: the household stopped keeping it.
//!
//! Items marked recurring are predicted like the rest: the schedule says when the household
//! plans to buy, the prediction when it will run out, and both are useful.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::require_role;
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::insights::{InsightsError, InsightsRepository, StockLevel, UsageAction, UsageRecord};
use crate::items::item::normalize_name;
use crate::lists::schedule::zone;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// The interval assumed when an item was restocked only once.
pub const DEFAULT_INTERVAL_DAYS: f64 = 7.0;
/// The confidence of a prediction from a single restock.
pub const SINGLE_RESTOCK_CONFIDENCE: f64 = 0.3;
/// How far back the history is read.
pub const HISTORY_DAYS: i64 = 365;
/// At most this many history rows are read (the newest).
pub const HISTORY_LIMIT: u32 = 5_000;
/// The longest window [`PredictionService::upcoming`] accepts.
pub const MAX_WITHIN_DAYS: u32 = 365;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// When an item will probably need restocking, as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    /// The name as last added.
    pub item_name: String,
    /// The pantry row carrying the name (the last restocked one if it still exists); `null`
    /// when no row carries it any more.
    pub item_id: Option<Uuid>,
    /// The day it is due, in the home's time zone (`YYYY-MM-DD`).
    pub predicted_depletion_date: NaiveDate,
    /// The moment it is due.
    pub predicted_at: DateTime<Utc>,
    /// 0 to 1, two decimals: how much to trust it.
    pub confidence: f64,
    /// The usual days between restocks, one decimal.
    pub interval_days: f64,
    /// How many restocks it is based on.
    pub restock_count: u32,
    /// The mean quantity added per restock, one decimal.
    pub average_quantity: f64,
    /// Why, in a sentence or two for people.
    pub reasoning: String,
}

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn days(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0 / SECONDS_PER_DAY
}

fn duration_of_days(days: f64) -> Duration {
    Duration::milliseconds((days * SECONDS_PER_DAY * 1000.0).round() as i64)
}

/// A number of days as people say it: "7", "3.5".
fn say_days(days: f64) -> String {
    let d = rounded(days, 1);
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d:.1}")
    }
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if !n.is_multiple_of(2) => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The restock interval and confidence of a name restocked at `adds` (oldest first):
/// `(interval_days, confidence)`.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use pantry_core::insights::predictions::cadence;
/// let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
/// let weekly: Vec<_> = (0..4).map(|w| t0 + Duration::days(7 * w)).collect();
/// assert_eq!(cadence(&weekly), (7.0, 0.4));
/// assert_eq!(cadence(&weekly[..1]), (7.0, 0.3));
/// ```
pub fn cadence(adds: &[DateTime<Utc>]) -> (f64, f64) {
    if adds.len() < 2 {
        return (DEFAULT_INTERVAL_DAYS, SINGLE_RESTOCK_CONFIDENCE);
    }
    let mut gaps: Vec<f64> = adds.windows(2).map(|w| days(w[1] - w[0])).collect();
    gaps.sort_by(f64::total_cmp);
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let middle = median(&gaps);
    let interval = if middle > 0.0 {
        middle
    } else if mean > 0.0 {
        mean
    } else {
        DEFAULT_INTERVAL_DAYS
    };
    let cv = if mean > 0.0 {
        let variance = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n;
        variance.sqrt() / mean
    } else {
        1.0
    };
    let restocks = adds.len().min(10) as f64;
    let confidence = ((1.0 - cv.min(1.0)) * restocks / 10.0).clamp(0.0, 1.0);
    (interval, rounded(confidence, 2))
}

/// Predictions for every name in `history` (oldest first) given what `stock` holds now,
/// soonest first (then by name). Dates are days in `zone`. See the module documentation for
/// the rules.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use pantry_core::insights::{UsageAction, UsageRecord};
/// use pantry_core::insights::predictions::predict;
/// use pantry_core::items::Quantity;
/// let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
/// let added = |days_ago| UsageRecord {
///     item_name: "Milk".into(), item_id: None, action: UsageAction::Added,
///     quantity: Some(Quantity::ONE), at: now - Duration::days(days_ago),
/// };
/// let found = predict(&[added(14), added(7), added(0)], &[], now, chrono_tz::UTC);
/// assert_eq!(found[0].predicted_at, now + Duration::days(7));
/// assert_eq!(found[0].predicted_depletion_date.to_string(), "2026-12-27");
/// assert!(predict(&[], &[], now, chrono_tz::UTC).is_empty());
/// ```
pub fn predict(
    history: &[UsageRecord],
    stock: &[StockLevel],
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<Prediction> {
    let mut groups: BTreeMap<String, Vec<&UsageRecord>> = BTreeMap::new();
    for record in history {
        groups
            .entry(normalize_name(&record.item_name))
            .or_default()
            .push(record);
    }
    let mut out: Vec<Prediction> = groups
        .iter_mut()
        .filter_map(|(key, records)| {
            records.sort_by_key(|r| r.at);
            let rows: Vec<&StockLevel> = stock
                .iter()
                .filter(|s| normalize_name(&s.name) == *key)
                .collect();
            predict_one(records, &rows, now, zone)
        })
        .collect();
    out.sort_by(|a, b| {
        a.predicted_at
            .cmp(&b.predicted_at)
            .then_with(|| a.item_name.cmp(&b.item_name))
    });
    out
}

/// One name's prediction: its records oldest first, and the rows that carry it now.
fn predict_one(
    records: &[&UsageRecord],
    rows: &[&StockLevel],
    now: DateTime<Utc>,
    zone: Tz,
) -> Option<Prediction> {
    let adds: Vec<&UsageRecord> = records
        .iter()
        .copied()
        .filter(|r| r.action == UsageAction::Added)
        .collect();
    let last = *adds.last()?;
    let newest = records.last()?;
    if rows.is_empty() && newest.action == UsageAction::Removed {
        return None;
    }
    let times: Vec<DateTime<Utc>> = adds.iter().map(|r| r.at).collect();
    let (interval, mut confidence) = cadence(&times);
    let restocks = adds.len();
    let mut predicted_at = last.at + duration_of_days(interval);
    let mut reasoning = if restocks == 1 {
        "Only 1 purchase logged — this is a rough default estimate.".to_owned()
    } else {
        format!(
            "Based on {restocks} purchases, usually restocked about every {} days.",
            say_days(interval)
        )
    };

    let since: Vec<&UsageRecord> = records
        .iter()
        .copied()
        .filter(|r| r.at > last.at || (r.at == last.at && r.action != UsageAction::Added))
        .collect();
    let anything_left = rows.iter().any(|s| !s.quantity.is_zero());
    let ran_out = since
        .iter()
        .rev()
        .find(|r| r.action == UsageAction::UsedUp)
        .filter(|_| !anything_left);
    if let Some(out) = ran_out {
        predicted_at = out.at;
        confidence = 1.0;
        reasoning.push_str(" It was used up after the last restock, so it's needed now.");
    } else if let Some(item) = last.item_id {
        let used: i64 = since
            .iter()
            .filter(|r| r.action == UsageAction::Consumed && r.item_id == Some(item))
            .filter_map(|r| r.quantity)
            .map(|q| q.milli())
            .sum();
        let left = rows
            .iter()
            .find(|s| s.item_id == item)
            .map(|s| s.quantity.milli())
            .unwrap_or(0);
        if used > 0 && left > 0 {
            let elapsed = days(now - last.at).max(1.0);
            let per_day = used as f64 / elapsed;
            let lasts = left as f64 / per_day;
            let by_use = now + duration_of_days(lasts);
            if by_use < predicted_at {
                predicted_at = by_use;
                reasoning.push_str(&format!(
                    " At the rate it has been used since then, what is left lasts about {} more days.",
                    say_days(lasts)
                ));
            }
        }
    }

    let average_quantity = adds
        .iter()
        .map(|r| r.quantity.map_or(1.0, |q| q.as_f64()))
        .sum::<f64>()
        / restocks as f64;
    let item_id = last
        .item_id
        .filter(|id| rows.iter().any(|s| s.item_id == *id))
        .or_else(|| rows.first().map(|s| s.item_id));
    Some(Prediction {
        item_name: last.item_name.clone(),
        item_id,
        predicted_depletion_date: predicted_at.with_timezone(&zone).date_naive(),
        predicted_at,
        confidence,
        interval_days: rounded(interval, 1),
        restock_count: u32::try_from(restocks).unwrap_or(u32::MAX),
        average_quantity: rounded(average_quantity, 1),
        reasoning,
    })
}

/// Restock predictions of a home.
pub struct PredictionService {
    homes: Arc<dyn HomeRepository>,
    insights: Arc<dyn InsightsRepository>,
    clock: Arc<dyn Clock>,
}

impl PredictionService {
    /// The service over its ports.
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        insights: Arc<dyn InsightsRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homes,
            insights,
            clock,
        }
    }

    /// Now, by the service's clock: when predictions read now were generated.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Predictions due within `within_days` days from now (overdue ones included; the window
    /// is capped at [`MAX_WITHIN_DAYS`]), soonest first. Any member may read them, and so may
    /// [`Actor::system`] (the scheduler's "running low" notices).
    pub async fn upcoming(
        &self,
        actor: &Actor,
        home_id: Uuid,
        within_days: u32,
    ) -> Result<Vec<Prediction>, InsightsError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Viewer).await?;
        let home = self
            .homes
            .get(home_id)
            .await?
            .ok_or(InsightsError::HomeNotFound)?;
        let now = self.clock.now();
        let since = now - Duration::days(HISTORY_DAYS);
        let history = self
            .insights
            .usage_history(home_id, since, HISTORY_LIMIT)
            .await?;
        let stock = self.insights.stock(home_id).await?;
        let until = now + Duration::days(i64::from(within_days.min(MAX_WITHIN_DAYS)));
        let mut found = predict(&history, &stock, now, zone(&home.timezone));
        found.retain(|p| p.predicted_at <= until);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::Quantity;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap()
    }

    fn q(n: i64) -> Option<Quantity> {
        Quantity::from_milli(n * 1000)
    }

    fn event(
        name: &str,
        id: u128,
        action: UsageAction,
        qty: Option<Quantity>,
        days_ago: f64,
    ) -> UsageRecord {
        UsageRecord {
            item_name: name.to_owned(),
            item_id: Some(Uuid::from_u128(id)),
            action,
            quantity: qty,
            at: now() - duration_of_days(days_ago),
        }
    }

    fn added(name: &str, days_ago: f64) -> UsageRecord {
        event(name, 1, UsageAction::Added, q(1), days_ago)
    }

    fn stock(id: u128, name: &str, left: i64) -> StockLevel {
        StockLevel {
            item_id: Uuid::from_u128(id),
            name: name.to_owned(),
            quantity: Quantity::from_milli(left * 1000).unwrap(),
        }
    }

    fn run(history: &[UsageRecord], stock: &[StockLevel]) -> Vec<Prediction> {
        predict(history, stock, now(), chrono_tz::UTC)
    }

    #[test]
    fn a_weekly_cadence_predicts_a_week_after_the_last_restock() {
        let history: Vec<_> = [21.0, 14.0, 7.0, 0.0]
            .into_iter()
            .map(|d| event("Milk", 1, UsageAction::Added, q(2), d))
            .collect();
        let found = run(&history, &[stock(1, "Milk", 8)]);
        assert_eq!(found.len(), 1);
        let p = &found[0];
        assert_eq!(p.restock_count, 4);
        assert_eq!(p.interval_days, 7.0);
        assert_eq!(p.average_quantity, 2.0);
        assert_eq!(p.predicted_at, now() + Duration::days(7));
        assert!(p.confidence > 0.3, "{}", p.confidence);
        assert_eq!(p.confidence, 0.4);
        assert_eq!(
            p.reasoning,
            "Based on 4 purchases, usually restocked about every 7 days."
        );
        assert_eq!(p.item_id, Some(Uuid::from_u128(1)));
    }

    #[test]
    fn a_single_restock_is_a_rough_default() {
        let found = run(&[added("Bread", 2.0)], &[]);
        assert_eq!(found[0].confidence, 0.3);
        assert_eq!(found[0].interval_days, 7.0);
        assert_eq!(found[0].predicted_at, now() + Duration::days(5));
        assert_eq!(
            found[0].reasoning,
            "Only 1 purchase logged — this is a rough default estimate."
        );
    }

    #[test]
    fn names_are_grouped_ignoring_case_and_spacing_across_rows() {
        let history = [
            event("Eggs", 1, UsageAction::Added, q(12), 10.0),
            event("eggs ", 2, UsageAction::Added, q(6), 5.0),
            event("EGGS", 3, UsageAction::Added, q(12), 0.0),
        ];
        let found = run(&history, &[stock(3, "EGGS", 12)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].restock_count, 3);
        assert_eq!(found[0].item_name, "EGGS", "the latest spelling");
        assert_eq!(found[0].average_quantity, 10.0);
    }

    #[test]
    fn soonest_comes_first() {
        let mut history: Vec<_> = [40.0, 20.0, 0.0]
            .into_iter()
            .map(|d| added("Rice", d))
            .collect();
        history.extend([6.0, 3.0, 0.0].into_iter().map(|d| added("Bananas", d)));
        let found = run(&history, &[]);
        let names: Vec<_> = found.iter().map(|p| p.item_name.as_str()).collect();
        assert_eq!(names, ["Bananas", "Rice"]);
    }

    #[test]
    fn a_long_steady_cadence_is_confident_and_due_soon() {
        let history: Vec<_> = (0..8)
            .map(|i| added("Coffee", 6.0 + 7.0 * f64::from(i)))
            .collect();
        let p = &run(&history, &[])[0];
        assert!(p.confidence >= 0.5, "{}", p.confidence);
        assert_eq!(p.confidence, 0.8);
        assert!(p.predicted_at <= now() + Duration::days(3));
        assert_eq!(p.predicted_at, now() + Duration::days(1));
    }

    #[test]
    fn irregular_gaps_lower_the_confidence() {
        let steady: Vec<_> = [30.0, 20.0, 10.0, 0.0]
            .into_iter()
            .map(|d| added("A", d))
            .collect();
        let ragged: Vec<_> = [30.0, 28.0, 10.0, 0.0]
            .into_iter()
            .map(|d| added("A", d))
            .collect();
        let (a, b) = (&run(&steady, &[])[0], &run(&ragged, &[])[0]);
        assert!(
            b.confidence < a.confidence,
            "{} vs {}",
            b.confidence,
            a.confidence
        );
        assert_eq!(b.interval_days, 10.0, "the median gap");
        // Everything bought at one moment: no cadence to speak of.
        let (interval, confidence) = cadence(&[now(), now(), now()]);
        assert_eq!((interval, confidence), (7.0, 0.0));
    }

    #[test]
    fn no_history_means_no_predictions() {
        assert!(run(&[], &[stock(1, "Milk", 1)]).is_empty());
        let checks_only = [event("Milk", 1, UsageAction::Consumed, q(1), 1.0)];
        assert!(run(&checks_only, &[stock(1, "Milk", 1)]).is_empty());
    }

    #[test]
    fn used_up_after_the_last_restock_means_due_now() {
        let history = [
            added("Milk", 14.0),
            added("Milk", 7.0),
            event("Milk", 1, UsageAction::Consumed, q(1), 2.0),
            event("Milk", 1, UsageAction::UsedUp, None, 2.0),
        ];
        let p = &run(&history, &[stock(1, "Milk", 0)])[0];
        assert_eq!(p.predicted_at, now() - Duration::days(2));
        assert_eq!(p.confidence, 1.0);
        assert!(
            p.reasoning.contains("used up after the last restock"),
            "{}",
            p.reasoning
        );
        // Another row of the same name still has some: not out.
        let p = &run(&history, &[stock(1, "Milk", 0), stock(2, "milk", 1)])[0];
        assert_eq!(p.predicted_at, now());
        // Used up before the last restock: the restock refilled it.
        let history = [
            added("Milk", 14.0),
            event("Milk", 1, UsageAction::UsedUp, None, 8.0),
            added("Milk", 7.0),
        ];
        let p = &run(&history, &[stock(1, "Milk", 1)])[0];
        assert_eq!(p.predicted_at, now());
        assert!(!p.reasoning.contains("used up"), "{}", p.reasoning);
    }

    #[test]
    fn fast_use_since_the_restock_brings_the_date_earlier() {
        // Restocked every 10 days; 6 of 8 eaten in the 2 days since: 3 a day, 2 left.
        let history = [
            event("Apples", 1, UsageAction::Added, q(8), 12.0),
            event("Apples", 1, UsageAction::Added, q(8), 2.0),
            event("Apples", 1, UsageAction::Consumed, q(4), 1.0),
            event("Apples", 1, UsageAction::Consumed, q(2), 0.5),
        ];
        let p = &run(&history, &[stock(1, "Apples", 2)])[0];
        let expected = now() + duration_of_days(2.0 / 3.0);
        assert_eq!(p.predicted_at, expected);
        assert!(
            p.reasoning.contains("lasts about 0.7 more days"),
            "{}",
            p.reasoning
        );
        // Slow use never pushes the date later than the cadence.
        let slow = [
            event("Apples", 1, UsageAction::Added, q(8), 12.0),
            event("Apples", 1, UsageAction::Added, q(8), 2.0),
            event("Apples", 1, UsageAction::Consumed, q(1), 1.0),
        ];
        let p = &run(&slow, &[stock(1, "Apples", 7)])[0];
        assert_eq!(p.predicted_at, now() + Duration::days(8));
        // Use of another row (another unit, perhaps) is not mixed in.
        let other_row = [
            event("Apples", 1, UsageAction::Added, q(8), 12.0),
            event("Apples", 1, UsageAction::Added, q(8), 2.0),
            event("Apples", 2, UsageAction::Consumed, q(6), 1.0),
        ];
        let p = &run(&other_row, &[stock(1, "Apples", 8), stock(2, "Apples", 1)])[0];
        assert_eq!(p.predicted_at, now() + Duration::days(8));
    }

    #[test]
    fn a_deleted_name_nobody_keeps_is_not_predicted() {
        let history = [
            added("Tofu", 14.0),
            added("Tofu", 7.0),
            event("Tofu", 1, UsageAction::Removed, None, 1.0),
        ];
        assert!(run(&history, &[]).is_empty());
        // Deleted one row but another still carries the name.
        let p = &run(&history, &[stock(2, "tofu", 1)])[0];
        assert_eq!(
            p.item_id,
            Some(Uuid::from_u128(2)),
            "the row that still exists"
        );
    }

    #[test]
    fn dates_are_days_in_the_home_zone() {
        // 20:00 UTC on the 27th is the 28th in Bangkok.
        let history = [UsageRecord {
            at: Utc.with_ymd_and_hms(2026, 12, 20, 20, 0, 0).unwrap(),
            ..added("Milk", 0.0)
        }];
        let p = &predict(&history, &[], now(), chrono_tz::Asia::Bangkok)[0];
        assert_eq!(p.predicted_depletion_date.to_string(), "2026-12-28");
        let wire = serde_json::to_value(p).unwrap();
        assert_eq!(wire["predictedDepletionDate"], "2026-12-28");
        assert_eq!(wire["predictedAt"], "2026-12-27T20:00:00Z");
        assert_eq!(wire["restockCount"], 1);
    }
}
