//! [`OpenAiModel`]: the [`LanguageModel`] port over HTTP, with streaming, timeouts and retries.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use pantry_core::pixie::model::{LanguageModel, ModelError, ModelReply, ModelRequest};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, Response, Url, redirect};
use tokio::time::{Instant, timeout_at};

use crate::config::OpenAiConfig;
use crate::error::SetupError;
use crate::retry;
use crate::stream::{FoldError, Progress, StreamFold};
use crate::wire::{self, ChatRequest};

/// A chat-completions model reached over HTTP (OpenAI, Ollama, vLLM, llama.cpp, ...).
///
/// Holds one `reqwest::Client`, so connections are reused across steps; clone the `Arc` you
/// put it in rather than building several. Dropping a [`LanguageModel::complete`] future
/// drops the response and so closes the upstream connection: nothing is spawned.
pub struct OpenAiModel {
    config: OpenAiConfig,
    client: Client,
    endpoint: Url,
    /// `Bearer <key>`, marked sensitive so reqwest never prints it; `None` for an empty key.
    authorization: Option<HeaderValue>,
    /// Whether the model reads images (receipt scanning); see [`OpenAiModel::with_vision`].
    vision: bool,
}

/// How one attempt failed.
enum Failure {
    /// Nothing was streamed yet and the failure may pass: try again.
    Retry {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Final for this step.
    Fail(ModelError),
}

impl OpenAiModel {
    /// Checks the config and builds the HTTP client (connect timeout, no redirects: an API
    /// that redirects a POST is misconfigured and following it could leak the key).
    pub fn new(config: OpenAiConfig) -> Result<OpenAiModel, SetupError> {
        let endpoint = endpoint(&config.base_url)?;
        if config.model.trim().is_empty() {
            return Err(SetupError::MissingModel);
        }
        let authorization = if config.api_key.is_empty() {
            None
        } else {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", config.api_key))
                .map_err(|_| SetupError::InvalidApiKey)?;
            value.set_sensitive(true);
            Some(value)
        };
        let client = Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(redirect::Policy::none())
            .user_agent(concat!("pantry-pixie/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(OpenAiModel {
            config,
            client,
            endpoint,
            authorization,
            vision: true,
        })
    }

    /// Says whether the configured model reads images and answers in a JSON schema (true by
    /// default, as `gpt-4o-mini` does); a text-only local model should be marked `false`, so
    /// receipt scanning is refused up front instead of failing at the model.
    pub fn with_vision(mut self, vision: bool) -> Self {
        self.vision = vision;
        self
    }

