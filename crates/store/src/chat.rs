//! Pixie's chat: threads and their messages, always reached through their home, and the
//! tokens each turn used.
//!
//! Every query matches the home as well as the id (messages through their thread's
//! `home_id`), so another home's thread id finds nothing and changes nothing. Messages are
//! ordered by `(created_at, id)`: ids are UUIDv7, so messages written within one millisecond
//! keep their order, and the pair is the paging cursor. Usage rows outlive their thread and
//! their user (`ON DELETE SET NULL`, and NULL from the start when either was deleted while
//! Pixie answered) and are summed in SQL.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::connection::MultiBackend;
use crate::error::{TxError, to_repo_error};
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::pool::Database;
use crate::schema::{chat_messages, chat_threads, chat_usage, homes, users};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::IntoSql;
use diesel::dsl::{case_when, count_star, sum};
use diesel::expression::KnownCastSqlTypeName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::pixie::model::TokenUsage;
use pantry_core::pixie::thread::{
    ChatMessage, ChatRepository, ChatRole, ChatThread, TurnUsage, UsageTotals, events,
};
use pantry_core::repo_error::RepoError;
use serde_json::Value;
use uuid::Uuid;

/// `CAST(… AS BIGINT)` on both backends. PostgreSQL sums BIGINT as NUMERIC, which
/// `MultiBackend` cannot read, so token sums are cast back; both dialects spell it `BIGINT`.
impl KnownCastSqlTypeName<MultiBackend> for BigInt {
    const SQL_TYPE_NAME: &'static str = "BIGINT";
}

/// [`ChatRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::pixie::thread::ChatRepository;
/// use std::sync::Arc;
/// let chat: Arc<dyn ChatRepository> = Arc::new(pantry_store::StoreChat::new(db));
/// # let _ = chat; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreChat {
    db: Database,
}

impl StoreChat {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreChat { db }
    }
}

#[async_trait]
impl ChatRepository for StoreChat {
    async fn threads(&self, home_id: Uuid, limit: i64) -> Result<Vec<ChatThread>, RepoError> {
        let mut conn = self.db.conn().await?;
        // Served by chat_threads_home_id_updated_at_idx.
        let rows: Vec<ThreadRow> = chat_threads::table
            .filter(chat_threads::home_id.eq(home_id.to_string()))
            .order((chat_threads::updated_at.desc(), chat_threads::id.desc()))
            .limit(limit.max(0))
            .select(THREAD_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(ThreadRow::into_thread).collect()
    }

    async fn thread(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
    ) -> Result<Option<ChatThread>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ThreadRow> = chat_threads::table
            .filter(chat_threads::id.eq(thread_id.to_string()))
            .filter(chat_threads::home_id.eq(home_id.to_string()))
            .select(THREAD_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(ThreadRow::into_thread).transpose()
    }

    async fn create_thread(&self, thread: &ChatThread) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(chat_threads::table)
            .values((
                chat_threads::id.eq(thread.id.to_string()),
                chat_threads::home_id.eq(thread.home_id.to_string()),
                chat_threads::title.eq(thread.title.as_deref()),
                chat_threads::created_by.eq(thread.created_by.map(|id| id.to_string())),
                chat_threads::created_at.eq(thread.created_at.naive_utc()),
                chat_threads::updated_at.eq(thread.updated_at.naive_utc()),
            ))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        Ok(())
    }

    async fn rename_thread(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        title: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<ChatThread>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ThreadRow> = diesel::update(
            chat_threads::table
                .filter(chat_threads::id.eq(thread_id.to_string()))
                .filter(chat_threads::home_id.eq(home_id.to_string())),
        )
        .set((
            chat_threads::title.eq(Some(title)),
            chat_threads::updated_at.eq(at.naive_utc()),
        ))
        .returning(THREAD_COLUMNS)
        .get_result(&mut *conn)
        .await
        .optional()
        .map_err(to_repo_error)?;
        row.map(ThreadRow::into_thread).transpose()
    }

    async fn title_if_untitled(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        title: &str,
    ) -> Result<bool, RepoError> {
        let mut conn = self.db.conn().await?;
        // One conditional UPDATE: a rename committed meanwhile makes it match nothing.
        let changed = diesel::update(
            chat_threads::table
                .filter(chat_threads::id.eq(thread_id.to_string()))
                .filter(chat_threads::home_id.eq(home_id.to_string()))
                .filter(chat_threads::title.is_null()),
        )
        .set(chat_threads::title.eq(Some(title)))
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        Ok(changed > 0)
    }

