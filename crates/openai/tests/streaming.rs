//! The happy paths over real HTTP: text arrives incrementally, tool calls are assembled,
//! usage is recorded, and the request is exactly what OpenAI expects.

mod common;

use std::time::Duration;

use common::{ask, config, model, run};
use pantry_core::pixie::model::{
    FinishReason, ModelMessage, ModelRequest, TokenUsage, ToolCall, ToolSpec,
};
use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
use serde_json::json;

#[tokio::test]
async fn text_reaches_on_text_in_order_as_it_arrives() {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["Hel", "lo", ", ", "world"])
            .with_delay_between_chunks(Duration::from_millis(80))
            .with_usage(9, 4),
    ]);
    let step = run(&model(config(&fake)), ask("hi")).await;

    assert_eq!(step.pieces(), ["Hel", "lo", ", ", "world"]);
    // Not buffered: after the first piece, three more text chunks, the finish, usage and
    // [DONE] chunks still had to come, 80 ms apart.
    let first = step.texts[0].0;
    assert!(
        step.ended - first >= Duration::from_millis(300),
        "{:?}",
        step.ended - first
    );
    let reply = step.reply();
    assert_eq!(reply.text, "Hello, world");
    assert_eq!(reply.finish, FinishReason::Stop);
    assert!(reply.tool_calls.is_empty());
    assert_eq!(
        reply.usage,
        TokenUsage {
            prompt_tokens: 9,
            completion_tokens: 4
        }
    );
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn a_tool_call_split_across_chunks_is_assembled() {
    let fake = FakeOpenAi::start(vec![Reply::tool_calls(vec![ToolCallScript::new(
        "call_abc",
        "addToList",
        &["{\"na", "me\":\"milk\",", "\"quantity\":2}"],
    )])]);
    let step = run(&model(config(&fake)), ask("add milk")).await;
    assert!(step.texts.is_empty());
    let reply = step.reply();
    assert_eq!(reply.finish, FinishReason::ToolCalls);
    assert_eq!(
        reply.tool_calls,
        [ToolCall {
            id: "call_abc".into(),
            name: "addToList".into(),
            arguments: "{\"name\":\"milk\",\"quantity\":2}".into(),
        }]
    );
}

