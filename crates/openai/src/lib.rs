//! Pantry Pixie's adapter for any OpenAI-compatible chat-completions API.
//!
//! [`OpenAiModel`] implements the core's [`LanguageModel`](pantry_core::pixie::model::LanguageModel)
//! port: one streamed `POST {base_url}/chat/completions` per agent step, with tools. Text is
//! passed to the caller's `on_text` as each chunk arrives; tool-call fragments are assembled
//! by index; the usage chunk fills in the token counts.
//!
//! Failure handling is what a chat UI needs:
//! - a first-token timeout (from sending until text or a tool call arrives) and an idle
//!   timeout between chunks, on top of the client's connect timeout;
//! - retries with jittered exponential backoff on connection errors, 429 and 5xx, but only
//!   while nothing has been streamed (otherwise the user would see text twice);
//! - a break after text was shown is [`ModelError::Interrupted`](pantry_core::pixie::model::ModelError)
//!   with that text, so the caller can keep it;
//! - dropping the future closes the upstream connection (nothing is spawned).
//!
//! It is tolerant of what real servers (OpenAI, Ollama, vLLM, llama.cpp) send: keep-alive
//! comments, `\r\n` line ends, tool-call fragments without `index`, `arguments` as an object,
//! a whole tool call in one chunk, a missing `finish_reason` (inferred), tool calls under
//! `finish_reason: "stop"` (reported as tool calls so they are run), `null` for absent
//! fields, and a whole `chat.completion` JSON from a server that ignores `stream: true`.
//!
//! The API key goes only into a header marked sensitive; `Debug` of the config and the
//! model redacts it, and redirects are not followed. An empty key sends no `Authorization`
//! header (local servers need none).
//!
//! With the `fake` feature, `fake::FakeOpenAi` is a real HTTP server on 127.0.0.1 that
//! speaks the same streaming format from a script, for tests of this crate and of its users.

mod client;
mod config;
mod error;
mod retry;
mod stream;
mod wire;

#[cfg(feature = "fake")]
pub mod fake;

pub use client::OpenAiModel;
pub use config::OpenAiConfig;
pub use error::SetupError;
