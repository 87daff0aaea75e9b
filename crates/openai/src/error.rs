//! Why an [`crate::OpenAiModel`] could not be built from its config.

use thiserror::Error;

/// A config that cannot work; reported at start-up rather than on the first request.
#[derive(Debug, Error)]
pub enum SetupError {
    /// `base_url` is not an `http`/`https` URL.
    #[error("invalid OpenAI base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The model name is empty.
    #[error("no OpenAI model name configured")]
    MissingModel,
    /// The API key has characters that cannot go in an HTTP header (the key is not shown).
    #[error("the OpenAI API key contains characters not allowed in an HTTP header")]
    InvalidApiKey,
    /// The HTTP client could not be created (e.g. no TLS roots).
    #[error("could not create the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}
