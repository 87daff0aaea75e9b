//! [`Reply`]: one scripted answer of the fake, and how it becomes the exact bytes OpenAI sends.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// One tool call the fake streams: a first fragment with `id`, `type`, `name` and
/// `arguments: ""`, then one fragment per piece of `argument_fragments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallScript {
    /// The call id, e.g. `call_abc123` (echoed back by the client as `tool_call_id`).
    pub id: String,
    /// The tool's name.
    pub name: String,
    /// Pieces of the arguments JSON, in order; they concatenate to the whole arguments.
    pub argument_fragments: Vec<String>,
}

impl ToolCallScript {
    /// A call whose arguments arrive in the given pieces.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        argument_fragments: &[&str],
    ) -> Self {
        ToolCallScript {
            id: id.into(),
            name: name.into(),
            argument_fragments: argument_fragments
                .iter()
                .map(|piece| (*piece).to_owned())
                .collect(),
        }
    }
}

/// One scripted answer to one `POST /chat/completions`.
///
/// By default a streamed reply is faithful to OpenAI: a role chunk, the content or tool-call
/// chunks, a finish chunk, a usage chunk (when the request asked for it) and `data: [DONE]`.
/// Chunks are written one by one; with a delay between them each goes out in its own TCP
/// write, without one they may share a write (as with a fast real server). The
/// `with_*`/`without_*` methods bend the reply for tests.
#[derive(Debug, Clone)]
pub struct Reply {
    pub(crate) body: Body,
    usage: Option<(u64, u64)>,
    pub(crate) chunk_delay: Duration,
    first_token_delay: Option<Duration>,
    pub(crate) response_delay: Duration,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    Stream(StreamScript),
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    Raw {
        content_type: String,
        parts: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct StreamScript {
    texts: Vec<String>,
    tool_calls: Vec<ToolCallScript>,
    interleave: bool,
    finish: Finish,
    ending: Ending,
}

#[derive(Debug, Clone)]
enum Finish {
    /// `tool_calls` when there are tool calls, else `stop`.
    Natural,
    Reason(String),
    Omitted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Done,
    Closed,
    ErrorEvent,
    Stall,
}

/// What a response looks like once rendered for one request.
pub(crate) struct Rendered {
    /// Each piece of the body with the pause before it.
    pub frames: Vec<Frame>,
    /// Keep the connection open without sending anything after the last frame.
    pub stall: bool,
}

/// One write of the streamed body.
pub(crate) struct Frame {
    pub delay: Duration,
    pub bytes: String,
}

/// The per-request values every chunk repeats.
pub(crate) struct ChunkContext {
    pub id: String,
    pub created: u64,
    pub model: String,
    pub include_usage: bool,
}

impl ChunkContext {
    /// A context for request number `n` naming `model`.
    pub fn new(n: u64, model: &str, include_usage: bool) -> Self {
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        ChunkContext {
            id: format!("chatcmpl-fake{n:08}"),
            created,
            model: model.to_owned(),
            include_usage,
        }
    }
}

impl Reply {
    fn stream(script: StreamScript) -> Reply {
        Reply {
            body: Body::Stream(script),
            usage: None,
            chunk_delay: Duration::ZERO,
            first_token_delay: None,
            response_delay: Duration::ZERO,
        }
    }

    fn script(texts: &[&str]) -> StreamScript {
        StreamScript {
            texts: texts.iter().map(|text| (*text).to_owned()).collect(),
            tool_calls: Vec::new(),
            interleave: false,
            finish: Finish::Natural,
            ending: Ending::Done,
        }
    }

    /// A text answer streamed in these pieces, finishing with `stop`.
    pub fn text(pieces: &[&str]) -> Reply {
        Reply::stream(Reply::script(pieces))
    }

    /// An answer that asks for these tool calls (one after the other; see
    /// [`Reply::interleaved`]), finishing with `tool_calls`.
    pub fn tool_calls(calls: Vec<ToolCallScript>) -> Reply {
        let mut script = Reply::script(&[]);
        script.tool_calls = calls;
        Reply::stream(script)
    }

    /// Some text, then `data: {"error": {...}}` (a `server_error`) and the end of the stream:
    /// what OpenAI does when it fails mid-answer.
    pub fn error_mid_stream(after_texts: &[&str]) -> Reply {
        let mut script = Reply::script(after_texts);
        script.ending = Ending::ErrorEvent;
        Reply::stream(script)
    }

    /// Some text, then nothing while the connection stays open (for an hour): a hung model.
    pub fn stall_after(texts: &[&str]) -> Reply {
        let mut script = Reply::script(texts);
        script.ending = Ending::Stall;
        Reply::stream(script)
    }

    /// A non-2xx answer with OpenAI's error JSON (`{"error":{"message","type","param","code"}}`)
    /// and, if given, a `Retry-After` header in seconds.
    pub fn status(status: u16, retry_after: Option<u64>) -> Reply {
        Reply {
            body: Body::Status {
                status,
                retry_after,
            },
            ..Reply::text(&[])
        }
    }

    /// A 200 `text/event-stream` whose body is exactly `body`, for malformed or unusual streams.
    pub fn raw_sse(body: impl Into<String>) -> Reply {
        Reply::raw_sse_parts(vec![body.into()])
    }

    /// Like [`Reply::raw_sse`], but written in these separate pieces (with the chunk delay
    /// between them), to split events or lines across TCP reads.
    pub fn raw_sse_parts(parts: Vec<String>) -> Reply {
        Reply {
            body: Body::Raw {
                content_type: "text/event-stream; charset=utf-8".to_owned(),
                parts,
            },
            ..Reply::text(&[])
        }
    }

    /// A 200 with any content type and exactly `body`: a non-streamed `chat.completion`
    /// (`application/json`) from a server that ignores `stream: true`, or a proxy's HTML page.
    pub fn raw(content_type: &str, body: impl Into<String>) -> Reply {
        Reply {
            body: Body::Raw {
                content_type: content_type.to_owned(),
                parts: vec![body.into()],
            },
            ..Reply::text(&[])
        }
    }

    /// The `content-type` of a 200 answer.
    pub(crate) fn content_type(&self) -> &str {
        match &self.body {
            Body::Raw { content_type, .. } => content_type,
            _ => "text/event-stream; charset=utf-8",
        }
    }

    /// Text streamed before the tool calls (models sometimes say what they are about to do).
    pub fn with_leading_text(mut self, pieces: &[&str]) -> Reply {
        if let Body::Stream(script) = &mut self.body {
            script.texts = pieces.iter().map(|piece| (*piece).to_owned()).collect();
        }
        self
    }

    /// Interleave the fragments of parallel tool calls (first fragments of each call, then
    /// one argument piece of each in turn), as OpenAI may.
    pub fn interleaved(mut self) -> Reply {
        if let Body::Stream(script) = &mut self.body {
            script.interleave = true;
        }
        self
    }

    /// The token counts of the usage chunk (default: 12 prompt tokens, one completion token
    /// per content or argument chunk).
    pub fn with_usage(mut self, prompt_tokens: u64, completion_tokens: u64) -> Reply {
        self.usage = Some((prompt_tokens, completion_tokens));
        self
    }

    /// A pause before every chunk after the first (and between raw parts).
    pub fn with_delay_between_chunks(mut self, delay: Duration) -> Reply {
        self.chunk_delay = delay;
        self
    }

    /// A pause before the first chunk that carries text or a tool call; the headers and the
    /// role chunk go out at once (so a client must not count those as the first token).
    pub fn with_first_token_delay(mut self, delay: Duration) -> Reply {
        self.first_token_delay = Some(delay);
        self
    }

    /// A pause before the status line and headers are sent.
    pub fn with_response_delay(mut self, delay: Duration) -> Reply {
        self.response_delay = delay;
        self
    }

    /// Send this `finish_reason` (e.g. `length`) instead of the natural one.
    pub fn with_finish_reason(mut self, reason: &str) -> Reply {
        if let Body::Stream(script) = &mut self.body {
            script.finish = Finish::Reason(reason.to_owned());
        }
        self
    }

    /// Send no finish chunk at all (some servers do not).
    pub fn without_finish_reason(mut self) -> Reply {
        if let Body::Stream(script) = &mut self.body {
            script.finish = Finish::Omitted;
        }
        self
    }

    /// Close the stream without `data: [DONE]`.
    pub fn without_done(mut self) -> Reply {
        if let Body::Stream(script) = &mut self.body
            && script.ending == Ending::Done
        {
            script.ending = Ending::Closed;
        }
        self
    }

    /// The body of a streamed reply for one request.
    pub(crate) fn render(&self, context: &ChunkContext) -> Rendered {
        match &self.body {
            Body::Stream(script) => self.render_stream(script, context),
            Body::Raw { parts, .. } => Rendered {
                frames: parts
                    .iter()
                    .enumerate()
                    .map(|(n, part)| Frame {
                        delay: if n == 0 {
                            self.first_token_delay.unwrap_or_default()
                        } else {
                            self.chunk_delay
                        },
                        bytes: part.clone(),
                    })
                    .collect(),
                stall: false,
            },
            Body::Status { .. } => Rendered {
                frames: Vec::new(),
                stall: false,
            },
        }
    }

    fn render_stream(&self, script: &StreamScript, context: &ChunkContext) -> Rendered {
        let mut deltas: Vec<Value> = script
            .texts
            .iter()
            .map(|text| json!({"content": text}))
            .collect();
        deltas.extend(tool_call_deltas(&script.tool_calls, script.interleave));
        let token_chunks = deltas.len() as u64;
        let mut frames = vec![Frame {
            delay: Duration::ZERO,
            bytes: chunk(
                context,
                choice(
                    json!({"role": "assistant", "content": "", "refusal": null}),
                    None,
                ),
            ),
        }];
        for (n, delta) in deltas.into_iter().enumerate() {
            let delay = match self.first_token_delay {
                Some(delay) if n == 0 => delay,
                _ => self.chunk_delay,
            };
            frames.push(Frame {
                delay,
                bytes: chunk(context, choice(delta, None)),
            });
        }
        let mut push = |bytes: String| {
            frames.push(Frame {
                delay: self.chunk_delay,
                bytes,
            })
        };
        match script.ending {
            Ending::ErrorEvent => {
                push(format!(
                    "data: {}\n\n",
                    json!({"error": error_object(500, None)})
                ));
                return Rendered {
                    frames,
                    stall: false,
                };
            }
            Ending::Stall => {
                return Rendered {
                    frames,
                    stall: true,
                };
            }
            Ending::Done | Ending::Closed => {}
        }
        let reason = match &script.finish {
            Finish::Natural if script.tool_calls.is_empty() => Some("stop".to_owned()),
            Finish::Natural => Some("tool_calls".to_owned()),
            Finish::Reason(reason) => Some(reason.clone()),
            Finish::Omitted => None,
        };
        if let Some(reason) = reason {
            push(chunk(context, choice(json!({}), Some(&reason))));
        }
        if context.include_usage {
            let (prompt, completion) = self.usage.unwrap_or((12, token_chunks));
            let usage = json!({
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            });
            push(chunk_with(context, json!([]), usage));
        }
        if script.ending == Ending::Done {
            push("data: [DONE]\n\n".to_owned());
        }
        Rendered {
            frames,
            stall: false,
        }
    }
}

/// The `delta`s of the tool calls: per call a first fragment, then its argument pieces;
/// one call after another, or round-robin when interleaved.
fn tool_call_deltas(calls: &[ToolCallScript], interleave: bool) -> Vec<Value> {
    let per_call: Vec<Vec<Value>> = calls
        .iter()
        .enumerate()
        .map(|(index, call)| {
            let mut fragments = vec![json!({
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            })];
            fragments.extend(
                call.argument_fragments
                    .iter()
                    .map(|piece| json!({"index": index, "function": {"arguments": piece}})),
            );
            fragments
        })
        .collect();
    let fragments: Vec<Value> = if interleave {
        let longest = per_call.iter().map(Vec::len).max().unwrap_or(0);
        (0..longest)
            .flat_map(|n| {
                per_call
                    .iter()
                    .filter_map(move |fragments| fragments.get(n).cloned())
            })
            .collect()
    } else {
        per_call.into_iter().flatten().collect()
    };
    fragments
        .into_iter()
        .map(|fragment| json!({"tool_calls": [fragment]}))
        .collect()
}

fn choice(delta: Value, finish_reason: Option<&str>) -> Value {
    json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}])
}

