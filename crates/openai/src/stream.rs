//! Folding the chunks of one streamed answer into a [`ModelReply`].
//!
//! The fold is pure (no I/O, no clock) so that every odd shape a real server sends can be
//! tested directly; [`crate::client`] feeds it the `data:` payloads and owns the timeouts.

use std::collections::BTreeMap;

use pantry_core::pixie::model::{FinishReason, ModelReply, TokenUsage, ToolCall};
use serde_json::Value;

use crate::wire::{self, Chunk, ToolCallDelta};

/// What one event meant for the stream as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// A chunk was folded in; read on.
    More,
    /// `[DONE]`: the answer is complete.
    Done,
}

/// Why an event could not be folded in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FoldError {
    /// The server sent `{"error": ...}` in the stream.
    Upstream(String),
    /// The event was not a chunk at all.
    Malformed(String),
}

/// One tool call being assembled from its fragments.
#[derive(Debug, Default)]
struct CallAccumulator {
    id: String,
    name: String,
    arguments: String,
}

/// The state of one streamed answer.
#[derive(Debug, Default)]
pub(crate) struct StreamFold {
    text: String,
    calls: BTreeMap<u64, CallAccumulator>,
    /// The slot the last fragment went to, for fragments that carry neither index nor id.
    last_slot: Option<u64>,
    /// Whether a chunk carried a `finish_reason` (known or not).
    finish_seen: bool,
    finish: Option<FinishReason>,
    usage: TokenUsage,
    /// Whether any text or tool call has arrived (the "first token").
    started: bool,
}

