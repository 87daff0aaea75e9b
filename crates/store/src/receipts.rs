//! Receipts: confirming one stores the receipt row and adds every line to the pantry in ONE
//! transaction (the home's write lock held throughout), through the same merge-or-create as
//! a normal add, so a failing line leaves nothing behind. A receipt's lines are read back
//! from the purchase ledger (`usage_events` with its `receipt_id`): items merge by name, so
//! `items.receipt_id` cannot list them.

use crate::change_log::append_event;
use crate::error::{TxError, to_repo_error};
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::items::add_in_tx;
use crate::pool::Database;
use crate::schema::{items, receipts, usage_events};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::items::item::{WriteMeta, events as item_events};
use pantry_core::items::{Category, Quantity, Unit};
use pantry_core::receipts::receipt::events;
use pantry_core::receipts::{
    Confirmed, NewReceipt, Receipt, ReceiptDetail, ReceiptRepository, RecordedLine,
};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// [`ReceiptRepository`] over the database.
#[derive(Debug, Clone)]
pub struct StoreReceipts {
    db: Database,
}

impl StoreReceipts {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreReceipts { db }
    }
}

type ReceiptRow = (
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    String,
    Option<i64>,
    i32,
    Option<String>,
    NaiveDateTime,
);

const RECEIPT_COLUMNS: (
    receipts::id,
    receipts::home_id,
    receipts::merchant,
    receipts::purchased_at,
    receipts::currency,
    receipts::total_minor,
    receipts::item_count,
    receipts::scanned_by,
    receipts::created_at,
) = (
    receipts::id,
    receipts::home_id,
    receipts::merchant,
    receipts::purchased_at,
    receipts::currency,
    receipts::total_minor,
    receipts::item_count,
    receipts::scanned_by,
    receipts::created_at,
);

fn receipt_of(row: ReceiptRow) -> Result<Receipt, RepoError> {
    let (id, home_id, merchant, purchased_at, currency, total_minor, item_count, scanned_by, at) =
        row;
    Ok(Receipt {
        id: parse_stored_id("receipts", "id", &id)?,
        home_id: parse_stored_id("receipts", "home_id", &home_id)?,
        merchant,
        purchased_at: purchased_at.map(|t| t.and_utc()),
        currency,
        total_minor,
        item_count,
        scanned_by: scanned_by
            .map(|u| parse_stored_id("receipts", "scanned_by", &u))
            .transpose()?,
        created_at: at.and_utc(),
    })
}

#[async_trait]
impl ReceiptRepository for StoreReceipts {
    async fn confirm(
        &self,
        home_id: Uuid,
        receipt: &NewReceipt,
        meta: WriteMeta,
    ) -> Result<Confirmed, RepoError> {
        let count = i32::try_from(receipt.lines.len())
            .map_err(|_| RepoError::Storage("too many receipt lines".to_owned()))?;
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let row: ReceiptRow = diesel::insert_into(receipts::table)
                .values((
                    receipts::id.eq(receipt.id.to_string()),
                    receipts::home_id.eq(home_id.to_string()),
                    receipts::merchant.eq(receipt.merchant.as_deref()),
                    receipts::purchased_at.eq(receipt.purchased_at.map(|t| t.naive_utc())),
                    receipts::currency.eq(&receipt.currency),
                    receipts::total_minor.eq(receipt.total_minor),
                    receipts::item_count.eq(count),
                    receipts::scanned_by.eq(meta.actor.user_id.map(|u| u.to_string())),
                    receipts::created_at.eq(meta.at.naive_utc()),
                ))
                .returning(RECEIPT_COLUMNS)
                .get_result(c)
                .await?;
            let stored = receipt_of(row)?;
            let spent_at = receipt.purchased_at.unwrap_or(meta.at);
            let mut added = Vec::with_capacity(receipt.lines.len());
            for line in &receipt.lines {
                added.push(add_in_tx(c, home_id, line, true, meta, spent_at).await?);
            }
            let payload = serde_json::to_value(&stored)
                .map_err(|e| RepoError::Storage(format!("receipt not serialisable: {e}")))?;
            append_event(
                c,
                &NewHomeEvent {
                    home_id,
                    kind: events::CONFIRMED.to_owned(),
                    entity_id: Some(stored.id),
                    payload,
                    actor: meta.actor,
                    at: meta.at,
                },
            )
            .await?;
            Ok(Confirmed {
                receipt: stored,
                items: added,
            })
        })
        .await
        .map_err(RepoError::from)
    }

    async fn list(
        &self,
        home_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Receipt>, RepoError> {
        let mut conn = self.db.conn().await?;
        let mut query = receipts::table
            .filter(receipts::home_id.eq(home_id.to_string()))
            .into_boxed();
        if let Some(before) = before {
            let cursor: Option<NaiveDateTime> = receipts::table
                .filter(receipts::home_id.eq(home_id.to_string()))
                .filter(receipts::id.eq(before.to_string()))
                .select(receipts::created_at)
                .first(&mut *conn)
                .await
                .optional()
                .map_err(to_repo_error)?;
            let Some(at) = cursor else {
                return Ok(Vec::new());
            };
            query = query.filter(
                receipts::created_at.lt(at).or(receipts::created_at
                    .eq(at)
                    .and(receipts::id.lt(before.to_string()))),
            );
        }
        let rows: Vec<ReceiptRow> = query
            .order((receipts::created_at.desc(), receipts::id.desc()))
            .limit(limit)
            .select(RECEIPT_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(receipt_of).collect()
    }

    async fn get(
        &self,
        home_id: Uuid,
        receipt_id: Uuid,
    ) -> Result<Option<ReceiptDetail>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ReceiptRow> = receipts::table
            .filter(receipts::home_id.eq(home_id.to_string()))
            .filter(receipts::id.eq(receipt_id.to_string()))
            .select(RECEIPT_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let receipt = receipt_of(row)?;
        type LineRow = (
            String,
            Option<String>,
            String,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let rows: Vec<LineRow> = usage_events::table
            .left_join(items::table.on(items::id.nullable().eq(usage_events::item_id)))
            .filter(usage_events::home_id.eq(home_id.to_string()))
            .filter(usage_events::receipt_id.eq(receipt_id.to_string()))
            .filter(usage_events::action.eq(item_events::usage::ADDED))
            .order((usage_events::created_at.asc(), usage_events::id.asc()))
            .select((
                usage_events::id,
                usage_events::item_id,
                usage_events::item_name,
                usage_events::quantity_milli,
                usage_events::category,
                usage_events::price_minor,
                items::unit.nullable(),
            ))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        let lines = rows
            .into_iter()
            .map(|(_, item_id, name, quantity, category, price, unit)| {
                Ok(RecordedLine {
                    item_id: item_id
                        .map(|i| parse_stored_id("usage_events", "item_id", &i))
                        .transpose()?,
                    name,
                    quantity: quantity.and_then(Quantity::from_milli),
                    unit: unit.as_deref().and_then(Unit::parse),
                    category: category.as_deref().and_then(Category::parse),
                    price_minor: price,
                })
            })
            .collect::<Result<_, RepoError>>()?;
        Ok(Some(ReceiptDetail { receipt, lines }))
    }
}
