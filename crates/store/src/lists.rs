//! Grocery lists: reading them with their entries, and every write in one transaction with its
//! change-log event.
//!
//! Each write first takes the home's write lock ([`lock_home`]), so version checks, the
//! one-default-list rule and reorders see the latest committed rows and concurrent writers
//! queue instead of losing updates. The partial unique index
//! `grocery_lists_one_default_per_home` backs the default-list rule up should a write ever
//! skip the lock. Scheduled resets are computed by the core's rule
//! ([`pantry_core::lists::schedule`]) in the home's time zone, inside the transaction that
//! stores them.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::TxError;
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::items::{ITEM_COLUMNS, ItemRow};
use crate::list_items::{entries_with_items, insert_entry};
use crate::pool::Database;
use crate::schema::{grocery_lists, homes, items};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::items::PantryItem;
use pantry_core::items::item::{Mutation, WriteMeta};
use pantry_core::lists::list::{
    DEFAULT_LIST_CONFLICT, DEFAULT_LIST_NAME, GroceryList, GroceryListWithItems, ListCreated,
    ListEdit, ListRepository, NewList, estimated_cost_minor, events,
};
use pantry_core::lists::schedule::{self, ListSchedule, Schedule};
use pantry_core::repo_error::RepoError;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// The unique index that allows one default list per home.
const ONE_DEFAULT_PER_HOME: &str = "grocery_lists_one_default_per_home";

/// [`ListRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::lists::ListRepository;
/// use std::sync::Arc;
/// let lists: Arc<dyn ListRepository> = Arc::new(pantry_store::StoreLists::new(db));
/// # let _ = lists; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreLists {
    db: Database,
}

impl StoreLists {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreLists { db }
    }
}

#[async_trait]
impl ListRepository for StoreLists {
    async fn lists(&self, home_id: Uuid) -> Result<Vec<GroceryListWithItems>, RepoError> {
        let mut conn = self.db.conn().await?;
        let lists = home_lists(&mut conn, home_id).await?;
        with_items(&mut conn, lists).await.map_err(RepoError::from)
    }

