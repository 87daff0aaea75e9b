//! The chat use cases: threads and their messages, usage, and (in [`crate::pixie::agent`])
//! the turn. Every call checks membership first: a non-member learns nothing.

use crate::accounts::user::AccountRepository;
use crate::activity::ActivityReader;
use crate::clock::Clock;
use crate::homes::home::{Home, HomeRepository};
use crate::homes::role::Role;
use crate::insights::{BudgetService, PredictionService};
use crate::items::ItemService;
use crate::lists::ListService;
use crate::lists::schedule::{local_midnight, zone};
use crate::pixie::limits::{SendRate, TurnGate};
use crate::pixie::model::{LanguageModel, TokenUsage};
use crate::pixie::thread::{ChatMessage, ChatRepository, ChatThread};
use crate::pixie::tools::Toolbox;
use crate::repo_error::RepoError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// Limits and knobs of the assistant.
#[derive(Debug, Clone, PartialEq)]
pub struct PixieConfig {
    /// Model calls per turn at most (tool rounds plus the final answer).
    pub max_steps: u32,
    /// Earlier messages of the thread sent with each turn.
    pub history_messages: u32,
    /// The longest message a person may send, in characters.
    pub max_message_chars: usize,
    /// Tokens a home may use per calendar month (its time zone); 0 means no limit.
    pub monthly_token_budget: u64,
    /// Turns that may run at once in one home (per instance).
    pub max_concurrent_turns_per_home: usize,
    /// Messages one person may send per minute (per instance); 0 means no limit.
    pub messages_per_minute: u32,
}

impl Default for PixieConfig {
    fn default() -> Self {
        PixieConfig {
            max_steps: 5,
            history_messages: 20,
            max_message_chars: 2000,
            monthly_token_budget: 1_000_000,
            max_concurrent_turns_per_home: 2,
            messages_per_minute: 20,
        }
    }
}

/// Why a chat operation was refused.
#[derive(Debug, Error)]
pub enum ChatError {
    /// No such home, or the caller is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// No such thread in this home.
    #[error("thread not found")]
    ThreadNotFound,
    /// The caller's role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The input is not acceptable; the text says why.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The caller sent too many messages; try again after this long.
    #[error("too many messages")]
    RateLimited(Duration),
    /// The home already has as many turns running as allowed.
    #[error("Pixie is still answering in this home")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// The most threads one listing returns.
pub const MAX_THREADS: i64 = 100;
/// The most messages one page returns.
pub const MAX_MESSAGES: i64 = 100;
/// Messages per page when the caller does not say.
pub const DEFAULT_MESSAGES: i64 = 50;

/// A home's token use this month against its budget.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageReport {
    /// The start of the current month in the home's time zone.
    pub period_start: DateTime<Utc>,
    /// The start of the next one (when the budget refills).
    pub period_end: DateTime<Utc>,
    /// Tokens used since `period_start`.
    pub tokens: TokenUsage,
    /// Turns since `period_start`.
    pub turns: u64,
    /// The monthly budget; `None` when unlimited.
    pub budget: Option<u64>,
    /// Per member, most tokens first: `(user id, name, tokens, turns)`.
    pub by_user: Vec<(Uuid, Option<String>, TokenUsage, u64)>,
}

/// Chat threads, their messages and Pixie's turns.
pub struct ChatService {
    pub(crate) chats: Arc<dyn ChatRepository>,
    pub(crate) homes: Arc<dyn HomeRepository>,
    pub(crate) accounts: Arc<dyn AccountRepository>,
    pub(crate) activity: Arc<dyn ActivityReader>,
    pub(crate) items: Arc<ItemService>,
    pub(crate) tools: Toolbox,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) model: Arc<dyn LanguageModel>,
    pub(crate) offline: Arc<dyn LanguageModel>,
    pub(crate) config: PixieConfig,
    pub(crate) rate: SendRate,
    pub(crate) gate: TurnGate,
}

