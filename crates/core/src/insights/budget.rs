//! What the household spent: the rolling week or the calendar month to date, against the
//! span before it and the home's monthly budget, with sentences that say it kindly.
//!
//! Spend is read from the purchase ledger (priced `added` usage events), never from items:
//! items merge, get edited and get deleted, and none of that may rewrite money already
//! spent. A price is the line total; it is not multiplied by the quantity.
//!
//! Windows ([`windows`]):
//! - week: the last 7 days up to now, against the 7 days before;
//! - month: the calendar month to date in the home's time zone, against the same elapsed span
//!   from the start of the previous calendar month, cut at that month's end.
//!
//! The budget block always measures the calendar month to date, whichever period is shown.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::require_role;
use crate::homes::home::{Home, HomeRepository};
use crate::homes::role::Role;
use crate::insights::{InsightsError, InsightsRepository, SpendGroup};
use crate::items::Category;
use crate::items::item::normalize_name;
use crate::lists::schedule::{local_midnight, zone};
use crate::money::{format as money, serialize_major_amount};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// A change within this many percent either way is "stable".
pub const STABLE_PERCENT: f64 = 7.0;
const STABLE_PERCENT_INT: i64 = 7;
/// Below this share of the budget the month is on track; up to 100 % it is "heads up".
pub const HEADS_UP_PERCENT: f64 = 80.0;
const HEADS_UP_PERCENT_INT: i64 = 80;

/// Which span a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetPeriod {
    /// The last 7 days.
    Week,
    /// The calendar month to date, in the home's time zone.
    Month,
}

impl BudgetPeriod {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetPeriod::Week => "week",
            BudgetPeriod::Month => "month",
        }
    }

    /// Parses the wire spelling, ignoring case and spaces.
    ///
    /// ```
    /// use pantry_core::insights::BudgetPeriod;
    /// assert_eq!(BudgetPeriod::parse(" Month"), Some(BudgetPeriod::Month));
    /// assert_eq!(BudgetPeriod::parse("year"), None);
    /// ```
    pub fn parse(text: &str) -> Option<BudgetPeriod> {
        [BudgetPeriod::Week, BudgetPeriod::Month]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    fn previous_span(self) -> &'static str {
        match self {
            BudgetPeriod::Week => "the week before",
            BudgetPeriod::Month => "the same point last month",
        }
    }
}

/// A span of time: `start` included, `end` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant in it.
    pub start: DateTime<Utc>,
    /// The first instant after it.
    pub end: DateTime<Utc>,
}

/// The window of `period` ending now (now included) and the one it is compared with.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use pantry_core::insights::budget::{BudgetPeriod, windows};
/// let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
/// let (current, previous) = windows(BudgetPeriod::Month, now, chrono_tz::UTC);
/// assert_eq!(current.start, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
/// assert_eq!(previous.start, Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
/// // As far into November as now is into December (ends are exclusive, so a millisecond on).
/// let same_point = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
/// assert_eq!(previous.end, same_point + chrono::Duration::milliseconds(1));
/// ```
pub fn windows(period: BudgetPeriod, now: DateTime<Utc>, zone: Tz) -> (Window, Window) {
    // Timestamps are stored to the millisecond: a purchase logged at `now` is in.
    let end = now + Duration::milliseconds(1);
    match period {
        BudgetPeriod::Week => {
            let start = now - Duration::days(7);
            let before = start - Duration::days(7);
            (
                Window { start, end },
                Window {
                    start: before,
                    end: start,
                },
            )
        }
        BudgetPeriod::Month => {
            let local = now.with_timezone(&zone).date_naive();
            let first = local.with_day(1).unwrap_or(local);
            let previous_first = first.checked_sub_months(Months::new(1)).unwrap_or(first);
            let start = midnight(first, zone);
            let previous_start = midnight(previous_first, zone);
            let elapsed = end - start;
            (
                Window { start, end },
                Window {
                    start: previous_start,
                    end: (previous_start + elapsed).min(start),
                },
            )
        }
    }
}

fn midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    // Every local day has a first instant; the fallback only keeps this total.
    local_midnight(day, zone)
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
}

