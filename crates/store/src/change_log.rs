//! The per-home change log: appending inside the caller's transaction, and reading it back.
//!
//! Sequence numbers come from `homes.last_seq`, bumped with `UPDATE … RETURNING` in the same
//! transaction as the change being logged. The update takes the home row's write lock on
//! PostgreSQL (and the database write lock on SQLite), so concurrent appends to one home
//! queue behind each other: seqs are gap-free and commit in order, and a rolled-back change
//! leaves neither an event nor a used-up number. Appends to different homes do not contend.
//! Each append also hints live updates that the home moved on (`change_signals.rs`).

use crate::change_signals::{CHANNEL, announce_sqlite_append};
use crate::connection::AnyConnection;
use crate::error::to_repo_error;
use crate::pool::Database;
use crate::schema::{home_events, homes};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{Query, QueryId};
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ActorKind, ChangeLogReader, HomeEvent, NewHomeEvent};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// Appends `ev` to its home's change log and returns it with its assigned `seq`.
///
/// Call it **inside the transaction** that makes the change, so both commit or neither
/// does. `RepoError::NotFound` when the home does not exist.
pub async fn append_event(
    conn: &mut AnyConnection,
    ev: &NewHomeEvent,
) -> Result<HomeEvent, RepoError> {
    let payload = serde_json::to_string(&ev.payload)
        .map_err(|err| RepoError::Storage(format!("event payload is not serialisable: {err}")))?;
    let row = NewEventRow {
        home_id: ev.home_id.to_string(),
        seq: 0,
        kind: ev.kind.clone(),
        entity_id: ev.entity_id.map(|id| id.to_string()),
        payload,
        actor_kind: ev.actor.kind.as_str().to_owned(),
        actor_user_id: ev.actor.user_id.map(|id| id.to_string()),
        created_at: ev.at.naive_utc(),
    };
    let seq = match conn {
        // One round trip: the seq bump, the insert and the NOTIFY in one statement, inside the
        // lock the bump takes. Every write pays for this append, and the home's lock is held
        // meanwhile.
        AnyConnection::Postgresql(c) => AppendOnPostgres(&row)
            .get_result::<i64>(c)
            .await
            .optional()
            .map_err(to_repo_error)?
            .ok_or(RepoError::NotFound)?,
        // In-process: three statements cost no network round trip.
        AnyConnection::Sqlite(_) => {
            let seq: i64 = diesel::update(homes::table.find(&row.home_id))
                .set(homes::last_seq.eq(homes::last_seq + 1))
                .returning(homes::last_seq)
                .get_result(conn)
                .await
                .map_err(to_repo_error)?;
            diesel::insert_into(home_events::table)
                .values(&NewEventRow {
                    seq,
                    home_id: row.home_id.clone(),
                    ..row
                })
                .execute(conn)
                .await
                .map_err(to_repo_error)?;
            // Live updates: the hint goes out before the commit (see `change_signals`).
            if let AnyConnection::Sqlite(c) = conn {
                announce_sqlite_append(c, &row.home_id, seq)
                    .await
                    .map_err(to_repo_error)?;
            }
            seq
        }
    };

    Ok(HomeEvent {
        home_id: ev.home_id,
        seq,
        kind: ev.kind.clone(),
        entity_id: ev.entity_id,
        payload: ev.payload.clone(),
        actor: ev.actor,
        at: ev.at,
    })
}

/// PostgreSQL's append in one statement: the seq bump, the insert and the live-update hint
/// (`pg_notify`, delivered by the server at commit and dropped on rollback) in a CTE,
/// answering the seq (no row when the home does not exist). A query type of its own rather
/// than `sql_query`, so that diesel caches it as a prepared statement: one round trip, not a
/// prepare and a run.
struct AppendOnPostgres<'a>(&'a NewEventRow);

