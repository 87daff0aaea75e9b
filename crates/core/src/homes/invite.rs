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
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use pantry_core::homes::invite::{Invite, InviteState};
/// use pantry_core::homes::role::Role;
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let invite = Invite {
///     id: uuid::Uuid::nil(),
///     home_id: uuid::Uuid::nil(),
///     inviter_id: uuid::Uuid::nil(),
///     role: Role::Member,
///     max_uses: Some(1),
///     uses: 0,
///     expires_at: now + Duration::days(7),
///     revoked_at: None,
///     created_at: now,
/// };
/// assert_eq!(invite.state(now), InviteState::Usable);
/// assert_eq!(invite.state(now + Duration::days(7)), InviteState::Expired);
/// assert_eq!(Invite { uses: 1, ..invite }.state(now), InviteState::UsedUp);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The invite's id (not its code).
    pub id: Uuid,
    /// The home it lets people join.
    pub home_id: Uuid,
    /// The admin or owner who created it.
    pub inviter_id: Uuid,
    /// The role the invitee gets.
    pub role: Role,
    /// `None`: unlimited until expiry or revocation.
    pub max_uses: Option<i32>,
    /// How many people joined with it so far.
    pub uses: i32,
    /// From then on it no longer works.
    pub expires_at: DateTime<Utc>,
    /// Set when an admin revoked it; it stopped working at that moment.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What anyone holding the code may learn: no more than who invites them where, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitePreview {
    /// The name of the home it joins.
    pub home_name: String,
    /// The display name of who created it.
    pub inviter_name: String,
    /// Until when it works.
    pub expires_at: DateTime<Utc>,
}

/// Whether an invite can be used now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    /// It can be accepted.
    Usable,
    /// Its expiry has passed.
    Expired,
    /// An admin revoked it.
    Revoked,
    /// Every allowed use is taken.
    UsedUp,
}

impl Invite {
    /// Whether the invite may be used at `now`. Revocation wins over expiry, and expiry over
    /// the use count, so the reason given is the most deliberate one.
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
    /// The invite's id.
    pub id: Uuid,
    /// The home it lets people join.
    pub home_id: Uuid,
    /// Who creates it.
    pub inviter_id: Uuid,
    /// The SHA-256 of the code ([`hash_token`](crate::accounts::session::hash_token)); the
    /// code itself is never stored.
    pub code_hash: String,
    /// The role the invitee gets (never owner).
    pub role: Role,
    /// `None`: unlimited until expiry or revocation.
    pub max_uses: Option<i32>,
    /// From then on it no longer works.
    pub expires_at: DateTime<Utc>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What accepting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// The user is now a member, and one use is counted.
    Joined,
    /// The user already was a member; no use was counted.
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