    async fn delete_thread(&self, home_id: Uuid, thread_id: Uuid) -> Result<bool, RepoError> {
        let mut conn = self.db.conn().await?;
        // Its messages go with it (ON DELETE CASCADE); its usage rows stay, thread_id NULL.
        let deleted = diesel::delete(
            chat_threads::table
                .filter(chat_threads::id.eq(thread_id.to_string()))
                .filter(chat_threads::home_id.eq(home_id.to_string())),
        )
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        Ok(deleted > 0)
    }

    async fn messages(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ChatMessage>, RepoError> {
        let mut conn = self.db.conn().await?;
        let (home_key, thread_key) = (home_id.to_string(), thread_id.to_string());
        let mut query = chat_messages::table
            .inner_join(chat_threads::table)
            .filter(chat_messages::thread_id.eq(&thread_key))
            .filter(chat_threads::home_id.eq(&home_key))
            .into_boxed();
        if let Some(before) = before {
            // The cursor message, found the same way: one of another thread finds nothing.
            let cursor: Option<(NaiveDateTime, String)> = chat_messages::table
                .inner_join(chat_threads::table)
                .filter(chat_messages::id.eq(before.to_string()))
                .filter(chat_messages::thread_id.eq(&thread_key))
                .filter(chat_threads::home_id.eq(&home_key))
                .select((chat_messages::created_at, chat_messages::id))
                .first(&mut *conn)
                .await
                .optional()
                .map_err(to_repo_error)?;
            let Some((at, id)) = cursor else {
                return Ok(Vec::new());
            };
            query = query.filter(
                chat_messages::created_at
                    .lt(at)
                    .or(chat_messages::created_at
                        .eq(at)
                        .and(chat_messages::id.lt(id))),
            );
        }
        // Served by chat_messages_thread_id_created_at_id_idx, walked backwards.
        let rows: Vec<MessageRow> = query
            .order((chat_messages::created_at.desc(), chat_messages::id.desc()))
            .limit(limit.max(0))
            .select(MESSAGE_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(MessageRow::into_message).collect()
    }

    async fn append_message(&self, home_id: Uuid, message: &ChatMessage) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            // The home first, as every write that appends to its log does (one lock order).
            lock_home(c, home_id).await?;
            insert_message(c, home_id, message).await
        })
        .await
        .map_err(RepoError::from)
    }

    async fn record_usage(&self, usage: &TurnUsage) -> Result<(), RepoError> {
        let prompt = stored_tokens(usage.tokens.prompt_tokens)?;
        let completion = stored_tokens(usage.tokens.completion_tokens)?;
        let home_key = usage.home_id.to_string();
        // INSERT … SELECT: the thread and the member are referenced only if they still exist
        // (the thread in this home), so a thread or account deleted while Pixie answered
        // leaves NULL instead of failing the foreign key and losing the turn's tokens.
        let row = homes::table
            .left_join(
                chat_threads::table.on(chat_threads::id
                    .eq(usage.thread_id.to_string())
                    .and(chat_threads::home_id.eq(homes::id))),
            )
            .left_join(users::table.on(users::id.eq(usage.user_id.to_string())))
            .filter(homes::id.eq(&home_key))
            .select((
                Uuid::now_v7().to_string().into_sql::<Text>(),
                homes::id,
                chat_threads::id.nullable(),
                users::id.nullable(),
                usage.model.as_str().into_sql::<Text>(),
                prompt.into_sql::<BigInt>(),
                completion.into_sql::<BigInt>(),
                usage.at.naive_utc().into_sql::<Timestamp>(),
            ));
        let mut conn = self.db.conn().await?;
        let inserted = diesel::insert_into(chat_usage::table)
            .values(row)
            .into_columns((
                chat_usage::id,
                chat_usage::home_id,
                chat_usage::thread_id,
                chat_usage::user_id,
                chat_usage::model,
                chat_usage::prompt_tokens,
                chat_usage::completion_tokens,
                chat_usage::created_at,
            ))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        if inserted == 0 {
            // No such home (deleted meanwhile): nothing left to charge.
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn usage_since(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<UsageTotals, RepoError> {
        let mut conn = self.db.conn().await?;
        // One grouped query (so totals and members agree), served by
        // chat_usage_home_id_created_at_idx. The NULL group holds turns of members since
        // deleted: counted in the totals, listed under nobody.
        let groups: Vec<(Option<String>, Option<i64>, Option<i64>, i64)> = chat_usage::table
            .filter(chat_usage::home_id.eq(home_id.to_string()))
            .filter(chat_usage::created_at.ge(since.naive_utc()))
            .group_by(chat_usage::user_id)
            .select((
                chat_usage::user_id,
                sum(chat_usage::prompt_tokens).fallible_cast::<Nullable<BigInt>>(),
                sum(chat_usage::completion_tokens).fallible_cast::<Nullable<BigInt>>(),
                count_star(),
            ))
            .order((
                sum(chat_usage::prompt_tokens + chat_usage::completion_tokens).desc(),
                chat_usage::user_id.asc(),
            ))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        let mut totals = UsageTotals::default();
        for (user, prompt, completion, turns) in groups {
            let (tokens, turns) = (token_usage(prompt, completion)?, count(turns)?);
            totals.tokens = TokenUsage {
                prompt_tokens: add(totals.tokens.prompt_tokens, tokens.prompt_tokens)?,
                completion_tokens: add(totals.tokens.completion_tokens, tokens.completion_tokens)?,
            };
            totals.turns = add(totals.turns, turns)?;
            if let Some(user) = user {
                let user = parse_stored_id("chat_usage", "user_id", &user)?;
                totals.by_user.push((user, tokens, turns));
            }
        }
        Ok(totals)
    }
}

/// Stores `message` in its thread (which must be in `home_id`) with its change-log event; run
/// in a transaction that has locked the home.
pub(crate) async fn insert_message(
    c: &mut AnyConnection,
    home_id: Uuid,
    message: &ChatMessage,
) -> Result<(), TxError> {
    let tool_calls = to_json_text("tool_calls", message.tool_calls.as_ref())?;
    let ui = to_json_text("ui", message.ui.as_ref())?;
    let at = message.created_at.naive_utc();
    let thread_key = message.thread_id.to_string();
    // The thread's activity: the UPDATE both proves the thread is in this home and locks its
    // row, so a concurrent delete waits for this message (and takes it along) or has already
    // won (NotFound here). updated_at never moves backwards.
    let touched = diesel::update(
        chat_threads::table
            .filter(chat_threads::id.eq(&thread_key))
            .filter(chat_threads::home_id.eq(home_id.to_string())),
    )
    .set(
        chat_threads::updated_at.eq(case_when::<_, _, Timestamp>(
            chat_threads::updated_at.lt(at),
            at,
        )
        .otherwise(chat_threads::updated_at)),
    )
    .execute(c)
    .await?;
    if touched == 0 {
        return Err(RepoError::NotFound.into());
    }
    diesel::insert_into(chat_messages::table)
        .values((
            chat_messages::id.eq(message.id.to_string()),
            chat_messages::thread_id.eq(&thread_key),
            chat_messages::user_id.eq(message.user_id.map(|id| id.to_string())),
            chat_messages::role.eq(message.role.as_str()),
            chat_messages::content.eq(&message.content),
            chat_messages::intent.eq(message.intent.as_deref()),
            chat_messages::tool_calls.eq(tool_calls.as_deref()),
            chat_messages::ui.eq(ui.as_deref()),
            chat_messages::created_at.eq(at),
        ))
        .execute(c)
        .await?;
    append_event(
        c,
        &NewHomeEvent {
            home_id,
            kind: events::MESSAGE_ADDED.to_owned(),
            entity_id: Some(message.id),
            payload: message.event_payload(),
            actor: message.actor(),
            at: message.created_at,
        },
    )
    .await?;
    Ok(())
}

/// A JSON document as stored in a TEXT column.
fn to_json_text(column: &str, value: Option<&Value>) -> Result<Option<String>, RepoError> {
    value
        .map(|v| {
            serde_json::to_string(v).map_err(|err| {
                RepoError::Storage(format!("chat_messages.{column} not serialisable: {err}"))
            })
        })
        .transpose()
}

/// A token count for a BIGINT column; beyond `i64::MAX` is no real turn.
fn stored_tokens(tokens: u64) -> Result<i64, RepoError> {
    i64::try_from(tokens)
        .map_err(|_| RepoError::Storage(format!("token count {tokens} out of range")))
}

/// Summed token columns (NULL when no row matched) as a [`TokenUsage`].
fn token_usage(prompt: Option<i64>, completion: Option<i64>) -> Result<TokenUsage, RepoError> {
    Ok(TokenUsage {
        prompt_tokens: count(prompt.unwrap_or(0))?,
        completion_tokens: count(completion.unwrap_or(0))?,
    })
}

/// Adds two sums; beyond `u64::MAX` is no real usage.
fn add(a: u64, b: u64) -> Result<u64, RepoError> {
    a.checked_add(b)
        .ok_or_else(|| RepoError::Storage("chat_usage: sum out of range".to_owned()))
}

/// A stored count or sum; the CHECK constraints keep it from being negative.
fn count(n: i64) -> Result<u64, RepoError> {
    u64::try_from(n).map_err(|_| RepoError::Storage(format!("chat_usage: negative sum {n}")))
}

type ThreadColumns = (
    chat_threads::id,
    chat_threads::home_id,
    chat_threads::title,
    chat_threads::created_by,
    chat_threads::created_at,
    chat_threads::updated_at,
);

/// Column order of [`ThreadRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const THREAD_COLUMNS: ThreadColumns = (
    chat_threads::id,
    chat_threads::home_id,
    chat_threads::title,
    chat_threads::created_by,
    chat_threads::created_at,
    chat_threads::updated_at,
);

#[derive(Queryable)]
struct ThreadRow {
    id: String,
    home_id: String,
    title: Option<String>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl ThreadRow {
    fn into_thread(self) -> Result<ChatThread, RepoError> {
        Ok(ChatThread {
            id: parse_stored_id("chat_threads", "id", &self.id)?,
            home_id: parse_stored_id("chat_threads", "home_id", &self.home_id)?,
            title: self.title,
            created_by: self
                .created_by
                .as_deref()
                .map(|id| parse_stored_id("chat_threads", "created_by", id))
                .transpose()?,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

type MessageColumns = (
    chat_messages::id,
    chat_messages::thread_id,
    chat_messages::user_id,
    chat_messages::role,
    chat_messages::content,
    chat_messages::intent,
    chat_messages::tool_calls,
    chat_messages::ui,
    chat_messages::created_at,
);

/// Column order of [`MessageRow`] (`metadata` is not part of a message).
const MESSAGE_COLUMNS: MessageColumns = (
    chat_messages::id,
    chat_messages::thread_id,
    chat_messages::user_id,
    chat_messages::role,
    chat_messages::content,
    chat_messages::intent,
    chat_messages::tool_calls,
    chat_messages::ui,
    chat_messages::created_at,
);

#[derive(Queryable)]
struct MessageRow {
    id: String,
    thread_id: String,
    user_id: Option<String>,
    role: String,
    content: String,
    intent: Option<String>,
    tool_calls: Option<String>,
    ui: Option<String>,
    created_at: NaiveDateTime,
}

impl MessageRow {
    fn into_message(self) -> Result<ChatMessage, RepoError> {
        let corrupt = |column: &str, what: &str| {
            RepoError::Storage(format!("chat_messages.{column} of {}: {what}", self.id))
        };
        let json = |column: &str, text: Option<&str>| {
            text.map(serde_json::from_str::<Value>)
                .transpose()
                .map_err(|err| corrupt(column, &format!("invalid JSON ({err})")))
        };
        let role = ChatRole::parse(&self.role)
            .ok_or_else(|| corrupt("role", &format!("unknown role {:?}", self.role)))?;
        Ok(ChatMessage {
            id: parse_stored_id("chat_messages", "id", &self.id)?,
            thread_id: parse_stored_id("chat_messages", "thread_id", &self.thread_id)?,
            user_id: self
                .user_id
                .as_deref()
                .map(|id| parse_stored_id("chat_messages", "user_id", id))
                .transpose()?,
            role,
            tool_calls: json("tool_calls", self.tool_calls.as_deref())?,
            ui: json("ui", self.ui.as_deref())?,
            content: self.content,
            intent: self.intent,
            created_at: self.created_at.and_utc(),
        })
    }
}
