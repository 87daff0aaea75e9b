//! The reads behind budgets and restock predictions, over the purchase ledger and usage
//! history in `usage_events`.
//!
//! Spend is summed in SQL per (category, store), served by `usage_events_home_id_spent_at_idx`;
//! only priced additions have a `spent_at`, so the window alone selects purchases. PostgreSQL
//! sums BIGINT as NUMERIC, which `MultiBackend` cannot read: sums are cast back to BIGINT
//! (the cast is declared in `chat.rs`). The history is read newest first up to a cap through
//! `usage_events_home_id_created_at_idx`, then handed over oldest first.

use crate::error::to_repo_error;
use crate::ids::parse_stored_id;
use crate::pool::Database;
use crate::schema::{items, usage_events};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel_async::RunQueryDsl;
use pantry_core::insights::{InsightsRepository, SpendGroup, StockLevel, UsageAction, UsageRecord};
use pantry_core::items::Quantity;
use pantry_core::items::item::events::usage;
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// [`InsightsRepository`] over the database.
#[derive(Debug, Clone)]
pub struct StoreInsights {
    db: Database,
}

impl StoreInsights {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreInsights { db }
    }
}

fn quantity(column: &str, milli: i64) -> Result<Quantity, RepoError> {
    Quantity::from_milli(milli)
        .ok_or_else(|| RepoError::Storage(format!("{column}: quantity out of range {milli}")))
}

#[async_trait]
impl InsightsRepository for StoreInsights {
    async fn spend(
        &self,
        home_id: Uuid,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SpendGroup>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(Option<String>, Option<String>, Option<i64>, i64)> = usage_events::table
            .filter(usage_events::home_id.eq(home_id.to_string()))
            .filter(usage_events::spent_at.ge(from.naive_utc()))
            .filter(usage_events::spent_at.lt(until.naive_utc()))
            .filter(usage_events::action.eq(usage::ADDED))
            .filter(usage_events::price_minor.is_not_null())
            .group_by((usage_events::category, usage_events::store))
            .select((
                usage_events::category,
                usage_events::store,
                sum(usage_events::price_minor).fallible_cast::<Nullable<BigInt>>(),
                count_star(),
            ))
            .order((usage_events::category.asc(), usage_events::store.asc()))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter()
            .map(|(category, store, total, lines)| {
                Ok(SpendGroup {
                    category,
                    store,
                    total_minor: total.unwrap_or(0),
                    lines: u64::try_from(lines).map_err(|_| {
                        RepoError::Storage(format!("usage_events: negative count {lines}"))
                    })?,
                })
            })
            .collect()
    }

    async fn usage_history(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<UsageRecord>, RepoError> {
        let mut conn = self.db.conn().await?;
        let actions = [
            usage::ADDED,
            usage::CONSUMED,
            usage::USED_UP,
            usage::REMOVED,
        ];
        let rows: Vec<(String, Option<String>, String, Option<i64>, NaiveDateTime)> =
            usage_events::table
                .filter(usage_events::home_id.eq(home_id.to_string()))
                .filter(usage_events::created_at.ge(since.naive_utc()))
                .filter(usage_events::action.eq_any(actions))
                .order((usage_events::created_at.desc(), usage_events::id.desc()))
                .limit(i64::from(limit))
                .select((
                    usage_events::item_name,
                    usage_events::item_id,
                    usage_events::action,
                    usage_events::quantity_milli,
                    usage_events::created_at,
                ))
                .load(&mut *conn)
                .await
                .map_err(to_repo_error)?;
        let mut out = Vec::with_capacity(rows.len());
        for (item_name, item_id, action, milli, at) in rows.into_iter().rev() {
            let Some(action) = UsageAction::parse(&action) else {
                continue;
            };
            out.push(UsageRecord {
                item_name,
                item_id: item_id
                    .map(|id| parse_stored_id("usage_events", "item_id", &id))
                    .transpose()?,
                action,
                quantity: milli
                    .map(|m| quantity("usage_events.quantity_milli", m))
                    .transpose()?,
                at: at.and_utc(),
            });
        }
        Ok(out)
    }

    async fn stock(&self, home_id: Uuid) -> Result<Vec<StockLevel>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(String, String, i64)> = items::table
            .filter(items::home_id.eq(home_id.to_string()))
            .select((items::id, items::name, items::quantity_milli))
            .order(items::id.asc())
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter()
            .map(|(id, name, milli)| {
                Ok(StockLevel {
                    item_id: parse_stored_id("items", "id", &id)?,
                    name,
                    quantity: quantity("items.quantity_milli", milli)?,
                })
            })
            .collect()
    }
}
