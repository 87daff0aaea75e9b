//! The user entity, a new account, and the account repository port.

use crate::accounts::email::Email;
use crate::accounts::preferences::{UserPreferences, UserPreferencesEdit};
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thiserror::Error;
use uuid::Uuid;

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// UUIDv7, assigned at registration.
    pub id: Uuid,
    /// The address as the user typed it (lookups use the normalised form).
    pub email: String,
    /// The display name.
    pub name: String,
    /// A PHC string from the [`PasswordHasher`](crate::accounts::password::PasswordHasher);
    /// never leaves the server.
    pub password_hash: String,
    /// Access tokens carry the epoch they were issued in; bumping it invalidates them all.
    pub session_epoch: i64,
    /// When the account was registered.
    pub created_at: DateTime<Utc>,
}

/// A display name: trimmed, 1 to 255 characters.
///
/// ```
/// use pantry_core::accounts::user::UserName;
/// assert_eq!(UserName::parse("  Alice ").unwrap().as_str(), "Alice");
/// assert!(UserName::parse("   ").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserName(String);

/// Why a display name was refused; the messages are shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum UserNameError {
    /// Nothing left after trimming.
    #[error("must not be empty")]
    Empty,
    /// More than 255 characters after trimming.
    #[error("must be at most 255 characters")]
    TooLong,
}

impl UserName {
    /// Trims `raw` and checks its length.
    pub fn parse(raw: &str) -> Result<UserName, UserNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(UserNameError::Empty);
        }
        if name.chars().count() > 255 {
            return Err(UserNameError::TooLong);
        }
        Ok(UserName(name.to_owned()))
    }

    /// The trimmed name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything registration creates, in one transaction: the user, their first home (owned),
/// the membership, the welcome chat thread with Pixie's greeting, and the home's first
/// change-log event.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The new user's id.
    pub user_id: Uuid,
    /// Their address; its normalised form must be unused.
    pub email: Email,
    /// Their display name.
    pub name: UserName,
    /// The PHC hash of their password.
    pub password_hash: String,
    /// Their first home, which they own and which becomes their active home.
    pub home_id: Uuid,
    /// That home's name ("Alice's Kitchen").
    pub home_name: String,
    /// The id of their owner membership of that home.
    pub membership_id: Uuid,
    /// The welcome chat thread in that home.
    pub thread_id: Uuid,
    /// Its title.
    pub thread_title: String,
    /// The id of Pixie's greeting in that thread.
    pub welcome_message_id: Uuid,
    /// The greeting's text.
    pub welcome_message: String,
    /// The time every row is stamped with.
    pub at: DateTime<Utc>,
}

/// Storage of users.
#[async_trait]
pub trait AccountRepository: Send + Sync {
    /// Creates everything in [`NewAccount`] atomically. `Conflict` when the normalised email
    /// is taken.
    async fn create_account(&self, account: &NewAccount) -> Result<(), RepoError>;

    /// The user whose normalised email is `email_normalized`.
    async fn find_by_email(&self, email_normalized: &str) -> Result<Option<User>, RepoError>;

    /// The user with this id, if they exist.
    async fn find_by_id(&self, user_id: Uuid) -> Result<Option<User>, RepoError>;

    /// The home the user works in: their active home if they are still a member of it,
    /// otherwise their most recently joined home; `None` when they belong to none.
    async fn current_home(&self, user_id: Uuid) -> Result<Option<Uuid>, RepoError>;

    /// Replaces the password hash. With `bump_epoch`, also increments the session epoch
    /// (invalidating every access token issued before) and returns the new epoch.
    async fn set_password_hash(
        &self,
        user_id: Uuid,
        password_hash: &str,
        bump_epoch: bool,
        at: DateTime<Utc>,
    ) -> Result<i64, RepoError>;

    /// Increments the session epoch and returns the new value.
    async fn bump_session_epoch(&self, user_id: Uuid, at: DateTime<Utc>) -> Result<i64, RepoError>;

    /// The user's own preferences, `None` when there is no such user.
    async fn preferences(&self, user_id: Uuid) -> Result<Option<UserPreferences>, RepoError>;

    /// Applies `edit` and sets `updated_at` to `at`. `NotFound` when there is no such user.
    async fn update_preferences(
        &self,
        user_id: Uuid,
        edit: &UserPreferencesEdit,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