    async fn get(
        &self,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<Option<GroceryListWithItems>, RepoError> {
        let mut conn = self.db.conn().await?;
        let Some(list) = load_list(&mut conn, home_id, list_id).await? else {
            return Ok(None);
        };
        let mut with = with_items(&mut conn, vec![list]).await?;
        Ok(with.pop())
    }

    async fn default_list(&self, home_id: Uuid, meta: WriteMeta) -> Result<GroceryList, RepoError> {
        let mut conn = self.db.conn().await?;
        // Almost always there already: no lock for the common case.
        if let Some(list) = find_default(&mut conn, home_id).await? {
            return Ok(list);
        }
        let created = conn
            .transaction::<_, TxError, _>(async |c| {
                lock_home(c, home_id).await?;
                if let Some(list) = find_default(c, home_id).await? {
                    return Ok(list);
                }
                let list = NewList::named(DEFAULT_LIST_NAME.to_owned());
                insert_list(c, home_id, &list, true, None, meta).await
            })
            .await
            .map_err(RepoError::from);
        match created {
            // Only a writer that skipped the home lock can get here; its list is the one.
            Err(RepoError::Conflict(name)) if name == ONE_DEFAULT_PER_HOME => {
                find_default(&mut conn, home_id)
                    .await?
                    .ok_or(RepoError::NotFound)
            }
            other => other,
        }
    }

    async fn create(
        &self,
        home_id: Uuid,
        list: &NewList,
        meta: WriteMeta,
    ) -> Result<ListCreated, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            if list.client_chosen_id
                && let Some(existing) = load_list(c, home_id, list.id).await?
            {
                return Ok(ListCreated::Replayed(existing));
            }
            let found = home_items(c, home_id, list.items.iter().map(|e| e.item_id)).await?;
            if let Some(unknown) = list.items.iter().find(|e| !found.contains_key(&e.item_id)) {
                return Ok(ListCreated::UnknownItem(unknown.item_id));
            }
            let cost = estimated_cost_minor(
                list.items
                    .iter()
                    .map(|e| (e.estimated_price_minor, e.quantity.milli())),
            );
            let created = insert_list(c, home_id, list, false, cost, meta).await?;
            for (position, entry) in list.items.iter().enumerate() {
                if let Some(item) = found.get(&entry.item_id) {
                    let position = i32::try_from(position).unwrap_or(i32::MAX);
                    insert_entry(c, created.id, item, entry, position, meta).await?;
                }
            }
            Ok(ListCreated::Created(created))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn update(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        edit: &ListEdit,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_list(c, home_id, list_id).await? else {
                return Ok(Mutation::Missing);
            };
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            let after = edit.schedule_after(&current);
            let before = (
                current.recurring_schedule,
                current.schedule_day_of_week,
                current.schedule_day_of_month,
            );
            // Only a real change of the rule moves the next reset (clients send whole rows).
            let next_reset_at = if after == before {
                None
            } else {
                let zone = home_zone(c, home_id).await?;
                let (every, day_of_week, day_of_month) = after;
                Some(every.and_then(|every| {
                    Schedule {
                        every,
                        day_of_week,
                        day_of_month,
                    }
                    .next_reset(meta.at, zone)
                    .map(|t| t.naive_utc())
                }))
            };
            let changes = ListChanges {
                name: edit.name.as_deref(),
                description: edit.description.as_ref().map(Option::as_deref),
                total_budget_minor: edit.total_budget_minor,
                recurring_schedule: edit.recurring_schedule.map(|s| s.map(ListSchedule::as_str)),
                schedule_day_of_week: edit.schedule_day_of_week.map(|d| d.map(i32::from)),
                schedule_day_of_month: edit.schedule_day_of_month.map(|d| d.map(i32::from)),
                next_reset_at,
            };
            let row: ListRow = diesel::update(grocery_lists::table.find(list_id.to_string()))
                .set((
                    &changes,
                    grocery_lists::version.eq(grocery_lists::version + 1),
                    grocery_lists::updated_at.eq(meta.at.naive_utc()),
                ))
                .returning(LIST_COLUMNS)
                .get_result(c)
                .await?;
            let list = row.into_list()?;
            log_list(c, events::LIST_UPDATED, &list, json!({}), meta).await?;
            Ok(Mutation::Applied(list))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn set_completed(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        completed: bool,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_list(c, home_id, list_id).await? else {
                return Ok(Mutation::Missing);
            };
            if current.is_active != completed {
                return Ok(Mutation::Applied(current));
            }
            let at = meta.at.naive_utc();
            let row: ListRow = diesel::update(grocery_lists::table.find(list_id.to_string()))
                .set((
                    grocery_lists::is_active.eq(!completed),
                    grocery_lists::completed_at.eq(completed.then_some(at)),
                    grocery_lists::version.eq(grocery_lists::version + 1),
                    grocery_lists::updated_at.eq(at),
                ))
                .returning(LIST_COLUMNS)
                .get_result(c)
                .await?;
            let list = row.into_list()?;
            let kind = if completed {
                events::LIST_COMPLETED
            } else {
                events::LIST_UNCOMPLETED
            };
            log_list(c, kind, &list, json!({}), meta).await?;
            Ok(Mutation::Applied(list))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn reset(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_list(c, home_id, list_id).await? else {
                return Ok(Mutation::Missing);
            };
            let zone = home_zone(c, home_id).await?;
            Ok(Mutation::Applied(
                reset_list(c, &current, zone, meta).await?,
            ))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn reset_due(
        &self,
        home_id: Uuid,
        meta: WriteMeta,
    ) -> Result<Vec<GroceryList>, RepoError> {
        let mut conn = self.db.conn().await?;
        // Read without the lock first: reads of lists call this, and usually nothing is due.
        if due_lists(&mut conn, home_id, meta).await?.is_empty() {
            return Ok(Vec::new());
        }
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let due = due_lists(c, home_id, meta).await?;
            let zone = home_zone(c, home_id).await?;
            let mut reset = Vec::with_capacity(due.len());
            for list in &due {
                reset.push(reset_list(c, list, zone, meta).await?);
            }
            Ok(reset)
        })
        .await
        .map_err(RepoError::from)
    }

    async fn delete(
        &self,
        home_id: Uuid,
        list_id: Uuid,
        expected_version: Option<i64>,
        meta: WriteMeta,
    ) -> Result<Mutation<GroceryList>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let Some(current) = load_list(c, home_id, list_id).await? else {
                return Ok(Mutation::Missing);
            };
            if current.is_default {
                return Err(RepoError::Conflict(DEFAULT_LIST_CONFLICT.to_owned()).into());
            }
            if expected_version.is_some_and(|v| v != current.version) {
                return Ok(Mutation::Stale(current));
            }
            // Its entries go with it (ON DELETE CASCADE).
            diesel::delete(grocery_lists::table.find(list_id.to_string()))
                .execute(c)
                .await?;
            log_list(
                c,
                events::LIST_DELETED,
                &current,
                json!({ "deleted": true }),
                meta,
            )
            .await?;
            Ok(Mutation::Applied(current))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn reorder(
        &self,
        home_id: Uuid,
        ids: &[Uuid],
        meta: WriteMeta,
    ) -> Result<Mutation<Vec<GroceryList>>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            let current = home_lists(c, home_id).await?;
            if ids.iter().any(|id| !current.iter().any(|l| l.id == *id)) {
                return Ok(Mutation::Missing);
            }
            let rest = current.iter().filter(|l| !ids.contains(&l.id));
            let order: Vec<&GroceryList> = ids
                .iter()
                .filter_map(|id| current.iter().find(|l| l.id == *id))
                .chain(rest)
                .collect();
            // Positions start at 1: lists created later (position 0) show above them.
            for (index, list) in order.iter().enumerate() {
                let position = i32::try_from(index + 1).unwrap_or(i32::MAX);
                if list.position != position {
                    diesel::update(grocery_lists::table.find(list.id.to_string()))
                        .set(grocery_lists::position.eq(position))
                        .execute(c)
                        .await?;
                }
            }
            let ids: Vec<Uuid> = order.iter().map(|l| l.id).collect();
            append_event(
                c,
                &NewHomeEvent {
                    home_id,
                    kind: events::LIST_REORDERED.to_owned(),
                    entity_id: None,
                    payload: json!({ "ids": ids }),
                    actor: meta.actor,
                    at: meta.at,
                },
            )
            .await?;
            Ok(Mutation::Applied(home_lists(c, home_id).await?))
        })
        .await
        .map_err(RepoError::from)
    }
}