/// The ports and services a [`ChatService`] is built from.
pub struct ChatDeps {
    /// Threads, messages and usage.
    pub chats: Arc<dyn ChatRepository>,
    /// Membership, the home row and its members.
    pub homes: Arc<dyn HomeRepository>,
    /// Members' preferences.
    pub accounts: Arc<dyn AccountRepository>,
    /// Recent changes by the other members.
    pub activity: Arc<dyn ActivityReader>,
    /// The pantry use cases (tools and context).
    pub items: Arc<ItemService>,
    /// The list use cases (tools).
    pub lists: Arc<ListService>,
    /// Spending summaries (the `queryBudget` tool).
    pub budget: Arc<BudgetService>,
    /// Restock predictions (the `checkPredictions` tool).
    pub predictions: Arc<PredictionService>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The model that answers (the offline one when no model is configured).
    pub model: Arc<dyn LanguageModel>,
    /// The offline model that takes over when a home's budget is spent.
    pub offline: Arc<dyn LanguageModel>,
}

impl ChatService {
    /// The service over its ports.
    pub fn new(deps: ChatDeps, config: PixieConfig) -> ChatService {
        ChatService {
            tools: Toolbox::new(
                Arc::clone(&deps.items),
                deps.lists,
                deps.budget,
                deps.predictions,
            ),
            chats: deps.chats,
            homes: deps.homes,
            accounts: deps.accounts,
            activity: deps.activity,
            items: deps.items,
            clock: deps.clock,
            model: deps.model,
            offline: deps.offline,
            rate: SendRate::new(config.messages_per_minute),
            gate: TurnGate::new(config.max_concurrent_turns_per_home),
            config,
        }
    }

    /// The model answering turns (for health checks).
    pub fn model_name(&self) -> String {
        self.model.name()
    }

    /// Whether turns are answered by the offline parser.
    pub fn is_offline(&self) -> bool {
        self.model.is_offline()
    }

    /// The limits in force.
    pub fn config(&self) -> &PixieConfig {
        &self.config
    }

    pub(crate) async fn role(&self, user: Uuid, home_id: Uuid) -> Result<Role, ChatError> {
        self.homes
            .role_of(home_id, user)
            .await?
            .ok_or(ChatError::HomeNotFound)
    }

    /// The caller's role, which must allow chatting (viewers only read).
    pub(crate) async fn writer(&self, user: Uuid, home_id: Uuid) -> Result<Role, ChatError> {
        let role = self.role(user, home_id).await?;
        if role < Role::Member {
            return Err(ChatError::Forbidden(
                "viewers can read the chat but not write in it",
            ));
        }
        Ok(role)
    }

    pub(crate) async fn thread_of(
        &self,
        home_id: Uuid,
        thread_id: Uuid,
    ) -> Result<ChatThread, ChatError> {
        self.chats
            .thread(home_id, thread_id)
            .await?
            .ok_or(ChatError::ThreadNotFound)
    }

    /// The home's threads, most recently active first (`limit` clamped to 1..=100).
    pub async fn threads(
        &self,
        user: Uuid,
        home_id: Uuid,
        limit: i64,
    ) -> Result<Vec<ChatThread>, ChatError> {
        self.role(user, home_id).await?;
        Ok(self
            .chats
            .threads(home_id, limit.clamp(1, MAX_THREADS))
            .await?)
    }

    /// One thread.
    pub async fn thread(
        &self,
        user: Uuid,
        home_id: Uuid,
        thread_id: Uuid,
    ) -> Result<ChatThread, ChatError> {
        self.role(user, home_id).await?;
        self.thread_of(home_id, thread_id).await
    }

    /// Starts a thread (members); without a title it shows as "New Chat" until the first
    /// exchange names it.
    pub async fn create_thread(
        &self,
        user: Uuid,
        home_id: Uuid,
        title: Option<&str>,
    ) -> Result<ChatThread, ChatError> {
        self.writer(user, home_id).await?;
        let title = match title {
            None => None,
            Some(raw) => Some(parse_title(raw)?),
        };
        let now = self.clock.now();
        let thread = ChatThread {
            id: crate::ids::new_id(),
            home_id,
            title,
            created_by: Some(user),
            created_at: now,
            updated_at: now,
        };
        self.chats.create_thread(&thread).await?;
        Ok(thread)
    }

