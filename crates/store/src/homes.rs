//! Homes and memberships: creation with the owner's membership, edits, deletion, members and
//! their roles, ownership transfer, and the home a user works in.
//!
//! Membership changes (`set_role`, `remove_member`, `transfer_ownership`) first take the
//! home's write lock with a no-op `UPDATE` (see [`lock_home`]), so concurrent changes to one
//! home's members queue behind each other: two transfers cannot both read "not yet owner" and
//! leave two owners, and on SQLite the transaction holds the write lock from its first
//! statement instead of failing to upgrade a read lock.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::{TxError, to_repo_error};
use crate::ids::parse_stored_id;
use crate::pool::Database;
use crate::schema::{homes, memberships, users};
use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::NewHomeEvent;
use pantry_core::change_signals::ChangeHint;
use pantry_core::homes::home::{Home, HomeEdit, HomeRepository, HomeSummary, Member, NewHome};
use pantry_core::homes::role::Role;
use pantry_core::items::item::Mutation;
use pantry_core::repo_error::RepoError;
use std::collections::HashMap;
use uuid::Uuid;

/// The row PostgreSQL's delete answers when it deleted the home.
#[derive(QueryableByName)]
struct DeletedHome {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[allow(dead_code)] // only counted
    id: String,
}

/// [`HomeRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::homes::home::HomeRepository;
/// use std::sync::Arc;
/// let homes: Arc<dyn HomeRepository> = Arc::new(pantry_store::StoreHomes::new(db));
/// # let _ = homes; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreHomes {
    db: Database,
}

impl StoreHomes {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreHomes { db }
    }
}

#[async_trait]
impl HomeRepository for StoreHomes {
    async fn role_of(&self, home_id: Uuid, user_id: Uuid) -> Result<Option<Role>, RepoError> {
        let mut conn = self.db.conn().await?;
        let role = membership_role(&mut conn, home_id, user_id)
            .await
            .map_err(RepoError::from)?;
        Ok(role)
    }

    async fn role_and_seq(
        &self,
        home_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<(Role, i64)>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(String, i64)> = membership(home_id, user_id)
            .inner_join(homes::table)
            .select((memberships::role, homes::last_seq))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(|(role, seq)| Ok((parse_role(&role)?, seq)))
            .transpose()
    }

