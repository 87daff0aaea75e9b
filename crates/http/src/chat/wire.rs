//! The chat bodies as sent: the earlier server's `ChatThread` and `ChatMessage` rows
//! (camelCase), plus the reply's tool calls and UI card, and the usage report.

use chrono::{DateTime, Utc};
use pantry_core::pixie::service::UsageReport;
use pantry_core::pixie::thread::{ChatMessage, ChatRole, ChatThread};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// A conversation of the home.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatThread)]
pub struct ThreadBody {
    pub id: Uuid,
    pub home_id: Uuid,
    /// "New Chat" until someone names it or the first exchange does.
    #[schema(example = "Weekend curry plans")]
    pub title: String,
    /// Who started it (`null` for scheduled threads).
    #[schema(required = true)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// When its last message was written.
    pub updated_at: DateTime<Utc>,
}

impl From<ChatThread> for ThreadBody {
    fn from(thread: ChatThread) -> Self {
        ThreadBody {
            title: thread.display_title().to_owned(),
            id: thread.id,
            home_id: thread.home_id,
            created_by: thread.created_by,
            created_at: thread.created_at,
            updated_at: thread.updated_at,
        }
    }
}

/// Who wrote a message.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ChatRole)]
#[allow(dead_code)]
pub enum RoleSchema {
    User,
    Assistant,
}

/// One message. Pixie's replies keep the tool calls of their turn and the UI card they
/// showed, so a reload shows what the live stream did.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatMessage)]
pub struct MessageBody {
    pub id: Uuid,
    pub thread_id: Uuid,
    /// The member who wrote it, or for whom Pixie answered.
    #[schema(required = true)]
    pub user_id: Option<Uuid>,
    #[schema(value_type = RoleSchema)]
    pub role: &'static str,
    pub content: String,
    /// What it was about: for replies, the first tool Pixie used.
    #[schema(required = true)]
    pub intent: Option<String>,
    /// Replies: `[{id, name, arguments, result}]`, in order.
    #[schema(required = true, value_type = Option<Vec<Object>>)]
    pub tool_calls: Option<Value>,
    /// Replies: the card shown (`{type, data}`; `grocery-list`, `grocery-lists-overview`,
    /// `list-editor`).
    #[schema(required = true, value_type = Option<Object>)]
    pub ui: Option<Value>,
    /// The earlier server's `{userId}` on members' messages; `null` on replies.
    #[schema(required = true, value_type = Option<Object>)]
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

impl From<ChatMessage> for MessageBody {
    fn from(message: ChatMessage) -> Self {
        MessageBody {
            metadata: (message.role == ChatRole::User)
                .then(|| json!({ "userId": message.user_id })),
            id: message.id,
            thread_id: message.thread_id,
            user_id: message.user_id,
            role: message.role.as_str(),
            content: message.content,
            intent: message.intent,
            tool_calls: message.tool_calls,
            ui: message.ui,
            created_at: message.created_at,
        }
    }
}

/// The answer to a sent message: the stored message and Pixie's whole reply.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatTurn)]
pub struct TurnBody {
    pub user_message: MessageBody,
    /// The reply's text (the earlier server's field).
    pub assistant_text: String,
    /// The reply as stored, with its tool calls and card.
    pub assistant_message: MessageBody,
    /// The thread's new title when this exchange named it.
    #[schema(required = true)]
    pub thread_title: Option<String>,
    /// Tokens the turn used.
    pub usage: TokensBody,
}

/// Tokens, as the model counted them.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatTokens)]
pub struct TokensBody {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl From<pantry_core::pixie::model::TokenUsage> for TokensBody {
    fn from(usage: pantry_core::pixie::model::TokenUsage) -> Self {
        TokensBody {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total(),
        }
    }
}

/// One member's share of the month.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatUsageByMember)]
pub struct MemberUsageBody {
    pub user_id: Uuid,
    /// `null` once they left the home.
    #[schema(required = true)]
    pub name: Option<String>,
    pub total_tokens: u64,
    pub turns: u64,
}

/// The home's Pixie use this month (in the home's time zone) against its budget.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatUsage)]
pub struct UsageBody {
    pub period_start: DateTime<Utc>,
    /// When the budget refills.
    pub period_end: DateTime<Utc>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub turns: u64,
    /// Tokens per month; `null` when unlimited.
    #[schema(required = true)]
    pub budget: Option<u64>,
    /// What is left this month; `null` when unlimited.
    #[schema(required = true)]
    pub remaining: Option<u64>,
    /// Over budget: Pixie answers in simple (offline) mode until `periodEnd`.
    pub over_budget: bool,
    /// Which assistant answers: `offline` or `openai:<model>`.
    pub assistant: String,
    pub by_member: Vec<MemberUsageBody>,
}

impl UsageBody {
    pub fn new(report: UsageReport, assistant: String) -> Self {
        let total = report.tokens.total();
        UsageBody {
            period_start: report.period_start,
            period_end: report.period_end,
            prompt_tokens: report.tokens.prompt_tokens,
            completion_tokens: report.tokens.completion_tokens,
            total_tokens: total,
            turns: report.turns,
            budget: report.budget,
            remaining: report.budget.map(|b| b.saturating_sub(total)),
            over_budget: report.budget.is_some_and(|b| total >= b),
            assistant,
            by_member: report
                .by_user
                .into_iter()
                .map(|(user_id, name, tokens, turns)| MemberUsageBody {
                    user_id,
                    name,
                    total_tokens: tokens.total(),
                    turns,
                })
                .collect(),
        }
    }
}
