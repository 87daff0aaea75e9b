//! The grocery list, its validated fields and edits, its summary figures, and the repository
//! port.

use crate::items::item::{Mutation, WriteMeta};
use crate::lists::entry::{ListItemWithItem, NewListItem};
use crate::lists::schedule::{ListSchedule, Schedule};
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use thiserror::Error;
use uuid::Uuid;

/// The name of the list every home has: where quick additions and recurring items go.
pub const DEFAULT_LIST_NAME: &str = "Quick Items";

/// A shopping list, as stored and as sent: the earlier server's camelCase row with money in
/// major units, plus `position`, `version` and `updatedAt`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroceryList {
    /// Stable id (UUIDv7, or the id an offline client chose).
    pub id: Uuid,
    /// The home it belongs to.
    pub home_id: Uuid,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `false` once the list is completed.
    pub is_active: bool,
    /// The home's "Quick Items" list: exactly one per home, never deleted.
    pub is_default: bool,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Budget in minor units (sent as major units, `totalBudget`).
    #[serde(
        rename = "totalBudget",
        serialize_with = "crate::money::serialize_major"
    )]
    pub total_budget_minor: Option<i64>,
    /// Σ estimated price × quantity of its entries, in minor units (sent as `estimatedCost`);
    /// `None` while no entry has a price.
    #[serde(
        rename = "estimatedCost",
        serialize_with = "crate::money::serialize_major"
    )]
    pub estimated_cost_minor: Option<i64>,
    /// When it starts a new round by itself.
    pub recurring_schedule: Option<ListSchedule>,
    /// Weekday of weekly resets, 0 = Sunday.
    pub schedule_day_of_week: Option<u8>,
    /// Day of monthly resets, 1–31 (clamped to the month's length).
    pub schedule_day_of_month: Option<u8>,
    /// The next scheduled reset.
    pub next_reset_at: Option<DateTime<Utc>>,
    /// The last reset.
    pub last_reset_at: Option<DateTime<Utc>>,
    /// How many times it was reset.
    pub round_number: i32,
    /// Order among the home's lists (ascending; the default list and active lists come first).
    pub position: i32,
    /// Bumped by every change to the list's own fields; `If-Match` compares against it.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl GroceryList {
    /// The list's reset rule, when it has a schedule.
    pub fn schedule(&self) -> Option<Schedule> {
        self.recurring_schedule.map(|every| Schedule {
            every,
            day_of_week: self.schedule_day_of_week,
            day_of_month: self.schedule_day_of_month,
        })
    }
}

/// A list with its entries and completion figures: the earlier `GroceryListWithItems`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroceryListWithItems {
    /// The list row.
    #[serde(flatten)]
    pub list: GroceryList,
    /// Its entries, each with its pantry item, in display order.
    pub items: Vec<ListItemWithItem>,
    /// Completed entries as a rounded percentage of all entries (0 without entries).
    pub completion_percentage: u32,
    /// Entries ticked off.
    pub completed_items: u32,
    /// All entries.
    pub total_items: u32,
}

impl GroceryListWithItems {
    /// The list with `items`, counting them (see [`percentage`]).
    pub fn new(list: GroceryList, items: Vec<ListItemWithItem>) -> Self {
        let total = items.len() as u32;
        let completed = items.iter().filter(|i| i.entry.is_completed).count() as u32;
        GroceryListWithItems {
            list,
            items,
            completion_percentage: percentage(completed, total),
            completed_items: completed,
            total_items: total,
        }
    }
}

/// `part` of `whole` as a percentage rounded half up, as JavaScript's `Math.round` did.
///
/// ```
/// use pantry_core::lists::list::percentage;
/// assert_eq!(percentage(1, 3), 33);
/// assert_eq!(percentage(2, 3), 67);
/// assert_eq!(percentage(1, 8), 13); // 12.5 rounds up
/// assert_eq!(percentage(0, 0), 0);
/// ```
pub fn percentage(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    let (part, whole) = (u64::from(part), u64::from(whole));
    ((200 * part + whole) / (2 * whole)) as u32
}