/// Spend in one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CategorySpend {
    /// The category the items had when bought.
    pub category: Category,
    /// Sum of line totals (sent in major units).
    #[serde(serialize_with = "serialize_major_amount")]
    pub total: i64,
    /// Priced purchases.
    pub item_count: u64,
    /// `total / item_count`, rounded to the minor unit.
    #[serde(serialize_with = "serialize_major_amount")]
    pub average_per_item: i64,
}

/// Spend at one store.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreSpend {
    /// The store, spelled as most of its spend was entered (names are compared ignoring case
    /// and spacing).
    pub store: String,
    /// Sum of line totals (sent in major units).
    #[serde(serialize_with = "serialize_major_amount")]
    pub total: i64,
    /// Priced purchases.
    pub item_count: u64,
}

/// Which way spending moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// More than [`STABLE_PERCENT`] above.
    Up,
    /// More than [`STABLE_PERCENT`] below.
    Down,
    /// Within [`STABLE_PERCENT`].
    Stable,
}

/// This span against the previous one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// Spend in the previous span (major units on the wire).
    #[serde(serialize_with = "serialize_major_amount")]
    pub previous_total: i64,
    /// `(current − previous) / previous × 100`, one decimal.
    pub change_percent: f64,
    /// Up, down or stable.
    pub trend: Trend,
}

/// How the month stands against the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetHealth {
    /// Below [`HEADS_UP_PERCENT`].
    OnTrack,
    /// From [`HEADS_UP_PERCENT`] to 100 %.
    HeadsUp,
    /// Above 100 %.
    Over,
}

/// The calendar month to date against the home's monthly budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus {
    /// The home's monthly budget.
    #[serde(serialize_with = "serialize_major_amount")]
    pub monthly_budget: i64,
    /// Spent this calendar month so far.
    #[serde(serialize_with = "serialize_major_amount")]
    pub spent: i64,
    /// `spent / monthly_budget × 100`, one decimal.
    pub percent_used: f64,
    /// What is left; zero once over.
    #[serde(serialize_with = "serialize_major_amount")]
    pub remaining: i64,
    /// On track, heads up or over.
    pub status: BudgetHealth,
}

/// Spend in a period, as sent: money in major units of `currency`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetSummary {
    /// Week or month.
    pub period: BudgetPeriod,
    /// The first instant counted.
    pub start: DateTime<Utc>,
    /// Now: the last instant counted.
    pub end: DateTime<Utc>,
    /// The home's currency (ISO 4217).
    pub currency: String,
    /// Sum of line totals.
    #[serde(serialize_with = "serialize_major_amount")]
    pub total: i64,
    /// Priced purchases.
    pub item_count: u64,
    /// `total / item_count` (zero when nothing was bought).
    #[serde(serialize_with = "serialize_major_amount")]
    pub average_per_item: i64,
    /// Per category, most spent first.
    pub by_category: Vec<CategorySpend>,
    /// Per store (purchases with a store only), most spent first.
    pub by_store: Vec<StoreSpend>,
    /// Against the previous span; `null` when nothing was spent then.
    pub comparison: Option<Comparison>,
    /// Against the monthly budget; `null` when the home has none.
    pub budget: Option<BudgetStatus>,
    /// Short, non-judgemental sentences for people.
    pub insights: Vec<String>,
}

/// What [`summarize`] needs: the grouped ledger of three spans and the home's settings.
#[derive(Debug, Clone)]
pub struct Ledger<'a> {
    /// The period summarised.
    pub period: BudgetPeriod,
    /// Its window (the end is now plus a millisecond).
    pub window: Window,
    /// Spend in the window.
    pub current: &'a [SpendGroup],
    /// Spend in the previous window.
    pub previous: &'a [SpendGroup],
    /// Spend in the calendar month to date (for the budget).
    pub month_to_date: i64,
    /// The home's currency.
    pub currency: &'a str,
    /// The home's monthly budget in minor units, if any (zero counts as none).
    pub monthly_budget: Option<i64>,
}

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn average(total: i64, count: u64) -> i64 {
    match i64::try_from(count) {
        Ok(n) if n > 0 => (total + n / 2).div_euclid(n),
        _ => 0,
    }
}

