//! Scheduled jobs' storage ([`JobStore`]): the due work across homes, and each unit of work
//! in one transaction that locks the home and re-checks that it is still due, so with several
//! replicas every unit happens once and a replica that dies mid-way leaves nothing half-done.

use crate::chat::insert_message;
use crate::connection::AnyConnection;
use crate::error::{TxError, to_repo_error};
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::items::load_item;
use crate::list_items::put_on_list;
use crate::lists::{default_list_locked, refresh_cost};
use crate::notifications::insert_notice;
use crate::pool::Database;
use crate::schema::{
    chat_threads, grocery_lists, homes, items, job_claims, list_items, memberships, notifications,
    usage_events, users,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::ids::new_id;
use pantry_core::items::item::{RecurringInterval, WriteMeta, events};
use pantry_core::lists::entry::NewListItem;
use pantry_core::notifications::NewNotice;
use pantry_core::pixie::thread::{ChatMessage, ChatRole};
use pantry_core::repo_error::RepoError;
use pantry_core::scheduler::digest;
use pantry_core::scheduler::store::{
    ExpiringItem, HomeZone, JobClaim, JobStore, RecurringItem, Restocked, WeekFacts,
};
use std::time::Duration;
use uuid::Uuid;

/// The claimed job of a recurring restock.
const RESTOCK_JOB: &str = "recurring_restock";
/// How many names a digest lists at most.
const DIGEST_NAMES: i64 = 8;

/// [`JobStore`] over the database.
#[derive(Clone)]
pub struct StoreJobs {
    db: Database,
}

impl StoreJobs {
    /// The job store over `db`.
    pub fn new(db: Database) -> Self {
        StoreJobs { db }
    }
}

type RecurringRow = (
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    NaiveDateTime,
    String,
);

/// What a [`RecurringRow`] is read from (items joined with their home), for the round's scan
/// and the restock's re-check alike.
const RECURRING_COLUMNS: (
    items::id,
    items::home_id,
    items::name,
    items::recurring_interval,
    items::recurring_last_added_at,
    items::date_added,
    homes::timezone,
) = (
    items::id,
    items::home_id,
    items::name,
    items::recurring_interval,
    items::recurring_last_added_at,
    items::date_added,
    homes::timezone,
);

fn recurring_item(row: RecurringRow) -> Result<Option<RecurringItem>, RepoError> {
    let (item_id, home_id, name, interval, last_added, date_added, timezone) = row;
    let Some(interval) = interval.as_deref().and_then(RecurringInterval::parse) else {
        return Ok(None);
    };
    Ok(Some(RecurringItem {
        home_id: parse_stored_id("items", "home_id", &home_id)?,
        item_id: parse_stored_id("items", "id", &item_id)?,
        name,
        interval,
        since: last_added.unwrap_or(date_added).and_utc(),
        timezone,
    }))
}

#[async_trait]
impl JobStore for StoreJobs {
    async fn recurring_items(&self) -> Result<Vec<RecurringItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<RecurringRow> = items::table
            .inner_join(homes::table)
            .filter(items::is_recurring.eq(true))
            .filter(items::recurring_interval.is_not_null())
            .select(RECURRING_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.extend(recurring_item(row)?);
        }
        Ok(found)
    }

    async fn restock(
        &self,
        item: &RecurringItem,
        window: &str,
        replica: &str,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Restocked, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, item.home_id).await?;
            // Still the recurring item that was read? Another replica's restock moved `since`.
            let row: Option<RecurringRow> = items::table
                .inner_join(homes::table)
                .filter(items::id.eq(item.item_id.to_string()))
                .filter(items::home_id.eq(item.home_id.to_string()))
                .filter(items::is_recurring.eq(true))
                .select(RECURRING_COLUMNS)
                .first(c)
                .await
                .optional()?;
            let current = match row.map(recurring_item).transpose()? {
                Some(Some(current)) => current,
                _ => return Ok(Restocked::NotDue),
            };
            if current.since != item.since || current.interval != item.interval {
                return Ok(Restocked::NotDue);
            }
            let claim = JobClaim {
                job: RESTOCK_JOB.to_owned(),
                scope: item.item_id.to_string(),
                window: window.to_owned(),
                replica: replica.to_owned(),
            };
            if !insert_claim(c, &claim, meta.at, true).await? {
                return Ok(Restocked::NotDue);
            }
            let list = default_list_locked(c, item.home_id, meta).await?;
            let open: i64 = list_items::table
                .filter(list_items::list_id.eq(list.id.to_string()))
                .filter(list_items::item_id.eq(item.item_id.to_string()))
                .filter(list_items::is_completed.eq(false))
                .count()
                .get_result(c)
                .await?;
            let outcome = if open > 0 {
                Restocked::AlreadyOnList
            } else {
                let Some(pantry_item) = load_item(c, item.home_id, item.item_id).await? else {
                    return Ok(Restocked::NotDue);
                };
                let mut entry = NewListItem::of(item.item_id);
                entry.notes = Some(format!("Auto-added ({} staple)", item.interval.as_str()));
                put_on_list(c, list.id, &pantry_item, &entry, meta).await?;
                refresh_cost(c, list.id, meta).await?;
                insert_once(c, item.home_id, notice, meta).await?;
                Restocked::Added
            };
            // The interval restarts now, whether it was added or already there.
            diesel::update(items::table.find(item.item_id.to_string()))
                .set(items::recurring_last_added_at.eq(meta.at.naive_utc()))
                .execute(c)
                .await?;
            Ok(outcome)
        })
        .await
        .map_err(RepoError::from)
    }

    async fn homes_with_due_lists(&self, now: DateTime<Utc>) -> Result<Vec<Uuid>, RepoError> {
        let mut conn = self.db.conn().await?;
        let ids: Vec<String> = grocery_lists::table
            .filter(grocery_lists::next_reset_at.le(now.naive_utc()))
            .select(grocery_lists::home_id)
            .distinct()
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        ids.iter()
            .map(|id| parse_stored_id("grocery_lists", "home_id", id))
            .collect()
    }

    async fn expiring_items(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ExpiringItem>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(String, String, String, Option<NaiveDateTime>, String)> = items::table
            .inner_join(homes::table)
            .filter(items::quantity_milli.gt(0))
            .filter(items::expires_at.ge(from.naive_utc()))
            .filter(items::expires_at.le(to.naive_utc()))
            .order((items::expires_at.asc(), items::id.asc()))
            .select((
                items::id,
                items::home_id,
                items::name,
                items::expires_at,
                homes::timezone,
            ))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        let mut found = Vec::with_capacity(rows.len());
        for (id, home_id, name, expires_at, timezone) in rows {
            let Some(expires_at) = expires_at else {
                continue;
            };
            found.push(ExpiringItem {
                home_id: parse_stored_id("items", "home_id", &home_id)?,
                item_id: parse_stored_id("items", "id", &id)?,
                name,
                expires_at: expires_at.and_utc(),
                timezone,
            });
        }
        Ok(found)
    }

    async fn notify_once(
        &self,
        home_id: Uuid,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<bool, RepoError> {
        let mut conn = self.db.conn().await?;
        if let Some(key) = notice.once_key.as_deref()
            && once_key_taken(&mut conn, home_id, key).await?
        {
            // The common case on every tick after the first: no transaction, no lock.
            return Ok(false);
        }
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            insert_once(c, home_id, notice, meta).await
        })
        .await
        .map_err(RepoError::from)
    }

    async fn homes(&self) -> Result<Vec<HomeZone>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<(String, String)> = homes::table
            .select((homes::id, homes::timezone))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter()
            .map(|(id, timezone)| {
                Ok(HomeZone {
                    home_id: parse_stored_id("homes", "id", &id)?,
                    timezone,
                })
            })
            .collect()
    }

    async fn claim(
        &self,
        claim: &JobClaim,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError> {
        let mut conn = self.db.conn().await?;
        if insert_claim(&mut conn, claim, now, false)
            .await
            .map_err(RepoError::from)?
        {
            return Ok(true);
        }
        // Taken: take it over only from a replica whose lease ran out before completing it.
        let expired = now
            - chrono::Duration::from_std(lease).map_err(|e| RepoError::Storage(e.to_string()))?;
        let taken = diesel::update(
            job_claims::table
                .filter(job_claims::job.eq(&claim.job))
                .filter(job_claims::scope_key.eq(&claim.scope))
                .filter(job_claims::window_key.eq(&claim.window))
                .filter(job_claims::completed_at.is_null())
                .filter(job_claims::claimed_at.lt(expired.naive_utc())),
        )
        .set((
            job_claims::claimed_by.eq(&claim.replica),
            job_claims::claimed_at.eq(now.naive_utc()),
        ))
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        Ok(taken == 1)
    }

    async fn week_facts(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WeekFacts, RepoError> {
        let home = home_id.to_string();
        let mut conn = self.db.conn().await?;
        let conn = &mut *conn;
        let members: Vec<String> = memberships::table
            .inner_join(users::table)
            .filter(memberships::home_id.eq(&home))
            .order((memberships::joined_at.asc(), memberships::id.asc()))
            .select(users::name)
            .load(conn)
            .await
            .map_err(to_repo_error)?;
        let count_of = |action: &'static str| {
            usage_events::table
                .filter(usage_events::home_id.eq(home.clone()))
                .filter(usage_events::action.eq(action))
                .filter(usage_events::created_at.ge(since.naive_utc()))
                .filter(usage_events::created_at.le(now.naive_utc()))
                .count()
        };
        let added: i64 = count_of(events::usage::ADDED)
            .get_result(conn)
            .await
            .map_err(to_repo_error)?;
        let used_up: i64 = count_of(events::usage::USED_UP)
            .get_result(conn)
            .await
            .map_err(to_repo_error)?;
        let expiring: Vec<String> = items::table
            .filter(items::home_id.eq(&home))
            .filter(items::quantity_milli.gt(0))
            .filter(
                items::expires_at.ge((now - pantry_core::scheduler::expiry::BEHIND).naive_utc()),
            )
            .filter(items::expires_at.le((now + pantry_core::scheduler::expiry::AHEAD).naive_utc()))
            .order((items::expires_at.asc(), items::id.asc()))
            .select(items::name)
            .limit(DIGEST_NAMES)
            .load(conn)
            .await
            .map_err(to_repo_error)?;
        let staples: Vec<String> = items::table
            .filter(items::home_id.eq(&home))
            .filter(items::is_recurring.eq(true))
            .order((items::name_normalized.asc(), items::id.asc()))
            .select(items::name)
            .limit(DIGEST_NAMES)
            .load(conn)
            .await
            .map_err(to_repo_error)?;
        Ok(WeekFacts {
            members,
            added: u32::try_from(added).unwrap_or(u32::MAX),
            used_up: u32::try_from(used_up).unwrap_or(u32::MAX),
            expiring,
            staples,
        })
    }

    async fn post_digest(
        &self,
        claim: &JobClaim,
        home_id: Uuid,
        text: &str,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Option<Uuid>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            // Completing the claim is the proof it is still ours: a replica that took it over
            // (our lease ran out) made this match nothing.
            let completed = diesel::update(
                job_claims::table
                    .filter(job_claims::job.eq(&claim.job))
                    .filter(job_claims::scope_key.eq(&claim.scope))
                    .filter(job_claims::window_key.eq(&claim.window))
                    .filter(job_claims::claimed_by.eq(&claim.replica))
                    .filter(job_claims::completed_at.is_null()),
            )
            .set(job_claims::completed_at.eq(meta.at.naive_utc()))
            .execute(c)
            .await?;
            if completed == 0 {
                return Ok(None);
            }
            let thread_id = digest_thread(c, home_id, meta).await?;
            let message = ChatMessage {
                id: new_id(),
                thread_id,
                user_id: None,
                role: ChatRole::Assistant,
                content: text.to_owned(),
                intent: Some("sunday_sync".to_owned()),
                tool_calls: None,
                ui: None,
                created_at: meta.at,
            };
            insert_message(c, home_id, &message).await?;
            let mut notice = notice.clone();
            notice.ref_id = Some(thread_id.to_string());
            insert_once(c, home_id, &notice, meta).await?;
            Ok(Some(thread_id))
        })
        .await
        .map_err(RepoError::from)
    }
}