/// The home's lists in display order: default first, then active ones, then by position,
/// newest first among equals.
async fn home_lists(c: &mut AnyConnection, home_id: Uuid) -> Result<Vec<GroceryList>, TxError> {
    let rows: Vec<ListRow> = grocery_lists::table
        .filter(grocery_lists::home_id.eq(home_id.to_string()))
        .order((
            grocery_lists::is_default.desc(),
            grocery_lists::is_active.desc(),
            grocery_lists::position.asc(),
            grocery_lists::created_at.desc(),
            grocery_lists::id.desc(),
        ))
        .select(LIST_COLUMNS)
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(ListRow::into_list)
        .collect::<Result<_, _>>()?)
}

/// The lists with their entries and completion figures, in the same order.
async fn with_items(
    c: &mut AnyConnection,
    lists: Vec<GroceryList>,
) -> Result<Vec<GroceryListWithItems>, TxError> {
    let ids: Vec<Uuid> = lists.iter().map(|l| l.id).collect();
    let mut by_list: HashMap<Uuid, Vec<_>> = HashMap::new();
    for entry in entries_with_items(c, &ids).await? {
        by_list.entry(entry.entry.list_id).or_default().push(entry);
    }
    Ok(lists
        .into_iter()
        .map(|list| {
            let entries = by_list.remove(&list.id).unwrap_or_default();
            GroceryListWithItems::new(list, entries)
        })
        .collect())
}

/// One list of the home, inside or outside a transaction.
pub(crate) async fn load_list(
    c: &mut AnyConnection,
    home_id: Uuid,
    list_id: Uuid,
) -> Result<Option<GroceryList>, TxError> {
    let row: Option<ListRow> = grocery_lists::table
        .filter(grocery_lists::id.eq(list_id.to_string()))
        .filter(grocery_lists::home_id.eq(home_id.to_string()))
        .select(LIST_COLUMNS)
        .first(c)
        .await
        .optional()?;
    Ok(row.map(ListRow::into_list).transpose()?)
}