#[tokio::test]
async fn two_parallel_interleaved_calls_come_back_by_index_after_leading_text() {
    let fake = FakeOpenAi::start(vec![
        Reply::tool_calls(vec![
            ToolCallScript::new("call_1", "addToList", &["{\"name\":", "\"eggs\"}"]),
            ToolCallScript::new(
                "call_2",
                "removeFromList",
                &["{\"na", "me\":\"", "flour\"}"],
            ),
        ])
        .interleaved()
        .with_leading_text(&["On it", "."]),
    ]);
    let step = run(&model(config(&fake)), ask("eggs in, flour out")).await;
    assert_eq!(step.pieces(), ["On it", "."]);
    let reply = step.reply();
    assert_eq!(reply.text, "On it.");
    assert_eq!(reply.finish, FinishReason::ToolCalls);
    let calls: Vec<_> = reply
        .tool_calls
        .iter()
        .map(|call| {
            (
                call.id.as_str(),
                call.name.as_str(),
                call.arguments.as_str(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("call_1", "addToList", "{\"name\":\"eggs\"}"),
            ("call_2", "removeFromList", "{\"name\":\"flour\"}"),
        ]
    );
}

#[tokio::test]
async fn the_second_step_of_a_tool_loop_sends_the_exact_openai_request() {
    let fake = FakeOpenAi::start(vec![Reply::text(&["Added."]), Reply::text(&["Hi."])]);
    let model = model(config(&fake));
    let call = ToolCall {
        id: "call_abc".into(),
        name: "addToList".into(),
        arguments: "{\"name\":\"milk\"}".into(),
    };
    let request = ModelRequest {
        messages: vec![
            ModelMessage::System("You help with the pantry.".into()),
            ModelMessage::User("add milk".into()),
            ModelMessage::Assistant {
                content: None,
                tool_calls: vec![call],
            },
            ModelMessage::Tool {
                call_id: "call_abc".into(),
                content: "{\"ok\":true}".into(),
            },
        ],
        tools: vec![ToolSpec {
            name: "addToList".into(),
            description: "Adds an item to the shopping list.".into(),
            parameters: json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
        }],
        max_tokens: Some(200),
        response_format: None,
    };
    run(&model, request).await.reply();

    let plain = ModelRequest {
        messages: vec![
            ModelMessage::Assistant {
                content: Some("Earlier answer.".into()),
                tool_calls: vec![],
            },
            ModelMessage::User("hi".into()),
        ],
        tools: vec![],
        max_tokens: None,
        response_format: None,
    };
    run(&model, plain).await.reply();

    let requests = fake.requests();
    assert_eq!(
        requests[0],
        json!({
            "model": "gpt-test",
            "messages": [
                {"role": "system", "content": "You help with the pantry."},
                {"role": "user", "content": "add milk"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_abc", "type": "function", "function": {"name": "addToList", "arguments": "{\"name\":\"milk\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_abc", "content": "{\"ok\":true}"}
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "tools": [{"type": "function", "function": {
                "name": "addToList",
                "description": "Adds an item to the shopping list.",
                "parameters": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
            }}],
            "tool_choice": "auto",
            "max_tokens": 200
        })
    );
    // No tools: no `tools`/`tool_choice` (some servers reject an empty list), no max_tokens,
    // and an assistant message without calls has no `tool_calls` key.
    assert_eq!(
        requests[1],
        json!({
            "model": "gpt-test",
            "messages": [
                {"role": "assistant", "content": "Earlier answer."},
                {"role": "user", "content": "hi"}
            ],
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );
}

#[tokio::test]
async fn done_ends_the_step_and_nothing_after_it_is_read() {
    let chunk = |text: &str| {
        format!(
            "data: {}\n\n",
            json!({"choices": [{"index": 0, "delta": {"content": text}}]})
        )
    };
    let body = format!("{}data: [DONE]\n\n{}", chunk("kept"), chunk("ignored"));
    let fake = FakeOpenAi::start(vec![Reply::raw_sse(body)]);
    let step = run(&model(config(&fake)), ask("hi")).await;
    assert_eq!(step.pieces(), ["kept"]);
    let reply = step.reply();
    assert_eq!(reply.text, "kept");
    // No finish_reason was sent: inferred from there being no tool calls.
    assert_eq!(reply.finish, FinishReason::Stop);
    assert_eq!(reply.usage, TokenUsage::default());
}

#[tokio::test]
async fn a_stream_closed_after_its_finish_reason_is_complete_even_without_done() {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["All ", "done"])
            .with_usage(3, 2)
            .without_done(),
    ]);
    let reply = run(&model(config(&fake)), ask("hi")).await.reply();
    assert_eq!(reply.text, "All done");
    assert_eq!(reply.usage.total(), 5);
}

#[tokio::test]
async fn finish_reasons_are_mapped() {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["cut"]).with_finish_reason("length"),
        Reply::text(&["no"]).with_finish_reason("content_filter"),
        Reply::tool_calls(vec![ToolCallScript::new("c", "f", &["{}"])])
            .with_finish_reason("function_call"),
    ]);
    let model = model(config(&fake));
    assert_eq!(
        run(&model, ask("a")).await.reply().finish,
        FinishReason::Length
    );
    assert_eq!(
        run(&model, ask("b")).await.reply().finish,
        FinishReason::ContentFilter
    );
    assert_eq!(
        run(&model, ask("c")).await.reply().finish,
        FinishReason::ToolCalls
    );
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_and_the_bare_path_both_work() {
    let fake = FakeOpenAi::start(vec![Reply::text(&["one"]), Reply::text(&["two"])]);
    let mut slash = config(&fake);
    slash.base_url.push('/');
    assert_eq!(run(&model(slash), ask("a")).await.reply().text, "one");
    // Servers mounted without /v1 (the fake serves both paths).
    let mut bare = config(&fake);
    bare.base_url = bare.base_url.trim_end_matches("/v1").to_owned();
    assert_eq!(run(&model(bare), ask("b")).await.reply().text, "two");
}

#[tokio::test]
async fn a_repeating_fake_answers_every_request_and_finished_streams_are_not_disconnects() {
    let fake = FakeOpenAi::start_repeating(Reply::text(&["same ", "again"]));
    let model = model(config(&fake));
    for _ in 0..3 {
        assert_eq!(run(&model, ask("hi")).await.reply().text, "same again");
    }
    assert_eq!(fake.request_count(), 3);
    assert_eq!(fake.requests().len(), 3);
    assert_eq!(fake.disconnects(), 0);
}
