//! The chat-completions JSON as it travels: the request we send and the stream chunks we read.
//!
//! Response types are deliberately loose (everything optional, unknown fields ignored) because
//! OpenAI-compatible servers differ in what they leave out.

use pantry_core::pixie::model::{
    ContentPart, JsonSchema, ModelMessage, ModelRequest, ToolCall, ToolSpec,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /chat/completions` body for one streamed step.
#[derive(Debug, Serialize)]
pub(crate) struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: Vec<WireMessage<'a>>,
    pub stream: bool,
    pub stream_options: StreamOptions,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<WireResponseFormat<'a>>,
}

/// `response_format: {type: "json_schema", json_schema: {name, strict: true, schema}}`.
#[derive(Debug, Serialize)]
pub(crate) struct WireResponseFormat<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub json_schema: WireJsonSchema<'a>,
}

/// The schema part of a structured-output request.
#[derive(Debug, Serialize)]
pub(crate) struct WireJsonSchema<'a> {
    pub name: &'a str,
    pub strict: bool,
    pub schema: &'a Value,
}

impl<'a> From<&'a JsonSchema> for WireResponseFormat<'a> {
    fn from(format: &'a JsonSchema) -> Self {
        WireResponseFormat {
            kind: "json_schema",
            json_schema: WireJsonSchema {
                name: &format.name,
                strict: true,
                schema: &format.schema,
            },
        }
    }
}

impl<'a> ChatRequest<'a> {
    /// The streamed request for `request`, asking for usage at the end.
    pub fn new(model: &'a str, request: &'a ModelRequest) -> Self {
        let tools: Vec<WireTool<'a>> = request.tools.iter().map(WireTool::from).collect();
        let tool_choice = if tools.is_empty() { None } else { Some("auto") };
        ChatRequest {
            model,
            messages: request.messages.iter().map(WireMessage::from).collect(),
            stream: true,
            stream_options: StreamOptions {
                include_usage: true,
            },
            tools,
            tool_choice,
            max_tokens: request.max_tokens,
            response_format: request
                .response_format
                .as_ref()
                .map(WireResponseFormat::from),
        }
    }
}

/// Asks for the final usage chunk.
#[derive(Debug, Serialize)]
pub(crate) struct StreamOptions {
    pub include_usage: bool,
}

/// One message, tagged by `role`.
#[derive(Debug, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub(crate) enum WireMessage<'a> {
    System {
        content: &'a str,
    },
    User {
        content: WireContent<'a>,
    },
    Assistant {
        /// `null` when the step was only tool calls (OpenAI wants the key present).
        content: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<WireToolCall<'a>>,
    },
    Tool {
        tool_call_id: &'a str,
        content: &'a str,
    },
}

impl<'a> From<&'a ModelMessage> for WireMessage<'a> {
    fn from(message: &'a ModelMessage) -> Self {
        match message {
            ModelMessage::System(content) => WireMessage::System { content },
            ModelMessage::User(content) => WireMessage::User {
                content: WireContent::Text(content),
            },
            ModelMessage::UserParts(parts) => WireMessage::User {
                content: WireContent::Parts(parts.iter().map(WirePart::from).collect()),
            },
            ModelMessage::Assistant {
                content,
                tool_calls,
            } => WireMessage::Assistant {
                content: content.as_deref(),
                tool_calls: tool_calls.iter().map(WireToolCall::from).collect(),
            },
            ModelMessage::Tool { call_id, content } => WireMessage::Tool {
                tool_call_id: call_id,
                content,
            },
        }
    }
}

/// A user message's content: plain text, or parts (text and images).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum WireContent<'a> {
    Text(&'a str),
    Parts(Vec<WirePart<'a>>),
}

/// `{type: "text", text}` or `{type: "image_url", image_url: {url}}`.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum WirePart<'a> {
    Text { text: &'a str },
    ImageUrl { image_url: WireImageUrl<'a> },
}

/// Where the image is (always a data URL here).
#[derive(Debug, Serialize)]
pub(crate) struct WireImageUrl<'a> {
    pub url: &'a str,
}

impl<'a> From<&'a ContentPart> for WirePart<'a> {
    fn from(part: &'a ContentPart) -> Self {
        match part {
            ContentPart::Text(text) => WirePart::Text { text },
            ContentPart::ImageUrl(url) => WirePart::ImageUrl {
                image_url: WireImageUrl { url },
            },
        }
    }
}

/// A tool call echoed back in an assistant message.
#[derive(Debug, Serialize)]
pub(crate) struct WireToolCall<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: WireFunctionCall<'a>,
}

impl<'a> From<&'a ToolCall> for WireToolCall<'a> {
    fn from(call: &'a ToolCall) -> Self {
        WireToolCall {
            id: &call.id,
            kind: "function",
            function: WireFunctionCall {
                name: &call.name,
                arguments: &call.arguments,
            },
        }
    }
}

/// The function part of an echoed tool call.
#[derive(Debug, Serialize)]
pub(crate) struct WireFunctionCall<'a> {
    pub name: &'a str,
    pub arguments: &'a str,
}

/// A tool offered to the model.
#[derive(Debug, Serialize)]
pub(crate) struct WireTool<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: WireFunction<'a>,
}

impl<'a> From<&'a ToolSpec> for WireTool<'a> {
    fn from(spec: &'a ToolSpec) -> Self {
        WireTool {
            kind: "function",
            function: WireFunction {
                name: &spec.name,
                description: &spec.description,
                parameters: &spec.parameters,
            },
        }
    }
}

/// The function part of an offered tool.
#[derive(Debug, Serialize)]
pub(crate) struct WireFunction<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub parameters: &'a Value,
}

/// One `data:` event of the stream (after its `error` key was checked). `null` is accepted
/// wherever a field may be missing.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Chunk {
    #[serde(default)]
    pub choices: Option<Vec<Choice>>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// One choice of a chunk (we ask for one).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Choice {
    #[serde(default)]
    pub delta: Option<Delta>,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

/// What a chunk adds to the answer.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Delta {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub refusal: Option<String>,
    #[serde(default)]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
}

/// A fragment of a tool call; only `index` and a piece of `arguments` after the first.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ToolCallDelta {
    #[serde(default)]
    pub index: Option<u64>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<FunctionDelta>,
}

/// The function part of a tool-call fragment. `arguments` is normally a string piece, but some
/// servers send the whole object, hence a raw value.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FunctionDelta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<Value>,
}

/// Token counts from the usage chunk.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub(crate) struct Usage {
    #[serde(default)]
    pub prompt_tokens: Option<u64>,
    #[serde(default)]
    pub completion_tokens: Option<u64>,
}

/// The human-readable message of an OpenAI error object (`{"message", "type", "code"}`), or
/// the value itself when it has another shape.
pub(crate) fn error_message(error: &Value) -> String {
    match error {
        Value::String(message) => message.clone(),
        Value::Object(fields) => {
            let message = fields.get("message").and_then(Value::as_str).unwrap_or("");
            let code = fields
                .get("code")
                .and_then(|code| {
                    code.as_str()
                        .map(str::to_owned)
                        .or_else(|| code.as_u64().map(|n| n.to_string()))
                })
                .or_else(|| {
                    fields
                        .get("type")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
            match (message.is_empty(), code) {
                (false, Some(code)) => format!("{message} ({code})"),
                (false, None) => message.to_owned(),
                (true, Some(code)) => code,
                (true, None) => error.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// The message of an error response body `{"error": {...}}`, or the start of the body as text.
pub(crate) fn error_body_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: Value,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => error_message(&parsed.error),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let cut: String = text.chars().take(300).collect();
            if cut.is_empty() {
                "no error body".to_owned()
            } else {
                cut
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_tools_means_no_tools_and_no_tool_choice() {
        let request = ModelRequest {
            messages: vec![ModelMessage::User("hi".into())],
            tools: vec![],
            max_tokens: None,
            response_format: None,
        };
        let body = serde_json::to_value(ChatRequest::new("m", &request)).unwrap();
        assert_eq!(
            body,
            json!({
                "model": "m",
                "messages": [{"role": "user", "content": "hi"}],
                "stream": true,
                "stream_options": {"include_usage": true}
            })
        );
    }

    #[test]
    fn images_and_schemas_use_the_openai_shapes() {
        let mut request = ModelRequest::new(
            vec![ModelMessage::UserParts(vec![
                ContentPart::Text("Read this".into()),
                ContentPart::ImageUrl("data:image/png;base64,AAAA".into()),
            ])],
            vec![],
        );
        request.response_format = Some(JsonSchema {
            name: "receipt".into(),
            schema: json!({"type": "object"}),
        });
        let body = serde_json::to_value(ChatRequest::new("m", &request)).unwrap();
        assert_eq!(
            body["messages"],
            json!([{"role": "user", "content": [
                {"type": "text", "text": "Read this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
            ]}])
        );
        assert_eq!(
            body["response_format"],
            json!({"type": "json_schema", "json_schema": {"name": "receipt", "strict": true, "schema": {"type": "object"}}})
        );
    }

    #[test]
    fn error_messages_read_openai_and_other_shapes() {
        assert_eq!(
            error_message(
                &json!({"message": "Rate limit", "type": "requests", "code": "rate_limit_exceeded"})
            ),
            "Rate limit (rate_limit_exceeded)"
        );
        assert_eq!(error_message(&json!("plain")), "plain");
        assert_eq!(
            error_body_message(b"<html>bad gateway</html>"),
            "<html>bad gateway</html>"
        );
        assert_eq!(
            error_body_message(
                br#"{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}"#
            ),
            "Incorrect API key provided (invalid_api_key)"
        );
    }
}
