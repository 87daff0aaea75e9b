//! Pantry items: listing with filters, and every write in one transaction with its change-log
//! event and usage-history row.
//!
//! Each write first takes the home's write lock ([`lock_home`]), so read-modify-write rules
//! (merging an add into an existing row, consuming a quantity, comparing versions) see the
//! latest committed row and concurrent writers queue instead of losing updates.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::{TxError, to_repo_error};
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::list_items::{entries_naming, log_entry};
use crate::lists::refresh_cost;
use crate::notifications::notify_partners;
use crate::pool::Database;
use crate::schema::{items, usage_events};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::ids::new_id;
use pantry_core::items::item::{
    Added, ItemEdit, ItemFilter, ItemRepository, Mutation, NewItem, PantryItem, RecurringInterval,
    WriteMeta, events, normalize_name,
};
use pantry_core::items::{Category, Quantity, Unit, merge};
use pantry_core::lists::list::events::ITEM_REMOVED;
use pantry_core::notifications::{PartnerActivity, PartnerVerb};
use pantry_core::repo_error::RepoError;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

diesel::define_sql_function! {
    /// SQL `lower()`: ASCII case folding on SQLite, full Unicode on PostgreSQL.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// [`ItemRepository`] over the database.
#[derive(Debug, Clone)]
pub struct StoreItems {
    db: Database,
}

impl StoreItems {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreItems { db }
    }
}

/// `text` with LIKE's wildcards and escape character escaped, so it matches literally.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

