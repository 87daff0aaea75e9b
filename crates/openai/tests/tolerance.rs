//! Streams as real OpenAI-compatible servers send them, not only as OpenAI does.

mod common;

use std::time::Duration;

use common::{ask, config, model, run};
use pantry_core::pixie::model::{FinishReason, ModelError};
use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
use serde_json::{Value, json};

/// One `data:` event with a single choice.
fn event(delta: Value, finish_reason: Value) -> String {
    format!(
        "data: {}\n\n",
        json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})
    )
}

#[tokio::test]
async fn tool_calls_without_index_and_with_object_arguments_are_assembled() {
    // Some servers leave out `index`, send `arguments` as an object, or send a whole call
    // in one chunk.
    let body = [
        event(json!({"role": "assistant"}), Value::Null),
        event(
            json!({"tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "addToList", "arguments": {"name": "milk"}}},
                {"id": "call_b", "type": "function", "function": {"name": "addToList", "arguments": ""}}
            ]}),
            Value::Null,
        ),
        event(json!({"tool_calls": [{"function": {"arguments": "{\"name\""}}, {"function": {"arguments": ""}}]}), Value::Null),
        event(json!({"tool_calls": [{}, {"function": {"arguments": "{\"name\":\"eggs\"}"}}]}), Value::Null),
        event(json!({"tool_calls": [{"function": {"arguments": ":\"x\"}"}}]}), json!("tool_calls")),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let fake = FakeOpenAi::start(vec![Reply::raw_sse(body)]);
    let reply = run(&model(config(&fake)), ask("hi")).await.reply();
    let calls: Vec<_> = reply
        .tool_calls
        .iter()
        .map(|call| (call.id.as_str(), call.arguments.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("call_a", "{\"name\":\"milk\"}{\"name\":\"x\"}"),
            ("call_b", "{\"name\":\"eggs\"}")
        ]
    );
    assert_eq!(reply.finish, FinishReason::ToolCalls);
}

#[tokio::test]
async fn a_missing_finish_reason_is_inferred() {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![ToolCallScript::new("call_1", "f", &["{}"])])
            .without_finish_reason(),
        Reply::text(&["plain"]).without_finish_reason(),
    ]);
    let model = model(config(&fake));
    let reply = run(&model, ask("a")).await.reply();
    assert_eq!(reply.finish, FinishReason::ToolCalls);
    assert_eq!(reply.tool_calls.len(), 1);
    assert_eq!(
        run(&model, ask("b")).await.reply().finish,
        FinishReason::Stop
    );
}

#[tokio::test]
async fn tool_calls_under_a_stop_finish_are_still_tool_calls() {
    // Some local servers end a tool-call answer with `stop`; the caller must still run them.
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![ToolCallScript::new("call_1", "f", &["{}"])])
            .with_finish_reason("stop"),
    ]);
    let reply = run(&model(config(&fake)), ask("a")).await.reply();
    assert_eq!(reply.finish, FinishReason::ToolCalls);
}

#[tokio::test]
async fn keep_alive_comments_and_crlf_line_ends_are_handled() {
    let crlf = |event: String| event.replace('\n', "\r\n");
    let body = [
        ": keep-alive\r\n\r\n".to_owned(),
        crlf(event(
            json!({"role": "assistant", "content": ""}),
            Value::Null,
        )),
        ": keep-alive\r\n\r\n".to_owned(),
        crlf(event(json!({"content": "Hi "}), Value::Null)),
        crlf(event(json!({"content": "there"}), Value::Null)),
        crlf(event(json!({}), json!("stop"))),
        "data: [DONE]\r\n\r\n".to_owned(),
    ]
    .concat();
    let fake = FakeOpenAi::start(vec![Reply::raw_sse(body)]);
    let step = run(&model(config(&fake)), ask("hi")).await;
    assert_eq!(step.pieces(), ["Hi ", "there"]);
    assert_eq!(step.reply().finish, FinishReason::Stop);
}

#[tokio::test]
async fn events_split_across_tcp_reads_are_joined() {
    // Split mid-line, mid-JSON, inside a multi-byte character's event and between `\r` and `\n`.
    let whole = [
        event(json!({"content": "Grüße "}), Value::Null),
        event(json!({"content": "aus Köln"}), Value::Null).replace('\n', "\r\n"),
        event(json!({}), json!("stop")),
        "data: [DONE]\n\n".to_owned(),
    ]
    .concat();
    let cuts = [
        3,
        20,
        41,
        60,
        whole.find("\r\n").unwrap_or(70) + 1,
        whole.len() - 5,
    ];
    let mut parts = Vec::new();
    let mut start = 0;
    for cut in cuts {
        let cut = (cut..whole.len())
            .find(|&at| whole.is_char_boundary(at))
            .unwrap_or(whole.len());
        if cut > start {
            parts.push(whole[start..cut].to_owned());
            start = cut;
        }
    }
    parts.push(whole[start..].to_owned());
    let fake = FakeOpenAi::start(vec![
        Reply::raw_sse_parts(parts).with_delay_between_chunks(Duration::from_millis(15)),
    ]);
    let reply = run(&model(config(&fake)), ask("hi")).await.reply();
    assert_eq!(reply.text, "Grüße aus Köln");
}

#[tokio::test]
async fn a_stream_that_closes_without_finish_or_done_after_text_is_interrupted() {
    let body = event(json!({"content": "Half an ans"}), Value::Null);
    let fake = FakeOpenAi::start(vec![Reply::raw_sse(body)]);
    match run(&model(config(&fake)), ask("hi")).await.error() {
        ModelError::Interrupted { partial, .. } => assert_eq!(partial, "Half an ans"),
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn a_stream_that_closes_before_any_token_is_retried() {
    let role_only = event(json!({"role": "assistant", "content": ""}), Value::Null);
    let fake = FakeOpenAi::start(vec![
        Reply::raw_sse(role_only),
        Reply::text(&["second try"]),
    ]);
    let reply = run(&model(config(&fake)), ask("hi")).await.reply();
    assert_eq!(reply.text, "second try");
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn a_server_that_ignores_stream_true_still_gives_a_reply() {
    let completion = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "Done.", "tool_calls": [
                {"id": "call_9", "type": "function", "function": {"name": "addToList", "arguments": "{\"name\":\"tea\"}"}}
            ]},
            "finish_reason": "tool_calls"
        }],
        "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28}
    });
    let fake = FakeOpenAi::start(vec![Reply::raw("application/json", completion.to_string())]);
    let step = run(&model(config(&fake)), ask("tea")).await;
    assert_eq!(step.pieces(), ["Done."]);
    let reply = step.reply();
    assert_eq!(reply.finish, FinishReason::ToolCalls);
    assert_eq!(reply.tool_calls[0].arguments, "{\"name\":\"tea\"}");
    assert_eq!(reply.usage.total(), 28);
}

#[tokio::test]
async fn a_proxy_html_page_with_status_200_is_retried_not_shown() {
    let fake = FakeOpenAi::start(vec![
        Reply::raw("text/html", "<html><body>Gateway hiccup</body></html>"),
        Reply::text(&["real answer"]),
    ]);
    let step = run(&model(config(&fake)), ask("hi")).await;
    assert_eq!(step.pieces(), ["real answer"]);
    assert_eq!(fake.request_count(), 2);
}
