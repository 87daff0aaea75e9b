//! Entries of grocery lists: every write in one transaction with its change-log event and the
//! list's recomputed estimated cost, serialised with the home's other writes by
//! [`lock_home`].
//!
//! Entries are scoped through their list: an entry is found only on the list named, and only
//! when that list belongs to the home named. The pantry item an entry names is checked against
//! the home too, so no path writes another home's data.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::TxError;
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::items::{ITEM_COLUMNS, ItemRow, Purchase, insert_item, load_item, restock, same_name};
use crate::lists::{load_list, refresh_cost};
use crate::pool::Database;
use crate::schema::{grocery_lists, items, list_items};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::items::item::{Mutation, NewItem, WriteMeta, normalize_name};
use pantry_core::items::{Category, PantryItem, Quantity, Unit};
use pantry_core::lists::entry::{
    ALREADY_COMPLETED_CONFLICT, AddEntry, AddedEntry, Bought, EntryOutcome, ItemByName, ListItem,
    ListItemEdit, ListItemRepository, ListItemWithItem, NewListItem,
};
use pantry_core::lists::list::events;
use pantry_core::repo_error::RepoError;
use serde_json::{Value, json};
use uuid::Uuid;

/// [`ListItemRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::lists::ListItemRepository;
/// use std::sync::Arc;
/// let entries: Arc<dyn ListItemRepository> = Arc::new(pantry_store::StoreListItems::new(db));
/// # let _ = entries; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreListItems {
    db: Database,
}

impl StoreListItems {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreListItems { db }
    }
}