/// The home's default list, created when missing; run in a transaction that has locked the
/// home.
pub(crate) async fn default_list_locked(
    c: &mut AnyConnection,
    home_id: Uuid,
    meta: WriteMeta,
) -> Result<GroceryList, TxError> {
    if let Some(list) = find_default(c, home_id).await? {
        return Ok(list);
    }
    let list = NewList::named(DEFAULT_LIST_NAME.to_owned());
    insert_list(c, home_id, &list, true, None, meta).await
}

async fn find_default(
    c: &mut AnyConnection,
    home_id: Uuid,
) -> Result<Option<GroceryList>, TxError> {
    let row: Option<ListRow> = grocery_lists::table
        .filter(grocery_lists::home_id.eq(home_id.to_string()))
        .filter(grocery_lists::is_default.eq(true))
        .select(LIST_COLUMNS)
        .first(c)
        .await
        .optional()?;
    Ok(row.map(ListRow::into_list).transpose()?)
}

/// Lists of the home whose scheduled reset is at or before `meta.at`.
async fn due_lists(
    c: &mut AnyConnection,
    home_id: Uuid,
    meta: WriteMeta,
) -> Result<Vec<GroceryList>, TxError> {
    let rows: Vec<ListRow> = grocery_lists::table
        .filter(grocery_lists::home_id.eq(home_id.to_string()))
        .filter(grocery_lists::next_reset_at.le(meta.at.naive_utc()))
        .order((grocery_lists::next_reset_at.asc(), grocery_lists::id.asc()))
        .select(LIST_COLUMNS)
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(ListRow::into_list)
        .collect::<Result<_, _>>()?)
}

