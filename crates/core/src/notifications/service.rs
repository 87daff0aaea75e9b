//! The inbox use cases. Each checks the actor's membership first: a non-member learns nothing
//! (`HomeNotFound`). Any member, viewers included, reads their inbox and marks it read;
//! acting on a notice ("add to list") needs a member.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::{AccessError, require_role};
use crate::homes::home::HomeRepository;
use crate::homes::role::Role;
use crate::items::Quantity;
use crate::items::item::{PantryItem, WriteMeta, normalize_name};
use crate::lists::entry::{ItemByName, ListItem};
use crate::lists::{ListError, ListService};
use crate::notifications::notice::{NewNotice, NoticeKind};
use crate::notifications::notification::{
    InboxQuery, MAX_PAGE, Notification, NotificationRepository,
};
use crate::notifications::partner::PartnerActivity;
use crate::repo_error::RepoError;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// Why an inbox operation was refused.
#[derive(Debug, Error)]
pub enum NotificationError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// No such notice in the home, or it is addressed to another member.
    #[error("notification not found")]
    NotFound,
    /// The actor's role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The notice has no action of that kind, or lacks what the action needs (the text says
    /// which).
    #[error("{0}")]
    NoAction(&'static str),
    /// Putting the item on the list failed.
    #[error(transparent)]
    List(ListError),
    /// The store failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for NotificationError {
    fn from(error: RepoError) -> Self {
        NotificationError::Repo(error)
    }
}

impl From<AccessError> for NotificationError {
    fn from(error: AccessError) -> Self {
        match error {
            AccessError::NotMember => NotificationError::HomeNotFound,
            AccessError::Forbidden(why) => NotificationError::Forbidden(why),
            AccessError::Repo(e) => NotificationError::Repo(e),
        }
    }
}

/// What "add to list" did.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedToList {
    /// The default list it is on.
    pub list_id: Uuid,
    /// The pantry item the entry names.
    pub item: PantryItem,
    /// The entry: new, or the unticked one that was already there.
    pub entry: ListItem,
    /// Whether a new entry was made (`false`: it was already on the list, unticked).
    pub created: bool,
}

/// The message of a notice without an add-to-list action.
pub const NO_ADD_ACTION: &str = "This notification has no add-to-list action";
/// The message of a running-low notice whose data names no item.
pub const NO_ITEM: &str = "Couldn't determine the item";

/// Each member's inbox.
pub struct NotificationService {
    homes: Arc<dyn HomeRepository>,
    notices: Arc<dyn NotificationRepository>,
    lists: Arc<ListService>,
    clock: Arc<dyn Clock>,
}

