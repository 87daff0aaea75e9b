//! Idempotent retries: a client that sends a mutation with an `Idempotency-Key` may send it
//! again (after a lost answer, from an offline queue) and get the first answer back instead of
//! a second change.
//!
//! A key belongs to one user. The first request with it *claims* the key, runs, and either
//! *completes* the claim with its response (which later requests with the same key and the
//! same [`RequestFingerprint`] get back) or *releases* it (the request failed; the client may
//! retry with the same key). A key reused for a different request is refused, and so is a key
//! whose first request is still running. Claims whose request vanished without completing or
//! releasing (a crashed process) are *abandoned* after [`IdempotencyPolicy::abandon_after`],
//! and every record *expires* after [`IdempotencyPolicy::ttl`]; either way the key is free
//! again.
//!
//! Which responses are worth keeping is the caller's (the HTTP layer's) decision; this module
//! keeps whatever it is given.

use crate::clock::Clock;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// The longest key accepted, in characters.
pub const MAX_KEY_LEN: usize = 255;

/// A client-chosen idempotency key: 1 to [`MAX_KEY_LEN`] visible ASCII characters
/// (`!` to `~`; no spaces or control characters). A UUID is the usual choice.
///
/// ```
/// use pantry_core::idempotency::{IdempotencyKey, InvalidKey};
/// let key = IdempotencyKey::parse("0193a0c4-7f1e-7c3a-9d2e-5b8f6a1c2d3e").unwrap();
/// assert_eq!(key.as_str(), "0193a0c4-7f1e-7c3a-9d2e-5b8f6a1c2d3e");
/// assert_eq!(IdempotencyKey::parse(""), Err(InvalidKey::Empty));
/// assert_eq!(IdempotencyKey::parse("two words"), Err(InvalidKey::NotVisibleAscii));
/// assert_eq!(IdempotencyKey::parse(&"k".repeat(256)), Err(InvalidKey::TooLong));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a text is not an [`IdempotencyKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidKey {
    /// The key is empty.
    #[error("must not be empty")]
    Empty,
    /// The key is longer than [`MAX_KEY_LEN`].
    #[error("must be at most {MAX_KEY_LEN} characters")]
    TooLong,
    /// The key has a space, a control character or a non-ASCII character.
    #[error("must consist of visible ASCII characters only")]
    NotVisibleAscii,
}

impl IdempotencyKey {
    /// Checks `text` and wraps it.
    pub fn parse(text: &str) -> Result<Self, InvalidKey> {
        if text.is_empty() {
            return Err(InvalidKey::Empty);
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidKey::NotVisibleAscii);
        }
        // All ASCII by now, so bytes are characters.
        if text.len() > MAX_KEY_LEN {
            return Err(InvalidKey::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// The key as the client sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What makes two requests "the same request": the method, the path with its query string,
/// and the SHA-256 of the body. Headers do not count.
///
/// ```
/// use pantry_core::idempotency::RequestFingerprint;
/// let a = RequestFingerprint::new("POST", "/api/homes", br#"{"name":"Flat"}"#);
/// assert_eq!(a, RequestFingerprint::new("POST", "/api/homes", br#"{"name":"Flat"}"#));
/// assert_ne!(a, RequestFingerprint::new("POST", "/api/homes", br#"{"name":"Barn"}"#));
/// assert_ne!(a, RequestFingerprint::new("PUT", "/api/homes", br#"{"name":"Flat"}"#));
/// assert_eq!(a.body_sha256.len(), 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFingerprint {
    /// The HTTP method, upper case.
    pub method: String,
    /// The path and query string, as sent.
    pub path: String,
    /// The SHA-256 of the body, lower-case hex.
    pub body_sha256: String,
}

impl RequestFingerprint {
    /// The fingerprint of a request with this method, path (and query) and body.
    pub fn new(method: &str, path: &str, body: &[u8]) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            body_sha256: hex::encode(Sha256::digest(body)),
        }
    }
}

/// A response kept to answer retries with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body, exactly as first sent.
    pub body: String,
}

/// A key held by one running request: what completes or releases it. A claim is identified by
/// its user, key and the instant it was taken; the store only lets a claim be taken over after
/// it was abandoned or expired, so two claims of one key never share an instant, and a request
/// whose claim was taken over can neither complete nor release its successor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The user the key belongs to.
    pub user_id: Uuid,
    /// The key.
    pub key: IdempotencyKey,
    /// When the claim was taken (millisecond precision, as stored).
    pub claimed_at: DateTime<Utc>,
}

/// A claim to take: the key, the request it is for, and which existing records may be taken
/// over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    /// The user the key belongs to.
    pub user_id: Uuid,
    /// The key.
    pub key: IdempotencyKey,
    /// The request the key is claimed for.
    pub fingerprint: RequestFingerprint,
    /// Now.
    pub at: DateTime<Utc>,
    /// A record (completed or not) claimed before this instant has expired: take it over.
    pub expired_before: DateTime<Utc>,
    /// An in-progress record claimed before this instant was abandoned: take it over.
    pub abandoned_before: DateTime<Utc>,
}

