//! Schemas of pantry-core types that are sent as serde serialises them. The core names no wire
//! library, so it cannot derive `ToSchema`; these schema-only types describe the same JSON.
//! Nothing constructs them. `tests/openapi.rs` serialises real core values and checks them
//! against these schemas (every key, which keys are always sent, every value's type and every
//! enum value), so a change on either side fails until the other follows.

#![allow(dead_code)]

use super::RoleSchema;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

// ---- Pantry items (`pantry_core::items`) ------------------------------------------------------

/// What kind of food or product an item is; drives grouping in the pantry view.
#[derive(ToSchema)]
#[schema(as = Category, rename_all = "lowercase")]
pub(crate) enum CategorySchema {
    Dairy,
    Meat,
    Produce,
    Grains,
    Pantry,
    Frozen,
    Beverages,
    Snacks,
    Condiments,
    Spices,
    Baking,
    Other,
}

/// A unit of measure. Mass (`gram`, `kg`, `oz`, `lb`) and volume (`ml`, `liter`, `cup`,
/// `tbsp`, `tsp`) convert exactly within their kind; the others only count themselves.
#[derive(ToSchema)]
#[schema(as = Unit, rename_all = "lowercase")]
pub(crate) enum UnitSchema {
    Piece,
    Gram,
    Kg,
    Ml,
    Liter,
    Oz,
    Lb,
    Cup,
    Tbsp,
    Tsp,
    Bunch,
    Dozen,
    Loaf,
    Bottle,
    Box,
    Bag,
    Package,
    Jar,
}

/// How often a recurring item is restocked.
#[derive(ToSchema)]
#[schema(as = RecurringInterval, rename_all = "lowercase")]
pub(crate) enum RecurringIntervalSchema {
    Daily,
    Weekly,
    Biweekly,
    Monthly,
}

/// Something the household has (or had, when `quantity` is 0: the row stays as the household's
/// catalogue). Every field is always sent; money is in major units of the home's currency.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PantryItem)]
pub(crate) struct PantryItemSchema {
    /// Stable id (UUIDv7, or the id an offline client chose).
    id: Uuid,
    /// The home it belongs to.
    home_id: Uuid,
    /// Display name as entered.
    #[schema(example = "Oat milk")]
    name: String,
    /// Free text.
    #[schema(required = true)]
    description: Option<String>,
    category: CategorySchema,
    /// How much is left, in `unit`: an exact decimal with at most three decimals, from 0 to
    /// 999999. Whole amounts are sent as integers.
    #[schema(example = 1.5)]
    quantity: f64,
    unit: UnitSchema,
    /// Where it is kept ("fridge", "pantry shelf").
    #[schema(required = true)]
    location: Option<String>,
    /// Best before.
    #[schema(required = true)]
    expires_at: Option<DateTime<Utc>>,
    /// The "checked" mark.
    is_checked: bool,
    /// Whether it is restocked on a schedule.
    is_recurring: bool,
    /// The restock schedule.
    #[schema(required = true)]
    recurring_interval: Option<RecurringIntervalSchema>,
    /// Price paid for the line, in major units (at most two decimals).
    #[schema(required = true, example = 2.49)]
    price: Option<f64>,
    /// Where it was bought.
    #[schema(required = true)]
    store: Option<String>,
    /// Free text.
    #[schema(required = true)]
    notes: Option<String>,
    /// The receipt it came from.
    #[schema(required = true)]
    receipt_id: Option<Uuid>,
    /// Who added it.
    #[schema(required = true)]
    added_by: Option<Uuid>,
    /// Increases with every change; send it back as `If-Match` (or `version`) to edit or delete
    /// only what you have seen.
    version: i64,
    /// When it was first added (the purchase date for budgets).
    date_added: DateTime<Utc>,
    /// When it last changed.
    last_updated: DateTime<Utc>,
}

/// Counts over a home's pantry (every item, whatever its quantity).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ItemStats)]
pub(crate) struct ItemStatsSchema {
    /// Every item.
    total: u64,
    /// Checked items.
    checked: u64,
    /// Unchecked items.
    unchecked: u64,
    /// Counts per category, keyed by category; only categories that have items appear.
    by_category: BTreeMap<CategorySchema, CategoryCountSchema>,
    /// Items whose best-before date has passed.
    expired: u64,
    /// Items expiring in the next three days.
    expiring_soon: u64,
    /// Items with nothing left.
    out_of_stock: u64,
}

/// Counts within one category.
#[derive(ToSchema)]
#[schema(as = CategoryCount)]
pub(crate) struct CategoryCountSchema {
    /// Items in the category.
    total: u64,
    /// Checked ones among them.
    checked: u64,
}