impl QueryId for AppendOnPostgres<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for AppendOnPostgres<'_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<C> RunQueryDsl<C> for AppendOnPostgres<'_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for AppendOnPostgres<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Nullable, Text, Timestamp};
        let row = self.0;
        out.push_sql("WITH bumped AS (UPDATE homes SET last_seq = last_seq + 1 WHERE id = ");
        out.push_bind_param::<Text, _>(&row.home_id)?;
        out.push_sql(
            " RETURNING last_seq), ins AS (INSERT INTO home_events (home_id, seq, kind, entity_id, \
             payload, actor_kind, actor_user_id, created_at) SELECT ",
        );
        out.push_bind_param::<Text, _>(&row.home_id)?;
        out.push_sql(", bumped.last_seq, ");
        out.push_bind_param::<Text, _>(&row.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&row.entity_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.actor_kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&row.actor_user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&row.created_at)?;
        out.push_sql(" FROM bumped RETURNING home_id, seq) SELECT ins.seq FROM ins CROSS JOIN LATERAL (SELECT pg_notify('");
        out.push_sql(CHANNEL);
        out.push_sql("', ins.home_id || ':' || ins.seq::text) AS sent) AS hint");
        Ok(())
    }
}

/// [`ChangeLogReader`] over the database.
#[derive(Debug, Clone)]
pub struct StoreChangeLog {
    db: Database,
}

impl StoreChangeLog {
    /// A reader drawing connections from `db`.
    pub fn new(db: Database) -> StoreChangeLog {
        StoreChangeLog { db }
    }
}

#[async_trait]
impl ChangeLogReader for StoreChangeLog {
    async fn events_since(
        &self,
        home_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<HomeEvent>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<EventRow> = home_events::table
            .filter(home_events::home_id.eq(home_id.to_string()))
            .filter(home_events::seq.gt(after))
            .order(home_events::seq.asc())
            .limit(i64::from(limit))
            .select(EVENT_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(EventRow::into_event).collect()
    }

    async fn latest_seq(&self, home_id: Uuid) -> Result<i64, RepoError> {
        let mut conn = self.db.conn().await?;
        homes::table
            .find(home_id.to_string())
            .select(homes::last_seq)
            .get_result(&mut *conn)
            .await
            .map_err(to_repo_error)
    }
}

#[derive(Insertable)]
#[diesel(table_name = home_events)]
struct NewEventRow {
    home_id: String,
    seq: i64,
    kind: String,
    entity_id: Option<String>,
    payload: String,
    actor_kind: String,
    actor_user_id: Option<String>,
    created_at: NaiveDateTime,
}

/// Column order of [`EventRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
pub(crate) const EVENT_COLUMNS: (
    home_events::home_id,
    home_events::seq,
    home_events::kind,
    home_events::entity_id,
    home_events::payload,
    home_events::actor_kind,
    home_events::actor_user_id,
    home_events::created_at,
) = (
    home_events::home_id,
    home_events::seq,
    home_events::kind,
    home_events::entity_id,
    home_events::payload,
    home_events::actor_kind,
    home_events::actor_user_id,
    home_events::created_at,
);

#[derive(Queryable)]
pub(crate) struct EventRow {
    home_id: String,
    seq: i64,
    kind: String,
    entity_id: Option<String>,
    payload: String,
    actor_kind: String,
    actor_user_id: Option<String>,
    created_at: NaiveDateTime,
}

impl EventRow {
    pub(crate) fn into_event(self) -> Result<HomeEvent, RepoError> {
        let corrupt = |what: &str| {
            RepoError::Storage(format!(
                "home_events ({}, {}): invalid {what}",
                self.home_id, self.seq
            ))
        };
        let home_id = parse_id(&self.home_id).ok_or_else(|| corrupt("home_id"))?;
        let entity_id = match &self.entity_id {
            Some(id) => Some(parse_id(id).ok_or_else(|| corrupt("entity_id"))?),
            None => None,
        };
        let actor_user_id = match &self.actor_user_id {
            Some(id) => Some(parse_id(id).ok_or_else(|| corrupt("actor_user_id"))?),
            None => None,
        };
        let kind = ActorKind::parse(&self.actor_kind).ok_or_else(|| corrupt("actor_kind"))?;
        let payload = serde_json::from_str(&self.payload).map_err(|_| corrupt("payload"))?;
        Ok(HomeEvent {
            home_id,
            seq: self.seq,
            kind: self.kind,
            entity_id,
            payload,
            actor: Actor {
                kind,
                user_id: actor_user_id,
            },
            at: self.created_at.and_utc(),
        })
    }
}

fn parse_id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}
