//! The grocery-list use cases. Each checks the actor's membership first: a non-member learns
//! nothing (`HomeNotFound`), a viewer may only read (`Forbidden`), deleting and resetting a
//! list take an admin.
//!
//! Reading a home's lists also does the two things the earlier server did on read: it creates
//! the default list when the home has none, and it applies scheduled resets that are due. Both
//! are recorded as the system's doing, whoever read; the scheduler calls [`ListService::reset_due`]
//! so that resets also happen when nobody looks.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::{AccessError, require_role};
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::items::item::{Mutation, WriteMeta};
use crate::lists::entry::{
    ALREADY_COMPLETED_CONFLICT, AddEntry, AddedEntry, Bought, ItemByName, ListItem, ListItemEdit,
    ListItemRepository, NewListItem,
};
use crate::lists::list::{
    DEFAULT_LIST_CONFLICT, GroceryList, GroceryListWithItems, ListCreated, ListEdit,
    ListRepository, ListStats, NewList,
};
use crate::repo_error::RepoError;
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// Why a list operation was refused.
#[derive(Debug, Error)]
pub enum ListError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// No such list in this home.
    #[error("list not found")]
    ListNotFound,
    /// No such entry on that list.
    #[error("list item not found")]
    EntryNotFound,
    /// The pantry item named is not one of the home's.
    #[error("item not found")]
    ItemNotFound,
    /// The actor's role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request named an old version of the list; the list as it is now.
    #[error("the list changed since the version you have")]
    StaleList(Box<GroceryList>),
    /// The request named an old version of the entry; the entry as it is now.
    #[error("the list item changed since the version you have")]
    StaleEntry(Box<ListItem>),
    /// The request cannot be applied (the text says why).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The store failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for ListError {
    fn from(error: RepoError) -> Self {
        ListError::Repo(error)
    }
}

impl From<AccessError> for ListError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotMember => ListError::HomeNotFound,
            AccessError::Forbidden(why) => ListError::Forbidden(why),
            AccessError::Repo(e) => ListError::Repo(e),
        }
    }
}

fn settle_list(mutation: Mutation<GroceryList>) -> Result<GroceryList, ListError> {
    match mutation {
        Mutation::Applied(list) => Ok(list),
        Mutation::Stale(current) => Err(ListError::StaleList(Box::new(current))),
        Mutation::Missing => Err(ListError::ListNotFound),
    }
}

fn settle_entry(mutation: Mutation<ListItem>) -> Result<ListItem, ListError> {
    match mutation {
        Mutation::Applied(entry) => Ok(entry),
        Mutation::Stale(current) => Err(ListError::StaleEntry(Box::new(current))),
        Mutation::Missing => Err(ListError::EntryNotFound),
    }
}

