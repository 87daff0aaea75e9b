//! The language-model port: one streamed chat completion with tools.
//!
//! The agent loop calls [`LanguageModel::complete`] once per step. Text arrives through the
//! `on_text` callback as it is generated (so it can be forwarded to sockets at once); the
//! finished step — its whole text, the tool calls it asks for and the tokens it used — is the
//! return value. Dropping the future cancels the step (an adapter closes its upstream request).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A tool the model may call: a name, what it is for, and a JSON Schema for its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The function name the model uses, e.g. `addToList`.
    pub name: String,
    /// When to use it, in words the model reads.
    pub description: String,
    /// JSON Schema (an object schema) of the arguments.
    pub parameters: serde_json::Value,
}

/// A tool call the model asked for. `arguments` is the raw text the model produced: it is
/// meant to be a JSON object, but small models get it wrong, so the agent parses it leniently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The model's id for the call, echoed with its result.
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// The arguments as the model wrote them.
    pub arguments: String,
}

/// One message of the conversation sent to the model.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelMessage {
    /// Instructions and context.
    System(String),
    /// What a person said.
    User(String),
    /// What a person showed: text and images in one user message (for a vision model).
    UserParts(Vec<ContentPart>),
    /// What the model said before: text, tool calls, or both.
    Assistant {
        /// The text, if any.
        content: Option<String>,
        /// The tool calls it made, in order.
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call, as text (JSON) for the model to read.
    Tool {
        /// The [`ToolCall::id`] this answers.
        call_id: String,
        /// The result.
        content: String,
    },
}

/// One part of a [`ModelMessage::UserParts`] message.
#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    /// Words.
    Text(String),
    /// An image, as a `data:image/...;base64,...` URL (never a remote address: the model
    /// must not fetch anything on a user's behalf).
    ImageUrl(String),
}

/// Asks the model to answer with JSON that fits a schema (OpenAI's structured outputs).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchema {
    /// A name for the schema, e.g. `receipt`.
    pub name: String,
    /// The JSON Schema of the answer (strict: every object closed, every property required).
    pub schema: serde_json::Value,
}

/// One step's request.
///
/// ```
/// use pantry_core::pixie::model::{ModelMessage, ModelRequest};
/// let request = ModelRequest::new(vec![ModelMessage::User("hi".into())], Vec::new());
/// assert!(request.response_format.is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    /// The conversation so far, the system prompt first.
    pub messages: Vec<ModelMessage>,
    /// The tools offered in this step (none: the model can only answer in text).
    pub tools: Vec<ToolSpec>,
    /// An upper bound on the tokens the answer may use, if the caller wants one.
    pub max_tokens: Option<u32>,
    /// The answer must be JSON fitting this schema (no tools are offered then).
    pub response_format: Option<JsonSchema>,
}

impl ModelRequest {
    /// A request with these messages and tools, no token limit and free-form answers.
    pub fn new(messages: Vec<ModelMessage>, tools: Vec<ToolSpec>) -> ModelRequest {
        ModelRequest {
            messages,
            tools,
            max_tokens: None,
            response_format: None,
        }
    }
}

/// Tokens used by one step, as the model reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// Tokens read (the prompt, tools and history).
    pub prompt_tokens: u64,
    /// Tokens written.
    pub completion_tokens: u64,
}

impl TokenUsage {
    /// Prompt plus completion tokens.
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }

    /// The sum of two usages.
    pub fn plus(self, other: TokenUsage) -> TokenUsage {
        TokenUsage {
            prompt_tokens: self.prompt_tokens + other.prompt_tokens,
            completion_tokens: self.completion_tokens + other.completion_tokens,
        }
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishReason {
    /// It finished its answer.
    Stop,
    /// It wants the tool calls run and their results fed back.
    ToolCalls,
    /// It hit the token limit.
    Length,
    /// A content filter stopped it.
    ContentFilter,
}

/// A finished step.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelReply {
    /// All the text of the step (what `on_text` received, joined).
    pub text: String,
    /// The tool calls, in the model's order (by index).
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped.
    pub finish: FinishReason,
    /// Tokens used, when the model reported them (zero otherwise).
    pub usage: TokenUsage,
}

/// Why a step failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// The model could not be reached or refused before answering (after retries). The text
    /// is for logs.
    #[error("model unavailable: {0}")]
    Unavailable(String),
    /// The model refused the credentials or the request itself; retrying will not help.
    #[error("model rejected the request: {0}")]
    Rejected(String),
    /// No first token, or no further token, within the configured time.
    #[error("model timed out: {0}")]
    TimedOut(String),
    /// The stream broke after it had started; `partial` is the text received before.
    #[error("model stream broke: {message}")]
    Interrupted {
        /// The text received before the break.
        partial: String,
        /// What broke, for logs.
        message: String,
    },
}

/// A chat-completions model with streaming and tools.
#[async_trait]
pub trait LanguageModel: Send + Sync {
    /// A short name for health checks and logs, e.g. `openai:gpt-4o-mini` or `offline`.
    fn name(&self) -> String;

    /// Whether this is the offline parser rather than a real model.
    fn is_offline(&self) -> bool {
        false
    }

    /// Whether it can read images ([`ContentPart::ImageUrl`]) and answer in a JSON schema,
    /// as receipt scanning needs.
    fn supports_vision(&self) -> bool {
        false
    }

    /// Runs one step. `on_text` receives each piece of text as it arrives; the piece may be
    /// borrowed from the chunk just read (`for<'a>`: async-trait would otherwise tie its
    /// lifetime to the call's).
    async fn complete(
        &self,
        request: ModelRequest,
        on_text: &mut (dyn for<'a> FnMut(&'a str) + Send),
    ) -> Result<ModelReply, ModelError>;
}
