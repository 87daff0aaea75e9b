//! The pantry item, its validated fields and edits, and the repository port.

use crate::change_log::Actor;
use crate::items::{Category, Quantity, Unit};
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;
use uuid::Uuid;

/// How often a recurring item is restocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecurringInterval {
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// Every month.
    Monthly,
}

impl RecurringInterval {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RecurringInterval::Daily => "daily",
            RecurringInterval::Weekly => "weekly",
            RecurringInterval::Biweekly => "biweekly",
            RecurringInterval::Monthly => "monthly",
        }
    }

    /// Parses the wire spelling, ignoring case.
    pub fn parse(text: &str) -> Option<RecurringInterval> {
        [
            RecurringInterval::Daily,
            RecurringInterval::Weekly,
            RecurringInterval::Biweekly,
            RecurringInterval::Monthly,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Something the household has (or had, when its quantity is zero), as stored and as sent:
/// the earlier server's camelCase row with exact quantities and money in major units.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PantryItem {
    /// Stable id (UUIDv7, or the id an offline client chose).
    pub id: Uuid,
    /// The home it belongs to.
    pub home_id: Uuid,
    /// Display name as entered.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Grouping in the pantry view.
    pub category: Category,
    /// How much is left; zero means used up (the row stays as the household's catalogue).
    pub quantity: Quantity,
    /// What `quantity` counts.
    pub unit: Unit,
    /// Where it is kept ("fridge", "pantry shelf").
    pub location: Option<String>,
    /// Best before.
    pub expires_at: Option<DateTime<Utc>>,
    /// The "checked" mark of the earlier app.
    pub is_checked: bool,
    /// Whether it is restocked on a schedule.
    pub is_recurring: bool,
    /// The restock schedule.
    pub recurring_interval: Option<RecurringInterval>,
    /// Price paid for the line, in minor units (sent as major units, `price`).
    #[serde(rename = "price", serialize_with = "crate::money::serialize_major")]
    pub price_minor: Option<i64>,
    /// Where it was bought.
    pub store: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// The receipt it came from.
    pub receipt_id: Option<Uuid>,
    /// Who added it.
    pub added_by: Option<Uuid>,
    /// Bumped by every change; `If-Match` compares against it.
    pub version: i64,
    /// When it was first added (the purchase date for budgets).
    pub date_added: DateTime<Utc>,
    /// When it last changed.
    pub last_updated: DateTime<Utc>,
}

/// Why an item field was refused; shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ItemFieldError {
    /// Empty or too long name.
    #[error("must be 1 to 255 characters")]
    Name,
    /// Text over its limit.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// Not one of the categories.
    #[error(
        "must be one of dairy, meat, produce, grains, pantry, frozen, beverages, snacks, condiments, spices, baking, other"
    )]
    Category,
    /// Not one of the units.
    #[error(
        "must be one of piece, gram, kg, ml, liter, oz, lb, cup, tbsp, tsp, bunch, dozen, loaf, bottle, box, bag, package, jar"
    )]
    Unit,
    /// Not a restock schedule.
    #[error("must be daily, weekly, biweekly or monthly")]
    Interval,
}

/// An item name: trimmed, 1 to 255 characters.
pub fn parse_name(raw: &str) -> Result<String, ItemFieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(ItemFieldError::Name);
    }
    Ok(name.to_owned())
}

/// The key names are compared by: trimmed, lower-cased (Unicode), inner spaces collapsed.
///
/// ```
/// use pantry_core::items::item::normalize_name;
/// assert_eq!(normalize_name("  Oat   Milk "), "oat milk");
/// assert_eq!(normalize_name("ÉCLAIRS"), "éclairs");
/// ```
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Optional free text: trimmed, empty means none, at most `max` characters.
pub fn parse_text(raw: Option<&str>, max: usize) -> Result<Option<String>, ItemFieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > max => Err(ItemFieldError::TooLong(max)),
        other => Ok(other.map(str::to_owned)),
    }
}