/// A key's live record, found by a claim that could not take the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The request that holds the key.
    pub fingerprint: RequestFingerprint,
    /// When that request claimed it.
    pub claimed_at: DateTime<Utc>,
    /// Its response; `None` while it is still running.
    pub response: Option<StoredResponse>,
}

/// What a claim attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The key is now held by the caller, in progress.
    Claimed(Claim),
    /// Another request holds the key (running, or completed and not yet expired).
    Held(KeyRecord),
}

/// Storage of idempotency keys. Implementations must make [`IdempotencyStore::claim`] atomic:
/// of any number of concurrent claims of one free key, exactly one is `Claimed`.
///
/// ```no_run
/// # async fn wire(store: std::sync::Arc<dyn pantry_core::idempotency::IdempotencyStore>) {
/// use pantry_core::clock::SystemClock;
/// use pantry_core::idempotency::{Idempotency, IdempotencyPolicy};
/// use std::sync::Arc;
/// let service = Idempotency::new(store, Arc::new(SystemClock), IdempotencyPolicy::default());
/// # let _ = service; }
/// ```
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `claim.key` for `claim.user_id`: records it as in progress for
    /// `claim.fingerprint` when the key is free, or has only an expired or abandoned record
    /// (see [`NewClaim`]); otherwise answers the record that holds it.
    async fn claim(&self, claim: &NewClaim) -> Result<ClaimOutcome, RepoError>;

    /// Records the response of a claimed request. `NotFound` when the claim is no longer held
    /// (it was taken over as abandoned, or released).
    async fn complete(&self, claim: &Claim, response: &StoredResponse) -> Result<(), RepoError>;

    /// Frees a claimed key that has no response, so the client can retry with it. Does nothing
    /// when the claim is no longer held or already completed.
    async fn release(&self, claim: &Claim) -> Result<(), RepoError>;

    /// Deletes every record claimed before `before`; answers how many.
    async fn purge(&self, before: DateTime<Utc>) -> Result<u64, RepoError>;
}

/// How long keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyPolicy {
    /// How long after its first request a key answers with the stored response. Afterwards
    /// the key is free again.
    pub ttl: Duration,
    /// How long a request may hold a key without completing or releasing it before the claim
    /// counts as abandoned. Must be longer than any request may run.
    pub abandon_after: Duration,
}

impl Default for IdempotencyPolicy {
    /// Keys live 24 hours; claims are abandoned after 5 minutes.
    ///
    /// ```
    /// use pantry_core::idempotency::IdempotencyPolicy;
    /// let policy = IdempotencyPolicy::default();
    /// assert_eq!(policy.ttl.num_hours(), 24);
    /// assert_eq!(policy.abandon_after.num_minutes(), 5);
    /// ```
    fn default() -> Self {
        Self {
            ttl: Duration::hours(24),
            abandon_after: Duration::minutes(5),
        }
    }
}

/// What to do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key is ours: run the request, then [`Idempotency::complete`] or
    /// [`Idempotency::release`] the claim.
    Run(Claim),
    /// The same request already completed: answer this, run nothing.
    Replay(StoredResponse),
    /// The same request is still running elsewhere: ask the client to retry shortly.
    InProgress,
    /// The key was used for a different request: refuse.
    KeyReused,
}

/// The idempotent-retry use case over an [`IdempotencyStore`].
pub struct Idempotency {
    store: Arc<dyn IdempotencyStore>,
    clock: Arc<dyn Clock>,
    policy: IdempotencyPolicy,
}

impl Idempotency {
    /// The use case over `store`, timed by `clock`.
    pub fn new(
        store: Arc<dyn IdempotencyStore>,
        clock: Arc<dyn Clock>,
        policy: IdempotencyPolicy,
    ) -> Self {
        Self {
            store,
            clock,
            policy,
        }
    }

    /// The policy keys are kept by.
    pub fn policy(&self) -> IdempotencyPolicy {
        self.policy
    }

    /// Claims `key` for a request of `user_id`, or says how to answer it instead.
    pub async fn begin(
        &self,
        user_id: Uuid,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
    ) -> Result<Begin, RepoError> {
        let at = self.clock.now();
        let claim = NewClaim {
            user_id,
            key: key.clone(),
            fingerprint: fingerprint.clone(),
            at,
            expired_before: earlier(at, self.policy.ttl),
            abandoned_before: earlier(at, self.policy.abandon_after),
        };
        Ok(match self.store.claim(&claim).await? {
            ClaimOutcome::Claimed(claim) => Begin::Run(claim),
            // A key names one request; any other request with it is a client bug, whatever
            // state the first one is in.
            ClaimOutcome::Held(record) if record.fingerprint != *fingerprint => Begin::KeyReused,
            ClaimOutcome::Held(KeyRecord {
                response: Some(response),
                ..
            }) => Begin::Replay(response),
            ClaimOutcome::Held(KeyRecord { response: None, .. }) => Begin::InProgress,
        })
    }

