//! What a caller sees when the model fails: retries only before the first token, the right
//! error kind, timeouts, and a cancelled step closing its connection.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::{ask, config, model, run};
use pantry_core::pixie::model::{LanguageModel, ModelError};
use pantry_openai::OpenAiConfig;
use pantry_openai::fake::{FakeOpenAi, Reply};

#[tokio::test]
async fn an_error_in_the_middle_of_a_stream_is_interrupted_with_the_partial_text() {
    let fake = FakeOpenAi::start(vec![Reply::error_mid_stream(&["Hello ", "there"])]);
    let step = run(&model(config(&fake)), ask("hi")).await;
    assert_eq!(step.pieces(), ["Hello ", "there"]);
    match step.error() {
        ModelError::Interrupted { partial, message } => {
            assert_eq!(partial, "Hello there");
            assert!(message.contains("The server had an error"), "{message}");
        }
        other => panic!("expected Interrupted, got {other:?}"),
    }
    // Text was shown: a retry would show it twice.
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_once_then_succeeds() {
    let fake = FakeOpenAi::start(vec![Reply::status(429, Some(0)), Reply::text(&["ok"])]);
    let reply = run(&model(config(&fake)), ask("hi")).await.reply();
    assert_eq!(reply.text, "ok");
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured_over_the_backoff() {
    let fake = FakeOpenAi::start(vec![Reply::status(503, Some(1)), Reply::text(&["ok"])]);
    let step = run(&model(config(&fake)), ask("hi")).await;
    // The backoff alone would wait about 10 ms.
    assert!(
        step.elapsed() >= Duration::from_secs(1),
        "{:?}",
        step.elapsed()
    );
    assert_eq!(step.reply().text, "ok");
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn three_500s_with_two_retries_are_unavailable_after_three_requests() {
    let fake = FakeOpenAi::start(vec![
        Reply::status(500, None),
        Reply::status(502, None),
        Reply::status(503, None),
    ]);
    let error = run(&model(config(&fake)), ask("hi")).await.error();
    match error {
        ModelError::Unavailable(message) => {
            assert!(message.contains("503"), "{message}");
            assert!(message.contains("after 3 attempts"), "{message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert_eq!(fake.request_count(), 3);
}

#[tokio::test]
async fn a_wrong_key_is_rejected_without_a_retry() {
    let fake = FakeOpenAi::start(vec![Reply::text(&["never"])]);
    let mut config = config(&fake);
    config.api_key = "sk-wrong".into();
    let error = run(&model(config), ask("hi")).await.error();
    match error {
        ModelError::Rejected(message) => {
            assert!(message.contains("401"), "{message}");
            assert!(message.contains("Incorrect API key provided"), "{message}");
            assert!(!message.contains("sk-wrong"), "{message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn client_errors_are_rejected_without_a_retry() {
    let fake = FakeOpenAi::start(vec![
        Reply::status(400, None),
        Reply::status(403, None),
        Reply::status(404, None),
    ]);
    let model = model(config(&fake));
    for (n, code) in ["400", "403", "404"].into_iter().enumerate() {
        match run(&model, ask("hi")).await.error() {
            ModelError::Rejected(message) => assert!(message.contains(code), "{message}"),
            other => panic!("expected Rejected for {code}, got {other:?}"),
        }
        assert_eq!(fake.request_count(), n + 1);
    }
}

#[tokio::test]
async fn a_stalled_stream_is_interrupted_after_the_idle_timeout() {
    let fake = FakeOpenAi::start(vec![Reply::stall_after(&["Thinking ", "about"])]);
    let mut config = config(&fake);
    config.idle_timeout = Duration::from_millis(300);
    let step = run(&model(config), ask("hi")).await;
    let elapsed = step.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    match step.error() {
        ModelError::Interrupted { partial, .. } => assert_eq!(partial, "Thinking about"),
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn no_first_token_in_time_is_timed_out_even_after_headers_and_the_role_chunk() {
    let fake = FakeOpenAi::start(vec![
        Reply::text(&["late"]).with_first_token_delay(Duration::from_secs(3)),
        Reply::text(&["late"]).with_response_delay(Duration::from_secs(3)),
    ]);
    let mut config = config(&fake);
    config.first_token_timeout = Duration::from_millis(300);
    let model = model(config);
    for n in 1..=2 {
        let step = run(&model, ask("hi")).await;
        let elapsed = step.elapsed();
        assert!(
            elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
        assert!(step.texts.is_empty());
        assert!(matches!(step.error(), ModelError::TimedOut(_)));
        // A timeout is not retried: the caller already waited as long as it wanted.
        assert_eq!(fake.request_count(), n);
    }
}

#[tokio::test]
async fn dropping_the_step_mid_stream_closes_the_upstream_connection() {
    let pieces: Vec<String> = (0..100).map(|n| format!("w{n} ")).collect();
    let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
    let fake = FakeOpenAi::start(vec![
        Reply::text(&pieces).with_delay_between_chunks(Duration::from_millis(20)),
    ]);
    let model = model(config(&fake));
    let (texts, mut first_text) = tokio::sync::mpsc::unbounded_channel();
    let mut on_text = move |text: &str| {
        let _ = texts.send(text.to_owned());
    };
    // Run the step until its first text arrives, then drop it (as a closed socket would).
    tokio::select! {
        outcome = model.complete(ask("hi"), &mut on_text) => panic!("the step ended: {outcome:?}"),
        first = first_text.recv() => assert_eq!(first.as_deref(), Some("w0 ")),
    }
    assert_eq!(fake.disconnects(), 0, "counted before the client went away");
    assert!(
        fake.wait_for_disconnects(1, Duration::from_secs(5)).await,
        "the fake never saw the client go away"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable_after_retries() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let config = OpenAiConfig {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        retry_base_delay: Duration::from_millis(5),
        ..OpenAiConfig::default()
    };
    match run(&model(config), ask("hi")).await.error() {
        ModelError::Unavailable(message) => {
            assert!(message.contains("could not reach"), "{message}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn a_script_that_ran_out_fails_loudly() {
    let fake = FakeOpenAi::start(vec![]);
    let mut config = config(&fake);
    config.max_retries = 0;
    match run(&model(config), ask("hi")).await.error() {
        ModelError::Unavailable(message) => {
            assert!(message.contains("no scripted reply left"), "{message}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}
