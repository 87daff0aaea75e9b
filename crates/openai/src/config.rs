//! Settings for [`crate::OpenAiModel`]: where the API is, which model, and how long to wait.

use std::fmt;
use std::time::Duration;

/// How to reach an OpenAI-compatible chat-completions API and how patient to be with it.
///
/// `Debug` prints the API key as `<redacted>` so the config can be logged safely.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    /// The API root, up to and including the version (`https://api.openai.com/v1`,
    /// `http://localhost:11434/v1` for Ollama). A trailing slash is ignored.
    pub base_url: String,
    /// Sent as `Authorization: Bearer <key>`; an empty key sends no header (local servers).
    pub api_key: String,
    /// The model name the server knows, e.g. `gpt-4o-mini` or `llama3.1:8b`.
    pub model: String,
    /// How long establishing the TCP (and TLS) connection may take.
    pub connect_timeout: Duration,
    /// How long from sending the request until the first text or tool call arrives.
    pub first_token_timeout: Duration,
    /// The longest silence allowed between two chunks once the answer has started.
    pub idle_timeout: Duration,
    /// Extra attempts after a connection error, 429 or 5xx (only before anything was streamed).
    pub max_retries: u32,
    /// The first retry waits about this long; each further one about twice as long.
    pub retry_base_delay: Duration,
}

impl OpenAiConfig {
    /// The public OpenAI API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com/v1";
    /// A cheap model with tools and streaming.
    pub const DEFAULT_MODEL: &'static str = "gpt-4o-mini";
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        OpenAiConfig {
            base_url: Self::DEFAULT_BASE_URL.to_owned(),
            api_key: String::new(),
            model: Self::DEFAULT_MODEL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            first_token_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(20),
            max_retries: 2,
            retry_base_delay: Duration::from_millis(250),
        }
    }
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.api_key.is_empty() {
            "<empty>"
        } else {
            "<redacted>"
        };
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &key)
            .field("model", &self.model)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_token_timeout", &self.first_token_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let config = OpenAiConfig {
            api_key: "sk-very-secret".to_owned(),
            ..OpenAiConfig::default()
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("sk-very-secret"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
        assert!(printed.contains("gpt-4o-mini"), "{printed}");
    }
}
