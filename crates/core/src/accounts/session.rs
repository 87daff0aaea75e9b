//! Refresh tokens. A sign-in starts a *family*; each refresh marks the presented token used
//! and issues its successor in the same family. Tokens are opaque 256-bit random values,
//! stored only as a SHA-256 hash, so a database leak yields no usable token.

use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The stored form of a refresh token.
///
/// ```
/// let h = pantry_core::accounts::session::hash_token("abc");
/// assert_eq!(h.len(), 64);
/// assert_eq!(h, pantry_core::accounts::session::hash_token("abc"));
/// ```
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A refresh token to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    /// The row id.
    pub id: Uuid,
    /// The user it signs in.
    pub user_id: Uuid,
    /// The sign-in it belongs to; all its rotations share it.
    pub family_id: Uuid,
    /// [`hash_token`] of the token; the token itself is never stored.
    pub token_hash: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// After this it is refused even if unused.
    pub expires_at: DateTime<Utc>,
}

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefreshToken {
    /// The row id.
    pub id: Uuid,
    /// The user it signs in.
    pub user_id: Uuid,
    /// The sign-in it belongs to.
    pub family_id: Uuid,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// After this it is refused even if unused.
    pub expires_at: DateTime<Utc>,
    /// Set when the token was exchanged for its successor.
    pub used_at: Option<DateTime<Utc>>,
    /// Set when its family was revoked (logout, reuse detected, password change).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Whether an access token's session is still live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionState {
    /// The user's current epoch; tokens issued in an older one are dead.
    pub session_epoch: i64,
    /// The family has at least one token that is not revoked.
    pub family_active: bool,
}

/// Storage of refresh tokens.
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a token issued at sign-in.
    async fn insert(&self, token: &NewRefreshToken) -> Result<(), RepoError>;

    /// The token whose hash is `token_hash`, whatever its state (the caller decides whether
    /// a used or revoked one means reuse).
    async fn find_by_hash(&self, token_hash: &str)
    -> Result<Option<StoredRefreshToken>, RepoError>;

    /// Marks `old_id` used (only if it is neither used nor revoked) and inserts `next`, in one
    /// transaction. `Conflict` when `old_id` was already used or revoked: two refreshes raced,
    /// and the loser must be treated as reuse.
    async fn rotate(
        &self,
        old_id: Uuid,
        next: &NewRefreshToken,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Revokes every token of the family.
    async fn revoke_family(&self, family_id: Uuid, at: DateTime<Utc>) -> Result<(), RepoError>;

    /// Revokes every token of the user, except those of `keep_family`.
    async fn revoke_all_for_user(
        &self,
        user_id: Uuid,
        keep_family: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// The user's session epoch and whether `family_id` is still active; `None` when the
    /// user no longer exists.
    async fn session_state(
        &self,
        user_id: Uuid,
        family_id: Uuid,
    ) -> Result<Option<SessionState>, RepoError>;
}

/// A source of unguessable tokens (an adapter over the OS's CSPRNG).
pub trait TokenSource: Send + Sync {
    /// A new token with 256 bits of entropy, URL-safe.
    fn new_token(&self) -> String;
}