#[async_trait]
impl ItemRepository for StoreItems {
    async fn list(
        &self,
        home_id: Uuid,
        filter: &ItemFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<PantryItem>, RepoError> {
        let mut query = items::table
            .filter(items::home_id.eq(home_id.to_string()))
            .into_boxed();
        if let Some(category) = filter.category {
            query = query.filter(items::category.eq(category.as_str()));
        }
        if let Some(search) = filter.search.as_deref() {
            // name_normalized is lower-cased in Rust (Unicode), so this is case-insensitive on
            // both backends.
            let pattern = like_literal(&normalize_name(search));
            query = query.filter(items::name_normalized.like(pattern).escape('\\'));
        }
        if let Some(location) = filter.location.as_deref() {
            let wanted = location.trim().to_lowercase();
            query = query.filter(lower(items::location).eq(wanted));
        }
        if let Some(days) = filter.expiring_within_days {
            let until = (now + chrono::Duration::days(i64::from(days))).naive_utc();
            query = query.filter(items::expires_at.le(until));
        }
        if let Some(checked) = filter.checked {
            query = query.filter(items::is_checked.eq(checked));
        }
        match filter.in_stock {
            Some(true) => query = query.filter(items::quantity_milli.gt(0)),
            Some(false) => query = query.filter(items::quantity_milli.eq(0)),
            None => {}
        }
        let mut conn = self.db.conn().await?;
        let rows: Vec<ItemRow> = query
            .order((
                items::category.asc(),
                items::date_added.asc(),
                items::id.asc(),
            ))
            .select(ITEM_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    async fn get(&self, home_id: Uuid, item_id: Uuid) -> Result<Option<PantryItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        load_item(&mut conn, home_id, item_id)
            .await
            .map_err(RepoError::from)
    }

    async fn add(
        &self,
        home_id: Uuid,
        item: &NewItem,
        merge: bool,
        meta: WriteMeta,
    ) -> Result<Added, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            add_in_tx(c, home_id, item, merge, meta, meta.at).await
        })
        .await
        .map_err(RepoError::from)
    }

    async fn update(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        edit: &ItemEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError> {
        let changes = ItemChanges::from_edit(edit);
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_item(c, home_id, item_id).await? else {
                return Ok(Mutation::Missing);
            };
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            let row: ItemRow = diesel::update(items::table.find(item_id.to_string()))
                .set((
                    &changes,
                    items::version.eq(items::version + 1),
                    items::last_updated.eq(meta.at.naive_utc()),
                ))
                .returning(ITEM_COLUMNS)
                .get_result(c)
                .await?;
            let item = row.into_item()?;
            if item.is_recurring
                && (!current.is_recurring || item.recurring_interval != current.recurring_interval)
            {
                // A staple's interval runs from when it became one (or changed), so marking an
                // item recurring never puts it on the list at once.
                diesel::update(items::table.find(item_id.to_string()))
                    .set(items::recurring_last_added_at.eq(meta.at.naive_utc()))
                    .execute(c)
                    .await?;
            }
            if edit
                .is_checked
                .is_some_and(|checked| checked != current.is_checked)
            {
                let action = check_action(item.is_checked);
                record_usage(c, &item, action, None, meta).await?;
            }
            log_item(c, events::UPDATED, &item, json!({}), meta).await?;
            Ok(Mutation::Applied(item))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn toggle(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_item(c, home_id, item_id).await? else {
                return Ok(Mutation::Missing);
            };
            let row: ItemRow = diesel::update(items::table.find(item_id.to_string()))
                .set((
                    items::is_checked.eq(!current.is_checked),
                    items::version.eq(items::version + 1),
                    items::last_updated.eq(meta.at.naive_utc()),
                ))
                .returning(ITEM_COLUMNS)
                .get_result(c)
                .await?;
            let item = row.into_item()?;
            record_usage(c, &item, check_action(item.is_checked), None, meta).await?;
            log_item(c, events::TOGGLED, &item, json!({}), meta).await?;
            Ok(Mutation::Applied(item))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn consume(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        amount: Quantity,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_item(c, home_id, item_id).await? else {
                return Ok(Mutation::Missing);
            };
            if current.quantity.is_zero() {
                return Err(RepoError::Conflict("nothing left to consume".to_owned()).into());
            }
            let left = current.quantity.saturating_sub(amount);
            let used = Quantity::from_milli(current.quantity.milli() - left.milli())
                .unwrap_or(Quantity::ZERO);
            let row: ItemRow = diesel::update(items::table.find(item_id.to_string()))
                .set((
                    items::quantity_milli.eq(left.milli()),
                    items::version.eq(items::version + 1),
                    items::last_updated.eq(meta.at.naive_utc()),
                ))
                .returning(ITEM_COLUMNS)
                .get_result(c)
                .await?;
            let item = row.into_item()?;
            record_usage(c, &item, events::usage::CONSUMED, Some(used), meta).await?;
            if left.is_zero() {
                record_usage(c, &item, events::usage::USED_UP, None, meta).await?;
            }
            let extra = json!({ "consumed": used, "usedUp": left.is_zero() });
            log_item(c, events::CONSUMED, &item, extra, meta).await?;
            if left.is_zero() {
                tell_partners(c, PartnerVerb::UsedUp, &item, meta).await?;
            }
            Ok(Mutation::Applied(item))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn delete(
        &self,
        home_id: Uuid,
        item_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<PantryItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_item(c, home_id, item_id).await? else {
                return Ok(Mutation::Missing);
            };
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            // List entries naming the item go with it (ON DELETE CASCADE). Each is logged as
            // removed and its list's cost recomputed, so feeds and totals stay true.
            let entries = entries_naming(c, item_id).await?;
            diesel::delete(items::table.find(item_id.to_string()))
                .execute(c)
                .await?;
            for entry in &entries {
                let extra = json!({ "deleted": true, "itemDeleted": true });
                log_entry(c, ITEM_REMOVED, home_id, entry, &current, extra, meta).await?;
            }
            let lists: BTreeSet<Uuid> = entries.iter().map(|e| e.list_id).collect();
            for list_id in lists {
                refresh_cost(c, list_id, meta).await?;
            }
            record_usage(c, &current, events::usage::REMOVED, None, meta).await?;
            log_item(
                c,
                events::DELETED,
                &current,
                json!({ "deleted": true }),
                meta,
            )
            .await?;
            tell_partners(c, PartnerVerb::Removed, &current, meta).await?;
            Ok(Mutation::Applied(current))
        })
        .await
        .map_err(RepoError::from)
    }
}

/// Partner activity for a pantry write, in its transaction (`notifications.rs`).
async fn tell_partners(
    c: &mut AnyConnection,
    verb: PartnerVerb,
    item: &PantryItem,
    meta: WriteMeta,
) -> Result<(), TxError> {
    let activity = PartnerActivity {
        verb,
        subject: item.name.clone(),
        subject_id: Some(item.id),
    };
    notify_partners(c, item.home_id, &activity, meta).await?;
    Ok(())
}

fn check_action(checked: bool) -> &'static str {
    if checked {
        events::usage::CHECKED
    } else {
        events::usage::UNCHECKED
    }
}

