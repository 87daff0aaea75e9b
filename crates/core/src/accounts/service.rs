//! The account use cases. Every rule about signing up, signing in and staying signed in is
//! here; the HTTP layer only parses requests and signs access tokens.

use crate::accounts::email::{self, Email};
use crate::accounts::password::{HashError, NewPassword, PasswordHasher};
use crate::accounts::session::{NewRefreshToken, SessionRepository, TokenSource, hash_token};
use crate::accounts::throttle::{LoginThrottle, ThrottleKey};
use crate::accounts::user::{AccountRepository, NewAccount, User, UserName};
use crate::clock::Clock;
use crate::ids::new_id;
use crate::repo_error::RepoError;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// The title of every new home's first chat thread.
pub const WELCOME_THREAD_TITLE: &str = "Welcome to Pantry Pixie";
/// The greeting Pixie leaves in that thread, so a new user sees what to say to it.
pub const WELCOME_MESSAGE: &str = "Hi, I'm Pixie! Tell me what you have at home or what you need \
from the shops (\"we're out of eggs\", \"add milk to the list\") and I'll keep the pantry and your \
lists up to date for everyone in your home.";

/// A started or continued session: what the HTTP layer needs to answer with tokens.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The signed-in user.
    pub user: User,
    /// The home the access token is bound to (the earlier clients' `homeId`).
    pub home_id: Option<Uuid>,
    /// The refresh-token family: one per sign-in, carried in the access token as `sid`.
    pub family_id: Uuid,
    /// The opaque refresh token, shown to the client once.
    pub refresh_token: String,
    /// When `refresh_token` stops working if it is not exchanged before.
    pub refresh_expires_at: DateTime<Utc>,
}

/// A validated sign-up.
#[derive(Debug, Clone)]
pub struct Register {
    /// The address to sign in with; must not be taken.
    pub email: Email,
    /// The password, already checked against the policy.
    pub password: NewPassword,
    /// The display name; the first home is named after it.
    pub name: UserName,
}

/// A sign-in attempt, as typed: a malformed email is simply a wrong one.
#[derive(Clone)]
pub struct Login {
    /// The address as typed; compared in its normalised form.
    pub email: String,
    /// The password as typed.
    pub password: String,
    /// The client address, for per-client throttling.
    pub client: String,
}

/// Why a registration failed.
#[derive(Debug, Error)]
pub enum RegisterError {
    /// The normalised address belongs to another account.
    #[error("an account with this email already exists")]
    EmailTaken,
    /// The password could not be hashed (the hasher is busy or failed).
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Storage failed.
    #[error(transparent)]
    Repo(RepoError),
}

/// Why a sign-in failed.
#[derive(Debug, Error)]
pub enum LoginError {
    /// Unknown email or wrong password: deliberately indistinguishable.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// The account or the client failed too often; nothing was checked.
    #[error("too many failed attempts")]
    Throttled {
        /// How long to wait before the next attempt is even checked.
        retry_after: Duration,
    },
    /// The password could not be verified (the hasher is busy or failed).
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Why a refresh token was not exchanged.
#[derive(Debug, Error)]
pub enum RefreshError {
    /// Unknown, expired, revoked or reused: the client must sign in again.
    #[error("invalid refresh token")]
    Invalid,
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Why a password change was refused.
#[derive(Debug, Error)]
pub enum ChangePasswordError {
    /// The current password given does not match: a stolen access token alone cannot change
    /// the password.
    #[error("the current password is wrong")]
    WrongPassword,
    /// Too many wrong current passwords for this account: the same throttle as sign-in.
    #[error("too many failed attempts")]
    Throttled {
        /// How long to wait before the next attempt is even checked.
        retry_after: Duration,
    },
    /// The session the request came from was ended meanwhile.
    #[error("the session has ended")]
    SessionEnded,
    /// The password could not be hashed or verified.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// Why a verified access token no longer grants access.
#[derive(Debug, Error)]
pub enum AuthenticateError {
    /// The user is gone, signed out everywhere, changed password, or this session was revoked.
    #[error("the session has ended")]
    SessionEnded,
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// The claims of an access token that matter for revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionClaims {
    /// The user the token was issued to (`sub`).
    pub user_id: Uuid,
    /// The refresh-token family of the sign-in (`sid`); revoking it ends the session.
    pub family_id: Uuid,
    /// The user's session epoch at issue (`sep`); a newer epoch ends every older token.
    pub session_epoch: i64,
}

/// Sign-up, sign-in and sessions.
pub struct AccountService {
    accounts: Arc<dyn AccountRepository>,
    sessions: Arc<dyn SessionRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenSource>,
    clock: Arc<dyn Clock>,
    throttle: LoginThrottle,
    refresh_ttl: Duration,
}

impl AccountService {
    /// Wires the service to its ports. Refresh tokens live for `refresh_ttl`; `throttle`
    /// holds the sign-in failure counts, so one instance must serve the whole process.
    pub fn new(
        accounts: Arc<dyn AccountRepository>,
        sessions: Arc<dyn SessionRepository>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenSource>,
        clock: Arc<dyn Clock>,
        throttle: LoginThrottle,
        refresh_ttl: Duration,
    ) -> Self {
        Self {
            accounts,
            sessions,
            hasher,
            tokens,
            clock,
            throttle,
            refresh_ttl,
        }
    }