impl StreamFold {
    /// Folds in the `data` of one event, passing new text to `on_text` at once.
    pub fn feed(
        &mut self,
        data: &str,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Progress, FoldError> {
        let data = data.trim();
        if data.is_empty() {
            return Ok(Progress::More);
        }
        if data == "[DONE]" {
            return Ok(Progress::Done);
        }
        let value = parse(data)?;
        self.fold_value(value, on_text)?;
        Ok(Progress::More)
    }

    /// Folds in a whole non-streamed `chat.completion` (from a server that ignored
    /// `stream: true`): each choice's `message` is read as one delta.
    pub fn feed_completion(
        &mut self,
        body: &str,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<(), FoldError> {
        let mut value = parse(body)?;
        if let Some(choices) = value.get_mut("choices").and_then(Value::as_array_mut) {
            for choice in choices.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(message) = choice.remove("message") {
                    choice.insert("delta".to_owned(), message);
                }
            }
        }
        self.fold_value(value, on_text)
    }

    fn fold_value(&mut self, value: Value, on_text: &mut dyn FnMut(&str)) -> Result<(), FoldError> {
        // The error key is looked at before the chunk is read as one, as OpenAI's own client
        // does: an error event has none of a chunk's fields.
        if let Some(error) = value.get("error").filter(|error| !error.is_null()) {
            return Err(FoldError::Upstream(wire::error_message(error)));
        }
        let chunk: Chunk = serde_json::from_value(value)
            .map_err(|error| FoldError::Malformed(format!("not a chunk: {error}")))?;
        if let Some(usage) = chunk.usage {
            self.usage = TokenUsage {
                prompt_tokens: usage.prompt_tokens.unwrap_or(0),
                completion_tokens: usage.completion_tokens.unwrap_or(0),
            };
        }
        for choice in chunk.choices.into_iter().flatten() {
            if let Some(delta) = choice.delta {
                for text in [delta.content, delta.refusal].into_iter().flatten() {
                    if !text.is_empty() {
                        self.started = true;
                        on_text(&text);
                        self.text.push_str(&text);
                    }
                }
                for (position, fragment) in delta.tool_calls.into_iter().flatten().enumerate() {
                    self.started = true;
                    self.add_fragment(position as u64, fragment);
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.finish_seen = true;
                self.finish = finish_reason(&reason);
            }
        }
        Ok(())
    }

    /// Whether text or a tool call has arrived; before that, failures may be retried.
    pub fn has_started(&self) -> bool {
        self.started
    }

    /// Whether the model said why it stopped, so the answer is whole even if the stream
    /// then ends without `[DONE]`.
    pub fn has_finished(&self) -> bool {
        self.finish_seen
    }

    /// The text received so far.
    pub fn partial_text(&self) -> &str {
        &self.text
    }

    /// Takes the text received so far (for an interrupted answer).
    pub fn into_partial_text(self) -> String {
        self.text
    }

    /// The finished step. A missing or unknown `finish_reason` is inferred from whether there
    /// are tool calls, and tool calls under `stop` (some local servers do this) are reported as
    /// [`FinishReason::ToolCalls`] so that the caller runs them.
    pub fn into_reply(self) -> ModelReply {
        let has_calls = !self.calls.is_empty();
        let finish = match self.finish {
            Some(FinishReason::Stop) | None if has_calls => FinishReason::ToolCalls,
            Some(reason) => reason,
            None => FinishReason::Stop,
        };
        let tool_calls = self
            .calls
            .into_iter()
            .map(|(slot, call)| ToolCall {
                id: if call.id.is_empty() {
                    format!("call_{slot}")
                } else {
                    call.id
                },
                name: call.name,
                arguments: call.arguments,
            })
            .collect();
        ModelReply {
            text: self.text,
            tool_calls,
            finish,
            usage: self.usage,
        }
    }

    fn add_fragment(&mut self, position: u64, fragment: ToolCallDelta) {
        let id = fragment.id.filter(|id| !id.is_empty());
        let slot = self.slot_for(fragment.index, id.as_deref(), position);
        self.last_slot = Some(slot);
        let call = self.calls.entry(slot).or_default();
        if let Some(id) = id
            && call.id.is_empty()
        {
            call.id = id;
        }
        if let Some(function) = fragment.function {
            if let Some(name) = function.name.filter(|name| !name.is_empty())
                && call.name.is_empty()
            {
                call.name = name;
            }
            match function.arguments {
                None | Some(Value::Null) => {}
                Some(Value::String(piece)) => call.arguments.push_str(&piece),
                Some(whole) => call.arguments.push_str(&whole.to_string()),
            }
        }
    }

    /// Which call a fragment belongs to: its `index`; without one, the call with its `id`, a
    /// new call if the id is new, or else the call at its position in the array (or the one
    /// the previous fragment went to).
    fn slot_for(&self, index: Option<u64>, id: Option<&str>, position: u64) -> u64 {
        if let Some(index) = index {
            return index;
        }
        if let Some(id) = id {
            if let Some((&slot, _)) = self.calls.iter().find(|(_, call)| call.id == id) {
                return slot;
            }
            if !self.calls.contains_key(&position) {
                return position;
            }
            return self
                .calls
                .keys()
                .next_back()
                .map_or(position, |last| last + 1);
        }
        if self.calls.contains_key(&position) {
            position
        } else {
            self.last_slot.unwrap_or(position)
        }
    }
}

/// JSON, or why the text is not JSON (with its start, for logs).
fn parse(data: &str) -> Result<Value, FoldError> {
    serde_json::from_str(data).map_err(|error| {
        let start: String = data.chars().take(200).collect();
        FoldError::Malformed(format!("not JSON ({error}): {start}"))
    })
}

/// The reason named by the wire, or `None` for one we do not know (then it is inferred).
fn finish_reason(reason: &str) -> Option<FinishReason> {
    match reason {
        "stop" => Some(FinishReason::Stop),
        "tool_calls" | "function_call" => Some(FinishReason::ToolCalls),
        "length" => Some(FinishReason::Length),
        "content_filter" => Some(FinishReason::ContentFilter),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(events: &[&str]) -> (Vec<String>, Result<Progress, FoldError>, StreamFold) {
        let mut fold = StreamFold::default();
        let mut texts = Vec::new();
        let mut last = Ok(Progress::More);
        for event in events {
            last = fold.feed(event, &mut |text: &str| texts.push(text.to_owned()));
            if last != Ok(Progress::More) {
                break;
            }
        }
        (texts, last, fold)
    }

    #[test]
    fn text_deltas_reach_the_callback_in_order_and_the_role_chunk_is_not_a_token() {
        let (texts, last, fold) = run(&[
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        ]);
        assert!(texts.is_empty());
        assert_eq!(last, Ok(Progress::More));
        assert!(!fold.has_started());

        let (texts, last, fold) = run(&[
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"lo"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}"#,
            "[DONE]",
        ]);
        assert_eq!(texts, ["Hel", "lo"]);
        assert_eq!(last, Ok(Progress::Done));
        let reply = fold.into_reply();
        assert_eq!(reply.text, "Hello");
        assert_eq!(reply.finish, FinishReason::Stop);
        assert_eq!(reply.usage.total(), 9);
    }

    #[test]
    fn fragments_without_index_or_with_object_arguments_still_assemble() {
        let (_, _, fold) = run(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"one","arguments":{"x":1}}},{"id":"b","function":{"name":"two","arguments":""}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"id":"c","function":{"name":"three","arguments":"{}"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"y\":"}}]}}]}"#,
            r#"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"2}"}}]}}]}"#,
        ]);
        let reply = fold.into_reply();
        let calls: Vec<_> = reply
            .tool_calls
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.as_str()))
            .collect();
        // "c" has no index and position 0 is taken by another id: it becomes a new call.
        // The later id-less pieces are at position 0, so they continue call 0.
        assert_eq!(
            calls,
            [
                ("a", "one", "{\"x\":1}{\"y\":2}"),
                ("b", "two", ""),
                ("c", "three", "{}")
            ]
        );
        assert_eq!(reply.finish, FinishReason::ToolCalls);
    }

    #[test]
    fn unknown_or_stop_finish_with_tool_calls_means_tool_calls() {
        let (_, _, fold) = run(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"x","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}"#,
        ]);
        assert_eq!(fold.into_reply().finish, FinishReason::ToolCalls);
        let (_, _, fold) =
            run(&[r#"{"choices":[{"delta":{"content":"x"},"finish_reason":"eos"}]}"#]);
        assert!(fold.has_finished());
        assert_eq!(fold.into_reply().finish, FinishReason::Stop);
        for (wire, reason) in [
            ("length", FinishReason::Length),
            ("content_filter", FinishReason::ContentFilter),
            ("function_call", FinishReason::ToolCalls),
        ] {
            let event = format!(r#"{{"choices":[{{"delta":{{}},"finish_reason":"{wire}"}}]}}"#);
            let (_, _, fold) = run(&[&event]);
            assert_eq!(fold.into_reply().finish, reason, "{wire}");
        }
    }

    #[test]
    fn an_error_event_is_reported_before_any_parsing_of_choices() {
        let (texts, last, fold) = run(&[
            r#"{"choices":[{"delta":{"content":"par"}}]}"#,
            r#"{"error":{"message":"overloaded","type":"server_error","code":null}}"#,
        ]);
        assert_eq!(texts, ["par"]);
        assert_eq!(
            last,
            Err(FoldError::Upstream("overloaded (server_error)".into()))
        );
        assert_eq!(fold.partial_text(), "par");
    }

    #[test]
    fn nulls_where_fields_may_be_missing_are_accepted() {
        let (texts, last, fold) = run(&[
            r#"{"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":null}}"#,
            r#"{"choices":[{"index":null,"delta":{"content":"a","tool_calls":null},"finish_reason":null}],"usage":null}"#,
            r#"{"error":null,"choices":[{"delta":null,"finish_reason":"stop"}]}"#,
        ]);
        assert_eq!((texts, last), (vec!["a".to_owned()], Ok(Progress::More)));
        let reply = fold.into_reply();
        assert_eq!(reply.usage.prompt_tokens, 3);
        assert_eq!(reply.finish, FinishReason::Stop);
    }

    #[test]
    fn an_error_event_with_odd_fields_is_still_an_error() {
        let (_, last, _) = run(&[r#"{"error":{"message":"boom"},"choices":"not a list"}"#]);
        assert_eq!(last, Err(FoldError::Upstream("boom".into())));
    }

    #[test]
    fn a_whole_completion_is_read_like_one_chunk() {
        let mut fold = StreamFold::default();
        let mut texts = Vec::new();
        let body = r#"{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Sure.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}}"#;
        fold.feed_completion(body, &mut |text: &str| texts.push(text.to_owned()))
            .unwrap();
        assert_eq!(texts, ["Sure."]);
        let reply = fold.into_reply();
        assert_eq!(reply.tool_calls.len(), 1);
        assert_eq!(reply.finish, FinishReason::ToolCalls);
        assert_eq!(reply.usage.total(), 10);
    }

    #[test]
    fn garbage_is_malformed() {
        let (_, last, _) = run(&["{not json"]);
        assert!(matches!(last, Err(FoldError::Malformed(_))), "{last:?}");
    }

    #[test]
    fn an_id_less_call_gets_a_stable_id() {
        let (_, _, fold) = run(&[
            r#"{"choices":[{"delta":{"tool_calls":[{"index":3,"function":{"name":"f","arguments":"{}"}}]}}]}"#,
        ]);
        assert_eq!(fold.into_reply().tool_calls[0].id, "call_3");
    }
}
