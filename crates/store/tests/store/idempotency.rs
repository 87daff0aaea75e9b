//! Idempotency keys: claiming, completing and replaying, refusing a held key, releasing,
//! taking over abandoned and expired claims, per-user scope, races, and the purge.

use crate::fixtures::{insert_user, now};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use pantry_core::idempotency::{
    Claim, ClaimOutcome, IdempotencyKey, IdempotencyStore, KeyRecord, NewClaim, RequestFingerprint,
    StoredResponse,
};
use pantry_core::repo_error::RepoError;
use pantry_store::StoreIdempotency;
use pantry_store::test_support::TestDb;
use uuid::Uuid;

async fn user(t: &TestDb) -> Uuid {
    let mut conn = t.db.conn().await.expect("conn");
    insert_user(&mut conn).await
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).expect("valid key")
}

fn fingerprint(body: &str) -> RequestFingerprint {
    RequestFingerprint::new("POST", "/api/homes?x=1", body.as_bytes())
}

/// A claim at `at` with a 24 h lifetime and 5 min abandonment.
fn new_claim(user: Uuid, key_text: &str, body: &str, at: DateTime<Utc>) -> NewClaim {
    NewClaim {
        user_id: user,
        key: key(key_text),
        fingerprint: fingerprint(body),
        at,
        expired_before: at - Duration::hours(24),
        abandoned_before: at - Duration::minutes(5),
    }
}

fn created(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        body: body.to_owned(),
    }
}

async fn claimed(store: &StoreIdempotency, claim: &NewClaim) -> Claim {
    match store.claim(claim).await.expect("claim") {
        ClaimOutcome::Claimed(c) => c,
        held => panic!("expected to claim, got {held:?}"),
    }
}

async fn held(store: &StoreIdempotency, claim: &NewClaim) -> KeyRecord {
    match store.claim(claim).await.expect("claim") {
        ClaimOutcome::Held(record) => record,
        claimed => panic!("expected the key to be held, got {claimed:?}"),
    }
}

async fn claim_complete_and_replay(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let at = now();
    let first = new_claim(alice, "k-1", "{\"name\":\"Flat\"}", at);

    let claim = claimed(&store, &first).await;
    assert_eq!(
        claim,
        Claim {
            user_id: alice,
            key: key("k-1"),
            claimed_at: at
        }
    );

    // While it runs, the same request finds it in progress.
    let retry = new_claim(
        alice,
        "k-1",
        "{\"name\":\"Flat\"}",
        at + Duration::seconds(1),
    );
    assert_eq!(
        held(&store, &retry).await,
        KeyRecord {
            fingerprint: fingerprint("{\"name\":\"Flat\"}"),
            claimed_at: at,
            response: None
        }
    );

    // Once complete, the response comes back exactly, non-ASCII and all.
    let body =
        r#"{"success":true,"data":{"name":"Café 🍞"},"timestamp":"2026-12-04T09:00:00.000Z"}"#;
    store
        .complete(&claim, &created(body))
        .await
        .expect("complete");
    let record = held(&store, &retry).await;
    assert_eq!(record.response, Some(created(body)));
    assert_eq!(record.claimed_at, at);

    // A completed claim cannot be completed again, nor released.
    assert!(matches!(
        store.complete(&claim, &created("{}")).await,
        Err(RepoError::NotFound)
    ));
    store.release(&claim).await.expect("release");
    assert_eq!(held(&store, &retry).await.response, Some(created(body)));
}
on_both_backends!(claim_complete_and_replay => sqlite_idempotency_claim_complete_replay, postgres_idempotency_claim_complete_replay);

async fn a_held_key_answers_its_own_request(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let at = now();
    let claim = claimed(&store, &new_claim(alice, "k", "first", at)).await;
    store
        .complete(&claim, &created("{}"))
        .await
        .expect("complete");

    // A different request with the key is told what holds it; nothing is overwritten.
    let other = held(&store, &new_claim(alice, "k", "second", at)).await;
    assert_eq!(other.fingerprint, fingerprint("first"));
    assert_eq!(other.response, Some(created("{}")));
}
on_both_backends!(a_held_key_answers_its_own_request => sqlite_idempotency_conflicting_claim, postgres_idempotency_conflicting_claim);

async fn release_frees_the_key(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let at = now();
    let claim = claimed(&store, &new_claim(alice, "k", "bad", at)).await;
    store.release(&claim).await.expect("release");

    // The corrected request may use the same key at once.
    let again = claimed(&store, &new_claim(alice, "k", "good", at)).await;
    store
        .complete(&again, &created("ok"))
        .await
        .expect("complete");
    // Releasing the old claim again touches nothing (same instant, but completed).
    store.release(&claim).await.expect("release again");
    let record = held(&store, &new_claim(alice, "k", "good", at)).await;
    assert_eq!(record.response, Some(created("ok")));
}
on_both_backends!(release_frees_the_key => sqlite_idempotency_release, postgres_idempotency_release);