    /// Keeps `response` as the answer to every retry of the claimed request.
    pub async fn complete(
        &self,
        claim: &Claim,
        response: &StoredResponse,
    ) -> Result<(), RepoError> {
        self.store.complete(claim, response).await
    }

    /// Frees the key of a request that produced nothing worth replaying.
    pub async fn release(&self, claim: &Claim) -> Result<(), RepoError> {
        self.store.release(claim).await
    }

    /// Deletes the records that have expired; answers how many.
    pub async fn purge_expired(&self) -> Result<u64, RepoError> {
        self.store
            .purge(earlier(self.clock.now(), self.policy.ttl))
            .await
    }
}

/// `at - span`, but never before 1970: no record is older, both databases can compare with
/// it, and a huge configured lifetime means "keep for ever" rather than a panic.
fn earlier(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    at.checked_sub_signed(span)
        .map_or(DateTime::UNIX_EPOCH, |t| t.max(DateTime::UNIX_EPOCH))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use chrono::TimeZone;
    use std::sync::Mutex;

    /// Answers every claim with a preset outcome and remembers what it was asked.
    struct Scripted {
        outcome: ClaimOutcome,
        asked: Mutex<Option<NewClaim>>,
    }

    #[async_trait]
    impl IdempotencyStore for Scripted {
        async fn claim(&self, claim: &NewClaim) -> Result<ClaimOutcome, RepoError> {
            *self.asked.lock().unwrap() = Some(claim.clone());
            Ok(self.outcome.clone())
        }
        async fn complete(&self, _: &Claim, _: &StoredResponse) -> Result<(), RepoError> {
            Ok(())
        }
        async fn release(&self, _: &Claim) -> Result<(), RepoError> {
            Ok(())
        }
        async fn purge(&self, _: DateTime<Utc>) -> Result<u64, RepoError> {
            Ok(0)
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
    }

    fn fingerprint(body: &str) -> RequestFingerprint {
        RequestFingerprint::new("POST", "/api/homes", body.as_bytes())
    }

    async fn begin(outcome: ClaimOutcome) -> (Begin, NewClaim) {
        let store = Arc::new(Scripted {
            outcome,
            asked: Mutex::new(None),
        });
        let service = Idempotency::new(
            store.clone(),
            Arc::new(FixedClock::new(at())),
            IdempotencyPolicy::default(),
        );
        let key = IdempotencyKey::parse("k-1").unwrap();
        let begun = service
            .begin(Uuid::nil(), &key, &fingerprint("a"))
            .await
            .unwrap();
        let asked = store.asked.lock().unwrap().take().unwrap();
        (begun, asked)
    }

    fn held(body: &str, response: Option<StoredResponse>) -> ClaimOutcome {
        ClaimOutcome::Held(KeyRecord {
            fingerprint: fingerprint(body),
            claimed_at: at(),
            response,
        })
    }

    #[tokio::test]
    async fn a_claim_spans_the_policy_windows() {
        let (begun, asked) = begin(ClaimOutcome::Claimed(Claim {
            user_id: Uuid::nil(),
            key: IdempotencyKey::parse("k-1").unwrap(),
            claimed_at: at(),
        }))
        .await;
        assert!(matches!(begun, Begin::Run(_)));
        assert_eq!(asked.at, at());
        assert_eq!(asked.expired_before, at() - Duration::hours(24));
        assert_eq!(asked.abandoned_before, at() - Duration::minutes(5));
        assert_eq!(asked.fingerprint, fingerprint("a"));
    }

    #[tokio::test]
    async fn a_held_key_replays_waits_or_refuses() {
        let response = StoredResponse {
            status: 201,
            body: "{}".into(),
        };
        let (begun, _) = begin(held("a", Some(response.clone()))).await;
        assert_eq!(begun, Begin::Replay(response.clone()));
        assert_eq!(begin(held("a", None)).await.0, Begin::InProgress);
        assert_eq!(begin(held("b", Some(response))).await.0, Begin::KeyReused);
        assert_eq!(begin(held("b", None)).await.0, Begin::KeyReused);
    }

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(IdempotencyKey::parse(&"k".repeat(MAX_KEY_LEN)).is_ok());
        assert!(IdempotencyKey::parse("!~").is_ok());
        assert_eq!(
            IdempotencyKey::parse("tab\there"),
            Err(InvalidKey::NotVisibleAscii)
        );
        assert_eq!(
            IdempotencyKey::parse("clé"),
            Err(InvalidKey::NotVisibleAscii)
        );
    }
}
