//! The home and membership use cases. Each checks the actor's membership and role first:
//! a non-member learns nothing (NotFound, as if the home did not exist); a member without
//! the right role is told so (Forbidden).

use crate::change_log::{Actor, ActorKind, NewHomeEvent};
use crate::clock::Clock;
use crate::homes::home::{Home, HomeEdit, HomeRepository, HomeSummary, Member, NewHome};
use crate::homes::role::Role;
use crate::ids::new_id;
use crate::items::item::Mutation;
use crate::repo_error::RepoError;
use serde_json::json;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// Why a home operation was refused.
#[derive(Debug, Error)]
pub enum HomeError {
    /// No such home, or the actor is not a member of it (indistinguishable on purpose).
    #[error("home not found")]
    NotFound,
    /// No such member in this home.
    #[error("member not found")]
    MemberNotFound,
    /// A member without the role the operation needs; the text says which would do.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The edit named an old version of the home; nothing changed. The home as it is now,
    /// with the actor's role in it.
    #[error("the home changed since the version you have")]
    Stale {
        /// The home as it is now.
        current: Box<Home>,
        /// The actor's role in it.
        role: Role,
    },
    /// Allowed, but not in the home's current state (e.g. the owner leaving); the text says
    /// why, fit to show.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for HomeError {
    fn from(error: RepoError) -> Self {
        HomeError::Repo(error)
    }
}

/// Homes and their members.
pub struct HomeService {
    homes: Arc<dyn HomeRepository>,
    clock: Arc<dyn Clock>,
}

impl HomeService {
    /// Wires the service to its ports; `clock` stamps the change-log events.
    pub fn new(homes: Arc<dyn HomeRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { homes, clock }
    }

    /// The actor's role, or NotFound when they are not a member.
    async fn role(&self, home_id: Uuid, actor: Uuid) -> Result<Role, HomeError> {
        self.homes
            .role_of(home_id, actor)
            .await?
            .ok_or(HomeError::NotFound)
    }

    /// The actor's role when it is at least `needed`.
    async fn require(
        &self,
        home_id: Uuid,
        actor: Uuid,
        needed: Role,
        why: &'static str,
    ) -> Result<Role, HomeError> {
        let role = self.role(home_id, actor).await?;
        if role < needed {
            return Err(HomeError::Forbidden(why));
        }
        Ok(role)
    }

    fn event(
        &self,
        home_id: Uuid,
        actor: Uuid,
        kind: &str,
        entity_id: Option<Uuid>,
        payload: serde_json::Value,
    ) -> NewHomeEvent {
        NewHomeEvent {
            home_id,
            kind: kind.to_owned(),
            entity_id,
            payload,
            actor: Actor {
                kind: ActorKind::User,
                user_id: Some(actor),
            },
            at: self.clock.now(),
        }
    }

    /// The actor's homes with their role and member count.
    pub async fn list(&self, actor: Uuid) -> Result<Vec<HomeSummary>, HomeError> {
        Ok(self.homes.list_for_user(actor).await?)
    }

    /// A home the actor belongs to.
    pub async fn get(&self, actor: Uuid, home_id: Uuid) -> Result<(Home, Role), HomeError> {
        let role = self.role(home_id, actor).await?;
        let home = self.homes.get(home_id).await?.ok_or(HomeError::NotFound)?;
        Ok((home, role))
    }

    /// Creates a home owned by the actor. `name` is already validated
    /// ([`crate::homes::home::parse_name`]).
    pub async fn create(&self, actor: Uuid, name: String) -> Result<Home, HomeError> {
        let home = NewHome {
            id: new_id(),
            name,
            owner_id: actor,
            membership_id: new_id(),
            at: self.clock.now(),
        };
        let event = self.event(
            home.id,
            actor,
            "home.created",
            Some(home.id),
            json!({ "name": home.name }),
        );
        Ok(self.homes.create(&home, &event).await?)
    }