async fn abandoned_claims_are_taken_over(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let t0 = now() - Duration::minutes(10);
    let stale = claimed(&store, &new_claim(alice, "k", "body", t0)).await;

    // Four minutes on, the claim still counts as running.
    let early = new_claim(alice, "k", "body", t0 + Duration::minutes(4));
    assert_eq!(held(&store, &early).await.response, None);

    // Six minutes on, it is abandoned: the retry takes the key over.
    let late = new_claim(alice, "k", "body", t0 + Duration::minutes(6));
    let fresh = claimed(&store, &late).await;
    assert_eq!(fresh.claimed_at, late.at);

    // The abandoned request, should it wake up, can neither complete nor free the key.
    assert!(matches!(
        store.complete(&stale, &created("late")).await,
        Err(RepoError::NotFound)
    ));
    store.release(&stale).await.expect("release");
    let record = held(&store, &late).await;
    assert_eq!((record.claimed_at, record.response), (late.at, None));
    store
        .complete(&fresh, &created("fresh"))
        .await
        .expect("complete");

    // A completed record is never abandoned, however old.
    let much_later = new_claim(alice, "k", "body", t0 + Duration::hours(1));
    assert_eq!(
        held(&store, &much_later).await.response,
        Some(created("fresh"))
    );
}
on_both_backends!(abandoned_claims_are_taken_over => sqlite_idempotency_abandoned_takeover, postgres_idempotency_abandoned_takeover);

async fn expired_records_are_taken_over(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let t0 = now() - Duration::hours(30);
    let old = claimed(&store, &new_claim(alice, "k", "old", t0)).await;
    store
        .complete(&old, &created("old"))
        .await
        .expect("complete");

    // 23 hours on the key still answers; 25 hours on it is free, even for another request.
    let within = new_claim(alice, "k", "old", t0 + Duration::hours(23));
    assert_eq!(held(&store, &within).await.response, Some(created("old")));
    let after = new_claim(alice, "k", "new", t0 + Duration::hours(25));
    claimed(&store, &after).await;
    let record = held(&store, &new_claim(alice, "k", "new", after.at)).await;
    assert_eq!(record.fingerprint, fingerprint("new"));
    assert_eq!(record.response, None);
}
on_both_backends!(expired_records_are_taken_over => sqlite_idempotency_expiry, postgres_idempotency_expiry);

async fn keys_belong_to_one_user(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let bob = user(t).await;
    let at = now();
    let a = claimed(&store, &new_claim(alice, "shared", "body", at)).await;
    store.complete(&a, &created("alice's")).await.expect("a");
    let b = claimed(&store, &new_claim(bob, "shared", "body", at)).await;
    store.complete(&b, &created("bob's")).await.expect("b");
    assert_eq!(
        held(&store, &new_claim(alice, "shared", "body", at))
            .await
            .response,
        Some(created("alice's"))
    );

    // A key cannot be claimed for a user who does not exist.
    let nobody = new_claim(Uuid::now_v7(), "shared", "body", at);
    assert!(matches!(
        store.claim(&nobody).await,
        Err(RepoError::Conflict(_))
    ));
}
on_both_backends!(keys_belong_to_one_user => sqlite_idempotency_per_user, postgres_idempotency_per_user);

async fn concurrent_claims_have_one_winner(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let at = now();
    let attempts = (0..8).map(|_| {
        let store = store.clone();
        let claim = new_claim(alice, "race", "body", at);
        tokio::spawn(async move { store.claim(&claim).await })
    });
    let outcomes: Vec<ClaimOutcome> = join_all(attempts)
        .await
        .into_iter()
        .map(|joined| joined.expect("task").expect("claim"))
        .collect();
    let winners = outcomes
        .iter()
        .filter(|o| matches!(o, ClaimOutcome::Claimed(_)))
        .count();
    assert_eq!(winners, 1, "{outcomes:?}");
}
on_both_backends!(concurrent_claims_have_one_winner => sqlite_idempotency_race, postgres_idempotency_race, multi_thread);

async fn purge_deletes_only_old_records(t: &TestDb) {
    let store = StoreIdempotency::new(t.db.clone());
    let alice = user(t).await;
    let at = now();
    let old = claimed(
        &store,
        &new_claim(alice, "old", "b", at - Duration::hours(25)),
    )
    .await;
    store.complete(&old, &created("old")).await.expect("old");
    claimed(
        &store,
        &new_claim(alice, "stuck", "b", at - Duration::hours(26)),
    )
    .await;
    let recent = claimed(
        &store,
        &new_claim(alice, "recent", "b", at - Duration::hours(1)),
    )
    .await;
    store
        .complete(&recent, &created("recent"))
        .await
        .expect("recent");

    assert_eq!(
        store.purge(at - Duration::hours(24)).await.expect("purge"),
        2
    );
    assert_eq!(
        held(&store, &new_claim(alice, "recent", "b", at))
            .await
            .response,
        Some(created("recent"))
    );
    // The purged keys are free again.
    claimed(&store, &new_claim(alice, "old", "other", at)).await;
    assert_eq!(
        store.purge(at - Duration::hours(24)).await.expect("purge"),
        0
    );
}
on_both_backends!(purge_deletes_only_old_records => sqlite_idempotency_purge, postgres_idempotency_purge);
