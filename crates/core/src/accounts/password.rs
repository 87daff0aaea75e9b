//! Passwords: the policy a new password must meet, and the hashing port.

use async_trait::async_trait;
use thiserror::Error;

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The most characters a password may have (hashing cost stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Passwords so common that a guessing attack tries them first. Compared case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "123123123",
    "11111111",
    "00000000",
    "87654321",
    "qwertyui",
    "qwertyuiop",
    "qwerty123",
    "qwerty12",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "asdfghjk",
    "asdfghjkl",
    "iloveyou",
    "iloveyou1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "trustno1",
    "superman",
    "starwars",
    "whatever",
    "letmein1",
    "letmein123",
    "abcd1234",
    "abc12345",
    "abcdefgh",
    "computer",
    "michelle",
    "jennifer",
    "12341234",
    "aaaaaaaa",
    "monkey123",
    "dragon123",
    "changeme",
    "changeme1",
    "default1",
    "admin123",
    "administrator",
    "pantrypixie",
    "pantry123",
    "groceries",
    "shopping",
    "internet",
    "mustang1",
    "liverpool",
    "chelsea1",
    "charlie1",
    "freedom1",
    "master12",
    "hello123",
    "test1234",
    "testtest",
    "secret123",
];

/// A password that meets the policy; only this type can be hashed for a new account.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// Why a new password was refused; the messages are shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordPolicyError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("must be at least 8 characters")]
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("must be at most 1024 characters")]
    TooLong,
    /// On the list of passwords guessing attacks try first.
    #[error("is one of the most common passwords; choose something harder to guess")]
    TooCommon,
}

impl NewPassword {
    /// Checks the policy.
    ///
    /// ```
    /// use pantry_core::accounts::password::{NewPassword, PasswordPolicyError};
    /// assert!(NewPassword::parse("correct horse battery").is_ok());
    /// assert_eq!(NewPassword::parse("short").unwrap_err(), PasswordPolicyError::TooShort);
    /// assert_eq!(NewPassword::parse("Password123").unwrap_err(), PasswordPolicyError::TooCommon);
    /// ```
    pub fn parse(raw: &str) -> Result<NewPassword, PasswordPolicyError> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordPolicyError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordPolicyError::TooLong);
        }
        let lower = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(PasswordPolicyError::TooCommon);
        }
        Ok(NewPassword(raw.to_owned()))
    }

    /// The password itself, for the hasher. Named so that every use stands out in review;
    /// `Debug` never shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(****)")
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    /// The password is the one the hash was made from.
    pub matches: bool,
    /// The hash uses other parameters than the current ones and should be replaced.
    pub needs_rehash: bool,
}

/// Hashing could not be done.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HashError {
    /// Every hashing slot is taken and the queue is full: retry shortly.
    #[error("password hashing is saturated")]
    Busy,
    /// The stored hash is malformed, or hashing itself failed.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Password hashing, done by an adapter off the request workers with bounded concurrency.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password` with the current parameters.
    async fn hash(&self, password: &str) -> Result<String, HashError>;

    /// Checks `password` against a PHC string (also hashes with older parameters).
    async fn verify(&self, password: &str, phc: &str) -> Result<Verification, HashError>;

    /// Whether a hash requested now would be refused with [`HashError::Busy`]. Checked before
    /// any database work, so that a sign-in flood costs the database nothing for the
    /// attempts that cannot be served anyway.
    fn saturated(&self) -> bool;

    /// A valid hash of a random password with the current parameters: verifying against it
    /// costs what a real verification costs, so an unknown email answers as slowly as a known one.
    fn dummy_hash(&self) -> &str;
}
