//! The invite use cases: create, list and revoke (admins), preview (anyone with the code),
//! accept (any signed-in person).

use crate::accounts::session::{TokenSource, hash_token};
use crate::change_log::{Actor, ActorKind, NewHomeEvent};
use crate::clock::Clock;
use crate::homes::home::HomeRepository;
use crate::homes::invite::{
    AcceptOutcome, Invite, InvitePreview, InviteRepository, InviteState, NewInvite,
};
use crate::homes::role::Role;
use crate::ids::new_id;
use crate::repo_error::RepoError;
use chrono::Duration;
use serde_json::json;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// How long an invite lasts unless asked otherwise.
pub const DEFAULT_INVITE_DAYS: i64 = 7;
/// The longest an invite may last.
pub const MAX_INVITE_DAYS: i64 = 30;

/// Why an invite operation was refused.
#[derive(Debug, Error)]
pub enum InviteError {
    /// No home the actor belongs to, or no such invite or code.
    #[error("not found")]
    NotFound,
    /// The actor's role does not allow it; the text says which role would.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The code is known but expired, revoked or used up.
    #[error("invite can no longer be used")]
    Unusable(InviteState),
    /// The person accepting already belongs to the home; no use was counted.
    #[error("already a member of this home")]
    AlreadyMember,
    /// Storage failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// A request for a new invite, validated at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteRequest {
    /// The role the invitee gets; only the owner may invite admins, nobody invites owners.
    pub role: Role,
    /// `None`: unlimited until expiry or revocation.
    pub max_uses: Option<i32>,
    /// Days until expiry, clamped to 1..=[`MAX_INVITE_DAYS`].
    pub valid_days: i64,
}

impl Default for InviteRequest {
    fn default() -> Self {
        Self {
            role: Role::Member,
            max_uses: Some(1),
            valid_days: DEFAULT_INVITE_DAYS,
        }
    }
}

/// A created invite with its code (shown this once).
#[derive(Debug, Clone)]
pub struct CreatedInvite {
    /// The stored invite.
    pub invite: Invite,
    /// The code to share. Only its hash is stored, so it cannot be shown again.
    pub code: String,
}

/// The result of joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    /// The home joined, now the user's active home.
    pub home_id: Uuid,
}

/// Invites to a home: created by its admins, redeemed by anyone signed in who has the code.
pub struct InviteService {
    invites: Arc<dyn InviteRepository>,
    homes: Arc<dyn HomeRepository>,
    tokens: Arc<dyn TokenSource>,
    clock: Arc<dyn Clock>,
}

impl InviteService {
    /// Wires the service to its ports: `homes` answers membership and roles, `tokens` makes
    /// the codes.
    pub fn new(
        invites: Arc<dyn InviteRepository>,
        homes: Arc<dyn HomeRepository>,
        tokens: Arc<dyn TokenSource>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            invites,
            homes,
            tokens,
            clock,
        }
    }

    async fn require_admin(&self, home_id: Uuid, actor: Uuid) -> Result<Role, InviteError> {
        let role = self
            .homes
            .role_of(home_id, actor)
            .await?
            .ok_or(InviteError::NotFound)?;
        if !role.can_manage() {
            return Err(InviteError::Forbidden("admin or owner role required"));
        }
        Ok(role)
    }

    fn event(
        &self,
        home_id: Uuid,
        actor: Uuid,
        kind: &str,
        entity: Uuid,
        payload: serde_json::Value,
    ) -> NewHomeEvent {
        NewHomeEvent {
            home_id,
            kind: kind.to_owned(),
            entity_id: Some(entity),
            payload,
            actor: Actor {
                kind: ActorKind::User,
                user_id: Some(actor),
            },
            at: self.clock.now(),
        }
    }

    /// Creates an invite (admins). Only the owner may invite admins; nobody invites owners.
    pub async fn create(
        &self,
        actor: Uuid,
        home_id: Uuid,
        request: InviteRequest,
    ) -> Result<CreatedInvite, InviteError> {
        let actor_role = self.require_admin(home_id, actor).await?;
        if request.role == Role::Owner || (request.role == Role::Admin && actor_role != Role::Owner)
        {
            return Err(InviteError::Forbidden(
                "only the owner invites admins, and nobody invites owners",
            ));
        }
        let now = self.clock.now();
        // 256 random bits; the 20 hex characters shown are 80 of them, well past guessing.
        let code: String = self.tokens.new_token().chars().take(20).collect();
        let new = NewInvite {
            id: new_id(),
            home_id,
            inviter_id: actor,
            code_hash: hash_token(&code),
            role: request.role,
            max_uses: request.max_uses,
            expires_at: now + Duration::days(request.valid_days.clamp(1, MAX_INVITE_DAYS)),
            created_at: now,
        };
        let event = self.event(
            home_id,
            actor,
            "invite.created",
            new.id,
            json!({ "role": new.role }),
        );
        self.invites.create(&new, &event).await?;
        Ok(CreatedInvite {
            invite: Invite {
                id: new.id,
                home_id,
                inviter_id: actor,
                role: new.role,
                max_uses: new.max_uses,
                uses: 0,
                expires_at: new.expires_at,
                revoked_at: None,
                created_at: now,
            },
            code,
        })
    }

    /// The home's invites (admins).
    pub async fn list(&self, actor: Uuid, home_id: Uuid) -> Result<Vec<Invite>, InviteError> {
        self.require_admin(home_id, actor).await?;
        Ok(self.invites.list(home_id).await?)
    }

    /// Revokes an invite (admins).
    pub async fn revoke(
        &self,
        actor: Uuid,
        home_id: Uuid,
        invite_id: Uuid,
    ) -> Result<(), InviteError> {
        self.require_admin(home_id, actor).await?;
        let event = self.event(home_id, actor, "invite.revoked", invite_id, json!({}));
        match self.invites.revoke(home_id, invite_id, &event).await {
            Err(RepoError::NotFound) => Err(InviteError::NotFound),
            other => Ok(other?),
        }
    }

    /// What the code invites to; unusable codes look like unknown ones.
    pub async fn preview(&self, code: &str) -> Result<InvitePreview, InviteError> {
        let (invite, preview) = self
            .invites
            .find_by_code_hash(&hash_token(code.trim()))
            .await?
            .ok_or(InviteError::NotFound)?;
        match invite.state(self.clock.now()) {
            InviteState::Usable => Ok(preview),
            _ => Err(InviteError::NotFound),
        }
    }

    /// Joins the home the code invites to, with the invite's role.
    pub async fn accept(&self, actor: Uuid, code: &str) -> Result<Joined, InviteError> {
        let (invite, _) = self
            .invites
            .find_by_code_hash(&hash_token(code.trim()))
            .await?
            .ok_or(InviteError::NotFound)?;
        match invite.state(self.clock.now()) {
            InviteState::Usable => {}
            other => return Err(InviteError::Unusable(other)),
        }
        let event = self.event(
            invite.home_id,
            actor,
            "member.joined",
            actor,
            json!({ "userId": actor, "role": invite.role, "inviteId": invite.id }),
        );
        match self
            .invites
            .accept(invite.id, actor, new_id(), &event)
            .await?
        {
            AcceptOutcome::Joined => {
                self.homes.set_active_home(actor, invite.home_id).await?;
                Ok(Joined {
                    home_id: invite.home_id,
                })
            }
            AcceptOutcome::AlreadyMember => Err(InviteError::AlreadyMember),
            AcceptOutcome::NoLongerUsable(state) => Err(InviteError::Unusable(state)),
        }
    }
}
