//! Users: sign-up (the account and everything a new account starts with), lookups, the home a
//! user works in, and the password / session-epoch updates.

use crate::change_log::append_event;
use crate::connection::AnyConnection;
use crate::error::{TxError, to_repo_error};
use crate::homes::insert_owned_home;
use crate::ids::parse_stored_id;
use crate::pool::Database;
use crate::schema::{chat_messages, chat_threads, memberships, users};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::accounts::preferences::{UserPreferences, UserPreferencesEdit};
use pantry_core::accounts::user::{AccountRepository, NewAccount, User};
use pantry_core::change_log::{Actor, ActorKind, NewHomeEvent};
use pantry_core::homes::home::NewHome;
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// The change-log kind recorded when a home is created.
const HOME_CREATED: &str = "home.created";
/// The intent label of Pixie's welcome message, as the chat feature reads it back.
const GREETING_INTENT: &str = "greeting";

/// [`AccountRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::accounts::user::AccountRepository;
/// use std::sync::Arc;
/// let accounts: Arc<dyn AccountRepository> = Arc::new(pantry_store::StoreAccounts::new(db));
/// # let _ = accounts; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreAccounts {
    db: Database,
}

impl StoreAccounts {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreAccounts { db }
    }
}

#[async_trait]
impl AccountRepository for StoreAccounts {
    async fn create_account(&self, account: &NewAccount) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        conn.transaction::<_, TxError, _>(async |c| insert_account(c, account).await)
            .await
            .map_err(RepoError::from)
    }

    async fn find_by_email(&self, email_normalized: &str) -> Result<Option<User>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<UserRow> = users::table
            .filter(users::email_normalized.eq(email_normalized))
            .select(USER_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(UserRow::into_user).transpose()
    }

    async fn find_by_id(&self, user_id: Uuid) -> Result<Option<User>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<UserRow> = users::table
            .find(user_id.to_string())
            .select(USER_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(UserRow::into_user).transpose()
    }

    async fn current_home(&self, user_id: Uuid) -> Result<Option<Uuid>, RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = user_id.to_string();

        // The active home counts only while the membership in it exists: leaving a home
        // deletes the membership but not (necessarily) the pointer.
        let active: Option<String> = users::table
            .inner_join(
                memberships::table.on(memberships::user_id
                    .eq(users::id)
                    .and(memberships::home_id.nullable().eq(users::active_home_id))),
            )
            .filter(users::id.eq(&user_id))
            .select(memberships::home_id)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;

        // Otherwise the most recently joined home; the id (UUIDv7) breaks ties within a
        // millisecond.
        let home = match active {
            Some(home) => Some(home),
            None => memberships::table
                .filter(memberships::user_id.eq(&user_id))
                .order((memberships::joined_at.desc(), memberships::id.desc()))
                .select(memberships::home_id)
                .first(&mut *conn)
                .await
                .optional()
                .map_err(to_repo_error)?,
        };
        home.map(|id| parse_stored_id("memberships", "home_id", &id))
            .transpose()
    }

    async fn set_password_hash(
        &self,
        user_id: Uuid,
        password_hash: &str,
        bump_epoch: bool,
        at: DateTime<Utc>,
    ) -> Result<i64, RepoError> {
        let mut conn = self.db.conn().await?;
        // Adding 0 or 1 keeps it one statement either way, and the increment happens in the
        // database, so concurrent bumps never lose one.
        let increment = i64::from(bump_epoch);
        diesel::update(users::table.find(user_id.to_string()))
            .set((
                users::password_hash.eq(password_hash),
                users::session_epoch.eq(users::session_epoch + increment),
                users::updated_at.eq(at.naive_utc()),
            ))
            .returning(users::session_epoch)
            .get_result(&mut *conn)
            .await
            .map_err(to_repo_error)
    }

    async fn bump_session_epoch(&self, user_id: Uuid, at: DateTime<Utc>) -> Result<i64, RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::update(users::table.find(user_id.to_string()))
            .set((
                users::session_epoch.eq(users::session_epoch + 1),
                users::updated_at.eq(at.naive_utc()),
            ))
            .returning(users::session_epoch)
            .get_result(&mut *conn)
            .await
            .map_err(to_repo_error)
    }

    async fn preferences(&self, user_id: Uuid) -> Result<Option<UserPreferences>, RepoError> {
        let mut conn = self.db.conn().await?;
        crate::preferences::load(&mut conn, user_id).await
    }

    async fn update_preferences(
        &self,
        user_id: Uuid,
        edit: &UserPreferencesEdit,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        crate::preferences::update(&mut conn, user_id, edit, at).await
    }
}

