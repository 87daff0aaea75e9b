//! Readiness as a port: the HTTP layer asks whether the store answers without knowing what
//! the store is.

use crate::repo_error::RepoError;
use async_trait::async_trait;

/// Answers whether a dependency is usable right now.
#[async_trait]
pub trait HealthProbe: Send + Sync {
    /// `Ok(())` when the dependency answered a trivial query in time.
    async fn check(&self) -> Result<(), RepoError>;
}
