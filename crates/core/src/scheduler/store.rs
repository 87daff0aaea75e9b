//! What the scheduler needs from storage: the due work across homes, and each unit of work as
//! one transaction that re-checks it is still due.

use crate::items::item::{RecurringInterval, WriteMeta};
use crate::notifications::NewNotice;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// A recurring pantry item and when it was last put on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringItem {
    /// Its home.
    pub home_id: Uuid,
    /// The item.
    pub item_id: Uuid,
    /// Its name, for the notice.
    pub name: String,
    /// How often it is restocked.
    pub interval: RecurringInterval,
    /// The last time it was put on the list, or when it became recurring (or was added).
    pub since: DateTime<Utc>,
    /// The home's time zone (IANA name).
    pub timezone: String,
}

/// What a restock did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restocked {
    /// The item was put on the default list.
    Added,
    /// It was already on the default list, not ticked: nothing added, the clock restarted.
    AlreadyOnList,
    /// Someone else did it first, or the item changed (no longer recurring, deleted).
    NotDue,
}

/// An item whose expiry is near or just past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringItem {
    /// Its home.
    pub home_id: Uuid,
    /// The item.
    pub item_id: Uuid,
    /// Its name.
    pub name: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The home's time zone (IANA name).
    pub timezone: String,
}

/// A home and its time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeZone {
    /// The home.
    pub home_id: Uuid,
    /// Its time zone (IANA name).
    pub timezone: String,
}

/// One job for one scope (a home) in one window (a local date): the row replicas compete for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobClaim {
    /// The job (`sunday_sync`, ...).
    pub job: String,
    /// What it runs for, usually a home id.
    pub scope: String,
    /// The window it runs in, e.g. the local date.
    pub window: String,
    /// The replica claiming it.
    pub replica: String,
}

/// What the weekly digest is written from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekFacts {
    /// The members' names.
    pub members: Vec<String>,
    /// Additions to the pantry over the week.
    pub added: u32,
    /// Items used up over the week.
    pub used_up: u32,
    /// Items expiring within three days or just expired (at most 8), soonest first.
    pub expiring: Vec<String>,
    /// Recurring staples (at most 8).
    pub staples: Vec<String>,
}

/// Storage for scheduled jobs.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Every recurring item with an interval, in every home.
    async fn recurring_items(&self) -> Result<Vec<RecurringItem>, RepoError>;

    /// In one transaction: locks the home, checks that `item` is unchanged since it was read
    /// (still recurring, same interval, same `since`) and claims (`recurring_restock`, item,
    /// `window`); then puts the item on the home's default list unless it is already there
    /// unticked, restarts its interval at `meta.at` and, when it was added, creates `notice`.
    async fn restock(
        &self,
        item: &RecurringItem,
        window: &str,
        replica: &str,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Restocked, RepoError>;

    /// Homes with at least one list whose scheduled reset is at or before `now`.
    async fn homes_with_due_lists(&self, now: DateTime<Utc>) -> Result<Vec<Uuid>, RepoError>;

    /// Items still in stock whose expiry lies in `[from, to]`, in every home.
    async fn expiring_items(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ExpiringItem>, RepoError>;

    /// Creates `notice` in the home unless its `once_key` exists there already (read or not);
    /// true when it was created.
    async fn notify_once(
        &self,
        home_id: Uuid,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<bool, RepoError>;

    /// Every home with its time zone.
    async fn homes(&self) -> Result<Vec<HomeZone>, RepoError>;

    /// Claims `claim` for `lease`: true when it was free, or was held by a replica whose lease
    /// ran out without completing it. A completed claim is never handed out again.
    async fn claim(
        &self,
        claim: &JobClaim,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool, RepoError>;

    /// What happened in the home between `since` and `now`, for the digest.
    async fn week_facts(
        &self,
        home_id: Uuid,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WeekFacts, RepoError>;

    /// In one transaction, only while `claim` is still this replica's and not completed: posts
    /// `text` as Pixie's message in the home's Sunday Sync thread (created the first time),
    /// creates `notice` (its `ref_id` set to the thread) and completes the claim. Returns the
    /// thread, or `None` when the claim was lost (another replica took it over).
    async fn post_digest(
        &self,
        claim: &JobClaim,
        home_id: Uuid,
        text: &str,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Option<Uuid>, RepoError>;
}