impl NotificationService {
    /// The service over its ports; "add to list" goes through `lists`, so it obeys the same
    /// rules as adding by hand.
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        notices: Arc<dyn NotificationRepository>,
        lists: Arc<ListService>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homes,
            notices,
            lists,
            clock,
        }
    }

    /// The member the actor is, with at least `needed` in the home.
    async fn member(
        &self,
        actor: &Actor,
        home_id: Uuid,
        needed: Role,
    ) -> Result<Uuid, NotificationError> {
        // An inbox belongs to a person: a scheduled job has none.
        let user_id = actor.user_id.ok_or(NotificationError::HomeNotFound)?;
        require_role(self.homes.as_ref(), home_id, actor, needed).await?;
        Ok(user_id)
    }

    /// The actor's inbox: notices addressed to them or to the whole household, minus the kinds
    /// they muted, newest updated first, `query.limit` (1 to [`MAX_PAGE`]) at most.
    pub async fn inbox(
        &self,
        actor: &Actor,
        home_id: Uuid,
        query: InboxQuery,
    ) -> Result<Vec<Notification>, NotificationError> {
        let user_id = self.member(actor, home_id, Role::Viewer).await?;
        let query = InboxQuery {
            limit: query.limit.clamp(1, MAX_PAGE),
            ..query
        };
        Ok(self.notices.inbox(home_id, user_id, &query).await?)
    }

    /// Marks a notice read for the actor only: a household notice stays unread for the others.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        home_id: Uuid,
        id: Uuid,
    ) -> Result<Notification, NotificationError> {
        let user_id = self.member(actor, home_id, Role::Viewer).await?;
        self.notices
            .mark_read(home_id, user_id, id, self.clock.now())
            .await?
            .ok_or(NotificationError::NotFound)
    }

    /// Marks the actor's whole inbox read; how many notices were unread.
    pub async fn mark_all_read(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<u64, NotificationError> {
        let user_id = self.member(actor, home_id, Role::Viewer).await?;
        Ok(self
            .notices
            .mark_all_read(home_id, user_id, self.clock.now())
            .await?)
    }

    /// How many notices of the actor's inbox are unread.
    pub async fn unread_count(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<u64, NotificationError> {
        let user_id = self.member(actor, home_id, Role::Viewer).await?;
        Ok(self.notices.unread_count(home_id, user_id).await?)
    }

    /// Creates a notice (scheduled jobs, or a member's action); `None` when its `once_key`
    /// exists already.
    pub async fn notify(
        &self,
        actor: &Actor,
        home_id: Uuid,
        notice: &NewNotice,
    ) -> Result<Option<Notification>, NotificationError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Member).await?;
        Ok(self
            .notices
            .create(home_id, notice, self.meta(actor))
            .await?)
    }

    /// Tells the actor's partners what the actor did (pantry writes do this themselves, in
    /// their own transaction; this is for other producers).
    pub async fn partner_activity(
        &self,
        actor: &Actor,
        home_id: Uuid,
        activity: &PartnerActivity,
    ) -> Result<Vec<Notification>, NotificationError> {
        self.member(actor, home_id, Role::Member).await?;
        Ok(self
            .notices
            .partner_activity(home_id, activity, self.meta(actor))
            .await?)
    }

    /// The running-low action: puts the notice's item on the home's default list, unless it
    /// is already there unticked (then that entry is answered and nothing changes).
    pub async fn add_to_list(
        &self,
        actor: &Actor,
        home_id: Uuid,
        id: Uuid,
    ) -> Result<AddedToList, NotificationError> {
        let user_id = self.member(actor, home_id, Role::Member).await?;
        let notice = self
            .notices
            .get(home_id, user_id, id)
            .await?
            .ok_or(NotificationError::NotFound)?;
        if notice.kind != NoticeKind::RunningLow {
            return Err(NotificationError::NoAction(NO_ADD_ACTION));
        }
        let data = notice.data.as_ref();
        let name = data
            .and_then(|d| d.get("itemName"))
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or(NotificationError::NoAction(NO_ITEM))?;
        let item_id = data
            .and_then(|d| d.get("itemId"))
            .and_then(serde_json::Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());

        let list = self
            .lists
            .default_list(actor, home_id)
            .await
            .map_err(NotificationError::List)?;
        let current = self
            .lists
            .get(actor, home_id, list.id)
            .await
            .map_err(NotificationError::List)?;
        let wanted = normalize_name(name);
        let open = current.items.into_iter().find(|e| {
            !e.entry.is_completed
                && (Some(e.item.id) == item_id || normalize_name(&e.item.name) == wanted)
        });
        if let Some(open) = open {
            return Ok(AddedToList {
                list_id: list.id,
                item: open.item,
                entry: open.entry,
                created: false,
            });
        }
        let added = self
            .lists
            .add_by_name(
                actor,
                home_id,
                list.id,
                ItemByName {
                    name: name.to_owned(),
                    quantity: Quantity::ONE,
                    unit: None,
                    category: None,
                },
            )
            .await
            .map_err(NotificationError::List)?
            .into_inner();
        Ok(AddedToList {
            list_id: list.id,
            item: added.item,
            entry: added.entry,
            created: true,
        })
    }

    fn meta(&self, actor: &Actor) -> WriteMeta {
        WriteMeta {
            actor: *actor,
            at: self.clock.now(),
        }
    }
}
