//! Idempotency keys: claims, stored responses, takeover of expired and abandoned claims, and
//! the purge of old records.
//!
//! One row per (user, key). A row whose `status_code` is 0 is a claim still in progress (no
//! HTTP status is 0; its `response_body` is empty); any other status is a completed request
//! and its response. `created_at` is when the current claim was taken, and identifies it: a
//! takeover, completion or release only touches the row if `created_at` still holds the value
//! the claimer saw (compare-and-set), so two requests can never both believe they hold a key.
//!
//! Claims are made without a transaction: read the row; if there is none, insert (the primary
//! key makes concurrent inserts race safely, and the loser reads again); if it may be taken
//! over, update it on the condition that it is unchanged. Replays, the common case, are one
//! read and provoke no constraint error in the database log.

use crate::error::to_repo_error;
use crate::pool::Database;
use crate::schema::idempotency_keys as keys;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::idempotency::{
    Claim, ClaimOutcome, IdempotencyKey, IdempotencyStore, KeyRecord, NewClaim, RequestFingerprint,
    StoredResponse,
};
use pantry_core::repo_error::RepoError;

/// The `status_code` of a claim whose request is still running.
const IN_PROGRESS: i32 = 0;

/// How often a claim re-reads a row that changed under it before giving up. Each round
/// means another request claimed, released or took over the same key in between; three in a
/// row only happens under a storm of identical requests.
const CLAIM_ROUNDS: usize = 3;

/// [`IdempotencyStore`] over the database.
///
/// ```no_run
/// # async fn wire(db: pantry_store::Database) {
/// use pantry_core::idempotency::IdempotencyStore;
/// use std::sync::Arc;
/// let keys: Arc<dyn IdempotencyStore> = Arc::new(pantry_store::StoreIdempotency::new(db));
/// # let _ = keys; }
/// ```
#[derive(Debug, Clone)]
pub struct StoreIdempotency {
    db: Database,
}

impl StoreIdempotency {
    /// A store drawing connections from `db`.
    pub fn new(db: Database) -> Self {
        StoreIdempotency { db }
    }
}

#[async_trait]
impl IdempotencyStore for StoreIdempotency {
    async fn claim(&self, claim: &NewClaim) -> Result<ClaimOutcome, RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = claim.user_id.to_string();
        let key = claim.key.as_str();
        let at = claim.at.naive_utc();
        let fp = &claim.fingerprint;
        let claimed = || {
            ClaimOutcome::Claimed(Claim {
                user_id: claim.user_id,
                key: claim.key.clone(),
                claimed_at: claim.at,
            })
        };

