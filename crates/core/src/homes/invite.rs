//! Invites: unguessable codes that let someone join a home, with an expiry, a number of uses
//! and revocation. Only a hash of the code is stored, like a password: whoever reads the
//! database cannot join anyone's home.

use crate::change_log::NewHomeEvent;
use crate::homes::role::Role;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An invite as an admin sees it (the code itself is shown only once, at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: Uuid,
    pub home_id: Uuid,
    pub inviter_id: Uuid,
    /// The role the invitee gets.
    pub role: Role,
    /// `None`: unlimited until expiry or revocation.
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What anyone holding the code may learn: no more than who invites them where, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePreview {
    pub home_name: String,
    pub inviter_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Why an invite cannot be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Usable,
    Expired,
    Revoked,
    UsedUp,
}

impl Invite {
    /// Whether the invite may be used at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> InviteState {
        if self.revoked_at.is_some() {
            InviteState::Revoked
        } else if self.expires_at <= now {
            InviteState::Expired
        } else if self.max_uses.is_some_and(|max| self.uses >= max) {
            InviteState::UsedUp
        } else {
            InviteState::Usable
        }
    }
}

/// An invite to store.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub id: Uuid,
    pub home_id: Uuid,
    pub inviter_id: Uuid,
    pub code_hash: String,
    pub role: Role,
    pub max_uses: Option<i32>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// What accepting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptOutcome {
    Joined,
    AlreadyMember,
    /// The invite stopped being usable (another acceptance took the last use, it expired or
    /// was revoked) between the caller's check and the acceptance.
    NoLongerUsable(InviteState),
}

/// Storage of invites.
#[async_trait]
pub trait InviteRepository: Send + Sync {
    /// Stores the invite and appends `event`.
    async fn create(&self, invite: &NewInvite, event: &NewHomeEvent) -> Result<(), RepoError>;

    /// The home's invites, newest first.
    async fn list(&self, home_id: Uuid) -> Result<Vec<Invite>, RepoError>;

    /// The invite with this code hash, and its preview.
    async fn find_by_code_hash(
        &self,
        code_hash: &str,
    ) -> Result<Option<(Invite, InvitePreview)>, RepoError>;

    /// Revokes an invite of the home (`NotFound` for another home's invite) and appends `event`.
    async fn revoke(
        &self,
        home_id: Uuid,
        invite_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError>;

    /// In one transaction: re-checks that the invite is usable at `event.at`, counts a use,
    /// adds the membership with the invite's role (or reports that the user already is a
    /// member, using nothing), and appends `event`. `event.home_id` must be the invite's home:
    /// the adapter locks that home first so concurrent acceptances of a limited invite
    /// serialise (`NotFound` when the invite is not in that home).
    async fn accept(
        &self,
        invite_id: Uuid,
        user_id: Uuid,
        membership_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<AcceptOutcome, RepoError>;
}