/// The home's Sunday Sync thread, found by its purpose (members may rename it), created the
/// first time.
async fn digest_thread(
    c: &mut AnyConnection,
    home_id: Uuid,
    meta: WriteMeta,
) -> Result<Uuid, TxError> {
    let found: Option<String> = chat_threads::table
        .filter(chat_threads::home_id.eq(home_id.to_string()))
        .filter(chat_threads::purpose.eq(digest::THREAD_PURPOSE))
        .select(chat_threads::id)
        .first(c)
        .await
        .optional()?;
    if let Some(id) = found {
        return Ok(parse_stored_id("chat_threads", "id", &id)?);
    }
    let id = new_id();
    let at = meta.at.naive_utc();
    diesel::insert_into(chat_threads::table)
        .values((
            chat_threads::id.eq(id.to_string()),
            chat_threads::home_id.eq(home_id.to_string()),
            chat_threads::title.eq(Some(digest::THREAD_TITLE)),
            chat_threads::created_by.eq(None::<String>),
            chat_threads::created_at.eq(at),
            chat_threads::updated_at.eq(at),
            chat_threads::purpose.eq(Some(digest::THREAD_PURPOSE)),
        ))
        .execute(c)
        .await?;
    Ok(id)
}

/// Inserts the claim row unless it exists; true when this call inserted it. `completed`
/// records it as done at once (work done in the same transaction).
async fn insert_claim(
    c: &mut AnyConnection,
    claim: &JobClaim,
    at: DateTime<Utc>,
    completed: bool,
) -> Result<bool, TxError> {
    let at = at.naive_utc();
    let done = completed.then_some(at);
    let inserted = crate::per_backend!(c, |c| {
        diesel::insert_into(job_claims::table)
            .values((
                job_claims::job.eq(&claim.job),
                job_claims::scope_key.eq(&claim.scope),
                job_claims::window_key.eq(&claim.window),
                job_claims::claimed_by.eq(&claim.replica),
                job_claims::claimed_at.eq(at),
                job_claims::completed_at.eq(done),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

async fn once_key_taken(
    c: &mut AnyConnection,
    home_id: Uuid,
    key: &str,
) -> Result<bool, RepoError> {
    let n: i64 = notifications::table
        .filter(notifications::home_id.eq(home_id.to_string()))
        .filter(notifications::once_key.eq(key))
        .count()
        .get_result(c)
        .await
        .map_err(to_repo_error)?;
    Ok(n > 0)
}

/// Creates the notice (and pushes it live) unless its once-key is taken in the home; true
/// when created. Run in a transaction that has locked the home.
async fn insert_once(
    c: &mut AnyConnection,
    home_id: Uuid,
    notice: &NewNotice,
    meta: WriteMeta,
) -> Result<bool, TxError> {
    Ok(insert_notice(c, home_id, notice, meta).await?.is_some())
}
