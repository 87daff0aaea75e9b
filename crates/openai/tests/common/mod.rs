//! Shared helpers: a client pointed at a fake, and a step runner that records `on_text`.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use pantry_core::pixie::model::{
    LanguageModel, ModelError, ModelMessage, ModelReply, ModelRequest,
};
use pantry_openai::fake::FakeOpenAi;
use pantry_openai::{OpenAiConfig, OpenAiModel};

/// A config for `fake` with short timeouts and retry delays, so failure tests stay fast.
pub fn config(fake: &FakeOpenAi) -> OpenAiConfig {
    OpenAiConfig {
        model: "gpt-test".to_owned(),
        first_token_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(5),
        ..fake.config()
    }
}

pub fn model(config: OpenAiConfig) -> OpenAiModel {
    OpenAiModel::new(config).expect("valid config")
}

pub fn ask(text: &str) -> ModelRequest {
    ModelRequest {
        messages: vec![ModelMessage::User(text.to_owned())],
        tools: vec![],
        max_tokens: None,
        response_format: None,
    }
}

/// What one step did: its result, each `on_text` piece with when it arrived, and when the
/// step returned.
pub struct Step {
    pub result: Result<ModelReply, ModelError>,
    pub texts: Vec<(Instant, String)>,
    pub started: Instant,
    pub ended: Instant,
}

impl Step {
    pub fn pieces(&self) -> Vec<&str> {
        self.texts.iter().map(|(_, text)| text.as_str()).collect()
    }

    pub fn elapsed(&self) -> Duration {
        self.ended - self.started
    }

    pub fn reply(self) -> ModelReply {
        match self.result {
            Ok(reply) => reply,
            Err(error) => panic!("expected a reply, got {error:?}"),
        }
    }

    pub fn error(self) -> ModelError {
        match self.result {
            Ok(reply) => panic!("expected an error, got {reply:?}"),
            Err(error) => error,
        }
    }
}

pub async fn run(model: &OpenAiModel, request: ModelRequest) -> Step {
    let mut texts = Vec::new();
    let started = Instant::now();
    let result = model
        .complete(request, &mut |text: &str| {
            texts.push((Instant::now(), text.to_owned()))
        })
        .await;
    Step {
        result,
        texts,
        started,
        ended: Instant::now(),
    }
}