/// Limits on the free-text fields.
pub mod limits {
    /// `description` and `notes`.
    pub const LONG_TEXT: usize = 1000;
    /// `location` and `store`.
    pub const SHORT_TEXT: usize = 255;
}

/// A validated item to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    /// The id to create it under (a client-chosen one makes replays recognisable).
    pub id: Uuid,
    /// Whether `id` was chosen by the client: such a create never merges, and a replay
    /// returns the row already created.
    pub client_chosen_id: bool,
    /// Name as entered.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Grouping.
    pub category: Category,
    /// How much.
    pub quantity: Quantity,
    /// Of what.
    pub unit: Unit,
    /// Where.
    pub location: Option<String>,
    /// Best before.
    pub expires_at: Option<DateTime<Utc>>,
    /// Restocked on a schedule.
    pub is_recurring: bool,
    /// The schedule.
    pub recurring_interval: Option<RecurringInterval>,
    /// Price paid, minor units.
    pub price_minor: Option<i64>,
    /// Where it was bought.
    pub store: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// The receipt it came from.
    pub receipt_id: Option<Uuid>,
}

impl NewItem {
    /// An item with the earlier server's defaults: one piece, category other.
    pub fn named(name: String) -> NewItem {
        NewItem {
            id: crate::ids::new_id(),
            client_chosen_id: false,
            name,
            description: None,
            category: Category::Other,
            quantity: Quantity::ONE,
            unit: Unit::Piece,
            location: None,
            expires_at: None,
            is_recurring: false,
            recurring_interval: None,
            price_minor: None,
            store: None,
            notes: None,
            receipt_id: None,
        }
    }
}

/// Validated changes to an item; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemEdit {
    /// New name from [`parse_name`] (trimmed, 1 to 255 characters); it cannot be cleared.
    pub name: Option<String>,
    /// Free text of at most [`limits::LONG_TEXT`] characters; `Some(None)` removes it.
    pub description: Option<Option<String>>,
    /// New grouping in the pantry view.
    pub category: Option<Category>,
    /// The amount left, replacing the current one (zero means used up); unlike
    /// [`ItemRepository::consume`], records no usage history.
    pub quantity: Option<Quantity>,
    /// New unit; the quantity is relabelled, not converted.
    pub unit: Option<Unit>,
    /// Where it is kept, at most [`limits::SHORT_TEXT`] characters; `Some(None)` removes it.
    pub location: Option<Option<String>>,
    /// Best-before moment (UTC); `Some(None)` removes it.
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// Sets the check mark; a real change records a checked/unchecked usage event.
    pub is_checked: Option<bool>,
    /// Whether it is restocked on a schedule; leaves `recurring_interval` as it is.
    pub is_recurring: Option<bool>,
    /// The restock schedule; `Some(None)` removes it.
    pub recurring_interval: Option<Option<RecurringInterval>>,
    /// Price paid, in minor units of the home's currency, zero or more; `Some(None)` removes
    /// it.
    pub price_minor: Option<Option<i64>>,
    /// Where it was bought, at most [`limits::SHORT_TEXT`] characters; `Some(None)` removes it.
    pub store: Option<Option<String>>,
    /// Free text of at most [`limits::LONG_TEXT`] characters; `Some(None)` removes it.
    pub notes: Option<Option<String>>,
}

/// Which items to list. Text filters match case-insensitively and literally (`%` and `_` are
/// ordinary characters).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemFilter {
    /// Only this category.
    pub category: Option<Category>,
    /// Name contains this text.
    pub search: Option<String>,
    /// Stored at this location (whole value, case-insensitive).
    pub location: Option<String>,
    /// Expiring before now + this many days (already expired ones included).
    pub expiring_within_days: Option<u32>,
    /// Only checked (`true`) or unchecked (`false`) items.
    pub checked: Option<bool>,
    /// Only items with something left (`true`) or used up (`false`).
    pub in_stock: Option<bool>,
}