fn by_category(groups: &[SpendGroup]) -> Vec<CategorySpend> {
    let mut sums: BTreeMap<Category, (i64, u64)> = BTreeMap::new();
    for g in groups {
        let category = g
            .category
            .as_deref()
            .and_then(Category::parse)
            .unwrap_or(Category::Other);
        let entry = sums.entry(category).or_default();
        entry.0 = entry.0.saturating_add(g.total_minor);
        entry.1 += g.lines;
    }
    let mut out: Vec<_> = sums
        .into_iter()
        .map(|(category, (total, item_count))| CategorySpend {
            category,
            total,
            item_count,
            average_per_item: average(total, item_count),
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then(a.category.cmp(&b.category)));
    out
}

fn by_store(groups: &[SpendGroup]) -> Vec<StoreSpend> {
    // key -> (total, count, spellings with their spend)
    let mut sums: BTreeMap<String, (i64, u64, BTreeMap<String, i64>)> = BTreeMap::new();
    for g in groups {
        let Some(store) = g.store.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            continue;
        };
        let entry = sums.entry(normalize_name(store)).or_default();
        entry.0 = entry.0.saturating_add(g.total_minor);
        entry.1 += g.lines;
        *entry.2.entry(store.to_owned()).or_default() += g.total_minor;
    }
    let mut out: Vec<_> = sums
        .into_values()
        .map(|(total, item_count, spellings)| StoreSpend {
            store: spellings
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(s, _)| s)
                .unwrap_or_default(),
            total,
            item_count,
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then(a.store.cmp(&b.store)));
    out
}

fn percent_of(part: i64, whole: i64) -> f64 {
    part as f64 / whole as f64 * 100.0
}

