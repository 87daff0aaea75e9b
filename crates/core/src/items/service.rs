//! The pantry use cases. Each checks the actor's membership first: a non-member learns
//! nothing (`HomeNotFound`), a viewer may only read (`Forbidden`).

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::{AccessError, require_role};
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::items::item::{
    Added, ItemEdit, ItemFilter, ItemRepository, ItemStats, Mutation, NewItem, PantryItem,
    WriteMeta,
};
use crate::items::{Category, Quantity};
use crate::repo_error::RepoError;
use chrono::Duration;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// Why a pantry operation was refused.
#[derive(Debug, Error)]
pub enum ItemError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// No such item in this home.
    #[error("item not found")]
    NotFound,
    /// The actor's role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request named an old version; the item as it is now.
    #[error("the item changed since version you have")]
    Stale(Box<PantryItem>),
    /// The request cannot be applied (the text says why).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The store failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for ItemError {
    fn from(error: RepoError) -> Self {
        ItemError::Repo(error)
    }
}

impl From<AccessError> for ItemError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotMember => ItemError::HomeNotFound,
            AccessError::Forbidden(why) => ItemError::Forbidden(why),
            AccessError::Repo(e) => ItemError::Repo(e),
        }
    }
}

fn settle(mutation: Mutation<PantryItem>) -> Result<PantryItem, ItemError> {
    match mutation {
        Mutation::Applied(item) => Ok(item),
        Mutation::Stale(current) => Err(ItemError::Stale(Box::new(current))),
        Mutation::Missing => Err(ItemError::NotFound),
    }
}

/// What [`ItemService::list_unless_unchanged`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    /// The home's change log is still at the `seq` the caller knows: its items are those the
    /// caller read at that `seq`.
    Unchanged {
        /// The home's latest change-log `seq`.
        seq: i64,
    },
    /// The items now, read after `seq` was: they reflect at least every change up to it.
    Items {
        /// The home's latest change-log `seq` when the items were read.
        seq: i64,
        /// The matching items.
        items: Vec<PantryItem>,
    },
}

/// Items "expiring soon" are those within this many days.
pub const EXPIRING_SOON_DAYS: i64 = 3;

/// The pantry of each home.
pub struct ItemService {
    homes: Arc<dyn HomeRepository>,
    items: Arc<dyn ItemRepository>,
    clock: Arc<dyn Clock>,
}