    /// One streamed step ([`LanguageModel::complete`]): retries transient failures while
    /// nothing has been streamed.
    async fn step(
        &self,
        request: ModelRequest,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<ModelReply, ModelError> {
        let body = serde_json::to_vec(&ChatRequest::new(&self.config.model, &request)).map_err(
            |error| ModelError::Rejected(format!("could not encode the request: {error}")),
        )?;
        let mut attempt = 0;
        loop {
            match self.attempt(body.clone(), on_text).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Fail(error)) => return Err(error),
                Err(Failure::Retry {
                    message,
                    retry_after,
                }) => {
                    if attempt >= self.config.max_retries {
                        return Err(ModelError::Unavailable(format!(
                            "{message} (after {} attempts)",
                            attempt + 1
                        )));
                    }
                    let wait = retry::backoff(attempt, self.config.retry_base_delay, retry_after);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &OpenAiConfig {
        &self.config
    }

    /// One request: send, check the status, then read the stream.
    async fn attempt<'f>(
        &self,
        body: Vec<u8>,
        on_text: &mut (dyn FnMut(&str) + Send + 'f),
    ) -> Result<ModelReply, Failure> {
        let first_token_deadline = Instant::now() + self.config.first_token_timeout;
        let mut request = self
            .client
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "text/event-stream")
            .body(body);
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let response = match timeout_at(first_token_deadline, request.send()).await {
            Err(_) => {
                return Err(Failure::Fail(ModelError::TimedOut(format!(
                    "no response from {} within {:?}",
                    self.endpoint, self.config.first_token_timeout
                ))));
            }
            Ok(Err(error)) => {
                return Err(Failure::Retry {
                    message: format!("could not reach {}: {}", self.endpoint, describe(&error)),
                    retry_after: None,
                });
            }
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry::retry_after(response.headers());
            let body = match timeout_at(first_token_deadline, response.bytes()).await {
                Ok(Ok(body)) => body.to_vec(),
                _ => Vec::new(),
            };
            let message = format!("HTTP {status}: {}", wire::error_body_message(&body));
            return Err(if retry::is_retryable_status(status) {
                Failure::Retry {
                    message,
                    retry_after,
                }
            } else {
                Failure::Fail(ModelError::Rejected(message))
            });
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
            return self
                .read_whole(response, &content_type, first_token_deadline, on_text)
                .await;
        }
        self.read_stream(response, first_token_deadline, on_text)
            .await
    }

    /// A 200 that is not an event stream: a whole `chat.completion` from a server that
    /// ignored `stream: true`, or an HTML page from a proxy (a failure, retried).
    async fn read_whole<'f>(
        &self,
        response: Response,
        content_type: &str,
        first_token_deadline: Instant,
        on_text: &mut (dyn FnMut(&str) + Send + 'f),
    ) -> Result<ModelReply, Failure> {
        let body = match timeout_at(first_token_deadline, response.bytes()).await {
            Err(_) => return self.timed_out(StreamFold::default()),
            Ok(Err(error)) => {
                return Err(broke(
                    StreamFold::default(),
                    format!("the response broke: {}", describe(&error)),
                ));
            }
            Ok(Ok(body)) => body,
        };
        let text = String::from_utf8_lossy(&body);
        if content_type.starts_with("text/html") {
            let start: String = text.trim().chars().take(200).collect();
            return Err(broke(
                StreamFold::default(),
                format!("expected an event stream, got {content_type}: {start}"),
            ));
        }
        let mut fold = StreamFold::default();
        match fold.feed_completion(&text, on_text) {
            Ok(()) => Ok(fold.into_reply()),
            Err(FoldError::Upstream(message)) => Err(broke(
                fold,
                format!("the model reported an error: {message}"),
            )),
            Err(FoldError::Malformed(message)) => Err(broke(fold, message)),
        }
    }

    /// Reads the event stream until `[DONE]`, an error, the end or a timeout.
    async fn read_stream<'f>(
        &self,
        response: Response,
        first_token_deadline: Instant,
        on_text: &mut (dyn FnMut(&str) + Send + 'f),
    ) -> Result<ModelReply, Failure> {
        let mut events = response.bytes_stream().eventsource();
        let mut fold = StreamFold::default();
        loop {
            let deadline = if fold.has_started() {
                Instant::now() + self.config.idle_timeout
            } else {
                first_token_deadline
            };
            let event = match timeout_at(deadline, events.next()).await {
                Err(_) => return self.timed_out(fold),
                Ok(None) if fold.has_finished() => return Ok(fold.into_reply()),
                Ok(None) => {
                    return Err(broke(
                        fold,
                        "the connection closed before the answer was finished".into(),
                    ));
                }
                Ok(Some(Err(error))) => {
                    return Err(broke(fold, format!("the stream broke: {error}")));
                }
                Ok(Some(Ok(event))) => event,
            };
            match fold.feed(&event.data, on_text) {
                Ok(Progress::More) => {}
                Ok(Progress::Done) => return Ok(fold.into_reply()),
                Err(FoldError::Upstream(message)) => {
                    return Err(broke(
                        fold,
                        format!("the model reported an error: {message}"),
                    ));
                }
                Err(FoldError::Malformed(message)) => return Err(broke(fold, message)),
            }
        }
    }

    /// A timeout while reading: before the first token it is [`ModelError::TimedOut`]; after
    /// text it is [`ModelError::Interrupted`] so the caller keeps what it showed; after the
    /// `finish_reason` the answer is whole and only the usage trailer is lost.
    fn timed_out(&self, fold: StreamFold) -> Result<ModelReply, Failure> {
        if fold.has_finished() {
            return Ok(fold.into_reply());
        }
        let error = if !fold.has_started() {
            ModelError::TimedOut(format!(
                "no first token within {:?}",
                self.config.first_token_timeout
            ))
        } else {
            let message = format!("no chunk for {:?}", self.config.idle_timeout);
            if fold.partial_text().is_empty() {
                ModelError::TimedOut(message)
            } else {
                ModelError::Interrupted {
                    partial: fold.into_partial_text(),
                    message,
                }
            }
        };
        Err(Failure::Fail(error))
    }
}

/// A broken stream: retried if nothing was streamed yet, else interrupted with the partial text.
fn broke(fold: StreamFold, message: String) -> Failure {
    if fold.has_started() {
        Failure::Fail(ModelError::Interrupted {
            partial: fold.into_partial_text(),
            message,
        })
    } else {
        Failure::Retry {
            message,
            retry_after: None,
        }
    }
}

/// `{base_url}/chat/completions`, with a trailing slash on the base ignored.
fn endpoint(base_url: &str) -> Result<Url, SetupError> {
    let invalid = |reason: String| SetupError::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason,
    };
    let url = Url::parse(&format!(
        "{}/chat/completions",
        base_url.trim().trim_end_matches('/')
    ))
    .map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https".into()));
    }
    Ok(url)
}

/// A reqwest error with its causes (reqwest's own text is often just "error sending request").
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[async_trait]
impl LanguageModel for OpenAiModel {
    fn name(&self) -> String {
        format!("openai:{}", self.config.model)
    }

    fn supports_vision(&self) -> bool {
        self.vision
    }

    async fn complete(
        &self,
        request: ModelRequest,
        on_text: &mut (dyn for<'a> FnMut(&'a str) + Send),
    ) -> Result<ModelReply, ModelError> {
        self.step(request, on_text).await
    }
}

impl fmt::Debug for OpenAiModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiModel")
            .field("endpoint", &self.endpoint.as_str())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_ignores_a_trailing_slash_and_wants_http() {
        assert_eq!(
            endpoint("http://localhost:11434/v1/").unwrap().as_str(),
            "http://localhost:11434/v1/chat/completions"
        );
        assert_eq!(
            endpoint("https://api.openai.com/v1").unwrap().as_str(),
            "https://api.openai.com/v1/chat/completions"
        );
        assert!(endpoint("ftp://example.com").is_err());
        assert!(endpoint("not a url").is_err());
    }

    #[test]
    fn new_checks_the_config_and_never_prints_the_key() {
        let config = OpenAiConfig {
            api_key: "sk-secret-123".into(),
            ..OpenAiConfig::default()
        };
        let model = OpenAiModel::new(config.clone()).unwrap();
        assert_eq!(model.name(), "openai:gpt-4o-mini");
        let printed = format!("{model:?}");
        assert!(!printed.contains("sk-secret-123"), "{printed}");

        let bad_key = OpenAiConfig {
            api_key: "sk\nx".into(),
            ..config.clone()
        };
        assert!(matches!(
            OpenAiModel::new(bad_key),
            Err(SetupError::InvalidApiKey)
        ));
        let no_model = OpenAiConfig {
            model: " ".into(),
            ..config
        };
        assert!(matches!(
            OpenAiModel::new(no_model),
            Err(SetupError::MissingModel)
        ));
    }
}
