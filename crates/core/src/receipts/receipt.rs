//! The stored receipt, its lines and the repository port.
//!
//! A receipt's lines are the purchase-ledger rows (`usage_events` with its `receipt_id`), not
//! the items: items merge by name, so one item can hold several receipts' purchases.

use crate::items::item::{Added, NewItem, WriteMeta};
use crate::items::{Category, Quantity, Unit};
use crate::money::serialize_major;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A confirmed receipt, as stored and as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// The home it belongs to.
    pub home_id: Uuid,
    /// Where it was bought.
    pub merchant: Option<String>,
    /// When, if the receipt said.
    pub purchased_at: Option<DateTime<Utc>>,
    /// ISO 4217 code (the home's when the receipt named none).
    pub currency: String,
    /// The receipt's total in minor units (sent as major units, `total`).
    #[serde(rename = "total", serialize_with = "serialize_major")]
    pub total_minor: Option<i64>,
    /// How many lines were added.
    pub item_count: i32,
    /// Who confirmed it.
    pub scanned_by: Option<Uuid>,
    /// When it was confirmed.
    pub created_at: DateTime<Utc>,
}

/// One line of a stored receipt: what its purchase-ledger row says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedLine {
    /// The pantry item it went into (`null` once that item is deleted).
    pub item_id: Option<Uuid>,
    /// The item's name when it was added.
    pub name: String,
    /// How much was added, in the item's unit.
    pub quantity: Option<Quantity>,
    /// The item's unit (`null` once the item is deleted).
    pub unit: Option<Unit>,
    /// The item's category when it was added.
    pub category: Option<Category>,
    /// The line total in minor units (sent as major units, `price`).
    #[serde(rename = "price", serialize_with = "serialize_major")]
    pub price_minor: Option<i64>,
}

/// A receipt with its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceiptDetail {
    /// The receipt.
    pub receipt: Receipt,
    /// Its lines, in the order they were added.
    pub lines: Vec<RecordedLine>,
}

/// A receipt to store, with the pantry additions it makes (each names the receipt).
#[derive(Debug, Clone, PartialEq)]
pub struct NewReceipt {
    /// The id to store it under; every line's `receipt_id` is this.
    pub id: Uuid,
    /// Where it was bought (also every line's `store`).
    pub merchant: Option<String>,
    /// When; the purchases are recorded as spent then (else at the moment of confirming).
    pub purchased_at: Option<DateTime<Utc>>,
    /// ISO 4217 code.
    pub currency: String,
    /// The total in minor units.
    pub total_minor: Option<i64>,
    /// The pantry additions, in receipt order.
    pub lines: Vec<NewItem>,
}

/// What confirming stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    /// The receipt row.
    pub receipt: Receipt,
    /// Each line's pantry outcome (created, or merged into an existing item), in order.
    pub items: Vec<Added>,
}

/// Change-log event kinds of receipts.
pub mod events {
    /// A receipt was confirmed (its lines log their own item events).
    pub const CONFIRMED: &str = "receipt.confirmed";
}

/// Storage of receipts.
#[async_trait]
pub trait ReceiptRepository: Send + Sync {
    /// Stores the receipt and adds every line to the pantry (merging as a normal add does),
    /// with their purchase-ledger rows and change-log events, in ONE transaction: all or
    /// nothing.
    async fn confirm(
        &self,
        home_id: Uuid,
        receipt: &NewReceipt,
        meta: WriteMeta,
    ) -> Result<Confirmed, RepoError>;

    /// The home's receipts, newest first; `before` (a receipt id) pages back.
    async fn list(
        &self,
        home_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Receipt>, RepoError>;

    /// One receipt of the home with its lines.
    async fn get(
        &self,
        home_id: Uuid,
        receipt_id: Uuid,
    ) -> Result<Option<ReceiptDetail>, RepoError>;
}