/// Σ price × quantity over entries given as (estimated price in minor units, quantity in
/// thousandths), rounded half up to a minor unit; `None` when no entry has a price.
///
/// ```
/// use pantry_core::lists::list::estimated_cost_minor;
/// // 2 × 1.50 and 0.5 × 3.33 (1.665, rounded with the total), and an unpriced entry.
/// let entries = [(Some(150), 2_000), (Some(333), 500), (None, 1_000)];
/// assert_eq!(estimated_cost_minor(entries), Some(467));
/// assert_eq!(estimated_cost_minor([(None, 1_000)]), None);
/// ```
pub fn estimated_cost_minor(entries: impl IntoIterator<Item = (Option<i64>, i64)>) -> Option<i64> {
    let mut priced = false;
    let mut milli: i128 = 0;
    for (price, quantity_milli) in entries {
        if let Some(price) = price {
            priced = true;
            milli += i128::from(price) * i128::from(quantity_milli);
        }
    }
    priced.then(|| i64::try_from((milli + 500) / 1000).unwrap_or(i64::MAX))
}

/// Summary figures of one list: the earlier `ListStats`, money in major units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListStats {
    /// All entries.
    pub total_items: u32,
    /// Entries ticked off.
    pub completed_items: u32,
    /// Completed entries as a rounded percentage.
    pub completion_percentage: u32,
    /// Σ estimated price × quantity, minor units (sent as major units).
    #[serde(rename = "estimatedTotal", serialize_with = "major")]
    pub estimated_total_minor: i64,
    /// The total divided by the number of entries, rounded to a minor unit (0 without
    /// entries).
    #[serde(rename = "estimatedPerItem", serialize_with = "major")]
    pub estimated_per_item_minor: i64,
}

fn major<S: Serializer>(minor: &i64, s: S) -> Result<S::Ok, S::Error> {
    crate::money::serialize_major(&Some(*minor), s)
}

impl ListStats {
    /// The figures of a list and its entries.
    pub fn of(list: &GroceryListWithItems) -> ListStats {
        let total = estimated_cost_minor(
            list.items
                .iter()
                .map(|i| (i.entry.estimated_price_minor, i.entry.quantity.milli())),
        )
        .unwrap_or(0);
        let count = i64::from(list.total_items);
        ListStats {
            total_items: list.total_items,
            completed_items: list.completed_items,
            completion_percentage: list.completion_percentage,
            estimated_total_minor: total,
            estimated_per_item_minor: if count == 0 {
                0
            } else {
                (2 * total + count) / (2 * count)
            },
        }
    }
}

/// Why a list field was refused; shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListFieldError {
    /// Empty or too long name.
    #[error("must be 1 to 255 characters")]
    Name,
    /// Text over its limit.
    #[error("must be at most {0} characters")]
    TooLong(usize),
    /// Not a schedule.
    #[error("must be weekly, biweekly, monthly or null")]
    Schedule,
    /// Not a weekday number.
    #[error("must be a whole number from 0 (Sunday) to 6 (Saturday), or null")]
    DayOfWeek,
    /// Not a day of the month.
    #[error("must be a whole number from 1 to 31, or null")]
    DayOfMonth,
    /// Zero (or an invalid amount).
    #[error("must be more than zero")]
    Quantity,
    /// Too many entries at once.
    #[error("must have at most {0} entries")]
    TooMany(usize),
}

/// Limits on list fields.
pub mod limits {
    /// `name` of lists (and of items added by name).
    pub const NAME: usize = 255;
    /// `description` of lists.
    pub const DESCRIPTION: usize = 1000;
    /// `notes` of list entries.
    pub const NOTES: usize = 500;
    /// Entries in one create request, as the earlier server allowed.
    pub const ITEMS_PER_REQUEST: usize = 500;
    /// Ids in one reorder request.
    pub const REORDER_IDS: usize = 1000;
}

/// A list name: trimmed, 1 to 255 characters.
///
/// ```
/// use pantry_core::lists::list::parse_name;
/// assert_eq!(parse_name("  Weekly shop ").unwrap(), "Weekly shop");
/// assert!(parse_name(" ").is_err());
/// ```
pub fn parse_name(raw: &str) -> Result<String, ListFieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > limits::NAME {
        return Err(ListFieldError::Name);
    }
    Ok(name.to_owned())
}

