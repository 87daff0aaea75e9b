//! The offline model: a deterministic parser behind the [`LanguageModel`] port, so Pixie
//! works with no language model at all.
//!
//! One step of [`OfflinePixie::complete`] looks at how the conversation ends:
//! - **tool results** (the calls it asked for last step): it answers in words built from each
//!   result's `message` ("Done! Added 2 milk and bread to Quick Items."), and stops;
//! - **a user message**: it reads the message with a small fixed grammar; a request the
//!   pantry or lists can serve becomes tool calls (`offline_call_0`, `offline_call_1`, …),
//!   anything else — a greeting, thanks, "help", or what it did not understand — an answer
//!   in words. Several requests joined by "and" or a comma ("I bought eggs and we're out of
//!   milk") give the calls of each, in order. It only calls tools the request offers; if the needed tool is not offered it
//!   says so instead;
//! - **no tools offered**: a title request (a system message with the word "title") gets a
//!   title of at most six words from the last user message; a digest or summary request (a
//!   system message saying "digest" or "summar…") gets the last user message back, since the
//!   offline model cannot write prose about facts it did not gather; anything else is read as
//!   a user message (without tools to call).
//!
//! Submodules, one concept each: `text` splits a message into tokens, `quantity` reads item
//! phrases, `parse` is the grammar, `calls` builds tool arguments, `reply` words the answers,
//! `title` names threads.

mod calls;
mod parse;
mod quantity;
mod reply;
mod text;
mod title;

use crate::pixie::model::{
    FinishReason, LanguageModel, ModelError, ModelMessage, ModelReply, ModelRequest, TokenUsage,
    ToolCall,
};
use async_trait::async_trait;
use parse::Intent;

/// The offline "model": understands simple pantry and list requests without any network,
/// and always gives the same answer to the same conversation. It uses no tokens.
///
/// ```
/// use pantry_core::pixie::model::{LanguageModel, ModelMessage, ModelRequest, ToolSpec};
/// use pantry_core::pixie::offline::OfflinePixie;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let tool = ToolSpec {
///     name: "consumeItem".into(),
///     description: String::new(),
///     parameters: serde_json::json!({"type": "object"}),
/// };
/// let request = ModelRequest {
///     messages: vec![ModelMessage::User("We're out of eggs".into())],
///     tools: vec![tool],
///     max_tokens: None,
///     response_format: None,
/// };
/// let reply = OfflinePixie.complete(request, &mut |_| {}).await.unwrap();
/// let call = &reply.tool_calls[0];
/// assert_eq!((call.id.as_str(), call.name.as_str()), ("offline_call_0", "consumeItem"));
/// let arguments: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
/// assert_eq!(arguments, serde_json::json!({"name": "eggs", "all": true}));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfflinePixie;

/// What a step produces before it is packed into a [`ModelReply`].
enum Step {
    Calls(Vec<ToolCall>),
    Text(String),
}

impl OfflinePixie {
    /// The offline model.
    pub fn new() -> OfflinePixie {
        OfflinePixie
    }

    /// Decides the step for `request`; pure, so it is easy to test and cannot fail.
    fn step(&self, request: &ModelRequest) -> Step {
        let messages = &request.messages;
        let results = trailing_tool_results(messages);
        if !results.is_empty() {
            return Step::Text(reply::tool_results(&results));
        }
        if request.tools.is_empty()
            && let Some(text) = titled_or_digest(messages)
        {
            return Step::Text(text);
        }
        match messages.last() {
            Some(ModelMessage::User(text)) => {
                answer(text, &|tool| request.tools.iter().any(|t| t.name == tool))
            }
            _ => Step::Text(reply::greeting()),
        }
    }
}

/// With no tools offered: a title for a title request, the facts back for a digest request.
fn titled_or_digest(messages: &[ModelMessage]) -> Option<String> {
    let last_user = messages.iter().rev().find_map(|m| match m {
        ModelMessage::User(text) => Some(text.as_str()),
        _ => None,
    });
    let system = |needle: &str| {
        messages.iter().any(|m| match m {
            ModelMessage::System(text) => contains_word_starting(text, needle),
            _ => false,
        })
    };
    if system("title") {
        return Some(title::title(last_user.unwrap_or("")));
    }
    if system("digest") || system("summar") {
        return Some(last_user.unwrap_or("").trim().to_string());
    }
    None
}

/// Answers a user message: tool calls when every request in it can be served by an offered
/// tool, words otherwise.
fn answer(text: &str, offered: &dyn Fn(&str) -> bool) -> Step {
    let intents = parse::parse_all(text);
    let planned: Option<Vec<Vec<calls::Planned>>> = intents.iter().map(calls::plan).collect();
    if let Some(planned) = planned {
        let planned: Vec<calls::Planned> = planned.into_iter().flatten().collect();
        if let Some(missing) = planned.iter().find(|p| !offered(p.tool)) {
            return Step::Text(reply::unavailable(missing.tool));
        }
        let calls = planned
            .into_iter()
            .enumerate()
            .map(|(i, p)| ToolCall {
                id: format!("offline_call_{i}"),
                name: p.tool.to_string(),
                arguments: p.arguments.to_string(),
            })
            .collect();
        return Step::Calls(calls);
    }
    Step::Text(
        match intents.into_iter().next().unwrap_or(Intent::Unknown) {
            Intent::Greeting => reply::greeting(),
            Intent::Thanks => reply::thanks(),
            Intent::Farewell => reply::farewell(),
            Intent::Acknowledged => reply::acknowledged(),
            Intent::Help => reply::help(offered),
            Intent::RemoveFromList => reply::remove_from_list(),
            Intent::Incomplete(verb) => reply::incomplete(verb),
            _ => reply::fallback(),
        },
    )
}

/// The tool results the conversation ends with, each with the name of the tool it answers
/// (found in the assistant message that made the calls).
fn trailing_tool_results(messages: &[ModelMessage]) -> Vec<(Option<&str>, &str)> {
    let start = messages
        .iter()
        .rposition(|m| !matches!(m, ModelMessage::Tool { .. }))
        .map_or(0, |i| i + 1);
    let calls: &[ToolCall] = match start.checked_sub(1).and_then(|i| messages.get(i)) {
        Some(ModelMessage::Assistant { tool_calls, .. }) => tool_calls,
        _ => &[],
    };
    messages[start..]
        .iter()
        .filter_map(|m| match m {
            ModelMessage::Tool { call_id, content } => {
                let tool = calls.iter().find(|c| &c.id == call_id);
                Some((tool.map(|c| c.name.as_str()), content.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// Whether a word of `text` starts with `prefix` (ASCII case ignored), so "Title:" and
/// "summarise" match but "entitled" does not.
fn contains_word_starting(text: &str, prefix: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| w.to_lowercase().starts_with(prefix))
}

#[async_trait]
impl LanguageModel for OfflinePixie {
    fn name(&self) -> String {
        "offline".to_string()
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn complete(
        &self,
        request: ModelRequest,
        on_text: &mut (dyn for<'a> FnMut(&'a str) + Send),
    ) -> Result<ModelReply, ModelError> {
        Ok(match self.step(&request) {
            Step::Calls(tool_calls) => ModelReply {
                text: String::new(),
                tool_calls,
                finish: FinishReason::ToolCalls,
                usage: TokenUsage::default(),
            },
            Step::Text(text) => {
                // Word by word, as a model streams.
                for piece in text.split_inclusive(' ') {
                    on_text(piece);
                }
                ModelReply {
                    text,
                    tool_calls: Vec::new(),
                    finish: FinishReason::Stop,
                    usage: TokenUsage::default(),
                }
            }
        })
    }
}
