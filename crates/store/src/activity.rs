//! The activity feed's reads: a home's change log newest first, each event with its actor's
//! current name from one `LEFT JOIN users`. `home_events.actor_user_id` has no foreign key
//! (attribution outlives the account), so a deleted user simply joins to no name.

use crate::change_log::{EVENT_COLUMNS, EventRow};
use crate::error::to_repo_error;
use crate::pool::Database;
use crate::schema::{home_events, users};
use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::activity::{ActivityEntry, ActivityReader};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// [`ActivityReader`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::activity::ActivityReader;
/// use std::sync::Arc;
/// let activity: Arc<dyn ActivityReader> = Arc::new(pantry_store::StoreActivity::new(db));
/// # let _ = activity; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreActivity {
    db: Database,
}

impl StoreActivity {
    /// A reader drawing connections from `db`.
    pub fn new(db: Database) -> StoreActivity {
        StoreActivity { db }
    }
}

#[async_trait]
impl ActivityReader for StoreActivity {
    async fn newest(
        &self,
        home_id: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<ActivityEntry>, RepoError> {
        let mut conn = self.db.conn().await?;
        // Served by the primary key (home_id, seq), walked backwards.
        let rows: Vec<(EventRow, Option<String>)> = home_events::table
            .left_join(users::table.on(users::id.nullable().eq(home_events::actor_user_id)))
            .filter(home_events::home_id.eq(home_id.to_string()))
            .filter(home_events::seq.lt(before.unwrap_or(i64::MAX)))
            // Notices are the inbox's (and often one member's), not household activity.
            .filter(home_events::kind.not_like("notification.%"))
            .order(home_events::seq.desc())
            .limit(i64::from(limit))
            .select((EVENT_COLUMNS, users::name.nullable()))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter()
            .map(|(row, actor_name)| {
                Ok(ActivityEntry {
                    event: row.into_event()?,
                    actor_name,
                })
            })
            .collect()
    }
}