/// Optional free text: trimmed, empty means none, at most `max` characters.
pub fn parse_text(raw: Option<&str>, max: usize) -> Result<Option<String>, ListFieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > max => Err(ListFieldError::TooLong(max)),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A weekday number, 0 (Sunday) to 6.
pub fn parse_day_of_week(n: i64) -> Result<u8, ListFieldError> {
    u8::try_from(n)
        .ok()
        .filter(|d| *d <= 6)
        .ok_or(ListFieldError::DayOfWeek)
}

/// A day of the month, 1 to 31.
pub fn parse_day_of_month(n: i64) -> Result<u8, ListFieldError> {
    u8::try_from(n)
        .ok()
        .filter(|d| (1..=31).contains(d))
        .ok_or(ListFieldError::DayOfMonth)
}

/// A validated list to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewList {
    /// The id to create it under.
    pub id: Uuid,
    /// Whether `id` was chosen by the client: a replay then returns the list already created.
    pub client_chosen_id: bool,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Budget, minor units.
    pub total_budget_minor: Option<i64>,
    /// Reset schedule.
    pub recurring_schedule: Option<ListSchedule>,
    /// Weekday of weekly resets.
    pub schedule_day_of_week: Option<u8>,
    /// Day of monthly resets.
    pub schedule_day_of_month: Option<u8>,
    /// Entries to start with; each names a pantry item of the same home, at most once
    /// (the service merges repeats).
    pub items: Vec<NewListItem>,
}

impl NewList {
    /// A list with this name and nothing else.
    pub fn named(name: String) -> NewList {
        NewList {
            id: crate::ids::new_id(),
            client_chosen_id: false,
            name,
            description: None,
            total_budget_minor: None,
            recurring_schedule: None,
            schedule_day_of_week: None,
            schedule_day_of_month: None,
            items: Vec::new(),
        }
    }

    /// The reset rule the list will have.
    pub fn schedule(&self) -> Option<Schedule> {
        self.recurring_schedule.map(|every| Schedule {
            every,
            day_of_week: self.schedule_day_of_week,
            day_of_month: self.schedule_day_of_month,
        })
    }
}

/// Validated changes to a list; `None` leaves a field alone, `Some(None)` clears it. A change
/// to the schedule or one of its days recomputes the next reset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListEdit {
    /// New name from [`parse_name`] (trimmed, 1 to 255 characters); it cannot be cleared.
    pub name: Option<String>,
    /// Free text of at most [`limits::DESCRIPTION`] characters; `Some(None)` removes it.
    pub description: Option<Option<String>>,
    /// Budget in minor units of the home's currency, zero or more; `Some(None)` removes it.
    pub total_budget_minor: Option<Option<i64>>,
    /// How often it starts a new round; `Some(None)` stops the resets (no next reset, the
    /// days are kept).
    pub recurring_schedule: Option<Option<ListSchedule>>,
    /// Weekday of weekly and biweekly resets, 0 = Sunday to 6; `Some(None)` means Sunday.
    pub schedule_day_of_week: Option<Option<u8>>,
    /// Day of monthly resets, 1 to 31 (clamped to the month's length); `Some(None)` means the
    /// first.
    pub schedule_day_of_month: Option<Option<u8>>,
}

impl ListEdit {
    /// The schedule fields of `list` after this edit: (schedule, weekday, day of month).
    pub fn schedule_after(
        &self,
        list: &GroceryList,
    ) -> (Option<ListSchedule>, Option<u8>, Option<u8>) {
        (
            self.recurring_schedule.unwrap_or(list.recurring_schedule),
            self.schedule_day_of_week
                .unwrap_or(list.schedule_day_of_week),
            self.schedule_day_of_month
                .unwrap_or(list.schedule_day_of_month),
        )
    }
}

/// How a create ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ListCreated {
    /// A new list.
    Created(GroceryList),
    /// A create with this client id happened before; nothing changed.
    Replayed(GroceryList),
    /// This pantry item is not one of the home's; nothing was written.
    UnknownItem(Uuid),
}