    async fn get(&self, home_id: Uuid) -> Result<Option<Home>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<HomeRow> = homes::table
            .find(home_id.to_string())
            .select(HOME_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(HomeRow::into_home).transpose()
    }

    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<HomeSummary>, RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = user_id.to_string();
        let rows: Vec<(String, HomeRow)> = memberships::table
            .inner_join(homes::table)
            .filter(memberships::user_id.eq(&user_id))
            .order((memberships::joined_at.asc(), homes::id.asc()))
            .select((memberships::role, HOME_COLUMNS))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }

        // The member counts of all those homes in one grouped query.
        let home_ids: Vec<&str> = rows.iter().map(|(_, home)| home.id.as_str()).collect();
        let counts: HashMap<String, i64> = memberships::table
            .filter(memberships::home_id.eq_any(&home_ids))
            .group_by(memberships::home_id)
            .select((memberships::home_id, count_star()))
            .load::<(String, i64)>(&mut *conn)
            .await
            .map_err(to_repo_error)?
            .into_iter()
            .collect();

        rows.into_iter()
            .map(|(role, row)| {
                let member_count = counts.get(&row.id).copied().unwrap_or(0);
                Ok(HomeSummary {
                    role: parse_role(&role)?,
                    home: row.into_home()?,
                    member_count,
                })
            })
            .collect()
    }

    async fn create(&self, home: &NewHome, event: &NewHomeEvent) -> Result<Home, RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            let created = insert_owned_home(c, home).await?;
            append_event(c, event).await?;
            Ok(created)
        })
        .await
        .map_err(RepoError::from)
    }

    async fn update(
        &self,
        home_id: Uuid,
        edit: &HomeEdit,
        expected_version: Option<i64>,
        event: &NewHomeEvent,
    ) -> Result<Mutation<Home>, RepoError> {
        let dietary = edit
            .shared_dietary_restrictions
            .as_ref()
            .map(|list| {
                serde_json::to_string(list).map_err(|err| {
                    RepoError::Storage(format!("dietary restrictions not serialisable: {err}"))
                })
            })
            .transpose()?;
        let changes = HomeChanges {
            name: edit.name.as_deref(),
            description: edit.description.as_ref().map(Option::as_deref),
            timezone: edit.timezone.as_deref(),
            currency: edit.currency.as_deref(),
            monthly_budget_minor: edit.monthly_budget_minor,
            household_size: edit.household_size,
            shared_dietary_restrictions: dietary.as_deref(),
        };

        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            if let Some(expected) = expected_version {
                // The version is compared under the home's write lock, so no other write can
                // land between the check and this one.
                match lock_home(c, home_id).await {
                    Err(TxError::Repo(RepoError::NotFound)) => return Ok(Mutation::Missing),
                    other => other?,
                }
                let current: HomeRow = homes::table
                    .find(home_id.to_string())
                    .select(HOME_COLUMNS)
                    .first(c)
                    .await?;
                if current.version != expected {
                    return Ok(Mutation::Stale(current.into_home()?));
                }
            }
            // An edit with no fields still bumps version and updated_at, so the changeset is
            // never empty.
            let Some(row): Option<HomeRow> = diesel::update(homes::table.find(home_id.to_string()))
                .set((
                    &changes,
                    homes::version.eq(homes::version + 1),
                    homes::updated_at.eq(event.at.naive_utc()),
                ))
                .returning(HOME_COLUMNS)
                .get_result(c)
                .await
                .optional()?
            else {
                return Ok(Mutation::Missing);
            };
            append_event(c, event).await?;
            Ok(Mutation::Applied(row.into_home()?))
        })
        .await
        .map_err(RepoError::from)
    }

    async fn delete(&self, home_id: Uuid) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        // The foreign keys do the rest: memberships, items, lists, events… cascade, and
        // users.active_home_id is set to NULL. Live sockets on the home are told (hint).
        let deleted = match &mut *conn {
            // The NOTIFY in the same statement: sent at commit, never for a failed delete.
            AnyConnection::Postgresql(c) => diesel::sql_query(format!(
                "WITH gone AS (DELETE FROM homes WHERE id = $1 RETURNING id) \
                 SELECT gone.id FROM gone CROSS JOIN LATERAL \
                 (SELECT pg_notify('{}', gone.id || ':deleted') AS sent) AS hint",
                crate::change_signals::CHANNEL
            ))
            .bind::<diesel::sql_types::Text, _>(home_id.to_string())
            .load::<DeletedHome>(c)
            .await
            .map_err(to_repo_error)?
            .len(),
            // One statement in autocommit: committed once it returns.
            AnyConnection::Sqlite(_) => {
                let deleted = diesel::delete(homes::table.find(home_id.to_string()))
                    .execute(&mut *conn)
                    .await
                    .map_err(to_repo_error)?;
                if deleted > 0 {
                    self.db.hint(ChangeHint::HomeDeleted { home_id });
                }
                deleted
            }
        };
        if deleted == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn members(&self, home_id: Uuid) -> Result<Vec<Member>, RepoError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<MemberRow> = memberships::table
            .inner_join(users::table)
            .filter(memberships::home_id.eq(home_id.to_string()))
            .order((memberships::joined_at.asc(), memberships::id.asc()))
            .select((
                memberships::id,
                memberships::user_id,
                users::name,
                users::email,
                memberships::role,
                memberships::joined_at,
            ))
            .load(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        rows.into_iter().map(MemberRow::into_member).collect()
    }

    async fn set_role(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        role: Role,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            match membership_role(c, home_id, user_id).await? {
                None => return Err(RepoError::NotFound.into()),
                Some(Role::Owner) => return Err(owner_role_conflict()),
                Some(_) if role == Role::Owner => return Err(owner_role_conflict()),
                Some(_) => {}
            }
            diesel::update(membership(home_id, user_id))
                .set(memberships::role.eq(role.as_str()))
                .execute(c)
                .await?;
            append_event(c, event).await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn remove_member(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            match membership_role(c, home_id, user_id).await? {
                None => return Err(RepoError::NotFound.into()),
                Some(Role::Owner) => {
                    return Err(
                        RepoError::Conflict("the owner cannot be removed".to_owned()).into(),
                    );
                }
                Some(_) => {}
            }
            diesel::delete(membership(home_id, user_id))
                .execute(c)
                .await?;
            append_event(c, event).await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn transfer_ownership(
        &self,
        home_id: Uuid,
        to: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| {
            lock_home(c, home_id).await?;
            match membership_role(c, home_id, to).await? {
                None => return Err(RepoError::NotFound.into()),
                // Already the owner: nothing changes, so nothing is logged.
                Some(Role::Owner) => return Ok(()),
                Some(_) => {}
            }
            let home = home_id.to_string();
            diesel::update(
                memberships::table
                    .filter(memberships::home_id.eq(&home))
                    .filter(memberships::role.eq(Role::Owner.as_str())),
            )
            .set(memberships::role.eq(Role::Admin.as_str()))
            .execute(c)
            .await?;
            diesel::update(membership(home_id, to))
                .set(memberships::role.eq(Role::Owner.as_str()))
                .execute(c)
                .await?;
            diesel::update(homes::table.find(&home))
                .set((
                    homes::owner_id.eq(to.to_string()),
                    homes::version.eq(homes::version + 1),
                    homes::updated_at.eq(event.at.naive_utc()),
                ))
                .execute(c)
                .await?;
            append_event(c, event).await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn set_active_home(&self, user_id: Uuid, home_id: Uuid) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let updated = diesel::update(users::table.find(user_id.to_string()))
            .set(users::active_home_id.eq(Some(home_id.to_string())))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        if updated == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }
}

fn owner_role_conflict() -> TxError {
    RepoError::Conflict("owner role changes only by transfer".to_owned()).into()
}

/// The membership row of `user_id` in `home_id`, as a filter for updates and deletes.
fn membership(
    home_id: Uuid,
    user_id: Uuid,
) -> diesel::dsl::Filter<
    diesel::dsl::Filter<memberships::table, diesel::dsl::Eq<memberships::home_id, String>>,
    diesel::dsl::Eq<memberships::user_id, String>,
> {
    memberships::table
        .filter(memberships::home_id.eq(home_id.to_string()))
        .filter(memberships::user_id.eq(user_id.to_string()))
}

/// The user's role in the home, `None` without a membership.
async fn membership_role(
    conn: &mut AnyConnection,
    home_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Role>, TxError> {
    let role: Option<String> = membership(home_id, user_id)
        .select(memberships::role)
        .first(conn)
        .await
        .optional()?;
    Ok(role.as_deref().map(parse_role).transpose()?)
}

/// Inserts a new home and its owner's membership; run inside a transaction. Timezone,
/// currency, dietary restrictions, version and last_seq keep the migration's defaults
/// ('UTC', 'USD', '[]', 1, 0).
pub(crate) async fn insert_owned_home(
    conn: &mut AnyConnection,
    home: &NewHome,
) -> Result<Home, TxError> {
    let at = home.at.naive_utc();
    let home_id = home.id.to_string();
    let owner_id = home.owner_id.to_string();
    let row: HomeRow = diesel::insert_into(homes::table)
        .values((
            homes::id.eq(&home_id),
            homes::name.eq(&home.name),
            homes::owner_id.eq(&owner_id),
            homes::created_at.eq(at),
            homes::updated_at.eq(at),
        ))
        .returning(HOME_COLUMNS)
        .get_result(conn)
        .await?;
    insert_membership(
        conn,
        home.membership_id,
        &home_id,
        &owner_id,
        Role::Owner,
        at,
    )
    .await?;
    Ok(row.into_home()?)
}

/// Inserts a membership; run inside a transaction. A second membership of the same user in the
/// same home fails on `memberships_home_user_key`.
pub(crate) async fn insert_membership(
    conn: &mut AnyConnection,
    membership_id: Uuid,
    home_id: &str,
    user_id: &str,
    role: Role,
    joined_at: NaiveDateTime,
) -> Result<(), TxError> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(membership_id.to_string()),
            memberships::home_id.eq(home_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role.as_str()),
            memberships::joined_at.eq(joined_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the home's write lock for the rest of the transaction (PostgreSQL: the row lock;
/// SQLite: the database write lock) with an `UPDATE` that changes nothing. `NotFound` when the
/// home does not exist.
pub(crate) async fn lock_home(conn: &mut AnyConnection, home_id: Uuid) -> Result<(), TxError> {
    let locked = diesel::update(homes::table.find(home_id.to_string()))
        .set(homes::last_seq.eq(homes::last_seq))
        .execute(conn)
        .await?;
    if locked == 0 {
        return Err(RepoError::NotFound.into());
    }
    Ok(())
}

fn parse_role(text: &str) -> Result<Role, RepoError> {
    Role::parse(text)
        .ok_or_else(|| RepoError::Storage(format!("memberships.role: unknown role {text:?}")))
}

/// The fields an edit sets: `None` leaves a column alone, `Some(None)` writes NULL.
#[derive(AsChangeset)]
#[diesel(table_name = homes)]
struct HomeChanges<'a> {
    name: Option<&'a str>,
    description: Option<Option<&'a str>>,
    timezone: Option<&'a str>,
    currency: Option<&'a str>,
    monthly_budget_minor: Option<Option<i64>>,
    household_size: Option<Option<i32>>,
    shared_dietary_restrictions: Option<&'a str>,
}

/// Column order of [`HomeRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const HOME_COLUMNS: (
    homes::id,
    homes::name,
    homes::description,
    homes::owner_id,
    homes::timezone,
    homes::currency,
    homes::monthly_budget_minor,
    homes::household_size,
    homes::shared_dietary_restrictions,
    homes::version,
    homes::created_at,
    homes::updated_at,
) = (
    homes::id,
    homes::name,
    homes::description,
    homes::owner_id,
    homes::timezone,
    homes::currency,
    homes::monthly_budget_minor,
    homes::household_size,
    homes::shared_dietary_restrictions,
    homes::version,
    homes::created_at,
    homes::updated_at,
);

#[derive(Queryable)]
struct HomeRow {
    id: String,
    name: String,
    description: Option<String>,
    owner_id: String,
    timezone: String,
    currency: String,
    monthly_budget_minor: Option<i64>,
    household_size: Option<i32>,
    shared_dietary_restrictions: String,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl HomeRow {
    fn into_home(self) -> Result<Home, RepoError> {
        let shared_dietary_restrictions = serde_json::from_str(&self.shared_dietary_restrictions)
            .map_err(|err| {
            RepoError::Storage(format!(
                "homes.shared_dietary_restrictions of {}: not a JSON array of strings: {err}",
                self.id
            ))
        })?;
        Ok(Home {
            id: parse_stored_id("homes", "id", &self.id)?,
            owner_id: parse_stored_id("homes", "owner_id", &self.owner_id)?,
            name: self.name,
            description: self.description,
            timezone: self.timezone,
            currency: self.currency,
            monthly_budget_minor: self.monthly_budget_minor,
            household_size: self.household_size,
            shared_dietary_restrictions,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

#[derive(Queryable)]
struct MemberRow {
    id: String,
    user_id: String,
    name: String,
    email: String,
    role: String,
    joined_at: NaiveDateTime,
}

impl MemberRow {
    fn into_member(self) -> Result<Member, RepoError> {
        Ok(Member {
            membership_id: parse_stored_id("memberships", "id", &self.id)?,
            user_id: parse_stored_id("memberships", "user_id", &self.user_id)?,
            name: self.name,
            email: self.email,
            role: parse_role(&self.role)?,
            joined_at: self.joined_at.and_utc(),
        })
    }
}