// ---- Grocery lists (`pantry_core::lists`) -----------------------------------------------------

/// How often a list starts a new round by itself (every entry un-ticked), at local midnight in
/// the home's time zone.
#[derive(ToSchema)]
#[schema(as = ListSchedule, rename_all = "lowercase")]
pub(crate) enum ListScheduleSchema {
    /// Every week on `scheduleDayOfWeek`.
    Weekly,
    /// Every other week.
    Biweekly,
    /// Every month on `scheduleDayOfMonth`.
    Monthly,
}

/// A grocery list without its entries. Every field is always sent; money is in major units of
/// the home's currency.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = GroceryList)]
pub(crate) struct GroceryListSchema {
    /// Stable id (UUIDv7, or the id an offline client chose).
    id: Uuid,
    /// The home it belongs to.
    home_id: Uuid,
    #[schema(example = "Weekly shop")]
    name: String,
    /// Free text.
    #[schema(required = true)]
    description: Option<String>,
    /// `false` once the list is completed.
    is_active: bool,
    /// The home's "Quick Items" list: exactly one per home, never deleted.
    is_default: bool,
    /// When it was completed.
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    /// Budget in major units.
    #[schema(required = true, example = 80)]
    total_budget: Option<f64>,
    /// Σ estimated price × quantity of its entries, in major units; `null` while no entry has
    /// a price.
    #[schema(required = true, example = 12.47)]
    estimated_cost: Option<f64>,
    /// When it starts a new round by itself; `null` for none.
    #[schema(required = true)]
    recurring_schedule: Option<ListScheduleSchema>,
    /// Weekday of weekly and biweekly resets, 0 = Sunday to 6.
    #[schema(required = true, minimum = 0, maximum = 6)]
    schedule_day_of_week: Option<u8>,
    /// Day of monthly resets, 1 to 31 (29 to 31 mean the last day in shorter months).
    #[schema(required = true, minimum = 1, maximum = 31)]
    schedule_day_of_month: Option<u8>,
    /// The next scheduled reset.
    #[schema(required = true)]
    next_reset_at: Option<DateTime<Utc>>,
    /// The last reset.
    #[schema(required = true)]
    last_reset_at: Option<DateTime<Utc>>,
    /// How many times it was reset.
    round_number: i32,
    /// Order among the home's lists (ascending). Presentation only: reordering changes no
    /// `version`.
    position: i32,
    /// Increases with every change to the list's own fields; send it back as `If-Match` (or
    /// `version`) to edit or delete only what you have seen.
    version: i64,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// When it last changed.
    updated_at: DateTime<Utc>,
}

/// A grocery list with its entries (each with its pantry item) and completion figures: the
/// `GroceryList` fields plus `items`, `completionPercentage`, `completedItems` and `totalItems`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = GroceryListWithItems)]
pub(crate) struct GroceryListWithItemsSchema {
    /// Stable id (UUIDv7, or the id an offline client chose).
    id: Uuid,
    /// The home it belongs to.
    home_id: Uuid,
    #[schema(example = "Weekly shop")]
    name: String,
    /// Free text.
    #[schema(required = true)]
    description: Option<String>,
    /// `false` once the list is completed.
    is_active: bool,
    /// The home's "Quick Items" list: exactly one per home, never deleted.
    is_default: bool,
    /// When it was completed.
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    /// Budget in major units.
    #[schema(required = true, example = 80)]
    total_budget: Option<f64>,
    /// Σ estimated price × quantity of its entries, in major units; `null` while no entry has
    /// a price.
    #[schema(required = true, example = 12.47)]
    estimated_cost: Option<f64>,
    /// When it starts a new round by itself; `null` for none.
    #[schema(required = true)]
    recurring_schedule: Option<ListScheduleSchema>,
    /// Weekday of weekly and biweekly resets, 0 = Sunday to 6.
    #[schema(required = true, minimum = 0, maximum = 6)]
    schedule_day_of_week: Option<u8>,
    /// Day of monthly resets, 1 to 31 (29 to 31 mean the last day in shorter months).
    #[schema(required = true, minimum = 1, maximum = 31)]
    schedule_day_of_month: Option<u8>,
    /// The next scheduled reset.
    #[schema(required = true)]
    next_reset_at: Option<DateTime<Utc>>,
    /// The last reset.
    #[schema(required = true)]
    last_reset_at: Option<DateTime<Utc>>,
    /// How many times it was reset.
    round_number: i32,
    /// Order among the home's lists (ascending).
    position: i32,
    /// Increases with every change to the list's own fields.
    version: i64,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// When it last changed.
    updated_at: DateTime<Utc>,
    /// Its entries, each with its pantry item, in display order.
    items: Vec<ListItemWithItemSchema>,
    /// Completed entries as a percentage of all entries, rounded (0 without entries).
    #[schema(maximum = 100)]
    completion_percentage: u32,
    /// Entries ticked off.
    completed_items: u32,
    /// All entries.
    total_items: u32,
}