#[async_trait]
impl ListItemRepository for StoreListItems {
    async fn add(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry: &NewListItem,
        meta: WriteMeta,
    ) -> Result<AddEntry, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            if load_list(c, home_id, list_id).await?.is_none() {
                return Ok(AddEntry::NoList);
            }
            if entry.client_chosen_id
                && let Some(replayed) = replay(c, home_id, list_id, entry.id).await?
            {
                return Ok(replayed);
            }
            let Some(item) = load_item(c, home_id, entry.item_id).await? else {
                return Ok(AddEntry::NoItem);
            };
            let (outcome, added) = put_on_list(c, list_id, &item, entry, meta).await?;
            refresh_cost(c, list_id, meta).await?;
            Ok(added_entry(outcome, added, item, false))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn add_by_name(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        wanted: &ItemByName,
        meta: WriteMeta,
    ) -> Result<AddEntry, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            if load_list(c, home_id, list_id).await?.is_none() {
                return Ok(AddEntry::NoList);
            }
            // Exact match on the normalised name: no LIKE, so `%` and `_` are just characters.
            let candidates = same_name(c, home_id, &normalize_name(&wanted.name)).await?;
            let found = match wanted.unit {
                Some(unit) => candidates.into_iter().find(|i| unit.converts_to(i.unit)),
                None => candidates.into_iter().next(),
            };
            let (item, quantity, created) = match found {
                Some(item) => {
                    let quantity = in_unit_of(&item, wanted.quantity, wanted.unit);
                    (item, quantity, false)
                }
                None => {
                    // The pantry doubles as the catalogue: the item is known from now on, but
                    // nothing is in stock until it is bought.
                    let mut new = NewItem::named(wanted.name.clone());
                    new.quantity = Quantity::ZERO;
                    new.unit = wanted.unit.unwrap_or(Unit::Piece);
                    new.category = wanted.category.unwrap_or(Category::Other);
                    let item = insert_item(c, home_id, &new, meta).await?;
                    (item, wanted.quantity, true)
                }
            };
            let entry = NewListItem {
                quantity,
                ..NewListItem::of(item.id)
            };
            let (outcome, added) = put_on_list(c, list_id, &item, &entry, meta).await?;
            refresh_cost(c, list_id, meta).await?;
            Ok(added_entry(outcome, added, item, created))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn update(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        edit: &ListItemEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError> {
        let changes = EntryChanges {
            quantity_milli: edit.quantity.map(Quantity::milli),
            notes: edit.notes.as_ref().map(Option::as_deref),
            estimated_price_minor: edit.estimated_price_minor,
        };
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some((current, item)) = load_entry(c, home_id, list_id, entry_id).await? else {
                return Ok(Mutation::Missing);
            };
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            let row: EntryRow = diesel::update(list_items::table.find(entry_id.to_string()))
                .set((
                    &changes,
                    list_items::version.eq(list_items::version + 1),
                    list_items::updated_at.eq(meta.at.naive_utc()),
                ))
                .returning(ENTRY_COLUMNS)
                .get_result(c)
                .await?;
            let entry = row.into_entry()?;
            log_entry(
                c,
                events::ITEM_UPDATED,
                home_id,
                &entry,
                &item,
                json!({}),
                meta,
            )
            .await?;
            refresh_cost(c, list_id, meta).await?;
            Ok(Mutation::Applied(entry))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn remove(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some((current, item)) = load_entry(c, home_id, list_id, entry_id).await? else {
                return Ok(Mutation::Missing);
            };
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            diesel::delete(list_items::table.find(entry_id.to_string()))
                .execute(c)
                .await?;
            let extra = json!({ "deleted": true });
            log_entry(
                c,
                events::ITEM_REMOVED,
                home_id,
                &current,
                &item,
                extra,
                meta,
            )
            .await?;
            refresh_cost(c, list_id, meta).await?;
            Ok(Mutation::Applied(current))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn toggle(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<ListItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some((current, item)) = load_entry(c, home_id, list_id, entry_id).await? else {
                return Ok(Mutation::Missing);
            };
            let entry = set_completed(c, entry_id, !current.is_completed, meta).await?;
            log_entry(
                c,
                events::ITEM_TOGGLED,
                home_id,
                &entry,
                &item,
                json!({}),
                meta,
            )
            .await?;
            Ok(Mutation::Applied(entry))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn buy(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<Bought>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some((current, item)) = load_entry(c, home_id, list_id, entry_id).await? else {
                return Ok(Mutation::Missing);
            };
            if current.is_completed {
                return Err(RepoError::Conflict(ALREADY_COMPLETED_CONFLICT.to_owned()).into());
            }
            let entry = set_completed(c, entry_id, true, meta).await?;
            // The pantry side first (`item.merged`, usage `added`), then the entry's event,
            // which carries the restocked item.
            let from = json!({ "boughtFrom": { "listId": list_id, "listItemId": entry_id } });
            // An estimated price is not money spent: the budget counts only priced purchases.
            let unpriced = Purchase::default();
            let restocked =
                restock(c, &item, current.quantity, None, &unpriced, meta, from).await?;
            let extra = json!({ "item": restocked });
            log_entry(
                c,
                events::ITEM_BOUGHT,
                home_id,
                &entry,
                &restocked,
                extra,
                meta,
            )
            .await?;
            Ok(Mutation::Applied(Bought {
                list_item: entry,
                item: restocked,
            }))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn reorder(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        ids: &[Uuid],
        meta: WriteMeta,
    ) -> Result<Mutation<Vec<ListItem>>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            if load_list(c, home_id, list_id).await?.is_none() {
                return Ok(Mutation::Missing);
            }
            let current = list_entries(c, list_id).await?;
            if ids.iter().any(|id| !current.iter().any(|e| e.id == *id)) {
                return Ok(Mutation::Missing);
            }
            let rest = current.iter().filter(|e| !ids.contains(&e.id));
            let order: Vec<&ListItem> = ids
                .iter()
                .filter_map(|id| current.iter().find(|e| e.id == *id))
                .chain(rest)
                .collect();
            for (index, entry) in order.iter().enumerate() {
                let position = i32::try_from(index).unwrap_or(i32::MAX);
                if entry.position != position {
                    diesel::update(list_items::table.find(entry.id.to_string()))
                        .set(list_items::position.eq(position))
                        .execute(c)
                        .await?;
                }
            }
            let ids: Vec<Uuid> = order.iter().map(|e| e.id).collect();
            append_event(
                c,
                &NewHomeEvent {
                    home_id,
                    kind: events::ITEM_REORDERED.to_owned(),
                    entity_id: Some(list_id),
                    payload: json!({ "listId": list_id, "ids": ids }),
                    actor: meta.actor,
                    at: meta.at,
                },
            )
            .await?;
            Ok(Mutation::Applied(list_entries(c, list_id).await?))
        })
        .await
        .map_err(RepoError::from)
    }
}

fn added_entry(
    outcome: EntryOutcome,
    entry: ListItem,
    item: PantryItem,
    item_created: bool,
) -> AddEntry {
    AddEntry::Added(Box::new(AddedEntry {
        outcome,
        entry,
        item,
        item_created,
    }))
}

/// `quantity` of `unit` in the unit of `item` (unchanged without a unit); never rounded down
/// to nothing, never above the largest amount.
fn in_unit_of(item: &PantryItem, quantity: Quantity, unit: Option<Unit>) -> Quantity {
    let Some(unit) = unit else {
        return quantity;
    };
    match unit.convert_milli(quantity.milli(), item.unit) {
        Some(milli) => Quantity::from_milli(milli.max(1)).unwrap_or(Quantity::MAX),
        None => quantity,
    }
}

/// The answer to a replayed add with a client-chosen id: the entry when it is on this list,
/// `Conflict` when the id is taken by an entry elsewhere, `None` when it is new.
async fn replay(
    c: &mut AnyConnection,
    home_id: Uuid,
    list_id: Uuid,
    entry_id: Uuid,
) -> Result<Option<AddEntry>, TxError> {
    if let Some((entry, item)) = load_entry(c, home_id, list_id, entry_id).await? {
        return Ok(Some(added_entry(
            EntryOutcome::Replayed,
            entry,
            item,
            false,
        )));
    }
    let taken: Option<String> = list_items::table
        .find(entry_id.to_string())
        .select(list_items::id)
        .first(c)
        .await
        .optional()?;
    match taken {
        Some(_) => Err(RepoError::Conflict("list_items_pkey".to_owned()).into()),
        None => Ok(None),
    }
}

/// Adds `entry` to the open entry of the same item on the list (unless its id was chosen by
/// the client), or as a new entry at the end of the list; with its event. Run in a
/// transaction.
pub(crate) async fn put_on_list(
    c: &mut AnyConnection,
    list_id: Uuid,
    item: &PantryItem,
    entry: &NewListItem,
    meta: WriteMeta,
) -> Result<(EntryOutcome, ListItem), TxError> {
    let home_id = item.home_id;
    if !entry.client_chosen_id {
        let open: Option<EntryRow> = list_items::table
            .filter(list_items::list_id.eq(list_id.to_string()))
            .filter(list_items::item_id.eq(item.id.to_string()))
            .filter(list_items::is_completed.eq(false))
            .order((list_items::position.asc(), list_items::id.asc()))
            .select(ENTRY_COLUMNS)
            .first(c)
            .await
            .optional()?;
        if let Some(open) = open {
            let open = open.into_entry()?;
            let row: EntryRow = diesel::update(list_items::table.find(open.id.to_string()))
                .set((
                    list_items::quantity_milli
                        .eq(open.quantity.saturating_add(entry.quantity).milli()),
                    list_items::notes.eq(entry.notes.as_deref().or(open.notes.as_deref())),
                    list_items::estimated_price_minor
                        .eq(entry.estimated_price_minor.or(open.estimated_price_minor)),
                    list_items::version.eq(list_items::version + 1),
                    list_items::updated_at.eq(meta.at.naive_utc()),
                ))
                .returning(ENTRY_COLUMNS)
                .get_result(c)
                .await?;
            let merged = row.into_entry()?;
            let extra = json!({ "addedQuantity": entry.quantity });
            log_entry(c, events::ITEM_UPDATED, home_id, &merged, item, extra, meta).await?;
            return Ok((EntryOutcome::Merged, merged));
        }
    }
    let last: Option<i32> = list_items::table
        .filter(list_items::list_id.eq(list_id.to_string()))
        .select(diesel::dsl::max(list_items::position))
        .first(c)
        .await?;
    let position = last.map_or(0, |p| p.saturating_add(1));
    let created = insert_entry(c, list_id, item, entry, position, meta).await?;
    Ok((EntryOutcome::Created, created))
}

/// Inserts an entry with its `list_item.added` event; run in a transaction. The caller has
/// checked that `item` belongs to the list's home.
pub(crate) async fn insert_entry(
    c: &mut AnyConnection,
    list_id: Uuid,
    item: &PantryItem,
    entry: &NewListItem,
    position: i32,
    meta: WriteMeta,
) -> Result<ListItem, TxError> {
    let at = meta.at.naive_utc();
    let row: EntryRow = diesel::insert_into(list_items::table)
        .values((
            list_items::id.eq(entry.id.to_string()),
            list_items::list_id.eq(list_id.to_string()),
            list_items::item_id.eq(item.id.to_string()),
            list_items::quantity_milli.eq(entry.quantity.milli()),
            list_items::notes.eq(entry.notes.as_deref()),
            list_items::estimated_price_minor.eq(entry.estimated_price_minor),
            list_items::position.eq(position),
            list_items::added_by.eq(meta.actor.user_id.map(|u| u.to_string())),
            list_items::added_at.eq(at),
            list_items::updated_at.eq(at),
        ))
        .returning(ENTRY_COLUMNS)
        .get_result(c)
        .await?;
    let created = row.into_entry()?;
    log_entry(
        c,
        events::ITEM_ADDED,
        item.home_id,
        &created,
        item,
        json!({}),
        meta,
    )
    .await?;
    Ok(created)
}

/// Ticks the entry (`completed_at` now) or un-ticks it.
async fn set_completed(
    c: &mut AnyConnection,
    entry_id: Uuid,
    completed: bool,
    meta: WriteMeta,
) -> Result<ListItem, TxError> {
    let at = meta.at.naive_utc();
    let row: EntryRow = diesel::update(list_items::table.find(entry_id.to_string()))
        .set((
            list_items::is_completed.eq(completed),
            list_items::completed_at.eq(completed.then_some(at)),
            list_items::version.eq(list_items::version + 1),
            list_items::updated_at.eq(at),
        ))
        .returning(ENTRY_COLUMNS)
        .get_result(c)
        .await?;
    Ok(row.into_entry()?)
}

/// The entry on that list of that home, with its pantry item.
async fn load_entry(
    c: &mut AnyConnection,
    home_id: Uuid,
    list_id: Uuid,
    entry_id: Uuid,
) -> Result<Option<(ListItem, PantryItem)>, TxError> {
    let row: Option<(EntryRow, ItemRow)> = list_items::table
        .inner_join(grocery_lists::table)
        .inner_join(items::table)
        .filter(list_items::id.eq(entry_id.to_string()))
        .filter(list_items::list_id.eq(list_id.to_string()))
        .filter(grocery_lists::home_id.eq(home_id.to_string()))
        .select((ENTRY_COLUMNS, ITEM_COLUMNS))
        .first(c)
        .await
        .optional()?;
    match row {
        Some((entry, item)) => Ok(Some((entry.into_entry()?, item.into_item()?))),
        None => Ok(None),
    }
}

/// The entries of a list in display order.
/// The entries, on any list, that name the pantry item `item_id`.
pub(crate) async fn entries_naming(
    c: &mut AnyConnection,
    item_id: Uuid,
) -> Result<Vec<ListItem>, TxError> {
    let rows: Vec<EntryRow> = list_items::table
        .filter(list_items::item_id.eq(item_id.to_string()))
        .order(entry_order())
        .select(ENTRY_COLUMNS)
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(EntryRow::into_entry)
        .collect::<Result<_, _>>()?)
}

async fn list_entries(c: &mut AnyConnection, list_id: Uuid) -> Result<Vec<ListItem>, TxError> {
    let rows: Vec<EntryRow> = list_items::table
        .filter(list_items::list_id.eq(list_id.to_string()))
        .order(entry_order())
        .select(ENTRY_COLUMNS)
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(EntryRow::into_entry)
        .collect::<Result<_, _>>()?)
}

