//! Schemas of the insights the core sends as serde serialises them (see
//! `openapi/mirrors.rs` for why they are mirrored). Nothing constructs them;
//! `tests/openapi.rs` checks real core values against them.

#![allow(dead_code)]

use crate::openapi::mirrors::CategorySchema;
use chrono::{DateTime, NaiveDate, Utc};
use utoipa::ToSchema;
use uuid::Uuid;

/// Which span a spending summary covers: the last 7 days, or the calendar month to date in
/// the home's time zone.
#[derive(ToSchema)]
#[schema(as = BudgetPeriod, rename_all = "lowercase")]
pub(crate) enum BudgetPeriodSchema {
    Week,
    Month,
}

/// Which way spending moved against the previous span: more than 7 % up or down, else stable.
#[derive(ToSchema)]
#[schema(as = Trend, rename_all = "lowercase")]
pub(crate) enum TrendSchema {
    Up,
    Down,
    Stable,
}

/// The month against the budget: below 80 % on track, up to 100 % heads up, above that over.
#[derive(ToSchema)]
#[schema(as = BudgetHealth, rename_all = "snake_case")]
pub(crate) enum BudgetHealthSchema {
    OnTrack,
    HeadsUp,
    Over,
}

/// Spend in one category (the category the items had when bought).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CategorySpend)]
pub(crate) struct CategorySpendSchema {
    category: CategorySchema,
    /// Sum of line totals, major units.
    #[schema(example = 200)]
    total: f64,
    /// Priced purchases.
    item_count: u64,
    /// `total / itemCount`.
    average_per_item: f64,
}

/// Spend at one store (names compared ignoring case and spacing).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = StoreSpend)]
pub(crate) struct StoreSpendSchema {
    #[schema(example = "Big C")]
    store: String,
    /// Sum of line totals, major units.
    total: f64,
    /// Priced purchases.
    item_count: u64,
}

/// This span against the previous one (the 7 days before, or the same elapsed part of the
/// previous calendar month).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = SpendComparison)]
pub(crate) struct ComparisonSchema {
    /// Spend in the previous span, major units.
    previous_total: f64,
    /// `(total − previousTotal) / previousTotal × 100`, one decimal.
    #[schema(example = 150.0)]
    change_percent: f64,
    trend: TrendSchema,
}

/// The calendar month to date against the home's monthly budget (for either period).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BudgetStatus)]
pub(crate) struct BudgetStatusSchema {
    /// Major units.
    monthly_budget: f64,
    /// Spent this calendar month so far, major units.
    spent: f64,
    /// One decimal.
    percent_used: f64,
    /// What is left, major units; 0 once over.
    remaining: f64,
    status: BudgetHealthSchema,
}

/// Spend in a period from the purchase ledger (priced additions; deleting or editing an item
/// never changes it). Money is in major units of `currency`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = BudgetSummary)]
pub(crate) struct BudgetSummarySchema {
    period: BudgetPeriodSchema,
    /// The first instant counted.
    start: DateTime<Utc>,
    /// Now, the last instant counted.
    end: DateTime<Utc>,
    /// The home's currency (ISO 4217).
    #[schema(example = "THB")]
    currency: String,
    /// Sum of line totals.
    #[schema(example = 250)]
    total: f64,
    /// Priced purchases.
    item_count: u64,
    /// `total / itemCount` (0 when nothing was bought).
    average_per_item: f64,
    /// Most spent first.
    by_category: Vec<CategorySpendSchema>,
    /// Purchases with a store only, most spent first.
    by_store: Vec<StoreSpendSchema>,
    /// `null` when nothing was spent in the previous span.
    #[schema(required = true)]
    comparison: Option<ComparisonSchema>,
    /// `null` when the home has no monthly budget.
    #[schema(required = true)]
    budget: Option<BudgetStatusSchema>,
    /// Short, non-judgemental sentences for people, money in the home's currency.
    insights: Vec<String>,
}

/// When an item will probably need restocking.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Prediction)]
pub(crate) struct PredictionSchema {
    /// The name as last added.
    #[schema(example = "Milk")]
    item_name: String,
    /// The pantry row carrying the name; `null` when none does any more.
    #[schema(required = true)]
    item_id: Option<Uuid>,
    /// The day it is due, in the home's time zone.
    #[schema(value_type = String, format = Date, example = "2026-12-27")]
    predicted_depletion_date: NaiveDate,
    /// The moment it is due (in the past when overdue).
    predicted_at: DateTime<Utc>,
    /// 0 to 1, two decimals.
    #[schema(example = 0.8)]
    confidence: f64,
    /// The usual days between restocks, one decimal.
    interval_days: f64,
    /// Restocks it is based on.
    restock_count: u32,
    /// Mean quantity added per restock, one decimal.
    average_quantity: f64,
    /// Why, for people.
    reasoning: String,
}