/// One item of the home, inside or outside a transaction.
pub(crate) async fn load_item(
    c: &mut AnyConnection,
    home_id: Uuid,
    item_id: Uuid,
) -> Result<Option<PantryItem>, TxError> {
    let row: Option<ItemRow> = items::table
        .filter(items::id.eq(item_id.to_string()))
        .filter(items::home_id.eq(home_id.to_string()))
        .select(ITEM_COLUMNS)
        .first(c)
        .await
        .optional()?;
    Ok(row.map(ItemRow::into_item).transpose()?)
}

/// The home's items with this normalised name, oldest first.
pub(crate) async fn same_name(
    c: &mut AnyConnection,
    home_id: Uuid,
    normalized: &str,
) -> Result<Vec<PantryItem>, TxError> {
    let rows: Vec<ItemRow> = items::table
        .filter(items::home_id.eq(home_id.to_string()))
        .filter(items::name_normalized.eq(normalized))
        .order((items::date_added.asc(), items::id.asc()))
        .select(ITEM_COLUMNS)
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(ItemRow::into_item)
        .collect::<Result<_, _>>()?)
}

/// Adds `item` as [`ItemRepository::add`] does (replay, merge or create), its purchase spent
/// at `spent_at` (a receipt's date, else the moment of the change); run in a transaction that
/// holds the home's write lock.
pub(crate) async fn add_in_tx(
    c: &mut AnyConnection,
    home_id: Uuid,
    item: &NewItem,
    merge: bool,
    meta: WriteMeta,
    spent_at: DateTime<Utc>,
) -> Result<Added, TxError> {
    if item.client_chosen_id
        && let Some(existing) = load_item(c, home_id, item.id).await?
    {
        return Ok(Added::Replayed(existing));
    }
    if merge {
        let candidates = same_name(c, home_id, &normalize_name(&item.name)).await?;
        if let Some(plan) = merge::plan(&candidates, item) {
            let merged = apply_merge(c, home_id, item, &plan, meta, spent_at).await?;
            tell_partners(c, PartnerVerb::Added, &merged, meta).await?;
            return Ok(Added::Merged(merged));
        }
    }
    let created = insert_item_spent(c, home_id, item, meta, spent_at).await?;
    tell_partners(c, PartnerVerb::Added, &created, meta).await?;
    Ok(Added::Created(created))
}

/// Inserts a new row with its `added` history and `item.added` event; run in a transaction.
pub(crate) async fn insert_item(
    c: &mut AnyConnection,
    home_id: Uuid,
    item: &NewItem,
    meta: WriteMeta,
) -> Result<PantryItem, TxError> {
    insert_item_spent(c, home_id, item, meta, meta.at).await
}

/// [`insert_item`] with the purchase spent at `spent_at`.
async fn insert_item_spent(
    c: &mut AnyConnection,
    home_id: Uuid,
    item: &NewItem,
    meta: WriteMeta,
    spent_at: DateTime<Utc>,
) -> Result<PantryItem, TxError> {
    let at = meta.at.naive_utc();
    let id = item.id.to_string();
    let row: ItemRow = diesel::insert_into(items::table)
        .values((
            items::id.eq(&id),
            items::home_id.eq(home_id.to_string()),
            items::name.eq(&item.name),
            items::name_normalized.eq(normalize_name(&item.name)),
            items::description.eq(item.description.as_deref()),
            items::category.eq(item.category.as_str()),
            items::quantity_milli.eq(item.quantity.milli()),
            items::unit.eq(item.unit.as_str()),
            items::location.eq(item.location.as_deref()),
            items::expires_at.eq(item.expires_at.map(|t| t.naive_utc())),
            items::is_recurring.eq(item.is_recurring),
            items::recurring_interval.eq(item.recurring_interval.map(|r| r.as_str())),
            items::price_minor.eq(item.price_minor),
            items::store.eq(item.store.as_deref()),
            items::notes.eq(item.notes.as_deref()),
            items::receipt_id.eq(item.receipt_id.map(|r| r.to_string())),
            items::added_by.eq(meta.actor.user_id.map(|u| u.to_string())),
            items::client_id.eq(item.client_chosen_id.then_some(&id)),
            items::date_added.eq(at),
            items::last_updated.eq(at),
        ))
        .returning(ITEM_COLUMNS)
        .get_result(c)
        .await?;
    let created = row.into_item()?;
    if !created.quantity.is_zero() {
        let purchase = Purchase::of(item, spent_at);
        record_purchase(c, &created, created.quantity, &purchase, meta).await?;
    }
    log_item(c, events::ADDED, &created, json!({}), meta).await?;
    Ok(created)
}