fn title(category: Category) -> String {
    let name = category.as_str();
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The summary of a period from its grouped ledger: pure, so every rule is tested without a
/// store.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use pantry_core::insights::SpendGroup;
/// use pantry_core::insights::budget::{summarize, windows, BudgetPeriod, Ledger, Trend};
/// let now = Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap();
/// let (window, _) = windows(BudgetPeriod::Week, now, chrono_tz::UTC);
/// let line = |category: &str, total| SpendGroup {
///     category: Some(category.into()), store: None, total_minor: total, lines: 1,
/// };
/// let summary = summarize(&Ledger {
///     period: BudgetPeriod::Week,
///     window,
///     current: &[line("dairy", 12000)],
///     previous: &[line("dairy", 8000), line("produce", 5000)],
///     month_to_date: 25000,
///     currency: "THB",
///     monthly_budget: Some(50000),
/// });
/// assert_eq!(summary.total, 12000);
/// assert_eq!(summary.comparison.unwrap().trend, Trend::Down);
/// assert_eq!(summary.budget.unwrap().percent_used, 50.0);
/// assert!(summary.insights.iter().any(|s| s.contains("฿120.00")));
/// ```
pub fn summarize(ledger: &Ledger<'_>) -> BudgetSummary {
    let currency = ledger.currency;
    let categories = by_category(ledger.current);
    let stores = by_store(ledger.current);
    let total: i64 = categories.iter().map(|c| c.total).sum();
    let item_count: u64 = categories.iter().map(|c| c.item_count).sum();
    let previous_categories = by_category(ledger.previous);
    let previous_total: i64 = previous_categories.iter().map(|c| c.total).sum();

    let comparison = (previous_total > 0).then(|| {
        let change = percent_of(total - previous_total, previous_total);
        Comparison {
            previous_total,
            change_percent: rounded(change, 1),
            // Compared in integers: 7 % of an amount is exact there, not in floating point.
            trend: if (total - previous_total) * 100 > STABLE_PERCENT_INT * previous_total {
                Trend::Up
            } else if (previous_total - total) * 100 > STABLE_PERCENT_INT * previous_total {
                Trend::Down
            } else {
                Trend::Stable
            },
        }
    });
    let budget = ledger
        .monthly_budget
        .filter(|b| *b > 0)
        .map(|monthly_budget| {
            let spent = ledger.month_to_date;
            let used = percent_of(spent, monthly_budget);
            let used_int = spent.saturating_mul(100);
            BudgetStatus {
                monthly_budget,
                spent,
                percent_used: rounded(used, 1),
                remaining: (monthly_budget - spent).max(0),
                status: if used_int < HEADS_UP_PERCENT_INT * monthly_budget {
                    BudgetHealth::OnTrack
                } else if used_int <= 100 * monthly_budget {
                    BudgetHealth::HeadsUp
                } else {
                    BudgetHealth::Over
                },
            }
        });

    let period = ledger.period.as_str();
    let mut insights = Vec::new();
    if total == 0 {
        insights.push(format!(
            "No priced items logged this {period} yet — add prices and I'll spot patterns for you."
        ));
    } else {
        if let Some(top) = categories.first() {
            insights.push(format!(
                "{} was the biggest share this {period}: {}, {:.0}% of {}.",
                title(top.category),
                money(top.total, currency),
                percent_of(top.total, total),
                money(total, currency),
            ));
        }
        if let Some(store) = stores.first() {
            insights.push(format!(
                "Most of it went to {}: {} ({:.0}%).",
                store.store,
                money(store.total, currency),
                percent_of(store.total, total),
            ));
        }
        if previous_total > 0 {
            let rise = categories
                .iter()
                .map(|c| {
                    let before = previous_categories
                        .iter()
                        .find(|p| p.category == c.category)
                        .map_or(0, |p| p.total);
                    (c.category, c.total - before)
                })
                .filter(|(_, rise)| *rise > 0)
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((category, rise)) = rise {
                insights.push(format!(
                    "{} rose the most: {} more than {}.",
                    title(category),
                    money(rise, currency),
                    ledger.period.previous_span(),
                ));
            }
        }
    }
    if let Some(c) = &comparison {
        let than = ledger.period.previous_span();
        insights.push(match c.trend {
            Trend::Up => format!(
                "Spending is up {:.0}% on {than} — just so you both know.",
                c.change_percent
            ),
            Trend::Down => format!("Spending is down {:.0}% on {than}.", -c.change_percent),
            Trend::Stable => format!("Spending is about the same as {than}."),
        });
    }
    if let Some(b) = &budget {
        insights.push(match b.status {
            BudgetHealth::OnTrack => format!(
                "You've used {:.0}% of this month's {} budget — plenty of room.",
                b.percent_used,
                money(b.monthly_budget, currency),
            ),
            BudgetHealth::HeadsUp => format!(
                "Heads up: this month's budget is at {:.0}%, with {} left.",
                b.percent_used,
                money(b.remaining, currency),
            ),
            BudgetHealth::Over => format!(
                "This month is a little over budget ({} of {}) — want to plan the rest of the month together?",
                money(b.spent, currency),
                money(b.monthly_budget, currency),
            ),
        });
    }

    BudgetSummary {
        period: ledger.period,
        start: ledger.window.start,
        end: ledger.window.end - Duration::milliseconds(1),
        currency: currency.to_owned(),
        total,
        item_count,
        average_per_item: average(total, item_count),
        by_category: categories,
        by_store: stores,
        comparison,
        budget,
        insights,
    }
}

/// Spending summaries of a home.
pub struct BudgetService {
    homes: Arc<dyn HomeRepository>,
    insights: Arc<dyn InsightsRepository>,
    clock: Arc<dyn Clock>,
}

impl BudgetService {
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

    async fn home(&self, actor: &Actor, home_id: Uuid) -> Result<Home, InsightsError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Viewer).await?;
        self.homes
            .get(home_id)
            .await?
            .ok_or(InsightsError::HomeNotFound)
    }

    async fn total(&self, home_id: Uuid, window: Window) -> Result<i64, InsightsError> {
        let groups = self
            .insights
            .spend(home_id, window.start, window.end)
            .await?;
        Ok(groups.iter().map(|g| g.total_minor).sum())
    }

    async fn summarize_home(
        &self,
        home: &Home,
        period: BudgetPeriod,
        now: DateTime<Utc>,
    ) -> Result<BudgetSummary, InsightsError> {
        let zone = zone(&home.timezone);
        let (window, before) = windows(period, now, zone);
        let current = self
            .insights
            .spend(home.id, window.start, window.end)
            .await?;
        let previous = self
            .insights
            .spend(home.id, before.start, before.end)
            .await?;
        let month_to_date = match period {
            BudgetPeriod::Month => current.iter().map(|g| g.total_minor).sum(),
            BudgetPeriod::Week if home.monthly_budget_minor.is_some_and(|b| b > 0) => {
                self.total(home.id, windows(BudgetPeriod::Month, now, zone).0)
                    .await?
            }
            BudgetPeriod::Week => 0,
        };
        Ok(summarize(&Ledger {
            period,
            window,
            current: &current,
            previous: &previous,
            month_to_date,
            currency: &home.currency,
            monthly_budget: home.monthly_budget_minor,
        }))
    }

    /// The home's spend in `period`. Any member may read it, and so may the system.
    pub async fn summary(
        &self,
        actor: &Actor,
        home_id: Uuid,
        period: BudgetPeriod,
    ) -> Result<BudgetSummary, InsightsError> {
        let home = self.home(actor, home_id).await?;
        self.summarize_home(&home, period, self.clock.now()).await
    }

    /// Both summaries at the same instant: `(week, month)`.
    pub async fn both(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<(BudgetSummary, BudgetSummary), InsightsError> {
        let home = self.home(actor, home_id).await?;
        let now = self.clock.now();
        let week = self.summarize_home(&home, BudgetPeriod::Week, now).await?;
        let month = self.summarize_home(&home, BudgetPeriod::Month, now).await?;
        Ok((week, month))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn line(category: &str, store: Option<&str>, total: i64) -> SpendGroup {
        SpendGroup {
            category: Some(category.to_owned()),
            store: store.map(str::to_owned),
            total_minor: total,
            lines: 1,
        }
    }

    fn ledger<'a>(
        period: BudgetPeriod,
        current: &'a [SpendGroup],
        previous: &'a [SpendGroup],
        month_to_date: i64,
        budget: Option<i64>,
    ) -> Ledger<'a> {
        let (window, _) = windows(period, utc(2026, 12, 20, 12, 0), chrono_tz::UTC);
        Ledger {
            period,
            window,
            current,
            previous,
            month_to_date,
            currency: "USD",
            monthly_budget: budget,
        }
    }

    #[test]
    fn the_month_is_the_calendar_month_in_the_home_zone() {
        // 23:30 UTC on 30 November is already 1 December in Bangkok (UTC+7).
        let now = utc(2026, 11, 30, 23, 30);
        let (current, previous) = windows(BudgetPeriod::Month, now, chrono_tz::Asia::Bangkok);
        assert_eq!(current.start, utc(2026, 11, 30, 17, 0));
        assert_eq!(previous.start, utc(2026, 10, 31, 17, 0));
        assert_eq!(
            previous.end,
            utc(2026, 10, 31, 23, 30) + Duration::milliseconds(1)
        );
        let (current, _) = windows(BudgetPeriod::Month, now, chrono_tz::UTC);
        assert_eq!(current.start, utc(2026, 11, 1, 0, 0));
    }

    #[test]
    fn the_previous_month_span_is_cut_at_its_end() {
        // 31 March: as far in as the whole of February, but never into March.
        let now = utc(2026, 3, 31, 12, 0);
        let (current, previous) = windows(BudgetPeriod::Month, now, chrono_tz::UTC);
        assert_eq!(previous.start, utc(2026, 2, 1, 0, 0));
        assert_eq!(previous.end, current.start);
    }

    #[test]
    fn the_week_is_the_last_seven_days_against_the_seven_before() {
        let now = utc(2026, 12, 20, 12, 0);
        let (current, previous) = windows(BudgetPeriod::Week, now, chrono_tz::UTC);
        assert_eq!(current.start, utc(2026, 12, 13, 12, 0));
        assert_eq!(
            previous,
            Window {
                start: utc(2026, 12, 6, 12, 0),
                end: current.start
            }
        );
    }

    #[test]
    fn categories_and_stores_are_summed_and_sorted() {
        let current = [
            line("dairy", Some("Big C"), 12000),
            line("dairy", Some("big  c"), 8000),
            line("produce", Some("Wet Market"), 5000),
            line("nonsense", None, 100),
        ];
        let s = summarize(&ledger(BudgetPeriod::Month, &current, &[], 25100, None));
        assert_eq!(s.total, 25100);
        assert_eq!(s.item_count, 4);
        assert_eq!(s.by_category[0].category, Category::Dairy);
        assert_eq!(s.by_category[0].total, 20000);
        assert_eq!(s.by_category[0].average_per_item, 10000);
        assert_eq!(
            s.by_category[2].category,
            Category::Other,
            "unknown categories are other"
        );
        assert_eq!(s.by_store.len(), 2, "{:?}", s.by_store);
        assert_eq!(
            s.by_store[0].store, "Big C",
            "the spelling with the most spend"
        );
        assert_eq!(s.by_store[0].total, 20000);
        assert!(s.comparison.is_none(), "nothing to compare with");
        assert!(s.budget.is_none());
    }

    #[test]
    fn the_trend_is_stable_within_seven_percent() {
        let trend = |now: i64, before: i64| {
            summarize(&ledger(
                BudgetPeriod::Week,
                &[line("dairy", None, now)],
                &[line("dairy", None, before)],
                0,
                None,
            ))
            .comparison
            .unwrap()
            .trend
        };
        assert_eq!(trend(10700, 10000), Trend::Stable);
        assert_eq!(trend(10701, 10000), Trend::Up);
        assert_eq!(trend(9300, 10000), Trend::Stable);
        assert_eq!(trend(9299, 10000), Trend::Down);
    }

    #[test]
    fn the_budget_status_has_three_bands() {
        let status = |spent: i64| {
            summarize(&ledger(BudgetPeriod::Month, &[], &[], spent, Some(50000)))
                .budget
                .unwrap()
        };
        assert_eq!(status(39999).status, BudgetHealth::OnTrack);
        assert_eq!(status(40000).status, BudgetHealth::HeadsUp);
        assert_eq!(status(50000).status, BudgetHealth::HeadsUp);
        let over = status(55000);
        assert_eq!(over.status, BudgetHealth::Over);
        assert_eq!(over.remaining, 0);
        assert_eq!(over.percent_used, 110.0);
        assert!(
            summarize(&ledger(BudgetPeriod::Month, &[], &[], 100, Some(0)))
                .budget
                .is_none(),
            "a zero budget is no budget"
        );
    }

    #[test]
    fn sentences_are_kind_and_use_the_home_currency() {
        let s = summarize(&ledger(BudgetPeriod::Month, &[], &[], 0, None));
        assert_eq!(
            s.insights,
            ["No priced items logged this month yet — add prices and I'll spot patterns for you."]
        );
        let current = [
            line("dairy", Some("Big C"), 20000),
            line("produce", None, 5000),
        ];
        let previous = [line("grains", None, 10000)];
        let s = summarize(&ledger(
            BudgetPeriod::Month,
            &current,
            &previous,
            25000,
            Some(50000),
        ));
        let text = s.insights.join(" ");
        assert!(
            text.contains("Dairy was the biggest share this month: $200.00, 80% of $250.00"),
            "{text}"
        );
        assert!(
            text.contains("Most of it went to Big C: $200.00 (80%)"),
            "{text}"
        );
        assert!(text.contains("Dairy rose the most: $200.00 more"), "{text}");
        assert!(
            text.contains("up 150% on the same point last month"),
            "{text}"
        );
        assert!(
            text.contains("50% of this month's $500.00 budget — plenty of room"),
            "{text}"
        );
        let over = summarize(&ledger(
            BudgetPeriod::Month,
            &current,
            &[],
            60000,
            Some(50000),
        ));
        assert!(
            over.insights
                .iter()
                .any(|s| s.contains("a little over budget ($600.00 of $500.00)")),
            "{:?}",
            over.insights
        );
        let near = summarize(&ledger(
            BudgetPeriod::Month,
            &current,
            &[],
            45000,
            Some(50000),
        ));
        assert!(
            near.insights
                .iter()
                .any(|s| s.contains("at 90%, with $50.00 left")),
            "{:?}",
            near.insights
        );
    }

    #[test]
    fn the_summary_serialises_money_in_major_units() {
        let current = [line("dairy", Some("Big C"), 12050)];
        let s = summarize(&ledger(
            BudgetPeriod::Week,
            &current,
            &current,
            12050,
            Some(50000),
        ));
        let wire = serde_json::to_value(&s).unwrap();
        assert_eq!(wire["period"], "week");
        assert_eq!(wire["total"], 120.5);
        assert_eq!(wire["byCategory"][0]["category"], "dairy");
        assert_eq!(wire["byCategory"][0]["averagePerItem"], 120.5);
        assert_eq!(wire["byStore"][0]["store"], "Big C");
        assert_eq!(wire["comparison"]["trend"], "stable");
        assert_eq!(wire["budget"]["monthlyBudget"], 500);
        assert_eq!(wire["budget"]["status"], "on_track");
        assert_eq!(wire["currency"], "USD");
        assert_eq!(wire["end"], "2026-12-20T12:00:00Z");
    }
}
