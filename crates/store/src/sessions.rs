//! Refresh tokens: storing them, one-time rotation, revocation by family or user, and the
//! per-request check whether an access token's session is still live.

use crate::error::{TxError, to_repo_error};
use crate::ids::parse_stored_id;
use crate::pool::Database;
use crate::schema::{refresh_tokens, users};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::accounts::session::{
    NewRefreshToken, SessionRepository, SessionState, StoredRefreshToken,
};
use pantry_core::repo_error::RepoError;
use uuid::Uuid;

/// [`SessionRepository`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::accounts::session::SessionRepository;
/// use std::sync::Arc;
/// let sessions: Arc<dyn SessionRepository> = Arc::new(pantry_store::StoreSessions::new(db));
/// # let _ = sessions; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreSessions {
    db: Database,
}

impl StoreSessions {
    /// A repository drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreSessions { db }
    }
}

#[async_trait]
impl SessionRepository for StoreSessions {
    async fn insert(&self, token: &NewRefreshToken) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(refresh_tokens::table)
            .values(NewTokenRow::from(token))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        Ok(())
    }

    async fn find_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<StoredRefreshToken>, RepoError> {
        let mut conn = self.db.conn().await?;
        let row: Option<TokenRow> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(TOKEN_COLUMNS)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        row.map(TokenRow::into_token).transpose()
    }

    async fn rotate(
        &self,
        old_id: Uuid,
        next: &NewRefreshToken,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let at = at.naive_utc();
        conn.transaction::<_, TxError, _>(async |c| {
            // The conditions are re-checked under the row lock: of two concurrent rotations
            // of one token, the second waits for the first to commit, then matches no row
            // (PostgreSQL re-evaluates the WHERE on the updated row; SQLite serialises
            // writers). So at most one caller ever gets a successor.
            let marked = diesel::update(
                refresh_tokens::table
                    .find(old_id.to_string())
                    .filter(refresh_tokens::used_at.is_null())
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set((
                refresh_tokens::used_at.eq(Some(at)),
                refresh_tokens::last_used_at.eq(Some(at)),
                refresh_tokens::replaced_by.eq(Some(next.id.to_string())),
            ))
            .execute(c)
            .await?;
            if marked == 0 {
                return Err(RepoError::Conflict("refresh token already used".to_owned()).into());
            }
            diesel::insert_into(refresh_tokens::table)
                .values(NewTokenRow::from(next))
                .execute(c)
                .await?;
            Ok(())
        })
        .await
        .map_err(RepoError::from)
    }

    async fn revoke_family(&self, family_id: Uuid, at: DateTime<Utc>) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        // Tokens revoked earlier keep their first revocation time.
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::family_id.eq(family_id.to_string()))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(Some(at.naive_utc())))
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        Ok(())
    }

    async fn revoke_all_for_user(
        &self,
        user_id: Uuid,
        keep_family: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let mut query = diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::user_id.eq(user_id.to_string()))
            .filter(refresh_tokens::revoked_at.is_null())
            .into_boxed();
        if let Some(keep) = keep_family {
            query = query.filter(refresh_tokens::family_id.ne(keep.to_string()));
        }
        query
            .set(refresh_tokens::revoked_at.eq(Some(at.naive_utc())))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        Ok(())
    }

    async fn session_state(
        &self,
        user_id: Uuid,
        family_id: Uuid,
    ) -> Result<Option<SessionState>, RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = user_id.to_string();
        // One round trip: this runs on every authenticated request. The family must belong
        // to this user, so a token naming someone else's family is never live.
        let family_active = exists(
            refresh_tokens::table
                .filter(refresh_tokens::family_id.eq(family_id.to_string()))
                .filter(refresh_tokens::user_id.eq(&user_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        );
        let state: Option<(i64, bool)> = users::table
            .find(&user_id)
            .select((users::session_epoch, family_active))
            .first(&mut *conn)
            .await
            .optional()
            .map_err(to_repo_error)?;
        Ok(state.map(|(session_epoch, family_active)| SessionState {
            session_epoch,
            family_active,
        }))
    }
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewTokenRow {
    id: String,
    user_id: String,
    family_id: String,
    token_hash: String,
    issued_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

impl From<&NewRefreshToken> for NewTokenRow {
    fn from(token: &NewRefreshToken) -> Self {
        NewTokenRow {
            id: token.id.to_string(),
            user_id: token.user_id.to_string(),
            family_id: token.family_id.to_string(),
            token_hash: token.token_hash.clone(),
            issued_at: token.issued_at.naive_utc(),
            expires_at: token.expires_at.naive_utc(),
        }
    }
}

/// Column order of [`TokenRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const TOKEN_COLUMNS: (
    refresh_tokens::id,
    refresh_tokens::user_id,
    refresh_tokens::family_id,
    refresh_tokens::issued_at,
    refresh_tokens::expires_at,
    refresh_tokens::used_at,
    refresh_tokens::revoked_at,
) = (
    refresh_tokens::id,
    refresh_tokens::user_id,
    refresh_tokens::family_id,
    refresh_tokens::issued_at,
    refresh_tokens::expires_at,
    refresh_tokens::used_at,
    refresh_tokens::revoked_at,
);

#[derive(Queryable)]
struct TokenRow {
    id: String,
    user_id: String,
    family_id: String,
    issued_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl TokenRow {
    fn into_token(self) -> Result<StoredRefreshToken, RepoError> {
        Ok(StoredRefreshToken {
            id: parse_stored_id("refresh_tokens", "id", &self.id)?,
            user_id: parse_stored_id("refresh_tokens", "user_id", &self.user_id)?,
            family_id: parse_stored_id("refresh_tokens", "family_id", &self.family_id)?,
            issued_at: self.issued_at.and_utc(),
            expires_at: self.expires_at.and_utc(),
            used_at: self.used_at.map(|at| at.and_utc()),
            revoked_at: self.revoked_at.map(|at| at.and_utc()),
        })
    }
}