    /// Creates the user, their first home (`"<name>'s Kitchen"`), the owner membership and the
    /// welcome thread in one transaction, and signs them in.
    pub async fn register(&self, cmd: Register) -> Result<SignedIn, RegisterError> {
        let password_hash = self.hasher.hash(cmd.password.expose()).await?;
        let now = self.clock.now();
        let account = NewAccount {
            user_id: new_id(),
            home_id: new_id(),
            home_name: format!("{}'s Kitchen", cmd.name.as_str()),
            membership_id: new_id(),
            thread_id: new_id(),
            thread_title: WELCOME_THREAD_TITLE.to_owned(),
            welcome_message_id: new_id(),
            welcome_message: WELCOME_MESSAGE.to_owned(),
            email: cmd.email,
            name: cmd.name,
            password_hash,
            at: now,
        };
        match self.accounts.create_account(&account).await {
            Ok(()) => {}
            Err(RepoError::Conflict(_)) => return Err(RegisterError::EmailTaken),
            Err(other) => return Err(RegisterError::Repo(other)),
        }
        let user = self
            .accounts
            .find_by_id(account.user_id)
            .await
            .map_err(RegisterError::Repo)?
            .ok_or(RegisterError::Repo(RepoError::NotFound))?;
        self.start_session(user).await.map_err(RegisterError::Repo)
    }

    /// Checks the credentials, throttled per account and per client.
    pub async fn login(&self, cmd: Login) -> Result<SignedIn, LoginError> {
        let account_key = ThrottleKey::Account(email::normalize(&cmd.email));
        let keys = [account_key.clone(), ThrottleKey::Client(cmd.client.clone())];
        self.throttle
            .check(&keys, self.clock.now())
            .map_err(|retry_after| LoginError::Throttled { retry_after })?;
        if self.hasher.saturated() {
            return Err(LoginError::Hash(HashError::Busy));
        }

        let user = self
            .accounts
            .find_by_email(&email::normalize(&cmd.email))
            .await?;
        // Without a user, verify against a dummy hash anyway: the answer takes as long.
        let phc = user
            .as_ref()
            .map_or(self.hasher.dummy_hash(), |u| u.password_hash.as_str());
        let verification = self.hasher.verify(&cmd.password, phc).await?;
        let user = match user {
            Some(user) if verification.matches => user,
            _ => {
                self.throttle.record_failure(&keys, self.clock.now());
                return Err(LoginError::InvalidCredentials);
            }
        };
        self.throttle.record_success(&account_key);
        if verification.needs_rehash {
            // Hashes from the earlier server (other parameters) are upgraded on sign-in.
            let upgraded = self.hasher.hash(&cmd.password).await?;
            self.accounts
                .set_password_hash(user.id, &upgraded, false, self.clock.now())
                .await?;
        }
        Ok(self.start_session(user).await?)
    }

    /// Exchanges a refresh token for its successor. Presenting a token that was already
    /// exchanged means it was copied: the whole family is revoked, the thief's copy and the
    /// owner's alike.
    pub async fn refresh(&self, refresh_token: &str) -> Result<SignedIn, RefreshError> {
        let now = self.clock.now();
        let stored = self
            .sessions
            .find_by_hash(&hash_token(refresh_token))
            .await?
            .ok_or(RefreshError::Invalid)?;
        if stored.revoked_at.is_some() {
            return Err(RefreshError::Invalid);
        }
        if stored.used_at.is_some() {
            self.sessions.revoke_family(stored.family_id, now).await?;
            return Err(RefreshError::Invalid);
        }
        if stored.expires_at <= now {
            return Err(RefreshError::Invalid);
        }
        let user = self
            .accounts
            .find_by_id(stored.user_id)
            .await?
            .ok_or(RefreshError::Invalid)?;
        let (token, next) = self.new_token(user.id, stored.family_id, now);
        match self.sessions.rotate(stored.id, &next, now).await {
            Ok(()) => {}
            // Another refresh with the same token won the race: treat as reuse.
            Err(RepoError::Conflict(_)) => {
                self.sessions.revoke_family(stored.family_id, now).await?;
                return Err(RefreshError::Invalid);
            }
            Err(other) => return Err(other.into()),
        }
        let home_id = self.accounts.current_home(user.id).await?;
        Ok(SignedIn {
            user,
            home_id,
            family_id: stored.family_id,
            refresh_token: token,
            refresh_expires_at: next.expires_at,
        })
    }

