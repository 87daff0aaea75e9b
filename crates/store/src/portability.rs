//! Export and import of a whole home, each in one database transaction (a consistent snapshot
//! out; all-or-nothing in).

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::TxError;
use crate::homes::insert_owned_home;
use crate::items::{ITEM_COLUMNS, ItemRow};
use crate::pool::Database;
use crate::schema::{
    chat_messages, chat_threads, grocery_lists, homes, items, list_items, memberships, users,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::{Actor, NewHomeEvent};
use pantry_core::homes::home::{Home, HomeRepository, NewHome};
use pantry_core::homes::role::Role;
use pantry_core::ids::new_id;
use pantry_core::items::item::normalize_name;
use pantry_core::lists::list::estimated_cost_minor;
use pantry_core::portability::{
    ExportedHome, ExportedItem, ExportedList, ExportedListItem, ExportedMember, ExportedMessage,
    ExportedThread, FORMAT, HomeExport, PortabilityRepository, VERSION,
};
use pantry_core::repo_error::RepoError;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// [`PortabilityRepository`] over the database.
#[derive(Debug, Clone)]
pub struct StorePortability {
    db: Database,
}

impl StorePortability {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StorePortability { db }
    }
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn json_column(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

type ListTuple = (
    (
        String,
        String,
        Option<String>,
        bool,
        bool,
        Option<NaiveDateTime>,
        Option<i64>,
        Option<String>,
    ),
    (
        Option<i32>,
        Option<i32>,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        i32,
        i32,
        NaiveDateTime,
    ),
);

/// name, description, timezone, currency, budget, household size, dietary JSON.
type HomeTuple = (
    String,
    Option<String>,
    String,
    String,
    Option<i64>,
    Option<i32>,
    String,
);

type MessageTuple = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

async fn read_export(
    c: &mut AnyConnection,
    home_id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<HomeExport>, TxError> {
    let hid = home_id.to_string();
    let home: Option<HomeTuple> = homes::table
        .find(&hid)
        .select((
            homes::name,
            homes::description,
            homes::timezone,
            homes::currency,
            homes::monthly_budget_minor,
            homes::household_size,
            homes::shared_dietary_restrictions,
        ))
        .first(c)
        .await
        .optional()?;
    let Some((name, description, timezone, currency, budget, size, dietary)) = home else {
        return Ok(None);
    };
    let members: Vec<(String, String, NaiveDateTime)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::home_id.eq(&hid))
        .order((memberships::joined_at.asc(), memberships::id.asc()))
        .select((users::name, memberships::role, memberships::joined_at))
        .load(c)
        .await?;
    let item_rows: Vec<ItemRow> = items::table
        .filter(items::home_id.eq(&hid))
        .order((items::date_added.asc(), items::id.asc()))
        .select(ITEM_COLUMNS)
        .load(c)
        .await?;
    let list_rows: Vec<ListTuple> = grocery_lists::table
        .filter(grocery_lists::home_id.eq(&hid))
        .order((
            grocery_lists::position.asc(),
            grocery_lists::created_at.asc(),
            grocery_lists::id.asc(),
        ))
        .select((
            (
                grocery_lists::id,
                grocery_lists::name,
                grocery_lists::description,
                grocery_lists::is_active,
                grocery_lists::is_default,
                grocery_lists::completed_at,
                grocery_lists::total_budget_minor,
                grocery_lists::recurring_schedule,
            ),
            (
                grocery_lists::schedule_day_of_week,
                grocery_lists::schedule_day_of_month,
                grocery_lists::next_reset_at,
                grocery_lists::last_reset_at,
                grocery_lists::round_number,
                grocery_lists::position,
                grocery_lists::created_at,
            ),
        ))
        .load(c)
        .await?;
    let list_ids: Vec<&str> = list_rows.iter().map(|(a, _)| a.0.as_str()).collect();
    #[allow(clippy::type_complexity)]
    let entries: Vec<(
        String,
        String,
        i64,
        bool,
        Option<NaiveDateTime>,
        Option<String>,
        Option<i64>,
        i32,
        NaiveDateTime,
    )> = list_items::table
        .filter(list_items::list_id.eq_any(&list_ids))
        .order((
            list_items::position.asc(),
            list_items::added_at.asc(),
            list_items::id.asc(),
        ))
        .select((
            list_items::list_id,
            list_items::item_id,
            list_items::quantity_milli,
            list_items::is_completed,
            list_items::completed_at,
            list_items::notes,
            list_items::estimated_price_minor,
            list_items::position,
            list_items::added_at,
        ))
        .load(c)
        .await?;
    let threads: Vec<(String, Option<String>, NaiveDateTime, NaiveDateTime)> = chat_threads::table
        .filter(chat_threads::home_id.eq(&hid))
        .order((chat_threads::created_at.asc(), chat_threads::id.asc()))
        .select((
            chat_threads::id,
            chat_threads::title,
            chat_threads::created_at,
            chat_threads::updated_at,
        ))
        .load(c)
        .await?;
    let thread_ids: Vec<&str> = threads.iter().map(|t| t.0.as_str()).collect();
    let messages: Vec<MessageTuple> = chat_messages::table
        .filter(chat_messages::thread_id.eq_any(&thread_ids))
        .order((chat_messages::created_at.asc(), chat_messages::id.asc()))
        .select((
            chat_messages::thread_id,
            chat_messages::role,
            chat_messages::content,
            chat_messages::intent,
            chat_messages::tool_calls,
            chat_messages::ui,
            chat_messages::metadata,
            chat_messages::user_id,
            chat_messages::created_at,
        ))
        .load(c)
        .await?;
    let authors: Vec<&str> = messages.iter().filter_map(|m| m.7.as_deref()).collect();
    let names: HashMap<String, String> = users::table
        .filter(users::id.eq_any(&authors))
        .select((users::id, users::name))
        .load::<(String, String)>(c)
        .await?
        .into_iter()
        .collect();

    let mut entries_by_list: HashMap<String, Vec<ExportedListItem>> = HashMap::new();
    for (list_id, item_id, qty, done, done_at, notes, price, position, added) in entries {
        entries_by_list
            .entry(list_id)
            .or_default()
            .push(ExportedListItem {
                item_id: crate::ids::parse_stored_id("list_items", "item_id", &item_id)?,
                quantity_milli: qty,
                is_completed: done,
                completed_at: done_at.map(utc),
                notes,
                estimated_price_minor: price,
                position,
                added_at: utc(added),
            });
    }
    let mut messages_by_thread: HashMap<String, Vec<ExportedMessage>> = HashMap::new();
    for (thread_id, role, content, intent, tools, ui, metadata, user_id, created) in messages {
        // An author whose account is gone (or who came with an import) is kept by name.
        let author_name = user_id.and_then(|u| names.get(&u).cloned()).or_else(|| {
            json_column(metadata).and_then(|m| m["authorName"].as_str().map(str::to_owned))
        });
        messages_by_thread
            .entry(thread_id)
            .or_default()
            .push(ExportedMessage {
                role,
                content,
                intent,
                tool_calls: json_column(tools),
                ui: json_column(ui),
                author_name,
                created_at: utc(created),
            });
    }

    let parse_role = |r: &str| {
        Role::parse(r).ok_or_else(|| RepoError::Storage(format!("memberships.role: {r:?}")))
    };
    Ok(Some(HomeExport {
        format: FORMAT.to_owned(),
        version: VERSION,
        exported_at: at,
        home: ExportedHome {
            name,
            description,
            timezone,
            currency,
            monthly_budget_minor: budget,
            household_size: size,
            shared_dietary_restrictions: serde_json::from_str(&dietary).map_err(|e| {
                RepoError::Storage(format!("homes.shared_dietary_restrictions: {e}"))
            })?,
        },
        members: members
            .into_iter()
            .map(|(name, role, joined)| {
                Ok(ExportedMember {
                    name,
                    role: parse_role(&role)?,
                    joined_at: utc(joined),
                })
            })
            .collect::<Result<_, RepoError>>()?,
        items: item_rows
            .into_iter()
            .map(|row| {
                let i = row.into_item()?;
                Ok(ExportedItem {
                    id: i.id,
                    name: i.name,
                    description: i.description,
                    category: i.category,
                    quantity_milli: i.quantity.milli(),
                    unit: i.unit,
                    location: i.location,
                    expires_at: i.expires_at,
                    is_checked: i.is_checked,
                    is_recurring: i.is_recurring,
                    recurring_interval: i.recurring_interval,
                    price_minor: i.price_minor,
                    store: i.store,
                    notes: i.notes,
                    date_added: i.date_added,
                    last_updated: i.last_updated,
                })
            })
            .collect::<Result<_, RepoError>>()?,
        lists: list_rows
            .into_iter()
            .map(|(a, b)| ExportedList {
                items: entries_by_list.remove(&a.0).unwrap_or_default(),
                name: a.1,
                description: a.2,
                is_active: a.3,
                is_default: a.4,
                completed_at: a.5.map(utc),
                total_budget_minor: a.6,
                recurring_schedule: a.7,
                schedule_day_of_week: b.0,
                schedule_day_of_month: b.1,
                next_reset_at: b.2.map(utc),
                last_reset_at: b.3.map(utc),
                round_number: b.4,
                position: b.5,
                created_at: utc(b.6),
            })
            .collect(),
        threads: threads
            .into_iter()
            .map(|(id, title, created, updated)| ExportedThread {
                messages: messages_by_thread.remove(&id).unwrap_or_default(),
                title,
                created_at: utc(created),
                updated_at: utc(updated),
            })
            .collect(),
    }))
}

async fn write_import(
    c: &mut AnyConnection,
    owner: Uuid,
    doc: &HomeExport,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<Uuid, TxError> {
    let home_id = new_id();
    let hid = home_id.to_string();
    let h = &doc.home;
    insert_owned_home(
        c,
        &NewHome {
            id: home_id,
            name: h.name.clone(),
            owner_id: owner,
            membership_id: new_id(),
            at,
        },
    )
    .await?;
    let dietary = serde_json::to_string(&h.shared_dietary_restrictions)
        .map_err(|e| RepoError::Storage(e.to_string()))?;
    diesel::update(homes::table.find(&hid))
        .set((
            homes::description.eq(h.description.as_deref()),
            homes::timezone.eq(&h.timezone),
            homes::currency.eq(&h.currency),
            homes::monthly_budget_minor.eq(h.monthly_budget_minor),
            homes::household_size.eq(h.household_size),
            homes::shared_dietary_restrictions.eq(dietary),
        ))
        .execute(c)
        .await?;

    let mut item_ids: HashMap<Uuid, String> = HashMap::new();
    for i in &doc.items {
        let id = new_id().to_string();
        diesel::insert_into(items::table)
            .values((
                items::id.eq(&id),
                items::home_id.eq(&hid),
                items::name.eq(&i.name),
                items::name_normalized.eq(normalize_name(&i.name)),
                items::description.eq(i.description.as_deref()),
                items::category.eq(i.category.as_str()),
                items::quantity_milli.eq(i.quantity_milli),
                items::unit.eq(i.unit.as_str()),
                items::location.eq(i.location.as_deref()),
                items::expires_at.eq(i.expires_at.map(|t| t.naive_utc())),
                items::is_checked.eq(i.is_checked),
                items::is_recurring.eq(i.is_recurring),
                items::recurring_interval.eq(i.recurring_interval.map(|r| r.as_str())),
                items::price_minor.eq(i.price_minor),
                items::store.eq(i.store.as_deref()),
                items::notes.eq(i.notes.as_deref()),
                items::date_added.eq(i.date_added.naive_utc()),
                items::last_updated.eq(i.last_updated.naive_utc()),
            ))
            .execute(c)
            .await?;
        item_ids.insert(i.id, id);
    }
    for l in &doc.lists {
        let list_id = new_id().to_string();
        diesel::insert_into(grocery_lists::table)
            .values((
                grocery_lists::id.eq(&list_id),
                grocery_lists::home_id.eq(&hid),
                grocery_lists::name.eq(&l.name),
                grocery_lists::description.eq(l.description.as_deref()),
                grocery_lists::is_active.eq(l.is_active),
                grocery_lists::is_default.eq(l.is_default),
                grocery_lists::completed_at.eq(l.completed_at.map(|t| t.naive_utc())),
                grocery_lists::total_budget_minor.eq(l.total_budget_minor),
                grocery_lists::recurring_schedule.eq(l.recurring_schedule.as_deref()),
                grocery_lists::schedule_day_of_week.eq(l.schedule_day_of_week),
                grocery_lists::schedule_day_of_month.eq(l.schedule_day_of_month),
                grocery_lists::next_reset_at.eq(l.next_reset_at.map(|t| t.naive_utc())),
                grocery_lists::last_reset_at.eq(l.last_reset_at.map(|t| t.naive_utc())),
                grocery_lists::round_number.eq(l.round_number),
                grocery_lists::position.eq(l.position),
                grocery_lists::created_at.eq(l.created_at.naive_utc()),
                grocery_lists::updated_at.eq(at.naive_utc()),
            ))
            .execute(c)
            .await?;
        // The same figure every other write keeps (summed, then rounded once).
        let cost = estimated_cost_minor(
            l.items
                .iter()
                .map(|e| (e.estimated_price_minor, e.quantity_milli)),
        );
        for e in &l.items {
            let item_id = item_ids
                .get(&e.item_id)
                .ok_or_else(|| RepoError::Conflict("list entry names no item".to_owned()))?;
            diesel::insert_into(list_items::table)
                .values((
                    list_items::id.eq(new_id().to_string()),
                    list_items::list_id.eq(&list_id),
                    list_items::item_id.eq(item_id),
                    list_items::quantity_milli.eq(e.quantity_milli),
                    list_items::is_completed.eq(e.is_completed),
                    list_items::completed_at.eq(e.completed_at.map(|t| t.naive_utc())),
                    list_items::notes.eq(e.notes.as_deref()),
                    list_items::estimated_price_minor.eq(e.estimated_price_minor),
                    list_items::position.eq(e.position),
                    list_items::added_at.eq(e.added_at.naive_utc()),
                    list_items::updated_at.eq(at.naive_utc()),
                ))
                .execute(c)
                .await?;
        }
        diesel::update(grocery_lists::table.find(&list_id))
            .set(grocery_lists::estimated_cost_minor.eq(cost))
            .execute(c)
            .await?;
    }
    for t in &doc.threads {
        let thread_id = new_id().to_string();
        diesel::insert_into(chat_threads::table)
            .values((
                chat_threads::id.eq(&thread_id),
                chat_threads::home_id.eq(&hid),
                chat_threads::title.eq(t.title.as_deref()),
                chat_threads::created_at.eq(t.created_at.naive_utc()),
                chat_threads::updated_at.eq(t.updated_at.naive_utc()),
            ))
            .execute(c)
            .await?;
        for m in &t.messages {
            let to_text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
            let metadata = m
                .author_name
                .as_ref()
                .map(|name| json!({ "authorName": name }).to_string());
            diesel::insert_into(chat_messages::table)
                .values((
                    chat_messages::id.eq(new_id().to_string()),
                    chat_messages::thread_id.eq(&thread_id),
                    chat_messages::role.eq(&m.role),
                    chat_messages::content.eq(&m.content),
                    chat_messages::intent.eq(m.intent.as_deref()),
                    chat_messages::tool_calls.eq(to_text(&m.tool_calls)),
                    chat_messages::ui.eq(to_text(&m.ui)),
                    chat_messages::metadata.eq(metadata),
                    chat_messages::created_at.eq(m.created_at.naive_utc()),
                ))
                .execute(c)
                .await?;
        }
    }
    append_event(
        c,
        &NewHomeEvent {
            home_id,
            kind: "home.imported".to_owned(),
            entity_id: Some(home_id),
            payload: json!({
                "name": h.name,
                "items": doc.items.len(),
                "lists": doc.lists.len(),
                "threads": doc.threads.len(),
            }),
            actor,
            at,
        },
    )
    .await?;
    Ok(home_id)
}

#[async_trait]
impl PortabilityRepository for StorePortability {
    async fn export(
        &self,
        home_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<HomeExport>, RepoError> {
        let mut conn = self.db.conn().await?;
        // One transaction: a consistent snapshot even while the household keeps shopping.
        conn.transaction::<_, TxError, _>(async |c| read_export(c, home_id, at).await)
            .await
            .map_err(RepoError::from)
    }

    async fn import(
        &self,
        owner: Uuid,
        document: &HomeExport,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Home, RepoError> {
        let mut conn = self.db.conn().await?;
        let home_id = conn
            .transaction::<_, TxError, _>(async |c| {
                write_import(c, owner, document, actor, at).await
            })
            .await
            .map_err(RepoError::from)?;
        drop(conn);
        crate::StoreHomes::new(self.db.clone())
            .get(home_id)
            .await?
            .ok_or(RepoError::NotFound)
    }
}
