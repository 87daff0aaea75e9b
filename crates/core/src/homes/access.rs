//! The membership check every home-scoped use case starts with.

use crate::change_log::Actor;
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::repo_error::RepoError;
use uuid::Uuid;

/// Why the actor may not do something in a home.
#[derive(Debug)]
pub enum AccessError {
    /// Not a member (or no such home): answered as "not found", so nothing leaks.
    NotMember,
    /// A member whose role is too low; the text says what is needed.
    Forbidden(&'static str),
    /// The store failed.
    Repo(RepoError),
}

/// The actor's role in the home when it is at least `needed`. An actor without a user
/// (a scheduled job) acts with the system's authority.
pub async fn require_role(
    homes: &dyn HomeRepository,
    home_id: Uuid,
    actor: &Actor,
    needed: Role,
) -> Result<Role, AccessError> {
    let Some(user_id) = actor.user_id else {
        return Ok(Role::Owner);
    };
    let role = homes
        .role_of(home_id, user_id)
        .await
        .map_err(AccessError::Repo)?
        .ok_or(AccessError::NotMember)?;
    if role < needed {
        return Err(AccessError::Forbidden(match needed {
            Role::Owner => "owner role required",
            Role::Admin => "admin or owner role required",
            _ => "viewers can only read",
        }));
    }
    Ok(role)
}