impl ItemService {
    /// The service over its ports.
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        items: Arc<dyn ItemRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homes,
            items,
            clock,
        }
    }

    async fn require(&self, home_id: Uuid, actor: &Actor, needed: Role) -> Result<(), ItemError> {
        require_role(self.homes.as_ref(), home_id, actor, needed).await?;
        Ok(())
    }

    fn meta(&self, actor: &Actor) -> WriteMeta {
        WriteMeta {
            actor: *actor,
            at: self.clock.now(),
        }
    }

    /// Items of the home matching `filter`.
    pub async fn list(
        &self,
        actor: &Actor,
        home_id: Uuid,
        filter: &ItemFilter,
    ) -> Result<Vec<PantryItem>, ItemError> {
        self.require(home_id, actor, Role::Viewer).await?;
        Ok(self.items.list(home_id, filter, self.clock.now()).await?)
    }

    /// Items of the home matching `filter`, unless the home's change log is still at
    /// `known_seq`. Every change to a home appends to its log in the same transaction, so an
    /// unchanged `seq` means unchanged items: a caller holding the items it read at `known_seq`
    /// can answer with them and skip reading them again. The membership check and the `seq`
    /// are one read. The filter must not depend on the time (`expiring_within_days`), since
    /// time passes without a change.
    pub async fn list_unless_unchanged(
        &self,
        viewer: Uuid,
        home_id: Uuid,
        filter: &ItemFilter,
        known_seq: Option<i64>,
    ) -> Result<Listing, ItemError> {
        let (_, seq) = self
            .homes
            .role_and_seq(home_id, viewer)
            .await?
            .ok_or(ItemError::HomeNotFound)?;
        if known_seq == Some(seq) && filter.expiring_within_days.is_none() {
            return Ok(Listing::Unchanged { seq });
        }
        let items = self.items.list(home_id, filter, self.clock.now()).await?;
        Ok(Listing::Items { seq, items })
    }

    /// Counts over the home's pantry.
    pub async fn stats(&self, actor: &Actor, home_id: Uuid) -> Result<ItemStats, ItemError> {
        let items = self.list(actor, home_id, &ItemFilter::default()).await?;
        let now = self.clock.now();
        let soon = now + Duration::days(EXPIRING_SOON_DAYS);
        let mut stats = ItemStats::default();
        for category in Category::ALL {
            stats
                .by_category
                .insert(category.as_str(), Default::default());
        }
        for item in &items {
            stats.total += 1;
            let entry = stats.by_category.entry(item.category.as_str()).or_default();
            entry.total += 1;
            if item.is_checked {
                stats.checked += 1;
                entry.checked += 1;
            }
            match item.expires_at {
                Some(at) if at <= now => stats.expired += 1,
                Some(at) if at <= soon => stats.expiring_soon += 1,
                _ => {}
            }
            if item.quantity.is_zero() {
                stats.out_of_stock += 1;
            }
        }
        stats.unchecked = stats.total - stats.checked;
        // Only categories in use, as the earlier server answered.
        stats.by_category.retain(|_, c| c.total > 0);
        Ok(stats)
    }

    /// One item.
    pub async fn get(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item_id: Uuid,
    ) -> Result<PantryItem, ItemError> {
        self.require(home_id, actor, Role::Viewer).await?;
        self.items
            .get(home_id, item_id)
            .await?
            .ok_or(ItemError::NotFound)
    }

    /// Adds an item, merging it into a matching row unless `separate` (or a client-chosen id)
    /// asks for a row of its own.
    pub async fn add(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item: NewItem,
        separate: bool,
    ) -> Result<Added, ItemError> {
        self.require(home_id, actor, Role::Member).await?;
        let merge = !separate && !item.client_chosen_id;
        match self
            .items
            .add(home_id, &item, merge, self.meta(actor))
            .await
        {
            Err(RepoError::Conflict(_)) => Err(ItemError::Conflict(
                "an item with this id already exists elsewhere",
            )),
            other => Ok(other?),
        }
    }

    /// Edits an item; with `expected_version`, only if nobody changed it since.
    pub async fn update(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item_id: Uuid,
        edit: ItemEdit,
        expected_version: Option<i64>,
    ) -> Result<PantryItem, ItemError> {
        self.require(home_id, actor, Role::Member).await?;
        settle(
            self.items
                .update(home_id, item_id, &edit, expected_version, self.meta(actor))
                .await?,
        )
    }

    /// Flips the check mark.
    pub async fn toggle(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item_id: Uuid,
    ) -> Result<PantryItem, ItemError> {
        self.require(home_id, actor, Role::Member).await?;
        settle(
            self.items
                .toggle(home_id, item_id, self.meta(actor))
                .await?,
        )
    }

    /// Uses `amount` of the item; at zero it is recorded as used up and stays as a row with
    /// nothing left (lists still refer to it, and the next purchase refills it).
    pub async fn consume(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item_id: Uuid,
        amount: Quantity,
    ) -> Result<PantryItem, ItemError> {
        self.require(home_id, actor, Role::Member).await?;
        if amount.is_zero() {
            return Err(ItemError::Conflict("nothing to consume: quantity is 0"));
        }
        match self
            .items
            .consume(home_id, item_id, amount, self.meta(actor))
            .await
        {
            Err(RepoError::Conflict(_)) => Err(ItemError::Conflict("nothing left to consume")),
            other => settle(other?),
        }
    }

    /// Deletes an item; with `expected_version`, only if nobody changed it since.
    pub async fn delete(
        &self,
        actor: &Actor,
        home_id: Uuid,
        item_id: Uuid,
        expected_version: Option<i64>,
    ) -> Result<PantryItem, ItemError> {
        self.require(home_id, actor, Role::Member).await?;
        settle(
            self.items
                .delete(home_id, item_id, expected_version, self.meta(actor))
                .await?,
        )
    }
}