/// The entries of the lists `list_ids` with their pantry items, each list's in display order.
pub(crate) async fn entries_with_items(
    c: &mut AnyConnection,
    list_ids: &[Uuid],
) -> Result<Vec<ListItemWithItem>, TxError> {
    if list_ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = list_ids.iter().map(Uuid::to_string).collect();
    let rows: Vec<(EntryRow, ItemRow)> = list_items::table
        .inner_join(items::table)
        .filter(list_items::list_id.eq_any(&keys))
        .order(entry_order())
        .select((ENTRY_COLUMNS, ITEM_COLUMNS))
        .load(c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (entry, item) in rows {
        out.push(ListItemWithItem {
            entry: entry.into_entry()?,
            item: item.into_item()?,
        });
    }
    Ok(out)
}

/// Appends an entry event whose payload is the entry as sent to clients, the pantry item's
/// `name`, and `extra`'s keys.
pub(crate) async fn log_entry(
    c: &mut AnyConnection,
    kind: &str,
    home_id: Uuid,
    entry: &ListItem,
    item: &PantryItem,
    extra: Value,
    meta: WriteMeta,
) -> Result<(), TxError> {
    let mut payload = serde_json::to_value(entry)
        .map_err(|e| RepoError::Storage(format!("list item not serialisable: {e}")))?;
    if let Value::Object(map) = &mut payload {
        map.insert("name".to_owned(), Value::String(item.name.clone()));
        if let Value::Object(more) = extra {
            map.extend(more);
        }
    }
    append_event(
        c,
        &NewHomeEvent {
            home_id,
            kind: kind.to_owned(),
            entity_id: Some(entry.id),
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
#[diesel(table_name = list_items)]
struct EntryChanges<'a> {
    quantity_milli: Option<i64>,
    notes: Option<Option<&'a str>>,
    estimated_price_minor: Option<Option<i64>>,
}

type EntryOrder = (
    diesel::dsl::Asc<list_items::list_id>,
    diesel::dsl::Asc<list_items::position>,
    diesel::dsl::Asc<list_items::added_at>,
    diesel::dsl::Asc<list_items::id>,
);

/// Display order of entries within a list: by position, then as added.
fn entry_order() -> EntryOrder {
    (
        list_items::list_id.asc(),
        list_items::position.asc(),
        list_items::added_at.asc(),
        list_items::id.asc(),
    )
}

type EntryColumns = (
    list_items::id,
    list_items::list_id,
    list_items::item_id,
    list_items::quantity_milli,
    list_items::is_completed,
    list_items::completed_at,
    list_items::notes,
    list_items::estimated_price_minor,
    list_items::position,
    list_items::added_by,
    list_items::version,
    list_items::added_at,
    list_items::updated_at,
);

/// Column order of [`EntryRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const ENTRY_COLUMNS: EntryColumns = (
    list_items::id,
    list_items::list_id,
    list_items::item_id,
    list_items::quantity_milli,
    list_items::is_completed,
    list_items::completed_at,
    list_items::notes,
    list_items::estimated_price_minor,
    list_items::position,
    list_items::added_by,
    list_items::version,
    list_items::added_at,
    list_items::updated_at,
);

#[derive(Queryable)]
struct EntryRow {
    id: String,
    list_id: String,
    item_id: String,
    quantity_milli: i64,
    is_completed: bool,
    completed_at: Option<NaiveDateTime>,
    notes: Option<String>,
    estimated_price_minor: Option<i64>,
    position: i32,
    added_by: Option<String>,
    version: i64,
    added_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl EntryRow {
    fn into_entry(self) -> Result<ListItem, RepoError> {
        Ok(ListItem {
            id: parse_stored_id("list_items", "id", &self.id)?,
            list_id: parse_stored_id("list_items", "list_id", &self.list_id)?,
            item_id: parse_stored_id("list_items", "item_id", &self.item_id)?,
            quantity: Quantity::from_milli(self.quantity_milli).ok_or_else(|| {
                RepoError::Storage(format!(
                    "list_items.quantity_milli of {}: {} is out of range",
                    self.id, self.quantity_milli
                ))
            })?,
            added_by: self
                .added_by
                .as_deref()
                .map(|u| parse_stored_id("list_items", "added_by", u))
                .transpose()?,
            is_completed: self.is_completed,
            completed_at: self.completed_at.map(|t| t.and_utc()),
            notes: self.notes,
            estimated_price_minor: self.estimated_price_minor,
            position: self.position,
            version: self.version,
            added_at: self.added_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}