fn settle_add(added: Result<AddEntry, RepoError>) -> Result<AddedEntry, ListError> {
    match added {
        Ok(AddEntry::Added(added)) => Ok(*added),
        Ok(AddEntry::NoList) => Err(ListError::ListNotFound),
        Ok(AddEntry::NoItem) => Err(ListError::ItemNotFound),
        Err(RepoError::Conflict(_)) => Err(ListError::Conflict(
            "a list item with this id already exists elsewhere",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Folds entries naming the same pantry item into one: quantities add up, and the later
/// notes and price win. Order of first appearance is kept.
///
/// ```
/// use pantry_core::items::Quantity;
/// use pantry_core::lists::entry::NewListItem;
/// use pantry_core::lists::service::merge_repeats;
/// let milk = uuid::Uuid::now_v7();
/// let mut again = NewListItem::of(milk);
/// again.quantity = Quantity::parse("2").unwrap();
/// let merged = merge_repeats(vec![NewListItem::of(milk), again]);
/// assert_eq!(merged.len(), 1);
/// assert_eq!(merged[0].quantity, Quantity::parse("3").unwrap());
/// ```
pub fn merge_repeats(entries: Vec<NewListItem>) -> Vec<NewListItem> {
    let mut out: Vec<NewListItem> = Vec::with_capacity(entries.len());
    for entry in entries {
        match out.iter_mut().find(|e| e.item_id == entry.item_id) {
            Some(first) => {
                first.quantity = first.quantity.saturating_add(entry.quantity);
                if entry.notes.is_some() {
                    first.notes = entry.notes;
                }
                if entry.estimated_price_minor.is_some() {
                    first.estimated_price_minor = entry.estimated_price_minor;
                }
            }
            None => out.push(entry),
        }
    }
    out
}

/// Ids in order of first appearance, repeats dropped.
fn distinct(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// How a create ended, for the caller that answers 201 or 200.
#[derive(Debug, Clone, PartialEq)]
pub enum Created<T> {
    /// Something new.
    New(T),
    /// A replay (or a merge) of something that already existed.
    Existing(T),
}

impl<T> Created<T> {
    /// The value, however it came about.
    pub fn into_inner(self) -> T {
        match self {
            Created::New(t) | Created::Existing(t) => t,
        }
    }
}

/// The grocery lists of each home.
pub struct ListService {
    homes: Arc<dyn HomeRepository>,
    lists: Arc<dyn ListRepository>,
    entries: Arc<dyn ListItemRepository>,
    clock: Arc<dyn Clock>,
}

impl ListService {
    /// The service over its ports.
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        lists: Arc<dyn ListRepository>,
        entries: Arc<dyn ListItemRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homes,
            lists,
            entries,
            clock,
        }
    }

    async fn require(&self, home_id: Uuid, actor: &Actor, needed: Role) -> Result<(), ListError> {
        require_role(self.homes.as_ref(), home_id, actor, needed).await?;
        Ok(())
    }

    fn meta(&self, actor: &Actor) -> WriteMeta {
        WriteMeta {
            actor: *actor,
            at: self.clock.now(),
        }
    }

    /// What reads do on the system's behalf: the default list exists, due resets happened.
    async fn maintain(&self, home_id: Uuid) -> Result<(), ListError> {
        let system = self.meta(&Actor::system());
        self.lists.default_list(home_id, system).await?;
        self.lists.reset_due(home_id, system).await?;
        Ok(())
    }

    /// The home's lists with their entries (creating the default list and applying due
    /// resets first).
    pub async fn lists(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<Vec<GroceryListWithItems>, ListError> {
        self.require(home_id, actor, Role::Viewer).await?;
        self.maintain(home_id).await?;
        Ok(self.lists.lists(home_id).await?)
    }

    /// The home's default list, created if missing.
    pub async fn default_list(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<GroceryList, ListError> {
        self.require(home_id, actor, Role::Viewer).await?;
        Ok(self
            .lists
            .default_list(home_id, self.meta(&Actor::system()))
            .await?)
    }

    /// One list with its entries (applying due resets first).
    pub async fn get(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<GroceryListWithItems, ListError> {
        self.require(home_id, actor, Role::Viewer).await?;
        self.lists
            .reset_due(home_id, self.meta(&Actor::system()))
            .await?;
        self.lists
            .get(home_id, list_id)
            .await?
            .ok_or(ListError::ListNotFound)
    }

    /// Summary figures of one list.
    pub async fn stats(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<ListStats, ListError> {
        Ok(ListStats::of(&self.get(actor, home_id, list_id).await?))
    }

    /// Creates a list; entries naming the same pantry item are merged first. A replay of a
    /// client-chosen id answers the list already created.
    pub async fn create(
        &self,
        actor: &Actor,
        home_id: Uuid,
        mut list: NewList,
    ) -> Result<Created<GroceryList>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        list.items = merge_repeats(std::mem::take(&mut list.items));
        match self.lists.create(home_id, &list, self.meta(actor)).await {
            Ok(ListCreated::Created(list)) => Ok(Created::New(list)),
            Ok(ListCreated::Replayed(list)) => Ok(Created::Existing(list)),
            Ok(ListCreated::UnknownItem(_)) => Err(ListError::ItemNotFound),
            Err(RepoError::Conflict(_)) => Err(ListError::Conflict(
                "a list with this id already exists elsewhere",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Edits a list; with `expected_version`, only if nobody changed it since.
    pub async fn update(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        edit: ListEdit,
        expected_version: Option<i64>,
    ) -> Result<GroceryList, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        settle_list(
            self.lists
                .update(home_id, list_id, &edit, expected_version, self.meta(actor))
                .await?,
        )
    }

    /// Deletes a list and its entries (admins); never the default list.
    pub async fn delete(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        expected_version: Option<i64>,
    ) -> Result<GroceryList, ListError> {
        self.require(home_id, actor, Role::Admin).await?;
        match self
            .lists
            .delete(home_id, list_id, expected_version, self.meta(actor))
            .await
        {
            Err(RepoError::Conflict(why)) if why == DEFAULT_LIST_CONFLICT => {
                Err(ListError::Conflict(DEFAULT_LIST_CONFLICT))
            }
            other => settle_list(other?),
        }
    }

    /// Completes a list (`isActive` false); completing a completed list changes nothing.
    pub async fn complete(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<GroceryList, ListError> {
        self.set_completed(actor, home_id, list_id, true).await
    }

    /// Reopens a completed list.
    pub async fn uncomplete(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<GroceryList, ListError> {
        self.set_completed(actor, home_id, list_id, false).await
    }

    async fn set_completed(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        completed: bool,
    ) -> Result<GroceryList, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        settle_list(
            self.lists
                .set_completed(home_id, list_id, completed, self.meta(actor))
                .await?,
        )
    }

    /// Starts a new round of a list now (admins): every entry un-ticked, the round counted,
    /// the next scheduled reset recomputed.
    pub async fn reset(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
    ) -> Result<GroceryList, ListError> {
        self.require(home_id, actor, Role::Admin).await?;
        settle_list(self.lists.reset(home_id, list_id, self.meta(actor)).await?)
    }

    /// Resets every list of the home whose scheduled reset is due; the lists reset. The
    /// scheduler calls it as [`Actor::system`].
    pub async fn reset_due(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<Vec<GroceryList>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        Ok(self.lists.reset_due(home_id, self.meta(actor)).await?)
    }

    /// Orders the home's lists: `ids` first, in that order (repeats ignored).
    pub async fn reorder(
        &self,
        actor: &Actor,
        home_id: Uuid,
        ids: &[Uuid],
    ) -> Result<Vec<GroceryList>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        match self
            .lists
            .reorder(home_id, &distinct(ids), self.meta(actor))
            .await?
        {
            Mutation::Applied(lists) | Mutation::Stale(lists) => Ok(lists),
            Mutation::Missing => Err(ListError::ListNotFound),
        }
    }

    /// Puts a pantry item of the home on a list, or adds to its open entry there.
    pub async fn add_entry(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        entry: NewListItem,
    ) -> Result<Created<AddedEntry>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        let added = settle_add(
            self.entries
                .add(home_id, list_id, &entry, self.meta(actor))
                .await,
        )?;
        Ok(created(added))
    }

    /// Puts an item on a list by name, making a catalogue entry (nothing in stock) for a name
    /// the pantry does not know.
    pub async fn add_by_name(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        wanted: ItemByName,
    ) -> Result<Created<AddedEntry>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        let added = settle_add(
            self.entries
                .add_by_name(home_id, list_id, &wanted, self.meta(actor))
                .await,
        )?;
        Ok(created(added))
    }

    /// Edits an entry; with `expected_version`, only if nobody changed it since.
    pub async fn update_entry(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        edit: ListItemEdit,
        expected_version: Option<i64>,
    ) -> Result<ListItem, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        settle_entry(
            self.entries
                .update(
                    home_id,
                    list_id,
                    entry_id,
                    &edit,
                    expected_version,
                    self.meta(actor),
                )
                .await?,
        )
    }

    /// Takes an entry off its list; with `expected_version`, only if nobody changed it since.
    pub async fn remove_entry(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
        expected_version: Option<i64>,
    ) -> Result<ListItem, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        settle_entry(
            self.entries
                .remove(
                    home_id,
                    list_id,
                    entry_id,
                    expected_version,
                    self.meta(actor),
                )
                .await?,
        )
    }

    /// Ticks an entry off, or back on.
    pub async fn toggle_entry(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
    ) -> Result<ListItem, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        settle_entry(
            self.entries
                .toggle(home_id, list_id, entry_id, self.meta(actor))
                .await?,
        )
    }

    /// Ticks an entry off and adds its quantity to the pantry, atomically. An entry already
    /// ticked off cannot be bought again.
    pub async fn buy_entry(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        entry_id: Uuid,
    ) -> Result<Bought, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        match self
            .entries
            .buy(home_id, list_id, entry_id, self.meta(actor))
            .await
        {
            Err(RepoError::Conflict(why)) if why == ALREADY_COMPLETED_CONFLICT => Err(
                ListError::Conflict("this list item is already completed; untick it to buy again"),
            ),
            Ok(Mutation::Applied(bought) | Mutation::Stale(bought)) => Ok(bought),
            Ok(Mutation::Missing) => Err(ListError::EntryNotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Orders a list's entries: `ids` first, in that order (repeats ignored).
    pub async fn reorder_entries(
        &self,
        actor: &Actor,
        home_id: Uuid,
        list_id: Uuid,
        ids: &[Uuid],
    ) -> Result<Vec<ListItem>, ListError> {
        self.require(home_id, actor, Role::Member).await?;
        match self
            .entries
            .reorder(home_id, list_id, &distinct(ids), self.meta(actor))
            .await?
        {
            Mutation::Applied(entries) | Mutation::Stale(entries) => Ok(entries),
            Mutation::Missing => Err(ListError::EntryNotFound),
        }
    }
}

fn created(added: AddedEntry) -> Created<AddedEntry> {
    match added.outcome {
        crate::lists::entry::EntryOutcome::Created => Created::New(added),
        _ => Created::Existing(added),
    }
}