/// Counts over a home's pantry (the earlier server's stats, plus expiry and stock).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemStats {
    /// Every item.
    pub total: u64,
    /// Checked items.
    pub checked: u64,
    /// Unchecked items.
    pub unchecked: u64,
    /// Totals per category.
    pub by_category: BTreeMap<&'static str, CategoryCount>,
    /// Items whose best-before date has passed.
    pub expired: u64,
    /// Items expiring in the next three days.
    pub expiring_soon: u64,
    /// Items with nothing left.
    pub out_of_stock: u64,
}

/// Per-category counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    /// Items in the category.
    pub total: u64,
    /// Checked ones among them.
    pub checked: u64,
}

/// The outcome of a write that may be refused for naming a stale version.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation<T> {
    /// The write happened; the row as it is now (or was, for a deletion).
    Applied(T),
    /// The caller's version is not the current one; nothing changed. The current row.
    Stale(T),
    /// No such row in this home.
    Missing,
}

/// How an add ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Added {
    /// A new row.
    Created(PantryItem),
    /// The amount went into an existing row (same name and location, convertible unit).
    Merged(PantryItem),
    /// A create with this client id happened before; nothing changed.
    Replayed(PantryItem),
}

impl Added {
    /// The item, however it was added.
    pub fn item(&self) -> &PantryItem {
        match self {
            Added::Created(i) | Added::Merged(i) | Added::Replayed(i) => i,
        }
    }
}

/// Who is writing, when; the repository records it in the change log and usage history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WriteMeta {
    /// The author.
    pub actor: Actor,
    /// The moment of the change.
    pub at: DateTime<Utc>,
}

/// Storage of pantry items. Every write runs in one transaction with its change-log event
/// (kinds in [`crate::items::item::events`]) and its usage-history row, and is serialised
/// with the home's other writes, so read-modify-write rules (merge, consume) lose nothing.
#[async_trait]
pub trait ItemRepository: Send + Sync {
    /// Items of the home matching `filter`, by category, then date added.
    async fn list(
        &self,
        home_id: Uuid,
        filter: &ItemFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<PantryItem>, RepoError>;

    /// One item of the home.
    async fn get(&self, home_id: Uuid, item_id: Uuid) -> Result<Option<PantryItem>, RepoError>;

    /// Adds `item`, merging it into a matching row when `merge` is set (see
    /// [`crate::items::merge`]). `Conflict` when a client id is taken by another home.
    async fn add(
        &self,
        home_id: Uuid,
        item: &NewItem,
        merge: bool,
        meta: WriteMeta,
    ) -> Result<Added, RepoError>;

    /// Applies `edit` when `expected_version` is `None` or current.
    async fn update(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        edit: &ItemEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError>;

    /// Flips `is_checked`.
    async fn toggle(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError>;

    /// Takes `amount` out (never below zero); at zero the item is recorded as used up.
    async fn consume(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        amount: Quantity,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError>;

    /// Deletes the item (and its list entries) when `expected_version` is `None` or current,
    /// leaving a tombstone event.
    async fn delete(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError>;
}

/// Change-log event kinds and usage-history actions of the pantry.
pub mod events {
    /// A new row.
    pub const ADDED: &str = "item.added";
    /// An add folded into an existing row.
    pub const MERGED: &str = "item.merged";
    /// Fields changed.
    pub const UPDATED: &str = "item.updated";
    /// The check mark flipped.
    pub const TOGGLED: &str = "item.toggled";
    /// Some was used.
    pub const CONSUMED: &str = "item.consumed";
    /// Deleted (a tombstone: the payload is the last state).
    pub const DELETED: &str = "item.deleted";

    /// Usage-history actions (`usage_events.action`), the input of restock predictions.
    pub mod usage {
        /// Bought or added.
        pub const ADDED: &str = "added";
        /// Deleted.
        pub const REMOVED: &str = "removed";
        /// Checked.
        pub const CHECKED: &str = "checked";
        /// Unchecked.
        pub const UNCHECKED: &str = "unchecked";
        /// Some was used.
        pub const CONSUMED: &str = "consumed";
        /// The last of it was used.
        pub const USED_UP: &str = "used_up";
    }
}