/// An entry of a grocery list: a pantry item to buy, how much (in that item's unit), at what
/// estimated price. Every field is always sent; money is in major units.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListItem)]
pub(crate) struct ListItemSchema {
    /// Stable id (UUIDv7, or the id an offline client chose).
    id: Uuid,
    /// The list it is on.
    list_id: Uuid,
    /// The pantry item to buy.
    item_id: Uuid,
    /// How much, in the pantry item's unit: more than 0, at most three decimals. Whole
    /// amounts are sent as integers.
    #[schema(example = 2)]
    quantity: f64,
    /// Ticked off.
    is_completed: bool,
    /// When it was ticked off.
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    /// Free text ("the organic one").
    #[schema(required = true)]
    notes: Option<String>,
    /// Estimated price per unit, in major units.
    #[schema(required = true, example = 1.99)]
    estimated_price: Option<f64>,
    /// Order within the list (ascending). Presentation only: reordering changes no `version`.
    position: i32,
    /// Who added it.
    #[schema(required = true)]
    added_by: Option<Uuid>,
    /// Increases with every change to the entry; send it back as `If-Match` (or `version`) to
    /// edit or remove only what you have seen.
    version: i64,
    /// When it was added.
    added_at: DateTime<Utc>,
    /// When it last changed.
    updated_at: DateTime<Utc>,
}

/// An entry with the pantry item it names: the `ListItem` fields plus `item`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListItemWithItem)]
pub(crate) struct ListItemWithItemSchema {
    /// Stable id (UUIDv7, or the id an offline client chose).
    id: Uuid,
    /// The list it is on.
    list_id: Uuid,
    /// The pantry item to buy.
    item_id: Uuid,
    /// How much, in the pantry item's unit.
    #[schema(example = 2)]
    quantity: f64,
    /// Ticked off.
    is_completed: bool,
    /// When it was ticked off.
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    /// Free text.
    #[schema(required = true)]
    notes: Option<String>,
    /// Estimated price per unit, in major units.
    #[schema(required = true, example = 1.99)]
    estimated_price: Option<f64>,
    /// Order within the list (ascending).
    position: i32,
    /// Who added it.
    #[schema(required = true)]
    added_by: Option<Uuid>,
    /// Increases with every change to the entry.
    version: i64,
    /// When it was added.
    added_at: DateTime<Utc>,
    /// When it last changed.
    updated_at: DateTime<Utc>,
    /// The pantry item it names.
    item: PantryItemSchema,
}

/// A list entry and the pantry item it names.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListItemAndItem)]
pub(crate) struct ListItemAndItemSchema {
    /// The entry.
    list_item: ListItemSchema,
    /// Its pantry item.
    item: PantryItemSchema,
}

/// Summary figures of one list; money in major units.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListStats)]
pub(crate) struct ListStatsSchema {
    /// All entries.
    total_items: u32,
    /// Entries ticked off.
    completed_items: u32,
    /// Completed entries as a percentage of all entries, rounded (0 without entries).
    #[schema(maximum = 100)]
    completion_percentage: u32,
    /// Σ estimated price × quantity over the entries (unpriced ones count 0).
    #[schema(example = 12.47)]
    estimated_total: f64,
    /// `estimatedTotal` divided by the number of entries (0 without entries).
    #[schema(example = 3.12)]
    estimated_per_item: f64,
}

// ---- Preferences (`pantry_core::accounts::preferences`) ---------------------------------------

/// How confident a cook the person is; Pixie pitches recipes to it.
#[derive(ToSchema)]
#[schema(as = CookingSkill, rename_all = "lowercase")]
pub(crate) enum CookingSkillSchema {
    Beginner,
    Intermediate,
    Advanced,
}

/// How closely the person watches what shopping costs.
#[derive(ToSchema)]
#[schema(as = BudgetConsciousness, rename_all = "lowercase")]
pub(crate) enum BudgetConsciousnessSchema {
    Low,
    Medium,
    High,
}

/// A kind of notification a person can mute.
#[derive(ToSchema)]
#[schema(as = NotificationType, rename_all = "snake_case")]
pub(crate) enum NotificationTypeSchema {
    RecurringDue,
    ExpiringSoon,
    PartnerActivity,
    SundaySync,
    RunningLow,
}

// ---- Export and import (`pantry_core::portability`) -------------------------------------------

