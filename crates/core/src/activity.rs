//! The activity feed: a home's recent changes, newest first, each attributed to a person by
//! name ("Alice added oat milk", "Pixie added eggs for Bob"). It reads the change log
//! ([`crate::change_log`]); unlike the change feed ([`crate::change_feed`]), which clients
//! sync from oldest first, it is meant to be read by people.

use crate::change_log::{Actor, ActorKind, HomeEvent};
use crate::homes::home::HomeRepository;
use crate::homes::service::HomeError;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;

/// Entries in a page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most entries one page returns.
pub const MAX_LIMIT: u32 = 200;

/// A logged event with the display name of whoever it is attributed to.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityEntry {
    /// The change itself.
    pub event: HomeEvent,
    /// The actor's display name; `None` for scheduled jobs and for people whose account is
    /// gone.
    pub actor_name: Option<String>,
}

/// Reads the change log newest first, with the actors' names.
#[async_trait]
pub trait ActivityReader: Send + Sync {
    /// Events of `home_id` with `seq < before` (all when `None`), newest first, at most `limit`,
    /// each with the current name of the user in `event.actor.user_id` (`None` when there is no
    /// such user any more). Names are resolved in the same query, not one query per event.
    async fn newest(
        &self,
        home_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityEntry>, RepoError>;
}

/// Who a change is shown as made by: the person's name for their own changes and for Pixie's
/// changes on their behalf (the entry keeps `actorKind` pixie, so clients can say "Pixie, for
/// Alice"); nobody for scheduled jobs.
///
/// ```
/// use pantry_core::activity::display_name;
/// use pantry_core::change_log::{Actor, ActorKind};
/// let alice = Some("Alice".to_owned());
/// let by = |kind| Actor { kind, user_id: Some(uuid::Uuid::nil()) };
/// assert_eq!(display_name(&by(ActorKind::User), alice.clone()).as_deref(), Some("Alice"));
/// assert_eq!(display_name(&by(ActorKind::Pixie), alice.clone()).as_deref(), Some("Alice"));
/// assert_eq!(display_name(&by(ActorKind::System), alice), None);
/// ```
pub fn display_name(actor: &Actor, user_name: Option<String>) -> Option<String> {
    match actor.kind {
        ActorKind::User | ActorKind::Pixie => user_name,
        ActorKind::System => None,
    }
}

/// The activity feed of the homes a user belongs to.
pub struct ActivityFeed {
    log: Arc<dyn ActivityReader>,
    homes: Arc<dyn HomeRepository>,
}

impl ActivityFeed {
    /// The feed over these ports.
    pub fn new(log: Arc<dyn ActivityReader>, homes: Arc<dyn HomeRepository>) -> Self {
        Self { log, homes }
    }

    /// The newest entries of `home_id` before `seq` `before` (from the latest when `None`), at
    /// most `limit` (1 to [`MAX_LIMIT`]). Any member may read; others get NotFound. To page
    /// back, pass the smallest `seq` of a page as the next `before`.
    pub async fn recent(
        &self,
        actor: Uuid,
        home_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityEntry>, HomeError> {
        self.homes
            .role_of(home_id, actor)
            .await?
            .ok_or(HomeError::NotFound)?;
        let entries = self
            .log
            .newest(home_id, before, limit.clamp(1, MAX_LIMIT))
            .await?;
        Ok(entries
            .into_iter()
            .map(|entry| ActivityEntry {
                actor_name: display_name(&entry.event.actor, entry.actor_name),
                event: entry.event,
            })
            .collect())
    }
}
