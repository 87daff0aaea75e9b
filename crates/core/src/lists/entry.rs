//! Entries of a list ("list items"): a pantry item to buy, how much, at what estimated price;
//! and the repository port for them.
//!
//! An entry names a pantry item of the same home, which doubles as the household's catalogue;
//! its quantity is in that item's unit. A home's list holds at most one open (unticked) entry
//! per pantry item: adding the item again adds to that entry.

use crate::items::item::{Mutation, WriteMeta};
use crate::items::{Category, PantryItem, Quantity, Unit};
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// An entry of a list, as stored and as sent: the earlier server's camelCase row with money
/// in major units, plus `position`, `addedBy`, `version` and `updatedAt`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListItem {
    /// Stable id (UUIDv7, or the id an offline client chose).
    pub id: Uuid,
    /// The list it is on.
    pub list_id: Uuid,
    /// The pantry item to buy.
    pub item_id: Uuid,
    /// How much, in the pantry item's unit.
    pub quantity: Quantity,
    /// Ticked off.
    pub is_completed: bool,
    /// When it was ticked off.
    pub completed_at: Option<DateTime<Utc>>,
    /// Free text ("the organic one").
    pub notes: Option<String>,
    /// Estimated price per unit, minor units (sent as major units, `estimatedPrice`).
    #[serde(
        rename = "estimatedPrice",
        serialize_with = "crate::money::serialize_major"
    )]
    pub estimated_price_minor: Option<i64>,
    /// Order within the list (ascending).
    pub position: i32,
    /// Who added it.
    pub added_by: Option<Uuid>,
    /// Bumped by every change to the entry; `If-Match` compares against it.
    pub version: i64,
    /// When it was added.
    pub added_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An entry with its pantry item: the earlier `ListItem & { item: Item }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListItemWithItem {
    /// The entry row.
    #[serde(flatten)]
    pub entry: ListItem,
    /// The pantry item it names.
    pub item: PantryItem,
}

/// A validated entry to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewListItem {
    /// The id to create it under.
    pub id: Uuid,
    /// Whether `id` was chosen by the client: such an add never merges into an open entry, and
    /// a replay returns the entry already created.
    pub client_chosen_id: bool,
    /// A pantry item of the same home.
    pub item_id: Uuid,
    /// More than zero, in the pantry item's unit.
    pub quantity: Quantity,
    /// Free text.
    pub notes: Option<String>,
    /// Estimated price per unit, minor units.
    pub estimated_price_minor: Option<i64>,
}

impl NewListItem {
    /// One of `item_id`, no notes, no price.
    pub fn of(item_id: Uuid) -> NewListItem {
        NewListItem {
            id: crate::ids::new_id(),
            client_chosen_id: false,
            item_id,
            quantity: Quantity::ONE,
            notes: None,
            estimated_price_minor: None,
        }
    }
}

/// "Put some of X on the list", by name: the pantry item with that name is used (the first,
/// oldest, whose unit converts from `unit`, when one is given), or a catalogue entry is made
/// for it with nothing in stock.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemByName {
    /// The item's name, validated ([`crate::items::item::parse_name`]).
    pub name: String,
    /// More than zero, in `unit` (or the found item's unit).
    pub quantity: Quantity,
    /// The unit `quantity` is in; converted into the found item's unit.
    pub unit: Option<Unit>,
    /// Category of an item that has to be created.
    pub category: Option<Category>,
}

/// Validated changes to an entry; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListItemEdit {
    /// New amount to buy, in the pantry item's unit; more than zero (the API refuses zero).
    pub quantity: Option<Quantity>,
    /// Free text of at most 500 characters; `Some(None)` removes it.
    pub notes: Option<Option<String>>,
    /// Estimated price per unit, in minor units of the home's currency, zero or more;
    /// `Some(None)` removes it. The list's estimated cost is recomputed.
    pub estimated_price_minor: Option<Option<i64>>,
}

/// How an add ended when it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryOutcome {
    /// A new entry.
    Created,
    /// The quantity went into the open entry of the same pantry item.
    Merged,
    /// An add with this client id happened before; nothing changed.
    Replayed,
}

/// An entry after an add, with the pantry item it names.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedEntry {
    /// Created, merged or replayed.
    pub outcome: EntryOutcome,
    /// The entry as it is now.
    pub entry: ListItem,
    /// Its pantry item (created with nothing in stock by an add by name that found none).
    pub item: PantryItem,
    /// Whether the pantry item was created by this add.
    pub item_created: bool,
}

/// How an add ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AddEntry {
    /// The entry is on the list.
    Added(Box<AddedEntry>),
    /// No such list in this home; nothing was written.
    NoList,
    /// The pantry item is not one of the home's; nothing was written.
    NoItem,
}

/// An entry checked off as bought, and its pantry item with the bought quantity added.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bought {
    /// The entry, now completed.
    pub list_item: ListItem,
    /// The pantry item, restocked.
    pub item: PantryItem,
}

/// `RepoError::Conflict` text of [`ListItemRepository::buy`] on an entry already ticked off.
pub const ALREADY_COMPLETED_CONFLICT: &str = "the entry is already completed";

/// Storage of list entries. Every write runs in one transaction with its change-log event
/// (kinds in [`crate::lists::list::events`]) and the list's recomputed estimated cost,
/// serialised with the home's other writes. "Missing" means no such entry on that list of
/// that home.
#[async_trait]
pub trait ListItemRepository: Send + Sync {
    /// Adds `entry` to the list, or its quantity to the open entry of the same pantry item
    /// (unless the client chose the id). `Conflict` when a client id is taken elsewhere.
    async fn add(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry: &NewListItem,
        meta: WriteMeta,
    ) -> Result<AddEntry, RepoError>;

    /// Adds an item by name (see [`ItemByName`]).
    async fn add_by_name(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        wanted: &ItemByName,
        meta: WriteMeta,
    ) -> Result<AddEntry, RepoError>;

    /// Applies `edit` when `expected_version` is `None` or current.
    async fn update(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        edit: &ListItemEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError>;

    /// Removes the entry when `expected_version` is `None` or current.
    async fn remove(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError>;

    /// Ticks or un-ticks the entry (`completed_at` set or cleared).
    async fn toggle(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError>;

    /// Ticks the entry off and adds its quantity to the pantry item, in one transaction.
    /// `Conflict(`[`ALREADY_COMPLETED_CONFLICT`]`)` when it is already ticked off.
    async fn buy(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<Bought>, RepoError>;

    /// Puts the entries `ids` first, in that order, and the others after them in their
    /// current order; the list's entries in display order. `Missing` when the list or one of
    /// the ids is not found. Positions are presentation: versions do not change.
    async fn reorder(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        ids: &[Uuid],
        meta: WriteMeta,
    ) -> Result<Mutation<Vec<ListItem>>, RepoError>;
}
