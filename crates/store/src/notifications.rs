//! Notifications: the household inbox, each member's read state, the once-only notices of
//! scheduled jobs, and partner activity written in the same transaction as the pantry change
//! it reports.
//!
//! A created or coalesced notice appends a `notification.*` event to the home's change log
//! naming its audience (the recipient, or every member for a household notice, minus those
//! who muted its kind): that is what pushes it to the audience's sockets on every instance,
//! and what lets every reader of the log keep it from everyone else.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::{TxError, to_repo_error};
use crate::homes::lock_home;
use crate::ids::parse_stored_id;
use crate::per_backend;
use crate::pool::Database;
use crate::schema::{memberships, notification_reads, notifications, users};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::not;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::{ActorKind, NewHomeEvent};
use pantry_core::ids::new_id;
use pantry_core::items::item::WriteMeta;
use pantry_core::notifications::notification::{COALESCED, CREATED, InboxQuery};
use pantry_core::notifications::partner::{self, PartnerActivity};
use pantry_core::notifications::{NewNotice, NoticeKind, Notification, NotificationRepository};
use pantry_core::repo_error::RepoError;
use serde_json::{Value, json};
use uuid::Uuid;

/// [`NotificationRepository`] over the database.
#[derive(Debug, Clone)]
pub struct StoreNotifications {
    db: Database,
}

impl StoreNotifications {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreNotifications { db }
    }
}

/// Creates `notice` in `home_id` and pushes it to its audience, inside the caller's open
/// transaction (which has taken [`lock_home`]).
///
/// When `notice.once_key` is already taken in the home, nothing is inserted and `Ok(None)`
/// comes back without aborting the transaction: the insert is `ON CONFLICT DO NOTHING`, so
/// neither a read notice nor a second replica racing for the same key brings it back.
pub(crate) async fn insert_notice(
    c: &mut AnyConnection,
    home_id: Uuid,
    notice: &NewNotice,
    meta: WriteMeta,
) -> Result<Option<Notification>, TxError> {
    let Some(created) = insert_row(c, home_id, notice, None, meta.at).await? else {
        return Ok(None);
    };
    let members = members(c, home_id).await?;
    let audience: Vec<Uuid> = members
        .iter()
        .filter(|m| notice.recipient.is_none_or(|r| r == m.user_id))
        .filter(|m| !m.muted(notice.kind))
        .map(|m| m.user_id)
        .collect();
    log_notice(c, CREATED, &created, &audience, meta).await?;
    Ok(Some(created))
}

/// Tells each other member who has not muted partner activity what the actor did, inside the
/// caller's transaction (the pantry write's own, so an acknowledged write never loses its
/// notice). Costs one read of the home's members, and nothing more when the actor is alone
/// in the home; otherwise, per partner, a look for the open burst and an insert or update
/// with its change-log append.
pub(crate) async fn notify_partners(
    c: &mut AnyConnection,
    home_id: Uuid,
    activity: &PartnerActivity,
    meta: WriteMeta,
) -> Result<Vec<Notification>, TxError> {
    let Some(actor_id) = meta.actor.user_id else {
        return Ok(Vec::new());
    };
    if meta.actor.kind == ActorKind::System {
        return Ok(Vec::new());
    }
    let members = members(c, home_id).await?;
    if members.len() < 2 {
        return Ok(Vec::new());
    }
    let actor_name = members
        .iter()
        .find(|m| m.user_id == actor_id)
        .map_or("Someone", |m| m.name.as_str())
        .to_owned();
    let verb = activity.verb;
    let key = partner::coalescing_key(actor_id, verb);
    let data = json!({
        "actorId": actor_id,
        "verb": verb.as_str(),
        "itemId": activity.subject_id,
        "itemName": activity.subject,
    });
    let body = partner::body(verb)
        .or_else(|| (meta.actor.kind == ActorKind::Pixie).then(|| "Through Pixie".to_owned()));
    let mut out = Vec::new();
    for member in &members {
        if member.user_id == actor_id || member.muted(NoticeKind::PartnerActivity) {
            continue;
        }
        let open = if verb.coalesces() {
            open_burst(c, home_id, member.user_id, &key).await?
        } else {
            None
        };
        let audience = [member.user_id];
        match open.filter(|n| partner::joins_burst(n.updated_at, meta.at)) {
            Some(open) => {
                let count = open.count + 1;
                let title = partner::title(&actor_name, verb, &activity.subject, count);
                let row: NoticeRow = diesel::update(notifications::table.find(open.id.to_string()))
                    .set((
                        notifications::count.eq(count),
                        notifications::title.eq(&title),
                        notifications::ref_id.eq(activity.subject_id.map(|i| i.to_string())),
                        notifications::data.eq(Some(data.to_string())),
                        notifications::updated_at.eq(meta.at.naive_utc()),
                    ))
                    .returning(NOTICE_COLUMNS)
                    .get_result(c)
                    .await?;
                let notice = row.into_notification(false)?;
                log_notice(c, COALESCED, &notice, &audience, meta).await?;
                out.push(notice);
            }
            None => {
                let notice = NewNotice {
                    recipient: Some(member.user_id),
                    kind: NoticeKind::PartnerActivity,
                    title: partner::title(&actor_name, verb, &activity.subject, 1),
                    body: body.clone(),
                    ref_id: activity.subject_id.map(|i| i.to_string()),
                    once_key: None,
                    data: Some(data.clone()),
                };
                if let Some(created) = insert_row(c, home_id, &notice, Some(&key), meta.at).await? {
                    log_notice(c, CREATED, &created, &audience, meta).await?;
                    out.push(created);
                }
            }
        }
    }
    Ok(out)
}

