//! Invites: creation, listing, lookup by code hash with a preview, revocation and acceptance.
//!
//! Acceptance first takes the home's write lock with the same no-op `UPDATE` as membership
//! changes (see [`crate::homes`]), then re-reads the invite. Concurrent acceptances of one
//! invite therefore queue behind each other: a single-use invite is taken exactly once and
//! the others see it used up, and on SQLite the transaction holds the write lock from its
//! first statement instead of failing to upgrade a read lock.

use crate::change_log::append_event;
use crate::error::{TxError, to_repo_error};
use crate::homes::{insert_membership, lock_home};
use crate::ids::parse_stored_id;
use crate::notifications::notify_partners;
use crate::pool::Database;
use crate::schema::{homes, invites, memberships, users};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::homes::invite::{
    AcceptOutcome, Invite, InvitePreview, InviteRepository, InviteState, NewInvite,
};
use pantry_core::homes::role::Role;
use pantry_core::items::item::WriteMeta;
use pantry_core::notifications::{PartnerActivity, PartnerVerb};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// The unique key that makes a second membership of one user in one home a conflict.
const MEMBERSHIP_KEY: &str = "memberships_home_user_key";

/// [`InviteRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::homes::invite::InviteRepository;
/// use std::sync::Arc;
/// let invites: Arc<dyn InviteRepository> = Arc::new(pantry_store::StoreInvites::new(db));
/// # let _ = invites; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreInvites {
    db: Database,
}

impl StoreInvites {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreInvites { db }
    }
}

