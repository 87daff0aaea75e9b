//! Chat threads and their messages, and the storage port for them.
//!
//! A thread belongs to one home and is only ever reached through it: every port method takes
//! the home id and matches it, so a thread id from another home finds nothing.

use crate::pixie::model::TokenUsage;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Change-log event kinds of chat.
pub mod events {
    /// A message was stored (a member's, or Pixie's reply). The payload is the message
    /// without its tool calls (`{id, threadId, userId, role, content, intent, ui, createdAt}`);
    /// it reaches every instance's sockets and is replayed on resume, so partners connected
    /// elsewhere see the conversation too.
    pub const MESSAGE_ADDED: &str = "chat.message_added";
}

impl ChatMessage {
    /// Who a stored message is attributed to in the change log: the member for their own
    /// messages, Pixie for that member for replies, the system when there is no member.
    pub fn actor(&self) -> crate::change_log::Actor {
        match (self.role, self.user_id) {
            (ChatRole::User, Some(user)) => crate::change_log::Actor::user(user),
            (ChatRole::Assistant, Some(user)) => crate::change_log::Actor::pixie(user),
            (_, None) => crate::change_log::Actor::system(),
        }
    }

    /// The change-log payload of [`events::MESSAGE_ADDED`].
    pub fn event_payload(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "threadId": self.thread_id,
            "userId": self.user_id,
            "role": self.role.as_str(),
            "content": self.content,
            "intent": self.intent,
            "ui": self.ui,
            "createdAt": self.created_at,
        })
    }
}

/// The title shown for a thread nobody (and no auto-titler) has named yet.
pub const UNTITLED: &str = "New Chat";

/// A conversation in a home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatThread {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// The home it belongs to.
    pub home_id: Uuid,
    /// Its title; `None` until someone or the auto-titler names it.
    pub title: Option<String>,
    /// Who started it (`None` for scheduled threads, or once the user is gone).
    pub created_by: Option<Uuid>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When its last message was written (or it was renamed).
    pub updated_at: DateTime<Utc>,
}

impl ChatThread {
    /// The title to show: its own, or [`UNTITLED`].
    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(UNTITLED)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// A member of the home.
    User,
    /// Pixie.
    Assistant,
}

impl ChatRole {
    /// The stored and wire spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        }
    }

    /// The role spelled `s`, if any.
    pub fn parse(s: &str) -> Option<ChatRole> {
        match s {
            "user" => Some(ChatRole::User),
            "assistant" => Some(ChatRole::Assistant),
            _ => None,
        }
    }
}

/// One message in a thread. An assistant message keeps the tool calls of its turn and the
/// UI card it showed, so a reload shows exactly what the live stream did.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    /// Its id (UUIDv7, so ids order messages written within one millisecond).
    pub id: Uuid,
    /// The thread it is in.
    pub thread_id: Uuid,
    /// The member who wrote it, or for whom Pixie answered.
    pub user_id: Option<Uuid>,
    /// Who wrote it.
    pub role: ChatRole,
    /// The text.
    pub content: String,
    /// What the message is about (`add_to_list`, `greeting`, …), when known.
    pub intent: Option<String>,
    /// For assistant messages: the tool calls of the turn with their results (a JSON array).
    pub tool_calls: Option<serde_json::Value>,
    /// For assistant messages: the UI card shown with the reply (a JSON object).
    pub ui: Option<serde_json::Value>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// Tokens one turn used, charged to the home (and the member who asked).
#[derive(Debug, Clone, PartialEq)]
pub struct TurnUsage {
    /// The home charged.
    pub home_id: Uuid,
    /// The thread of the turn.
    pub thread_id: Uuid,
    /// The member who asked.
    pub user_id: Uuid,
    /// The model that answered (its [`name`](crate::pixie::model::LanguageModel::name)).
    pub model: String,
    /// The tokens, summed over the turn's steps.
    pub tokens: TokenUsage,
    /// When the turn ended.
    pub at: DateTime<Utc>,
}

/// Tokens used by a home since some moment, in total and per member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageTotals {
    /// All tokens.
    pub tokens: TokenUsage,
    /// The number of turns.
    pub turns: u64,
    /// Per member, most tokens first: `(user id, tokens, turns)`.
    pub by_user: Vec<(Uuid, TokenUsage, u64)>,
}

/// Storage of threads, messages and usage.
#[async_trait]
pub trait ChatRepository: Send + Sync {
    /// The home's threads, most recently active first, at most `limit`.
    async fn threads(&self, home_id: Uuid, limit: i64) -> Result<Vec<ChatThread>, RepoError>;

    /// The thread, if it exists in this home.
    async fn thread(&self, home_id: Uuid, thread_id: Uuid)
    -> Result<Option<ChatThread>, RepoError>;

    /// Stores a new thread.
    async fn create_thread(&self, thread: &ChatThread) -> Result<(), RepoError>;

    /// Sets the title (and `updated_at`); the thread after, `None` if it is not in this home.
    async fn rename_thread(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        title: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<ChatThread>, RepoError>;

    /// Sets the title only if the thread still has none (a rename made meanwhile wins);
    /// whether it did.
    async fn title_if_untitled(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        title: &str,
    ) -> Result<bool, RepoError>;

    /// Deletes the thread and its messages; whether it existed in this home.
    async fn delete_thread(&self, home_id: Uuid, thread_id: Uuid) -> Result<bool, RepoError>;

    /// Messages of the thread, newest first, at most `limit`; with `before`, only those older
    /// than that message (a cursor for paging back). Empty if the thread is not in this home.
    async fn messages(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ChatMessage>, RepoError>;

    /// Stores a message, moves the thread's `updated_at` to its time and appends
    /// [`events::MESSAGE_ADDED`] to the home's change log (attributed by
    /// [`ChatMessage::actor`]), in one transaction. `NotFound` if the thread is not in this
    /// home (it may have been deleted meanwhile).
    async fn append_message(&self, home_id: Uuid, message: &ChatMessage) -> Result<(), RepoError>;

    /// Records a turn's token usage.
    async fn record_usage(&self, usage: &TurnUsage) -> Result<(), RepoError>;

    /// The home's usage since `since`.
    async fn usage_since(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<UsageTotals, RepoError>;
}