        for _ in 0..CLAIM_ROUNDS {
            let row: Option<KeyRow> = keys::table
                .find((user_id.as_str(), key))
                .select(KEY_COLUMNS)
                .first(&mut *conn)
                .await
                .optional()
                .map_err(to_repo_error)?;

            let Some(row) = row else {
                let inserted = diesel::insert_into(keys::table)
                    .values((
                        keys::user_id.eq(&user_id),
                        keys::key.eq(key),
                        keys::method.eq(&fp.method),
                        keys::path.eq(&fp.path),
                        keys::request_hash.eq(&fp.body_sha256),
                        keys::status_code.eq(IN_PROGRESS),
                        keys::response_body.eq(""),
                        keys::created_at.eq(at),
                    ))
                    .execute(&mut *conn)
                    .await
                    .map_err(to_repo_error);
                match inserted {
                    Ok(_) => return Ok(claimed()),
                    // Another request inserted first: read what it left.
                    Err(RepoError::Conflict(name)) if name == "idempotency_keys_pkey" => continue,
                    Err(err) => return Err(err),
                }
            };

            let expired = row.created_at < claim.expired_before.naive_utc();
            let abandoned = row.status_code == IN_PROGRESS
                && row.created_at < claim.abandoned_before.naive_utc();
            if !(expired || abandoned) {
                return Ok(ClaimOutcome::Held(row.into_record(&user_id, &claim.key)?));
            }
            let taken = diesel::update(this_claim(&user_id, key, row.created_at))
                .set((
                    keys::method.eq(&fp.method),
                    keys::path.eq(&fp.path),
                    keys::request_hash.eq(&fp.body_sha256),
                    keys::status_code.eq(IN_PROGRESS),
                    keys::response_body.eq(""),
                    keys::created_at.eq(at),
                ))
                .execute(&mut *conn)
                .await
                .map_err(to_repo_error)?;
            if taken == 1 {
                return Ok(claimed());
            }
            // Someone else took it over or released it meanwhile: look again.
        }
        Err(RepoError::Unavailable(format!(
            "idempotency key of user {user_id} kept changing during {CLAIM_ROUNDS} claim attempts"
        )))
    }

    async fn complete(&self, claim: &Claim, response: &StoredResponse) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = claim.user_id.to_string();
        let updated = diesel::update(
            this_claim(&user_id, claim.key.as_str(), claim.claimed_at.naive_utc())
                .filter(keys::status_code.eq(IN_PROGRESS)),
        )
        .set((
            keys::status_code.eq(i32::from(response.status)),
            keys::response_body.eq(&response.body),
        ))
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        if updated == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn release(&self, claim: &Claim) -> Result<(), RepoError> {
        let mut conn = self.db.conn().await?;
        let user_id = claim.user_id.to_string();
        diesel::delete(
            this_claim(&user_id, claim.key.as_str(), claim.claimed_at.naive_utc())
                .filter(keys::status_code.eq(IN_PROGRESS)),
        )
        .execute(&mut *conn)
        .await
        .map_err(to_repo_error)?;
        Ok(())
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, RepoError> {
        let mut conn = self.db.conn().await?;
        let deleted = diesel::delete(keys::table.filter(keys::created_at.lt(before.naive_utc())))
            .execute(&mut *conn)
            .await
            .map_err(to_repo_error)?;
        Ok(deleted as u64)
    }
}

/// The row of (user, key), as a filter.
type ByKey<'a> = diesel::dsl::Find<keys::table, (&'a str, &'a str)>;
/// The row of (user, key) while it still holds the claim taken at a given instant.
type ThisClaim<'a> =
    diesel::dsl::Filter<ByKey<'a>, diesel::dsl::Eq<keys::created_at, NaiveDateTime>>;

/// The row of (user, key) as long as it is still the claim taken at `claimed_at`.
fn this_claim<'a>(user_id: &'a str, key: &'a str, claimed_at: NaiveDateTime) -> ThisClaim<'a> {
    keys::table
        .find((user_id, key))
        .filter(keys::created_at.eq(claimed_at))
}

/// Column order of [`KeyRow`]; `Selectable`/`as_select` does not work on `MultiBackend`.
const KEY_COLUMNS: (
    keys::method,
    keys::path,
    keys::request_hash,
    keys::status_code,
    keys::response_body,
    keys::created_at,
) = (
    keys::method,
    keys::path,
    keys::request_hash,
    keys::status_code,
    keys::response_body,
    keys::created_at,
);

#[derive(Queryable)]
struct KeyRow {
    method: String,
    path: String,
    request_hash: String,
    status_code: i32,
    response_body: String,
    created_at: NaiveDateTime,
}

impl KeyRow {
    fn into_record(self, user_id: &str, key: &IdempotencyKey) -> Result<KeyRecord, RepoError> {
        let response = match self.status_code {
            IN_PROGRESS => None,
            status => Some(StoredResponse {
                status: u16::try_from(status).map_err(|_| {
                    RepoError::Storage(format!(
                        "idempotency_keys ({}, {:?}): invalid status_code {status}",
                        user_id,
                        key.as_str()
                    ))
                })?,
                body: self.response_body,
            }),
        };
        Ok(KeyRecord {
            fingerprint: RequestFingerprint {
                method: self.method,
                path: self.path,
                body_sha256: self.request_hash,
            },
            claimed_at: self.created_at.and_utc(),
            response,
        })
    }
}