/// A whole home as a portable document: what `GET /api/homes/{home_id}/export` answers and
/// `POST /api/homes/import` takes back. Exports send every field; on import, the four lists
/// and any field that may be `null` may be left out. Amounts are exact integers: `…Milli` in
/// thousandths of the unit, `…Minor` in minor units of the home's currency.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = HomeExport)]
pub(crate) struct HomeExportSchema {
    /// Always `pantry-pixie/home-export`.
    #[schema(example = "pantry-pixie/home-export")]
    format: String,
    /// The format's version; this server writes and reads 1.
    #[schema(example = 1)]
    version: u32,
    /// When the export was made.
    exported_at: DateTime<Utc>,
    home: ExportedHomeSchema,
    /// Who lived there, by name (accounts do not travel).
    members: Vec<ExportedMemberSchema>,
    /// The pantry.
    items: Vec<ExportedItemSchema>,
    /// Grocery lists with their entries.
    lists: Vec<ExportedListSchema>,
    /// Chat threads with their messages, oldest first.
    threads: Vec<ExportedThreadSchema>,
}

/// The home's settings.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedHome)]
pub(crate) struct ExportedHomeSchema {
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    /// IANA time zone.
    timezone: String,
    /// ISO 4217 code.
    currency: String,
    /// Minor units of `currency`.
    #[schema(required = true)]
    monthly_budget_minor: Option<i64>,
    #[schema(required = true)]
    household_size: Option<i32>,
    shared_dietary_restrictions: Vec<String>,
}

/// A member, by name.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedMember)]
pub(crate) struct ExportedMemberSchema {
    name: String,
    role: RoleSchema,
    joined_at: DateTime<Utc>,
}

/// A pantry item. `id` only links list entries to it within the document; import gives every
/// item a new id.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedItem)]
pub(crate) struct ExportedItemSchema {
    id: Uuid,
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    category: CategorySchema,
    /// Thousandths of `unit` (1500 is 1.5).
    quantity_milli: i64,
    unit: UnitSchema,
    #[schema(required = true)]
    location: Option<String>,
    #[schema(required = true)]
    expires_at: Option<DateTime<Utc>>,
    is_checked: bool,
    is_recurring: bool,
    #[schema(required = true)]
    recurring_interval: Option<RecurringIntervalSchema>,
    /// Minor units.
    #[schema(required = true)]
    price_minor: Option<i64>,
    #[schema(required = true)]
    store: Option<String>,
    #[schema(required = true)]
    notes: Option<String>,
    date_added: DateTime<Utc>,
    last_updated: DateTime<Utc>,
}

/// A grocery list with its entries.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedList)]
pub(crate) struct ExportedListSchema {
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    is_active: bool,
    is_default: bool,
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    /// Minor units.
    #[schema(required = true)]
    total_budget_minor: Option<i64>,
    #[schema(required = true)]
    recurring_schedule: Option<ListScheduleSchema>,
    #[schema(required = true)]
    schedule_day_of_week: Option<i32>,
    #[schema(required = true)]
    schedule_day_of_month: Option<i32>,
    #[schema(required = true)]
    next_reset_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    last_reset_at: Option<DateTime<Utc>>,
    round_number: i32,
    position: i32,
    created_at: DateTime<Utc>,
    items: Vec<ExportedListItemSchema>,
}

/// An entry of a list; `itemId` names an item of the same document.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedListItem)]
pub(crate) struct ExportedListItemSchema {
    item_id: Uuid,
    /// Thousandths of the item's unit.
    quantity_milli: i64,
    is_completed: bool,
    #[schema(required = true)]
    completed_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    notes: Option<String>,
    /// Minor units.
    #[schema(required = true)]
    estimated_price_minor: Option<i64>,
    position: i32,
    added_at: DateTime<Utc>,
}

/// A chat thread with its messages, oldest first.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedThread)]
pub(crate) struct ExportedThreadSchema {
    #[schema(required = true)]
    title: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    messages: Vec<ExportedMessageSchema>,
}

/// A chat message; its author is kept by name.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ExportedMessage)]
pub(crate) struct ExportedMessageSchema {
    /// `user`, `assistant`, `system` or `tool`.
    role: String,
    content: String,
    #[schema(required = true)]
    intent: Option<String>,
    /// Any JSON, as the assistant recorded it.
    #[schema(required = true)]
    tool_calls: Option<serde_json::Value>,
    /// Any JSON, as the assistant recorded it.
    #[schema(required = true)]
    ui: Option<serde_json::Value>,
    #[schema(required = true)]
    author_name: Option<String>,
    created_at: DateTime<Utc>,
}
