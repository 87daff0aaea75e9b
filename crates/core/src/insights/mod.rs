//! Household intelligence read from the purchase ledger and the usage history: what the home
//! spent ([`budget`]) and when it will probably need to restock ([`predictions`]).
//!
//! - [`InsightsRepository`] is the port: spend in a window grouped in SQL, and the bounded
//!   usage history a prediction needs.
//! - [`budget`]: [`BudgetService`], spend for the week or the calendar month against the
//!   previous span and the home's monthly budget, with sentences to show.
//! - [`predictions`]: the pure restock predictor and [`PredictionService`].
//!
//! Both services only read: any member (viewers too) and [`Actor::system`] may call them.
//!
//! [`Actor::system`]: crate::change_log::Actor::system

pub mod budget;
pub mod predictions;

use crate::homes::access::AccessError;
use crate::items::Quantity;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;
use uuid::Uuid;

pub use budget::{BudgetPeriod, BudgetService, BudgetSummary};
pub use predictions::{Prediction, PredictionService};

/// Spend of one (category, store) pair in a window: a row of the grouped ledger query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendGroup {
    /// The item's category when it was bought, as stored (`None` for lines without one).
    pub category: Option<String>,
    /// Where it was bought, as entered (`None` when not said).
    pub store: Option<String>,
    /// Sum of the line totals, minor units.
    pub total_minor: i64,
    /// How many priced lines.
    pub lines: u64,
}

/// What a usage-history row records, as far as predictions care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageAction {
    /// Bought or added: a restock.
    Added,
    /// Some was used (the quantity used, in the item's unit).
    Consumed,
    /// The last of it was used.
    UsedUp,
    /// The item was deleted.
    Removed,
}

impl UsageAction {
    /// The action as stored in `usage_events.action`.
    pub fn as_str(self) -> &'static str {
        use crate::items::item::events::usage;
        match self {
            UsageAction::Added => usage::ADDED,
            UsageAction::Consumed => usage::CONSUMED,
            UsageAction::UsedUp => usage::USED_UP,
            UsageAction::Removed => usage::REMOVED,
        }
    }

    /// The action a stored spelling names; `None` for those predictions ignore (checks).
    pub fn parse(stored: &str) -> Option<UsageAction> {
        [
            UsageAction::Added,
            UsageAction::Consumed,
            UsageAction::UsedUp,
            UsageAction::Removed,
        ]
        .into_iter()
        .find(|a| a.as_str() == stored)
    }
}

/// One row of a home's usage history.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord {
    /// The item's name as then spelled.
    pub item_name: String,
    /// The item, unless it has since been deleted.
    pub item_id: Option<Uuid>,
    /// What happened.
    pub action: UsageAction,
    /// How much was added or used, in the item's unit (none for used up and removed).
    pub quantity: Option<Quantity>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What one pantry row holds now.
#[derive(Debug, Clone, PartialEq)]
pub struct StockLevel {
    /// The row.
    pub item_id: Uuid,
    /// Its name (compared through [`crate::items::item::normalize_name`]).
    pub name: String,
    /// What is left, in its unit.
    pub quantity: Quantity,
}

/// The reads budgets and predictions need, answered efficiently by the store.
#[async_trait]
pub trait InsightsRepository: Send + Sync {
    /// Priced purchases of the home with `from <= spent_at < until`, summed per (category,
    /// store) in the database. Unpriced additions are not purchases and never appear.
    async fn spend(
        &self,
        home_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SpendGroup>, RepoError>;

    /// The home's `added`, `consumed`, `used_up` and `removed` history since `since`: the
    /// newest `limit` rows, returned oldest first.
    async fn usage_history(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<UsageRecord>, RepoError>;

    /// Every pantry row of the home with what it holds now.
    async fn stock(&self, home_id: Uuid) -> Result<Vec<StockLevel>, RepoError>;
}

/// Why an insight could not be read.
#[derive(Debug, Error)]
pub enum InsightsError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// The store failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for InsightsError {
    fn from(error: RepoError) -> Self {
        InsightsError::Repo(error)
    }
}

impl From<AccessError> for InsightsError {
    fn from(error: AccessError) -> Self {
        match error {
            // Reading needs only the viewer role, which every member has.
            AccessError::NotMember | AccessError::Forbidden(_) => InsightsError::HomeNotFound,
            AccessError::Repo(e) => InsightsError::Repo(e),
        }
    }
}