/// Writes every row of a new account; run inside a transaction.
///
/// `users.active_home_id` and `homes.owner_id` reference each other and neither constraint is
/// deferrable, so the user is inserted without an active home and pointed at it once the home
/// exists. Inserting the user first also means a taken email fails on the very first
/// statement, through the unique index rather than a pre-check, which stays correct when two
/// sign-ups race (and on SQLite takes the write lock at once instead of upgrading a read).
async fn insert_account(conn: &mut AnyConnection, account: &NewAccount) -> Result<(), TxError> {
    let at = account.at.naive_utc();
    let user_id = account.user_id.to_string();
    let home_id = account.home_id.to_string();
    let thread_id = account.thread_id.to_string();

    diesel::insert_into(users::table)
        .values(NewUserRow {
            id: &user_id,
            email: account.email.as_str(),
            email_normalized: account.email.normalized(),
            name: account.name.as_str(),
            password_hash: &account.password_hash,
            session_epoch: 0,
            active_home_id: None,
            created_at: at,
            updated_at: at,
        })
        .execute(conn)
        .await?;

    let home = NewHome {
        id: account.home_id,
        name: account.home_name.clone(),
        owner_id: account.user_id,
        membership_id: account.membership_id,
        at: account.at,
    };
    insert_owned_home(conn, &home).await?;

    diesel::update(users::table.find(&user_id))
        .set(users::active_home_id.eq(Some(&home_id)))
        .execute(conn)
        .await?;

    diesel::insert_into(chat_threads::table)
        .values((
            chat_threads::id.eq(&thread_id),
            chat_threads::home_id.eq(&home_id),
            chat_threads::title.eq(Some(&account.thread_title)),
            chat_threads::created_by.eq(Some(&user_id)),
            chat_threads::created_at.eq(at),
            chat_threads::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;

    // Pixie's greeting: an assistant message, so no user wrote it.
    diesel::insert_into(chat_messages::table)
        .values((
            chat_messages::id.eq(account.welcome_message_id.to_string()),
            chat_messages::thread_id.eq(&thread_id),
            chat_messages::user_id.eq(None::<String>),
            chat_messages::role.eq("assistant"),
            chat_messages::content.eq(&account.welcome_message),
            chat_messages::intent.eq(Some(GREETING_INTENT)),
            chat_messages::created_at.eq(at),
        ))
        .execute(conn)
        .await?;

    append_event(
        conn,
        &NewHomeEvent {
            home_id: account.home_id,
            kind: HOME_CREATED.to_owned(),
            entity_id: Some(account.home_id),
            payload: serde_json::json!({ "name": account.home_name }),
            actor: Actor {
                kind: ActorKind::User,
                user_id: Some(account.user_id),
            },
            at: account.at,
        },
    )
    .await?;
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: &'a str,
    email: &'a str,
    email_normalized: &'a str,
    name: &'a str,
    password_hash: &'a str,
    session_epoch: i64,
    active_home_id: Option<&'a str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Column order of [`UserRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const USER_COLUMNS: (
    users::id,
    users::email,
    users::name,
    users::password_hash,
    users::session_epoch,
    users::created_at,
) = (
    users::id,
    users::email,
    users::name,
    users::password_hash,
    users::session_epoch,
    users::created_at,
);

#[derive(Queryable)]
struct UserRow {
    id: String,
    email: String,
    name: String,
    password_hash: String,
    session_epoch: i64,
    created_at: NaiveDateTime,
}

impl UserRow {
    fn into_user(self) -> Result<User, RepoError> {
        Ok(User {
            id: parse_stored_id("users", "id", &self.id)?,
            email: self.email,
            name: self.name,
            password_hash: self.password_hash,
            session_epoch: self.session_epoch,
            created_at: self.created_at.and_utc(),
        })
    }
}