    /// Renames a thread (any member; it is the household's conversation).
    pub async fn rename_thread(
        &self,
        user: Uuid,
        home_id: Uuid,
        thread_id: Uuid,
        title: &str,
    ) -> Result<ChatThread, ChatError> {
        self.writer(user, home_id).await?;
        let title = parse_title(title)?;
        self.chats
            .rename_thread(home_id, thread_id, &title, self.clock.now())
            .await?
            .ok_or(ChatError::ThreadNotFound)
    }

    /// Deletes a thread with its messages: its starter (if still a member, not a viewer), or
    /// an admin.
    pub async fn delete_thread(
        &self,
        user: Uuid,
        home_id: Uuid,
        thread_id: Uuid,
    ) -> Result<(), ChatError> {
        let role = self.writer(user, home_id).await?;
        let thread = self.thread_of(home_id, thread_id).await?;
        if thread.created_by != Some(user) && role < Role::Admin {
            return Err(ChatError::Forbidden(
                "only whoever started a thread, or an admin, can delete it",
            ));
        }
        if self.chats.delete_thread(home_id, thread_id).await? {
            Ok(())
        } else {
            Err(ChatError::ThreadNotFound)
        }
    }

    /// Messages newest first (`limit` clamped to 1..=100); `before` pages back.
    pub async fn messages(
        &self,
        user: Uuid,
        home_id: Uuid,
        thread_id: Uuid,
        before: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ChatMessage>, ChatError> {
        self.role(user, home_id).await?;
        self.thread_of(home_id, thread_id).await?;
        Ok(self
            .chats
            .messages(home_id, thread_id, before, limit.clamp(1, MAX_MESSAGES))
            .await?)
    }

    /// The home's token use this month.
    pub async fn usage(&self, user: Uuid, home_id: Uuid) -> Result<UsageReport, ChatError> {
        self.role(user, home_id).await?;
        let (start, end) = self.month_of(&self.home(home_id).await?);
        let totals = self.chats.usage_since(home_id, start).await?;
        let members = self.homes.members(home_id).await?;
        let by_user = totals
            .by_user
            .into_iter()
            .map(|(id, tokens, turns)| {
                let name = members
                    .iter()
                    .find(|m| m.user_id == id)
                    .map(|m| m.name.clone());
                (id, name, tokens, turns)
            })
            .collect();
        Ok(UsageReport {
            period_start: start,
            period_end: end,
            tokens: totals.tokens,
            turns: totals.turns,
            budget: (self.config.monthly_token_budget > 0)
                .then_some(self.config.monthly_token_budget),
            by_user,
        })
    }

    /// The current calendar month in the home's time zone, as UTC instants.
    pub(crate) fn month_of(&self, home: &Home) -> (DateTime<Utc>, DateTime<Utc>) {
        month_bounds(self.clock.now(), zone(&home.timezone))
    }

    /// The home (for its time zone, name and shared rules).
    pub(crate) async fn home(&self, home_id: Uuid) -> Result<Home, ChatError> {
        self.homes
            .get(home_id)
            .await?
            .ok_or(ChatError::HomeNotFound)
    }
}

/// The start of the month containing `now` in `zone`, and the start of the next.
pub fn month_bounds(now: DateTime<Utc>, zone: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = now.with_timezone(&zone).date_naive();
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1).unwrap_or(local);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let at_midnight = |day: NaiveDate| {
        // Every local day has a first instant; the fallback only keeps this total.
        local_midnight(day, zone)
            .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
    };
    (at_midnight(first), at_midnight(next))
}

/// A thread title: trimmed, 1 to 255 characters.
pub fn parse_title(raw: &str) -> Result<String, ChatError> {
    let title = raw.trim();
    let length = title.chars().count();
    if length == 0 || length > 255 {
        return Err(ChatError::Invalid(
            "title must be 1 to 255 characters".to_owned(),
        ));
    }
    Ok(title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_home_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        let (start, end) = month_bounds(now, chrono_tz::Asia::Tokyo);
        // 08:30 on 1 December in Tokyo: December already.
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap());
        let (start, _) = month_bounds(now, chrono_tz::UTC);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
    }
}