/// Adds `quantity` (already in the item's unit) to an existing row, as a purchase; run in a
/// transaction. Used by merges and by "bought" on a list.
pub(crate) async fn restock(
    c: &mut AnyConnection,
    current: &PantryItem,
    quantity: Quantity,
    expires_at: Option<Option<DateTime<Utc>>>,
    purchase: &Purchase<'_>,
    meta: WriteMeta,
    extra: Value,
) -> Result<PantryItem, TxError> {
    let total = current.quantity.saturating_add(quantity);
    let row: ItemRow = diesel::update(items::table.find(current.id.to_string()))
        .set((
            items::quantity_milli.eq(total.milli()),
            items::expires_at.eq(expires_at
                .unwrap_or(current.expires_at)
                .map(|t| t.naive_utc())),
            items::version.eq(items::version + 1),
            items::last_updated.eq(meta.at.naive_utc()),
        ))
        .returning(ITEM_COLUMNS)
        .get_result(c)
        .await?;
    let item = row.into_item()?;
    record_purchase(c, &item, quantity, purchase, meta).await?;
    log_item(c, events::MERGED, &item, extra, meta).await?;
    Ok(item)
}

async fn apply_merge(
    c: &mut AnyConnection,
    home_id: Uuid,
    add: &NewItem,
    plan: &merge::MergePlan,
    meta: WriteMeta,
    spent_at: DateTime<Utc>,
) -> Result<PantryItem, TxError> {
    let Some(current) = load_item(c, home_id, plan.target).await? else {
        return Err(RepoError::NotFound.into());
    };
    let added = Quantity::from_milli(plan.quantity.milli() - current.quantity.milli())
        .unwrap_or(Quantity::ZERO);
    // The latest purchase's price and store describe the row best.
    if add.price_minor.is_some() || add.store.is_some() {
        diesel::update(items::table.find(current.id.to_string()))
            .set((
                items::price_minor.eq(add.price_minor.or(current.price_minor)),
                items::store.eq(add.store.as_deref().or(current.store.as_deref())),
            ))
            .execute(c)
            .await?;
    }
    let extra = json!({
        "added": { "quantity": add.quantity, "unit": add.unit, "price": add.price_minor.map(pantry_core::money::to_major) }
    });
    let purchase = Purchase::of(add, spent_at);
    restock(
        c,
        &current,
        added,
        Some(plan.expires_at),
        &purchase,
        meta,
        extra,
    )
    .await
}

/// What was paid for one addition to the pantry: a line of the purchase ledger that budgets
/// and receipts read. Unpriced additions still count as restocks for predictions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Purchase<'a> {
    /// The line total in the home's currency, if known.
    pub price_minor: Option<i64>,
    /// Where it was bought.
    pub store: Option<&'a str>,
    /// The receipt the line came from.
    pub receipt_id: Option<Uuid>,
    /// When the money was spent (a receipt's date, else the moment it was logged).
    pub spent_at: Option<DateTime<Utc>>,
}

impl<'a> Purchase<'a> {
    /// The purchase an addition describes, spent `at` unless it names a receipt date.
    pub(crate) fn of(item: &'a NewItem, at: DateTime<Utc>) -> Self {
        Purchase {
            price_minor: item.price_minor,
            store: item.store.as_deref(),
            receipt_id: item.receipt_id,
            spent_at: Some(at),
        }
    }
}