#[async_trait]
impl InviteRepository for StoreInvites {
    async fn create(&self, invite: &NewInvite, event: &NewHomeEvent) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            diesel::insert_into(invites::table)
                .values((
                    invites::id.eq(invite.id.to_string()),
                    invites::home_id.eq(invite.home_id.to_string()),
                    invites::inviter_id.eq(invite.inviter_id.to_string()),
                    invites::code_hash.eq(&invite.code_hash),
                    invites::role.eq(invite.role.as_str()),
                    invites::max_uses.eq(invite.max_uses),
                    invites::uses.eq(0),
                    invites::expires_at.eq(invite.expires_at.naive_utc()),
                    invites::revoked_at.eq(None::<NaiveDateTime>),
                    invites::created_at.eq(invite.created_at.naive_utc()),
                ))
                .execute(c)
                .await?;
            append_event(c, event).await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn list(&self, home_id: Uuid) -> Result<Vec<Invite>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<InviteRow> = invites::table
            .filter(invites::home_id.eq(home_id.to_string()))
            .order((invites::created_at.desc(), invites::id.desc()))
            .select(INVITE_COLUMNS)
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(InviteRow::into_invite).collect()
    }

    async fn find_by_code_hash(
        &self,
        code_hash: &str,
    ) -> Result<Option<(Invite, InvitePreview)>, RepoError> {
        let mut conn = self.db.conn().await?;
        // Explicit ON clauses: users and homes are joinable to invites and to each other, so
        // diesel cannot pick the join path on its own.
        let row: Option<(InviteRow, String, String)> = invites::table
            .inner_join(homes::table.on(homes::id.eq(invites::home_id)))
            .inner_join(users::table.on(users::id.eq(invites::inviter_id)))
            .filter(invites::code_hash.eq(code_hash))
            .select((INVITE_COLUMNS, homes::name, users::name))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(|(row, home_name, inviter_name)| {
            let invite = row.into_invite()?;
            let preview = InvitePreview {
                home_name,
                inviter_name,
                expires_at: invite.expires_at,
            };
            Ok((invite, preview))
        })
        .transpose()
    }

    async fn revoke(
        &self,
        home_id: Uuid,
        invite_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            let home = home_id.to_string();
            let id = invite_id.to_string();
            // An invite revoked before keeps its first revocation time. The UPDATE comes first
            // so that on SQLite the transaction takes the write lock straight away.
            let revoked = diesel::update(
                invites::table
                    .filter(invites::id.eq(&id))
                    .filter(invites::home_id.eq(&home))
                    .filter(invites::revoked_at.is_null()),
            )
            .set(invites::revoked_at.eq(Some(event.at.naive_utc())))
            .execute(c)
            .await?;
            if revoked == 0 {
                let exists: i64 = invites::table
                    .filter(invites::id.eq(&id))
                    .filter(invites::home_id.eq(&home))
                    .count()
                    .get_result(c)
                    .await?;
                if exists == 0 {
                    return Err(RepoError::NotFound.into());
                }
            }
            append_event(c, event).await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn accept(
        &self,
        invite_id: Uuid,
        user_id: Uuid,
        membership_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<AcceptOutcome, RepoError> {
        let mut conn = self.db.conn().await?;
        let outcome = conn
            .transaction::<_, TxError, _>(async |c| {
                // The event belongs to the invite's home; lock that home before reading
                // anything, so acceptances of its invites run one after another.
                let home_id = event.home_id;
                lock_home(c, home_id).await?;
                let home = home_id.to_string();
                let id = invite_id.to_string();
                let row: Option<InviteRow> = invites::table
                    .filter(invites::id.eq(&id))
                    .filter(invites::home_id.eq(&home))
                    .select(INVITE_COLUMNS)
                    .first(c)
                    .await
                    .optional()?;
                let invite = row.ok_or(RepoError::NotFound)?.into_invite()?;
                match invite.state(event.at) {
                    InviteState::Usable => {}
                    state => return Ok(AcceptOutcome::NoLongerUsable(state)),
                }

                let user = user_id.to_string();
                let members: i64 = memberships::table
                    .filter(memberships::home_id.eq(&home))
                    .filter(memberships::user_id.eq(&user))
                    .count()
                    .get_result(c)
                    .await?;
                if members > 0 {
                    return Ok(AcceptOutcome::AlreadyMember);
                }

                let counted = diesel::update(
                    invites::table.filter(invites::id.eq(&id)).filter(
                        invites::max_uses
                            .is_null()
                            .or(invites::uses.lt(invites::max_uses.assume_not_null())),
                    ),
                )
                .set(invites::uses.eq(invites::uses + 1))
                .execute(c)
                .await?;
                if counted == 0 {
                    return Ok(AcceptOutcome::NoLongerUsable(InviteState::UsedUp));
                }

                insert_membership(
                    c,
                    membership_id,
                    &home,
                    &user,
                    invite.role,
                    event.at.naive_utc(),
                )
                .await?;
                append_event(c, event).await?;
                let joined = PartnerActivity {
                    verb: PartnerVerb::Joined,
                    subject: String::new(),
                    subject_id: None,
                };
                let meta = WriteMeta {
                    actor: event.actor,
                    at: event.at,
                };
                notify_partners(c, home_id, &joined, meta).await?;
                Ok(AcceptOutcome::Joined)
            })
            .await;
        match outcome.map_err(RepoError::from) {
            // A membership that appeared without the home lock (the use counted above is
            // rolled back with it).
            Err(RepoError::Conflict(key)) if key == MEMBERSHIP_KEY => {
                Ok(AcceptOutcome::AlreadyMember)
            }
            other => other,
        }
    }
}

/// Column order of [`InviteRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
/// The code hash is never read back.
const INVITE_COLUMNS: (
    invites::id,
    invites::home_id,
    invites::inviter_id,
    invites::role,
    invites::max_uses,
    invites::uses,
    invites::expires_at,
    invites::revoked_at,
    invites::created_at,
) = (
    invites::id,
    invites::home_id,
    invites::inviter_id,
    invites::role,
    invites::max_uses,
    invites::uses,
    invites::expires_at,
    invites::revoked_at,
    invites::created_at,
);

#[derive(Queryable)]
struct InviteRow {
    id: String,
    home_id: String,
    inviter_id: String,
    role: String,
    max_uses: Option<i32>,
    uses: i32,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl InviteRow {
    fn into_invite(self) -> Result<Invite, RepoError> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            RepoError::Storage(format!(
                "invites.role of {}: unknown role {:?}",
                self.id, self.role
            ))
        })?;
        Ok(Invite {
            id: parse_stored_id("invites", "id", &self.id)?,
            home_id: parse_stored_id("invites", "home_id", &self.home_id)?,
            inviter_id: parse_stored_id("invites", "inviter_id", &self.inviter_id)?,
            role,
            max_uses: self.max_uses,
            uses: self.uses,
            expires_at: self.expires_at.and_utc(),
            revoked_at: self.revoked_at.map(|at| at.and_utc()),
            created_at: self.created_at.and_utc(),
        })
    }
}