    /// Edits the home (admins and the owner); with `expected_version`, only if nobody changed
    /// it since (else [`HomeError::Stale`], nothing written, nothing logged). Without it the
    /// last write wins.
    pub async fn update(
        &self,
        actor: Uuid,
        home_id: Uuid,
        edit: HomeEdit,
        expected_version: Option<i64>,
    ) -> Result<Home, HomeError> {
        let role = self
            .require(home_id, actor, Role::Admin, "admin or owner role required")
            .await?;
        let event = self.event(home_id, actor, "home.updated", Some(home_id), json!({}));
        match self
            .homes
            .update(home_id, &edit, expected_version, &event)
            .await
        {
            Ok(Mutation::Applied(home)) => Ok(home),
            Ok(Mutation::Stale(current)) => Err(HomeError::Stale {
                current: Box::new(current),
                role,
            }),
            Ok(Mutation::Missing) | Err(RepoError::NotFound) => Err(HomeError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the home and everything in it (the owner only).
    pub async fn delete(&self, actor: Uuid, home_id: Uuid) -> Result<(), HomeError> {
        self.require(home_id, actor, Role::Owner, "owner role required")
            .await?;
        match self.homes.delete(home_id).await {
            Err(RepoError::NotFound) => Err(HomeError::NotFound),
            other => Ok(other?),
        }
    }

    /// Everyone in the home (any member may see who they share it with).
    pub async fn members(&self, actor: Uuid, home_id: Uuid) -> Result<Vec<Member>, HomeError> {
        self.role(home_id, actor).await?;
        Ok(self.homes.members(home_id).await?)
    }

    /// Changes another member's role (admins and the owner). Nobody becomes or stops being
    /// owner this way: that is [`HomeService::transfer_ownership`]. Admins may not change
    /// other admins; the owner may.
    pub async fn set_role(
        &self,
        actor: Uuid,
        home_id: Uuid,
        target: Uuid,
        role: Role,
    ) -> Result<(), HomeError> {
        let actor_role = self
            .require(home_id, actor, Role::Admin, "admin or owner role required")
            .await?;
        if role == Role::Owner {
            return Err(HomeError::Conflict("ownership changes only by transfer"));
        }
        if target == actor {
            return Err(HomeError::Conflict("you cannot change your own role"));
        }
        let target_role = self
            .homes
            .role_of(home_id, target)
            .await?
            .ok_or(HomeError::MemberNotFound)?;
        if target_role == Role::Owner {
            return Err(HomeError::Conflict(
                "the owner's role changes only by transfer",
            ));
        }
        if actor_role != Role::Owner && (target_role == Role::Admin || role == Role::Admin) {
            return Err(HomeError::Forbidden("only the owner manages admins"));
        }
        let event = self.event(
            home_id,
            actor,
            "member.role_changed",
            Some(target),
            json!({ "userId": target, "role": role }),
        );
        self.map_member(self.homes.set_role(home_id, target, role, &event).await)
    }

    /// Removes another member (admins and the owner; admins cannot remove admins).
    pub async fn remove_member(
        &self,
        actor: Uuid,
        home_id: Uuid,
        target: Uuid,
    ) -> Result<(), HomeError> {
        let actor_role = self
            .require(home_id, actor, Role::Admin, "admin or owner role required")
            .await?;
        if target == actor {
            return Err(HomeError::Conflict("use leave to leave a home"));
        }
        let target_role = self
            .homes
            .role_of(home_id, target)
            .await?
            .ok_or(HomeError::MemberNotFound)?;
        if target_role == Role::Owner {
            return Err(HomeError::Conflict("the owner cannot be removed"));
        }
        if target_role == Role::Admin && actor_role != Role::Owner {
            return Err(HomeError::Forbidden("only the owner removes admins"));
        }
        let event = self.event(
            home_id,
            actor,
            "member.removed",
            Some(target),
            json!({ "userId": target }),
        );
        self.map_member(self.homes.remove_member(home_id, target, &event).await)
    }

    /// Leaves the home. The owner must hand it over (or delete it) first, so that a home is
    /// never left without an owner.
    pub async fn leave(&self, actor: Uuid, home_id: Uuid) -> Result<(), HomeError> {
        if self.role(home_id, actor).await? == Role::Owner {
            return Err(HomeError::Conflict(
                "transfer ownership or delete the home before leaving",
            ));
        }
        let event = self.event(
            home_id,
            actor,
            "member.left",
            Some(actor),
            json!({ "userId": actor }),
        );
        self.map_member(self.homes.remove_member(home_id, actor, &event).await)
    }

    /// Hands the home to another member (the owner only); the previous owner becomes admin.
    pub async fn transfer_ownership(
        &self,
        actor: Uuid,
        home_id: Uuid,
        to: Uuid,
    ) -> Result<(), HomeError> {
        self.require(home_id, actor, Role::Owner, "owner role required")
            .await?;
        if to == actor {
            return Err(HomeError::Conflict("you already own this home"));
        }
        let event = self.event(
            home_id,
            actor,
            "home.ownership_transferred",
            Some(home_id),
            json!({ "from": actor, "to": to }),
        );
        self.map_member(self.homes.transfer_ownership(home_id, to, &event).await)
    }

    /// Makes the home the actor's active one (the `homeId` of their next access tokens).
    pub async fn activate(&self, actor: Uuid, home_id: Uuid) -> Result<Home, HomeError> {
        let (home, _) = self.get(actor, home_id).await?;
        self.homes.set_active_home(actor, home_id).await?;
        Ok(home)
    }

    fn map_member(&self, result: Result<(), RepoError>) -> Result<(), HomeError> {
        match result {
            Err(RepoError::NotFound) => Err(HomeError::MemberNotFound),
            Err(RepoError::Conflict(_)) => {
                Err(HomeError::Conflict("the membership changed; try again"))
            }
            other => Ok(other?),
        }
    }
}
