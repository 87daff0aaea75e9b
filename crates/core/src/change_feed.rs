//! Reading a home's change log as a member: the feed clients resume and sync from.

use crate::change_log::{ChangeLogReader, HomeEvent};
use crate::homes::home::HomeRepository;
use crate::homes::service::HomeError;
use std::sync::Arc;
use uuid::Uuid;

/// The most events one page returns.
pub const MAX_PAGE: u32 = 500;

/// One page of events after a known `seq`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    /// Oldest first; resume from the last one's `seq`.
    pub events: Vec<HomeEvent>,
    /// The home's latest `seq` when the page was read.
    pub latest_seq: i64,
    /// More events follow the last one returned.
    pub has_more: bool,
}

/// The change feed of the homes a user belongs to.
pub struct ChangeFeed {
    log: Arc<dyn ChangeLogReader>,
    homes: Arc<dyn HomeRepository>,
}

impl ChangeFeed {
    /// Reads events from `log`; `homes` answers who is a member.
    pub fn new(log: Arc<dyn ChangeLogReader>, homes: Arc<dyn HomeRepository>) -> Self {
        Self { log, homes }
    }

    /// Events of `home_id` with `seq > since`, oldest first, at most `limit` (1 to
    /// [`MAX_PAGE`]). Any member may read; others get NotFound. Notices addressed to other
    /// members are left out, so a page may hold fewer events than its seqs span.
    pub async fn since(
        &self,
        actor: Uuid,
        home_id: Uuid,
        since: i64,
        limit: u32,
    ) -> Result<FeedPage, HomeError> {
        self.homes
            .role_of(home_id, actor)
            .await?
            .ok_or(HomeError::NotFound)?;
        let limit = limit.clamp(1, MAX_PAGE);
        // The latest seq is read first: events appended meanwhile show up as `has_more`
        // on the next page rather than being skipped.
        let latest_seq = self.log.latest_seq(home_id).await?;
        let mut events = self.log.events_since(home_id, since.max(0), limit).await?;
        let last = events.last().map_or(since.max(0), |e| e.seq);
        // Another member's notices are theirs alone (the page still ends at `last`).
        events.retain(|e| crate::notifications::notification::visible_to(e, actor));
        Ok(FeedPage {
            has_more: last < latest_seq,
            latest_seq: latest_seq.max(last),
            events,
        })
    }
}
