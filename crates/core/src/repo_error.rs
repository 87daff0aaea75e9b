//! The error every repository port returns. Adapters map their driver's errors into it;
//! use cases map it into their own per-operation errors.

use thiserror::Error;

/// Why a repository call failed.
#[derive(Debug, Error)]
pub enum RepoError {
    /// The row does not exist (or is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// A uniqueness or version constraint refused the write; the text names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store could not be reached in time (pool exhausted, database down). Retryable.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the text is for logs only and never reaches a client.
    #[error("storage failure: {0}")]
    Storage(String),
}