/// Appends the `added` history row of a purchase: the input of restock predictions and, when
/// priced, of the budget.
pub(crate) async fn record_purchase(
    c: &mut AnyConnection,
    item: &PantryItem,
    quantity: Quantity,
    purchase: &Purchase<'_>,
    meta: WriteMeta,
) -> Result<(), TxError> {
    let priced = purchase.price_minor.is_some();
    diesel::insert_into(usage_events::table)
        .values((
            usage_events::id.eq(new_id().to_string()),
            usage_events::home_id.eq(item.home_id.to_string()),
            usage_events::item_id.eq(Some(item.id.to_string())),
            usage_events::item_name.eq(&item.name),
            usage_events::item_name_normalized.eq(normalize_name(&item.name)),
            usage_events::actor_id.eq(meta.actor.user_id.map(|u| u.to_string())),
            usage_events::action.eq(events::usage::ADDED),
            usage_events::quantity_milli.eq(Some(quantity.milli())),
            usage_events::created_at.eq(meta.at.naive_utc()),
            usage_events::price_minor.eq(purchase.price_minor),
            usage_events::store.eq(purchase.store),
            usage_events::category.eq(Some(item.category.as_str())),
            usage_events::receipt_id.eq(purchase.receipt_id.map(|r| r.to_string())),
            usage_events::spent_at.eq(purchase.spent_at.filter(|_| priced).map(|t| t.naive_utc())),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Appends a usage-history row (the input of restock predictions).
pub(crate) async fn record_usage(
    c: &mut AnyConnection,
    item: &PantryItem,
    action: &str,
    quantity: Option<Quantity>,
    meta: WriteMeta,
) -> Result<(), TxError> {
    diesel::insert_into(usage_events::table)
        .values((
            usage_events::id.eq(new_id().to_string()),
            usage_events::home_id.eq(item.home_id.to_string()),
            usage_events::item_id.eq(Some(item.id.to_string())),
            usage_events::item_name.eq(&item.name),
            usage_events::item_name_normalized.eq(normalize_name(&item.name)),
            usage_events::actor_id.eq(meta.actor.user_id.map(|u| u.to_string())),
            usage_events::action.eq(action),
            usage_events::quantity_milli.eq(quantity.map(Quantity::milli)),
            usage_events::created_at.eq(meta.at.naive_utc()),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Appends an item event whose payload is the item as sent to clients, plus `extra`'s keys.
pub(crate) async fn log_item(
    c: &mut AnyConnection,
    kind: &str,
    item: &PantryItem,
    extra: Value,
    meta: WriteMeta,
) -> Result<(), TxError> {
    let mut payload = serde_json::to_value(item)
        .map_err(|e| RepoError::Storage(format!("item not serialisable: {e}")))?;
    if let (Value::Object(map), Value::Object(more)) = (&mut payload, extra) {
        map.extend(more);
    }
    append_event(
        c,
        &NewHomeEvent {
            home_id: item.home_id,
            kind: kind.to_owned(),
            entity_id: Some(item.id),
            payload,
            actor: meta.actor,
            at: meta.at,
        },
    )
    .await?;
    Ok(())
}

/// The fields an edit sets: `None` leaves a column alone, `Some(None)` writes NULL.
#[derive(AsChangeset)]
#[diesel(table_name = items)]
struct ItemChanges {
    name: Option<String>,
    name_normalized: Option<String>,
    description: Option<Option<String>>,
    category: Option<&'static str>,
    quantity_milli: Option<i64>,
    unit: Option<&'static str>,
    location: Option<Option<String>>,
    expires_at: Option<Option<NaiveDateTime>>,
    is_checked: Option<bool>,
    is_recurring: Option<bool>,
    recurring_interval: Option<Option<&'static str>>,
    price_minor: Option<Option<i64>>,
    store: Option<Option<String>>,
    notes: Option<Option<String>>,
}

impl ItemChanges {
    fn from_edit(edit: &ItemEdit) -> Self {
        ItemChanges {
            name_normalized: edit.name.as_deref().map(normalize_name),
            name: edit.name.clone(),
            description: edit.description.clone(),
            category: edit.category.map(Category::as_str),
            quantity_milli: edit.quantity.map(Quantity::milli),
            unit: edit.unit.map(Unit::as_str),
            location: edit.location.clone(),
            expires_at: edit.expires_at.map(|e| e.map(|t| t.naive_utc())),
            is_checked: edit.is_checked,
            is_recurring: edit.is_recurring,
            recurring_interval: edit
                .recurring_interval
                .map(|r| r.map(RecurringInterval::as_str)),
            price_minor: edit.price_minor,
            store: edit.store.clone(),
            notes: edit.notes.clone(),
        }
    }
}

/// Column order of [`ItemRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
/// Nested as two tuples that map onto [`ItemHead`] and [`ItemTail`], to keep each readable.
#[allow(clippy::type_complexity)]
pub(crate) const ITEM_COLUMNS: (
    (
        items::id,
        items::home_id,
        items::name,
        items::description,
        items::category,
        items::quantity_milli,
        items::unit,
        items::location,
        items::expires_at,
        items::is_checked,
        items::is_recurring,
    ),
    (
        items::recurring_interval,
        items::price_minor,
        items::store,
        items::notes,
        items::receipt_id,
        items::added_by,
        items::version,
        items::date_added,
        items::last_updated,
    ),
) = (
    (
        items::id,
        items::home_id,
        items::name,
        items::description,
        items::category,
        items::quantity_milli,
        items::unit,
        items::location,
        items::expires_at,
        items::is_checked,
        items::is_recurring,
    ),
    (
        items::recurring_interval,
        items::price_minor,
        items::store,
        items::notes,
        items::receipt_id,
        items::added_by,
        items::version,
        items::date_added,
        items::last_updated,
    ),
);

#[derive(Queryable)]
pub(crate) struct ItemRow {
    head: ItemHead,
    tail: ItemTail,
}

#[derive(Queryable)]
pub(crate) struct ItemHead {
    id: String,
    home_id: String,
    name: String,
    description: Option<String>,
    category: String,
    quantity_milli: i64,
    unit: String,
    location: Option<String>,
    expires_at: Option<NaiveDateTime>,
    is_checked: bool,
    is_recurring: bool,
}

#[derive(Queryable)]
pub(crate) struct ItemTail {
    recurring_interval: Option<String>,
    price_minor: Option<i64>,
    store: Option<String>,
    notes: Option<String>,
    receipt_id: Option<String>,
    added_by: Option<String>,
    version: i64,
    date_added: NaiveDateTime,
    last_updated: NaiveDateTime,
}

fn bad(column: &str, id: &str, value: &str) -> RepoError {
    RepoError::Storage(format!("items.{column} of {id}: unknown value {value:?}"))
}

impl ItemRow {
    pub(crate) fn into_item(self) -> Result<PantryItem, RepoError> {
        let (h, t) = (self.head, self.tail);
        let optional_id = |column: &str, text: Option<String>| {
            text.map(|t| parse_stored_id("items", column, &t))
                .transpose()
        };
        Ok(PantryItem {
            id: parse_stored_id("items", "id", &h.id)?,
            home_id: parse_stored_id("items", "home_id", &h.home_id)?,
            category: Category::parse(&h.category)
                .ok_or_else(|| bad("category", &h.id, &h.category))?,
            quantity: Quantity::from_milli(h.quantity_milli)
                .ok_or_else(|| bad("quantity_milli", &h.id, &h.quantity_milli.to_string()))?,
            unit: Unit::parse(&h.unit).ok_or_else(|| bad("unit", &h.id, &h.unit))?,
            recurring_interval: t
                .recurring_interval
                .as_deref()
                .map(|r| {
                    RecurringInterval::parse(r).ok_or_else(|| bad("recurring_interval", &h.id, r))
                })
                .transpose()?,
            receipt_id: optional_id("receipt_id", t.receipt_id)?,
            added_by: optional_id("added_by", t.added_by)?,
            name: h.name,
            description: h.description,
            location: h.location,
            expires_at: h.expires_at.map(|t| t.and_utc()),
            is_checked: h.is_checked,
            is_recurring: h.is_recurring,
            price_minor: t.price_minor,
            store: t.store,
            notes: t.notes,
            version: t.version,
            date_added: t.date_added.and_utc(),
            last_updated: t.last_updated.and_utc(),
        })
    }
}