    /// Ends the session the refresh token belongs to. Unknown tokens are ignored: signing out
    /// twice is not an error.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), RepoError> {
        if let Some(stored) = self
            .sessions
            .find_by_hash(&hash_token(refresh_token))
            .await?
        {
            self.sessions
                .revoke_family(stored.family_id, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// Ends every session of the user; their access tokens stop working at once.
    pub async fn logout_all(&self, user_id: Uuid) -> Result<(), RepoError> {
        let now = self.clock.now();
        // Refresh tokens first: were the epoch bumped first and the revocation then failed, a
        // surviving refresh token could mint access tokens with the new epoch.
        self.sessions
            .revoke_all_for_user(user_id, None, now)
            .await?;
        self.accounts.bump_session_epoch(user_id, now).await?;
        Ok(())
    }

    /// Changes the password, ends every session, and starts a fresh one for the caller.
    pub async fn change_password(
        &self,
        claims: SessionClaims,
        current: &str,
        new: NewPassword,
    ) -> Result<SignedIn, ChangePasswordError> {
        let user = self
            .accounts
            .find_by_id(claims.user_id)
            .await?
            .ok_or(ChangePasswordError::SessionEnded)?;
        // A stolen access token must not become an oracle for guessing the password.
        let account_key = [ThrottleKey::Account(email::normalize(&user.email))];
        self.throttle
            .check(&account_key, self.clock.now())
            .map_err(|retry_after| ChangePasswordError::Throttled { retry_after })?;
        if !self
            .hasher
            .verify(current, &user.password_hash)
            .await?
            .matches
        {
            self.throttle.record_failure(&account_key, self.clock.now());
            return Err(ChangePasswordError::WrongPassword);
        }
        let hash = self.hasher.hash(new.expose()).await?;
        let now = self.clock.now();
        // Same order as `logout_all`: no refresh token may outlive the epoch bump.
        self.sessions
            .revoke_all_for_user(user.id, None, now)
            .await?;
        self.accounts
            .set_password_hash(user.id, &hash, true, now)
            .await?;
        let user = self
            .accounts
            .find_by_id(user.id)
            .await?
            .ok_or(ChangePasswordError::SessionEnded)?;
        Ok(self.start_session(user).await?)
    }

    /// Whether an access token's session is still live (not signed out, no password change).
    pub async fn authenticate(&self, claims: SessionClaims) -> Result<(), AuthenticateError> {
        match self
            .sessions
            .session_state(claims.user_id, claims.family_id)
            .await?
        {
            Some(state) if state.family_active && state.session_epoch == claims.session_epoch => {
                Ok(())
            }
            _ => Err(AuthenticateError::SessionEnded),
        }
    }

    /// The user and their current home, read from the database.
    pub async fn me(&self, user_id: Uuid) -> Result<Option<(User, Option<Uuid>)>, RepoError> {
        let Some(user) = self.accounts.find_by_id(user_id).await? else {
            return Ok(None);
        };
        let home = self.accounts.current_home(user_id).await?;
        Ok(Some((user, home)))
    }

    async fn start_session(&self, user: User) -> Result<SignedIn, RepoError> {
        let now = self.clock.now();
        let family_id = new_id();
        let (token, stored) = self.new_token(user.id, family_id, now);
        self.sessions.insert(&stored).await?;
        let home_id = self.accounts.current_home(user.id).await?;
        Ok(SignedIn {
            user,
            home_id,
            family_id,
            refresh_token: token,
            refresh_expires_at: stored.expires_at,
        })
    }

    fn new_token(
        &self,
        user_id: Uuid,
        family_id: Uuid,
        now: DateTime<Utc>,
    ) -> (String, NewRefreshToken) {
        let token = self.tokens.new_token();
        let stored = NewRefreshToken {
            id: new_id(),
            user_id,
            family_id,
            token_hash: hash_token(&token),
            issued_at: now,
            expires_at: now + self.refresh_ttl,
        };
        (token, stored)
    }
}