/// The recipient's newest unread notice of this actor and verb, if any.
async fn open_burst(
    c: &mut AnyConnection,
    home_id: Uuid,
    recipient: Uuid,
    key: &str,
) -> Result<Option<Notification>, TxError> {
    let user = recipient.to_string();
    let row: Option<NoticeRow> = notifications::table
        .left_join(
            notification_reads::table.on(notification_reads::notification_id
                .eq(notifications::id)
                .and(notification_reads::user_id.eq(&user))),
        )
        .filter(notifications::home_id.eq(home_id.to_string()))
        .filter(notifications::user_id.eq(&user))
        .filter(notifications::dedupe_key.eq(key))
        .filter(notification_reads::notification_id.nullable().is_null())
        .order((notifications::updated_at.desc(), notifications::id.desc()))
        .select(NOTICE_COLUMNS)
        .first(c)
        .await
        .optional()?;
    Ok(row.map(|r| r.into_notification(false)).transpose()?)
}

/// Inserts the row (`None` when its once-key is taken; nothing else can conflict).
async fn insert_row(
    c: &mut AnyConnection,
    home_id: Uuid,
    notice: &NewNotice,
    dedupe_key: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<Notification>, TxError> {
    let at = at.naive_utc();
    let data = notice.data.as_ref().map(Value::to_string);
    let values = (
        notifications::id.eq(new_id().to_string()),
        notifications::home_id.eq(home_id.to_string()),
        notifications::user_id.eq(notice.recipient.map(|r| r.to_string())),
        notifications::notification_type.eq(notice.kind.as_str()),
        notifications::title.eq(&notice.title),
        notifications::body.eq(notice.body.as_deref()),
        notifications::ref_id.eq(notice.ref_id.as_deref()),
        notifications::dedupe_key.eq(dedupe_key),
        notifications::count.eq(1),
        notifications::created_at.eq(at),
        notifications::updated_at.eq(at),
        notifications::once_key.eq(notice.once_key.as_deref()),
        notifications::data.eq(data.as_deref()),
    );
    // `ON CONFLICT (home_id, once_key) DO NOTHING`: a taken key leaves the transaction
    // usable (a caught unique violation would abort it on PostgreSQL).
    let row: Option<NoticeRow> = per_backend!(c, |c| {
        diesel::insert_into(notifications::table)
            .values(values)
            .on_conflict((notifications::home_id, notifications::once_key))
            .do_nothing()
            .returning(NOTICE_COLUMNS)
            .get_result(c)
            .await
            .optional()
    })?;
    Ok(row.map(|r| r.into_notification(false)).transpose()?)
}

/// Appends the notice's event, for its audience only; nothing when nobody is to see it.
async fn log_notice(
    c: &mut AnyConnection,
    kind: &str,
    notice: &Notification,
    audience: &[Uuid],
    meta: WriteMeta,
) -> Result<(), TxError> {
    if audience.is_empty() {
        return Ok(());
    }
    append_event(
        c,
        &NewHomeEvent {
            home_id: notice.home_id,
            kind: kind.to_owned(),
            entity_id: Some(notice.id),
            payload: json!({ "audience": audience, "notification": notice }),
            actor: meta.actor,
            at: meta.at,
        },
    )
    .await?;
    Ok(())
}

struct MemberPrefs {
    user_id: Uuid,
    name: String,
    muted: Vec<String>,
}

impl MemberPrefs {
    fn muted(&self, kind: NoticeKind) -> bool {
        self.muted.iter().any(|m| m == kind.as_str())
    }
}

/// The home's members with their names and muted kinds, in one read.
async fn members(c: &mut AnyConnection, home_id: Uuid) -> Result<Vec<MemberPrefs>, TxError> {
    let rows: Vec<(String, String, String)> = memberships::table
        .inner_join(users::table.on(users::id.eq(memberships::user_id)))
        .filter(memberships::home_id.eq(home_id.to_string()))
        .select((users::id, users::name, users::muted_notification_types))
        .load(c)
        .await?;
    rows.into_iter()
        .map(|(id, name, muted)| {
            Ok(MemberPrefs {
                user_id: parse_stored_id("users", "id", &id)?,
                name,
                muted: parse_muted(&muted),
            })
        })
        .collect::<Result<_, RepoError>>()
        .map_err(TxError::from)
}

/// A stored muted list; an unreadable one mutes nothing rather than hiding the inbox.
fn parse_muted(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

async fn muted_of(c: &mut AnyConnection, user_id: Uuid) -> Result<Vec<String>, TxError> {
    let text: Option<String> = users::table
        .find(user_id.to_string())
        .select(users::muted_notification_types)
        .first(c)
        .await
        .optional()?;
    Ok(text.as_deref().map(parse_muted).unwrap_or_default())
}

/// One notice as `user_id` sees it (addressed to them or to the household).
async fn visible(
    c: &mut AnyConnection,
    home_id: Uuid,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Notification>, TxError> {
    let user = user_id.to_string();
    let row: Option<(NoticeRow, Option<NaiveDateTime>)> = notifications::table
        .left_join(
            notification_reads::table.on(notification_reads::notification_id
                .eq(notifications::id)
                .and(notification_reads::user_id.eq(&user))),
        )
        .filter(notifications::id.eq(id.to_string()))
        .filter(notifications::home_id.eq(home_id.to_string()))
        .filter(
            notifications::user_id
                .is_null()
                .or(notifications::user_id.eq(&user)),
        )
        .select((NOTICE_COLUMNS, notification_reads::read_at.nullable()))
        .first(c)
        .await
        .optional()?;
    Ok(row
        .map(|(r, read_at)| r.into_notification(read_at.is_some()))
        .transpose()?)
}

#[async_trait]
impl NotificationRepository for StoreNotifications {
    async fn inbox(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        query: &InboxQuery,
    ) -> Result<Vec<Notification>, RepoError> {
        let mut conn = self.db.conn().await?;
        let c = &mut *conn;
        let muted = muted_of(c, user_id).await?;
        let cursor = match query.before {
            Some(before) => match visible(c, home_id, user_id, before).await? {
                Some(n) => Some((n.updated_at.naive_utc(), n.id.to_string())),
                // A cursor that is gone (or never was) starts nowhere: an empty page.
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let user = user_id.to_string();
        let mut q = notifications::table
            .left_join(
                notification_reads::table.on(notification_reads::notification_id
                    .eq(notifications::id)
                    .and(notification_reads::user_id.eq(user.clone()))),
            )
            .filter(notifications::home_id.eq(home_id.to_string()))
            .filter(
                notifications::user_id
                    .is_null()
                    .or(notifications::user_id.eq(user)),
            )
            .into_boxed();
        if !muted.is_empty() {
            q = q.filter(not(notifications::notification_type.eq_any(muted)));
        }
        if query.unread_only {
            q = q.filter(notification_reads::notification_id.nullable().is_null());
        }
        if let Some((at, id)) = cursor {
            q = q.filter(
                notifications::updated_at
                    .lt(at)
                    .or(notifications::updated_at
                        .eq(at)
                        .and(notifications::id.lt(id))),
            );
        }
        let rows: Vec<(NoticeRow, Option<NaiveDateTime>)> = q
            .order((notifications::updated_at.desc(), notifications::id.desc()))
            .limit(i64::from(query.limit))
            .select((NOTICE_COLUMNS, notification_reads::read_at.nullable()))
            .load(c)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter()
            .map(|(r, read_at)| r.into_notification(read_at.is_some()))
            .collect()
    }

    async fn get(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Notification>, RepoError> {
        let mut conn = self.db.conn().await?;
        visible(&mut conn, home_id, user_id, id)
            .await
            .map_err(RepoError::from)
    }

    async fn mark_read(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<Notification>, RepoError> {
        let mut conn = self.db.conn().await?;
        let c = &mut *conn;
        let Some(notice) = visible(c, home_id, user_id, id).await? else {
            return Ok(None);
        };
        if !notice.read {
            insert_reads(c, &[notice.id.to_string()], user_id, at).await?;
        }
        Ok(Some(Notification {
            read: true,
            ..notice
        }))
    }

    async fn mark_all_read(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<u64, RepoError> {
        let mut conn = self.db.conn().await?;
        let c = &mut *conn;
        let user = user_id.to_string();
        let unread: Vec<String> = notifications::table
            .left_join(
                notification_reads::table.on(notification_reads::notification_id
                    .eq(notifications::id)
                    .and(notification_reads::user_id.eq(&user))),
            )
            .filter(notifications::home_id.eq(home_id.to_string()))
            .filter(
                notifications::user_id
                    .is_null()
                    .or(notifications::user_id.eq(&user)),
            )
            .filter(notification_reads::notification_id.nullable().is_null())
            .select(notifications::id)
            .load(c)
            .await
            .map_err(to_repo_error)?;
        let mut marked = 0;
        for chunk in unread.chunks(200) {
            marked += insert_reads(c, chunk, user_id, at).await?;
        }
        Ok(marked)
    }

    async fn unread_count(&self, home_id: Uuid, user_id: Uuid) -> Result<u64, RepoError> {
        let mut conn = self.db.conn().await?;
        let c = &mut *conn;
        let muted = muted_of(c, user_id).await?;
        let user = user_id.to_string();
        let mut q = notifications::table
            .left_join(
                notification_reads::table.on(notification_reads::notification_id
                    .eq(notifications::id)
                    .and(notification_reads::user_id.eq(user.clone()))),
            )
            .filter(notifications::home_id.eq(home_id.to_string()))
            .filter(
                notifications::user_id
                    .is_null()
                    .or(notifications::user_id.eq(user)),
            )
            .filter(notification_reads::notification_id.nullable().is_null())
            .into_boxed();
        if !muted.is_empty() {
            q = q.filter(not(notifications::notification_type.eq_any(muted)));
        }
        let count: i64 = q.count().get_result(c).await.map_err(to_repo_error)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn create(
        &self,
        home_id: Uuid,
        notice: &NewNotice,
        meta: WriteMeta,
    ) -> Result<Option<Notification>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            insert_notice(c, home_id, notice, meta).await
        })
        .await
        .map_err(RepoError::from)
    }

    async fn partner_activity(
        &self,
        home_id: Uuid,
        activity: &PartnerActivity,
        meta: WriteMeta,
    ) -> Result<Vec<Notification>, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            notify_partners(c, home_id, activity, meta).await
        })
        .await
        .map_err(RepoError::from)
    }
}

/// Records `ids` as read by `user_id` (already-read ones stay as they were); how many.
async fn insert_reads(
    c: &mut AnyConnection,
    ids: &[String],
    user_id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, RepoError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let user = user_id.to_string();
    let at = at.naive_utc();
    // One row at a time: SQLite cannot batch an insert with ON CONFLICT.
    let mut inserted = 0;
    for id in ids {
        let row = (
            notification_reads::notification_id.eq(id.as_str()),
            notification_reads::user_id.eq(user.as_str()),
            notification_reads::read_at.eq(at),
        );
        inserted += per_backend!(&mut *c, |c| {
            diesel::insert_into(notification_reads::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })
        .map_err(to_repo_error)?;
    }
    Ok(inserted as u64)
}

/// Column order of [`NoticeRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
#[allow(clippy::type_complexity)]
const NOTICE_COLUMNS: (
    notifications::id,
    notifications::home_id,
    notifications::user_id,
    notifications::notification_type,
    notifications::title,
    notifications::body,
    notifications::ref_id,
    notifications::data,
    notifications::count,
    notifications::created_at,
    notifications::updated_at,
) = (
    notifications::id,
    notifications::home_id,
    notifications::user_id,
    notifications::notification_type,
    notifications::title,
    notifications::body,
    notifications::ref_id,
    notifications::data,
    notifications::count,
    notifications::created_at,
    notifications::updated_at,
);

#[derive(Queryable)]
struct NoticeRow {
    id: String,
    home_id: String,
    user_id: Option<String>,
    kind: String,
    title: String,
    body: Option<String>,
    ref_id: Option<String>,
    data: Option<String>,
    count: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl NoticeRow {
    fn into_notification(self, read: bool) -> Result<Notification, RepoError> {
        let kind = NoticeKind::parse(&self.kind).ok_or_else(|| {
            RepoError::Storage(format!(
                "notifications.type of {}: unknown value {:?}",
                self.id, self.kind
            ))
        })?;
        let data = match self.data.as_deref() {
            Some(text) => Some(serde_json::from_str(text).map_err(|_| {
                RepoError::Storage(format!("notifications.data of {}: not JSON", self.id))
            })?),
            None => None,
        };
        Ok(Notification {
            id: parse_stored_id("notifications", "id", &self.id)?,
            home_id: parse_stored_id("notifications", "home_id", &self.home_id)?,
            recipient: self
                .user_id
                .map(|u| parse_stored_id("notifications", "user_id", &u))
                .transpose()?,
            kind,
            title: self.title,
            body: self.body,
            ref_id: self.ref_id,
            data,
            count: self.count,
            read,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::homes;
    use crate::test_support::TestDb;
    use pantry_core::change_log::Actor;

    /// A taken once-key answers `None` and leaves the caller's transaction usable: on
    /// PostgreSQL a caught unique violation would abort it, and the commit would lose the
    /// caller's other writes.
    async fn a_taken_key_leaves_the_transaction_usable(db: &TestDb) {
        let mut conn = db.db.conn().await.unwrap();
        let (user, home) = (Uuid::now_v7().to_string(), Uuid::now_v7());
        let at = Utc::now().naive_utc();
        diesel::insert_into(users::table)
            .values((
                users::id.eq(&user),
                users::email.eq(format!("{user}@example.test")),
                users::email_normalized.eq(format!("{user}@example.test")),
                users::name.eq("Alice"),
                users::password_hash.eq("x"),
                users::created_at.eq(at),
                users::updated_at.eq(at),
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
        diesel::insert_into(homes::table)
            .values((
                homes::id.eq(home.to_string()),
                homes::name.eq("Home"),
                homes::owner_id.eq(&user),
                homes::created_at.eq(at),
                homes::updated_at.eq(at),
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
        let notice = NewNotice {
            recipient: None,
            kind: NoticeKind::ExpiringSoon,
            title: "Milk expires today".to_owned(),
            body: None,
            ref_id: None,
            once_key: Some("expiring_soon:milk".to_owned()),
            data: None,
        };
        let meta = WriteMeta {
            actor: Actor::system(),
            at: Utc::now(),
        };
        let (first, second, after) = conn
            .transaction::<_, TxError, _>(async |c| {
                lock_home(c, home).await?;
                let first = insert_notice(c, home, &notice, meta).await?;
                let second = insert_notice(c, home, &notice, meta).await?;
                // The transaction still works after the taken key.
                let other = NewNotice {
                    once_key: Some("expiring_soon:eggs".to_owned()),
                    ..notice.clone()
                };
                let after = insert_notice(c, home, &other, meta).await?;
                Ok((first, second, after))
            })
            .await
            .unwrap();
        assert!(first.is_some());
        assert_eq!(second, None);
        assert!(after.is_some());
        let stored: i64 = notifications::table
            .filter(notifications::home_id.eq(home.to_string()))
            .count()
            .get_result(&mut *conn)
            .await
            .unwrap();
        assert_eq!(stored, 2, "both distinct keys committed");
    }

    #[tokio::test]
    async fn sqlite_a_taken_key_leaves_the_transaction_usable() {
        a_taken_key_leaves_the_transaction_usable(&TestDb::sqlite().await).await;
    }

    #[tokio::test]
    async fn postgres_a_taken_key_leaves_the_transaction_usable() {
        if let Some(db) = TestDb::postgres().await {
            a_taken_key_leaves_the_transaction_usable(&db).await;
        }
    }
}