/// A chunk with choices (and `usage: null`).
fn chunk(context: &ChunkContext, choices: Value) -> String {
    chunk_with(context, choices, Value::Null)
}

/// One `data:` event. `usage` is `null` on every chunk when usage was asked for (absent
/// otherwise), except the final usage chunk.
fn chunk_with(context: &ChunkContext, choices: Value, usage: Value) -> String {
    let mut chunk = json!({
        "id": context.id,
        "object": "chat.completion.chunk",
        "created": context.created,
        "model": context.model,
        "system_fingerprint": "fp_fake",
        "choices": choices,
    });
    if context.include_usage
        && let Some(fields) = chunk.as_object_mut()
    {
        fields.insert("usage".to_owned(), usage);
    }
    if let Some(fields) = chunk.as_object_mut() {
        let padding: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(fastrand::usize(1..12))
            .collect();
        fields.insert("obfuscation".to_owned(), Value::String(padding));
    }
    format!("data: {chunk}\n\n")
}

/// OpenAI's error object for a status (`message`, `type`, `param`, `code`).
pub(crate) fn error_object(status: u16, message: Option<&str>) -> Value {
    let (kind, code, default_message) = match status {
        400 => (
            "invalid_request_error",
            Value::Null,
            "Invalid request (fake OpenAI).",
        ),
        401 => (
            "invalid_request_error",
            json!("invalid_api_key"),
            "Incorrect API key provided.",
        ),
        403 => (
            "invalid_request_error",
            json!("unsupported_country_region_territory"),
            "Country, region, or territory not supported.",
        ),
        404 => (
            "invalid_request_error",
            json!("model_not_found"),
            "The model does not exist or you do not have access to it.",
        ),
        429 => (
            "requests",
            json!("rate_limit_exceeded"),
            "Rate limit reached for requests.",
        ),
        500..=599 => (
            "server_error",
            Value::Null,
            "The server had an error while processing your request. Sorry about that!",
        ),
        _ => ("invalid_request_error", Value::Null, "Fake OpenAI error."),
    };
    json!({
        "message": message.unwrap_or(default_message),
        "type": kind,
        "param": null,
        "code": code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(reply: &Reply, include_usage: bool) -> Vec<String> {
        let context = ChunkContext::new(1, "gpt-test", include_usage);
        reply
            .render(&context)
            .frames
            .into_iter()
            .map(|frame| frame.bytes)
            .collect()
    }

    #[test]
    fn a_text_reply_has_the_openai_shape() {
        let events = events(&Reply::text(&["Hel", "lo"]).with_usage(5, 2), true);
        assert_eq!(events.len(), 6, "{events:#?}");
        assert!(
            events
                .iter()
                .all(|event| event.starts_with("data: ") && event.ends_with("\n\n"))
        );
        let chunks: Vec<Value> = events[..5]
            .iter()
            .map(|event| serde_json::from_str(&event[6..]).unwrap())
            .collect();
        for chunk in &chunks {
            assert_eq!(chunk["id"], "chatcmpl-fake00000001");
            assert_eq!(chunk["object"], "chat.completion.chunk");
            assert_eq!(chunk["model"], "gpt-test");
            assert_eq!(chunk["created"], chunks[0]["created"]);
        }
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(chunks[1]["choices"][0]["delta"]["content"], "Hel");
        assert_eq!(chunks[3]["choices"][0]["finish_reason"], "stop");
        assert_eq!(chunks[4]["choices"], json!([]));
        assert_eq!(chunks[4]["usage"]["total_tokens"], 7);
        assert_eq!(events[5], "data: [DONE]\n\n");
    }

    #[test]
    fn interleaved_calls_alternate_after_their_first_fragments() {
        let reply = Reply::tool_calls(vec![
            ToolCallScript::new("call_a", "a", &["{\"x\":", "1}"]),
            ToolCallScript::new("call_b", "b", &["{}"]),
        ])
        .interleaved();
        let indexes: Vec<u64> = events(&reply, false)[1..5]
            .iter()
            .map(|event| {
                let chunk: Value = serde_json::from_str(&event[6..]).unwrap();
                chunk["choices"][0]["delta"]["tool_calls"][0]["index"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(indexes, [0, 1, 0, 1]);
    }
}