/// The pantry items of the home among `ids`, by id.
async fn home_items(
    c: &mut AnyConnection,
    home_id: Uuid,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, PantryItem>, TxError> {
    let keys: Vec<String> = ids.map(|id| id.to_string()).collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<ItemRow> = items::table
        .filter(items::home_id.eq(home_id.to_string()))
        .filter(items::id.eq_any(&keys))
        .select(ITEM_COLUMNS)
        .load(c)
        .await?;
    rows.into_iter()
        .map(|row| {
            let item = row.into_item()?;
            Ok((item.id, item))
        })
        .collect()
}

/// The home's time zone, in which schedules are computed.
async fn home_zone(c: &mut AnyConnection, home_id: Uuid) -> Result<Tz, TxError> {
    let name: String = homes::table
        .find(home_id.to_string())
        .select(homes::timezone)
        .get_result(c)
        .await?;
    Ok(schedule::zone(&name))
}

/// Inserts a list (position 0: new lists show first among equals) with its `list.created`
/// event; run in a transaction.
async fn insert_list(
    c: &mut AnyConnection,
    home_id: Uuid,
    list: &NewList,
    is_default: bool,
    estimated_cost_minor: Option<i64>,
    meta: WriteMeta,
) -> Result<GroceryList, TxError> {
    let next_reset_at = match list.schedule() {
        Some(rule) => rule.next_reset(meta.at, home_zone(c, home_id).await?),
        None => None,
    };
    let at = meta.at.naive_utc();
    let row: ListRow = diesel::insert_into(grocery_lists::table)
        .values((
            (
                grocery_lists::id.eq(list.id.to_string()),
                grocery_lists::home_id.eq(home_id.to_string()),
                grocery_lists::name.eq(&list.name),
                grocery_lists::description.eq(list.description.as_deref()),
                grocery_lists::is_default.eq(is_default),
                grocery_lists::total_budget_minor.eq(list.total_budget_minor),
                grocery_lists::estimated_cost_minor.eq(estimated_cost_minor),
            ),
            (
                grocery_lists::recurring_schedule.eq(list.recurring_schedule.map(|s| s.as_str())),
                grocery_lists::schedule_day_of_week.eq(list.schedule_day_of_week.map(i32::from)),
                grocery_lists::schedule_day_of_month.eq(list.schedule_day_of_month.map(i32::from)),
                grocery_lists::next_reset_at.eq(next_reset_at.map(|t| t.naive_utc())),
                grocery_lists::created_at.eq(at),
                grocery_lists::updated_at.eq(at),
            ),
        ))
        .returning(LIST_COLUMNS)
        .get_result(c)
        .await?;
    let created = row.into_list()?;
    log_list(c, events::LIST_CREATED, &created, json!({}), meta).await?;
    Ok(created)
}

/// A new round of `list`: entries un-ticked, round counted, next reset recomputed from now,
/// the list active again; with its `list.reset` event. Run in a transaction.
async fn reset_list(
    c: &mut AnyConnection,
    list: &GroceryList,
    zone: Tz,
    meta: WriteMeta,
) -> Result<GroceryList, TxError> {
    use crate::schema::list_items;
    let at = meta.at.naive_utc();
    let key = list.id.to_string();
    let ticked: Vec<String> = list_items::table
        .filter(list_items::list_id.eq(&key))
        .filter(list_items::is_completed.eq(true))
        .order((list_items::position.asc(), list_items::id.asc()))
        .select(list_items::id)
        .load(c)
        .await?;
    if !ticked.is_empty() {
        diesel::update(
            list_items::table
                .filter(list_items::list_id.eq(&key))
                .filter(list_items::is_completed.eq(true)),
        )
        .set((
            list_items::is_completed.eq(false),
            list_items::completed_at.eq(None::<NaiveDateTime>),
            list_items::version.eq(list_items::version + 1),
            list_items::updated_at.eq(at),
        ))
        .execute(c)
        .await?;
    }
    let next = list
        .schedule()
        .and_then(|rule| rule.next_reset(meta.at, zone));
    let row: ListRow = diesel::update(grocery_lists::table.find(&key))
        .set((
            grocery_lists::round_number.eq(grocery_lists::round_number + 1),
            grocery_lists::last_reset_at.eq(Some(at)),
            grocery_lists::next_reset_at.eq(next.map(|t| t.naive_utc())),
            grocery_lists::is_active.eq(true),
            grocery_lists::completed_at.eq(None::<NaiveDateTime>),
            grocery_lists::version.eq(grocery_lists::version + 1),
            grocery_lists::updated_at.eq(at),
        ))
        .returning(LIST_COLUMNS)
        .get_result(c)
        .await?;
    let reset = row.into_list()?;
    log_list(
        c,
        events::LIST_RESET,
        &reset,
        json!({ "uncompletedItemIds": ticked }),
        meta,
    )
    .await?;
    Ok(reset)
}

/// Sets the list's estimated cost from its entries; run in the transaction that changed them.
pub(crate) async fn refresh_cost(
    c: &mut AnyConnection,
    list_id: Uuid,
    meta: WriteMeta,
) -> Result<(), TxError> {
    use crate::schema::list_items;
    let key = list_id.to_string();
    let lines: Vec<(Option<i64>, i64)> = list_items::table
        .filter(list_items::list_id.eq(&key))
        .select((
            list_items::estimated_price_minor,
            list_items::quantity_milli,
        ))
        .load(c)
        .await?;
    diesel::update(grocery_lists::table.find(&key))
        .set((
            grocery_lists::estimated_cost_minor.eq(estimated_cost_minor(lines)),
            grocery_lists::updated_at.eq(meta.at.naive_utc()),
        ))
        .execute(c)
        .await?;
    Ok(())
}

/// Appends a list event whose payload is the list as sent to clients, plus `extra`'s keys.
async fn log_list(
    c: &mut AnyConnection,
    kind: &str,
    list: &GroceryList,
    extra: Value,
    meta: WriteMeta,
) -> Result<(), TxError> {
    let mut payload = serde_json::to_value(list)
        .map_err(|e| RepoError::Storage(format!("list not serialisable: {e}")))?;
    if let (Value::Object(map), Value::Object(more)) = (&mut payload, extra) {
        map.extend(more);
    }
    append_event(
        c,
        &NewHomeEvent {
            home_id: list.home_id,
            kind: kind.to_owned(),
            entity_id: Some(list.id),
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
#[diesel(table_name = grocery_lists)]
struct ListChanges<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
    total_budget_minor: Option<Option<i64>>,
    recurring_schedule: Option<Option<&'static str>>,
    schedule_day_of_week: Option<Option<i32>>,
    schedule_day_of_month: Option<Option<i32>>,
    next_reset_at: Option<Option<NaiveDateTime>>,
}

type ListColumns = (
    (
        grocery_lists::id,
        grocery_lists::home_id,
        grocery_lists::name,
        grocery_lists::description,
        grocery_lists::is_active,
        grocery_lists::is_default,
        grocery_lists::completed_at,
        grocery_lists::total_budget_minor,
        grocery_lists::estimated_cost_minor,
        grocery_lists::recurring_schedule,
    ),
    (
        grocery_lists::schedule_day_of_week,
        grocery_lists::schedule_day_of_month,
        grocery_lists::next_reset_at,
        grocery_lists::last_reset_at,
        grocery_lists::round_number,
        grocery_lists::position,
        grocery_lists::version,
        grocery_lists::created_at,
        grocery_lists::updated_at,
    ),
);

/// Column order of [`ListRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const LIST_COLUMNS: ListColumns = (
    (
        grocery_lists::id,
        grocery_lists::home_id,
        grocery_lists::name,
        grocery_lists::description,
        grocery_lists::is_active,
        grocery_lists::is_default,
        grocery_lists::completed_at,
        grocery_lists::total_budget_minor,
        grocery_lists::estimated_cost_minor,
        grocery_lists::recurring_schedule,
    ),
    (
        grocery_lists::schedule_day_of_week,
        grocery_lists::schedule_day_of_month,
        grocery_lists::next_reset_at,
        grocery_lists::last_reset_at,
        grocery_lists::round_number,
        grocery_lists::position,
        grocery_lists::version,
        grocery_lists::created_at,
        grocery_lists::updated_at,
    ),
);

#[derive(Queryable)]
struct ListRow {
    head: ListHead,
    tail: ListTail,
}

#[derive(Queryable)]
struct ListHead {
    id: String,
    home_id: String,
    name: String,
    description: Option<String>,
    is_active: bool,
    is_default: bool,
    completed_at: Option<NaiveDateTime>,
    total_budget_minor: Option<i64>,
    estimated_cost_minor: Option<i64>,
    recurring_schedule: Option<String>,
}

#[derive(Queryable)]
struct ListTail {
    schedule_day_of_week: Option<i32>,
    schedule_day_of_month: Option<i32>,
    next_reset_at: Option<NaiveDateTime>,
    last_reset_at: Option<NaiveDateTime>,
    round_number: i32,
    position: i32,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn bad(column: &str, id: &str, value: &str) -> RepoError {
    RepoError::Storage(format!(
        "grocery_lists.{column} of {id}: unknown value {value:?}"
    ))
}

impl ListRow {
    fn into_list(self) -> Result<GroceryList, RepoError> {
        let (h, t) = (self.head, self.tail);
        let day = |column: &str, value: Option<i32>, range: std::ops::RangeInclusive<u8>| {
            value
                .map(|d| {
                    u8::try_from(d)
                        .ok()
                        .filter(|d| range.contains(d))
                        .ok_or_else(|| bad(column, &h.id, &d.to_string()))
                })
                .transpose()
        };
        Ok(GroceryList {
            id: parse_stored_id("grocery_lists", "id", &h.id)?,
            home_id: parse_stored_id("grocery_lists", "home_id", &h.home_id)?,
            recurring_schedule: h
                .recurring_schedule
                .as_deref()
                .map(|s| ListSchedule::parse(s).ok_or_else(|| bad("recurring_schedule", &h.id, s)))
                .transpose()?,
            schedule_day_of_week: day("schedule_day_of_week", t.schedule_day_of_week, 0..=6)?,
            schedule_day_of_month: day("schedule_day_of_month", t.schedule_day_of_month, 1..=31)?,
            name: h.name,
            description: h.description,
            is_active: h.is_active,
            is_default: h.is_default,
            completed_at: h.completed_at.map(|t| t.and_utc()),
            total_budget_minor: h.total_budget_minor,
            estimated_cost_minor: h.estimated_cost_minor,
            next_reset_at: t.next_reset_at.map(|t| t.and_utc()),
            last_reset_at: t.last_reset_at.map(|t| t.and_utc()),
            round_number: t.round_number,
            position: t.position,
            version: t.version,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        })
    }
}