/// `RepoError::Conflict` text of [`ListRepository::delete`] on the home's default list.
pub const DEFAULT_LIST_CONFLICT: &str = "the default list cannot be deleted";

/// Storage of grocery lists. Every write runs in one transaction with its change-log event
/// (kinds in [`events`]), serialised with the home's other writes.
#[async_trait]
pub trait ListRepository: Send + Sync {
    /// The home's lists with their entries: default first, then active ones, then by
    /// position, newest first among equals.
    async fn lists(&self, home_id: Uuid) -> Result<Vec<GroceryListWithItems>, RepoError>;

    /// One list of the home with its entries.
    async fn get(
        &self,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<Option<GroceryListWithItems>, RepoError>;

    /// The home's default list, created ("Quick Items") if missing. Concurrent first calls
    /// create one list.
    async fn default_list(&self, home_id: Uuid, meta: WriteMeta) -> Result<GroceryList, RepoError>;

    /// Creates a list with its first entries, its next reset computed in the home's zone.
    /// `Conflict` when a client id is taken by another home's list.
    async fn create(
        &self,
        home_id: Uuid,
        list: &NewList,
        meta: WriteMeta,
    ) -> Result<ListCreated, RepoError>;

    /// Applies `edit` when `expected_version` is `None` or current.
    async fn update(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        edit: &ListEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError>;

    /// Completes (`is_active` false, `completed_at` now) or reopens the list; a list already
    /// in that state is returned unchanged.
    async fn set_completed(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        completed: bool,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError>;

    /// Starts a new round: every entry un-ticked, `round_number` + 1, `last_reset_at` now, the
    /// next reset recomputed from now (none without a schedule), the list active again.
    async fn reset(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError>;

    /// Resets every list of the home whose next reset is at or before `meta.at`; the lists
    /// reset.
    async fn reset_due(
        &self,
        home_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Vec<GroceryList>, RepoError>;

    /// Deletes the list and its entries when `expected_version` is `None` or current, leaving
    /// a tombstone event. `Conflict(`[`DEFAULT_LIST_CONFLICT`]`)` for the default list.
    async fn delete(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError>;

    /// Puts the lists `ids` first, in that order, and the others after them in their current
    /// order; the home's lists in display order. `Missing` when an id is not a list of the
    /// home. Positions are presentation: versions do not change.
    async fn reorder(
        &self,
        home_id: Uuid,
        ids: &[Uuid],
        meta: WriteMeta,
    ) -> Result<Mutation<Vec<GroceryList>>, RepoError>;
}

/// Change-log event kinds of lists and their entries.
pub mod events {
    /// A new list (payload: the list row).
    pub const LIST_CREATED: &str = "list.created";
    /// Fields changed.
    pub const LIST_UPDATED: &str = "list.updated";
    /// Deleted (a tombstone: the payload is the last state).
    pub const LIST_DELETED: &str = "list.deleted";
    /// Completed.
    pub const LIST_COMPLETED: &str = "list.completed";
    /// Reopened.
    pub const LIST_UNCOMPLETED: &str = "list.uncompleted";
    /// A new round began (payload adds `uncompletedItemIds`).
    pub const LIST_RESET: &str = "list.reset";
    /// The home's lists were reordered (payload: `{ids}`, the new order).
    pub const LIST_REORDERED: &str = "list.reordered";
    /// An entry was added (payload: the entry row plus the pantry item's `name`).
    pub const ITEM_ADDED: &str = "list_item.added";
    /// An entry changed (an add that merged into it adds `addedQuantity`).
    pub const ITEM_UPDATED: &str = "list_item.updated";
    /// An entry was removed (the payload is its last state).
    pub const ITEM_REMOVED: &str = "list_item.removed";
    /// An entry was ticked or un-ticked.
    pub const ITEM_TOGGLED: &str = "list_item.toggled";
    /// An entry was bought: ticked and added to the pantry (payload adds `item`).
    pub const ITEM_BOUGHT: &str = "list_item.bought";
    /// A list's entries were reordered (payload: `{listId, ids}`).
    pub const ITEM_REORDERED: &str = "list_item.reordered";
}
