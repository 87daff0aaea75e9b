//! Refresh tokens: storage, one-time rotation (also under a race), revocation, and the
//! per-request session state.

use crate::accounts::new_account;
use crate::fixtures::now;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::accounts::session::{
    NewRefreshToken, SessionRepository, SessionState, StoredRefreshToken, hash_token,
};
use pantry_core::accounts::user::AccountRepository;
use pantry_core::repo_error::RepoError;
use pantry_store::schema::refresh_tokens;
use pantry_store::test_support::TestDb;
use pantry_store::{StoreAccounts, StoreSessions};
use std::sync::Arc;
use uuid::Uuid;

/// A signed-up user (so the foreign key and the session epoch exist).
async fn sign_up(t: &TestDb) -> Uuid {
    let account = new_account(&format!("{}@example.com", Uuid::now_v7().simple()), now());
    StoreAccounts::new(t.db.clone())
        .create_account(&account)
        .await
        .expect("create account");
    account.user_id
}

fn token(user: Uuid, family: Uuid, at: DateTime<Utc>) -> NewRefreshToken {
    let id = Uuid::now_v7();
    NewRefreshToken {
        id,
        user_id: user,
        family_id: family,
        token_hash: hash_token(&id.to_string()),
        issued_at: at,
        expires_at: at + Duration::days(30),
    }
}

async fn stored(sessions: &StoreSessions, token: &NewRefreshToken) -> StoredRefreshToken {
    sessions
        .find_by_hash(&token.token_hash)
        .await
        .expect("find")
        .expect("stored")
}

async fn insert_and_find_by_hash(t: &TestDb) {
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let at = now();
    let new = token(user, Uuid::now_v7(), at);
    sessions.insert(&new).await.expect("insert");

    assert_eq!(
        stored(&sessions, &new).await,
        StoredRefreshToken {
            id: new.id,
            user_id: user,
            family_id: new.family_id,
            issued_at: at,
            expires_at: at + Duration::days(30),
            used_at: None,
            revoked_at: None,
        }
    );
    assert_eq!(
        sessions
            .find_by_hash(&hash_token("unknown"))
            .await
            .expect("find"),
        None
    );

    let duplicate = NewRefreshToken {
        id: Uuid::now_v7(),
        ..new.clone()
    };
    assert!(matches!(
        sessions.insert(&duplicate).await,
        Err(RepoError::Conflict(name)) if name == "refresh_tokens_token_hash_key"
    ));
}
on_both_backends!(insert_and_find_by_hash => sqlite_insert_and_find_by_hash, postgres_insert_and_find_by_hash);

async fn rotate_marks_used_and_inserts_successor(t: &TestDb) {
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let family = Uuid::now_v7();
    let first = token(user, family, now());
    sessions.insert(&first).await.expect("insert");

    let at = now() + Duration::minutes(10);
    let second = token(user, family, at);
    sessions
        .rotate(first.id, &second, at)
        .await
        .expect("rotate");

    let old = stored(&sessions, &first).await;
    assert_eq!((old.used_at, old.revoked_at), (Some(at), None));
    let mut conn = t.db.conn().await.expect("conn");
    let (replaced_by, last_used_at): (Option<String>, Option<chrono::NaiveDateTime>) =
        refresh_tokens::table
            .find(first.id.to_string())
            .select((refresh_tokens::replaced_by, refresh_tokens::last_used_at))
            .get_result(&mut *conn)
            .await
            .expect("old row");
    assert_eq!(replaced_by, Some(second.id.to_string()));
    assert_eq!(last_used_at, Some(at.naive_utc()));

    let next = stored(&sessions, &second).await;
    assert_eq!(
        (next.id, next.family_id, next.issued_at, next.used_at),
        (second.id, family, at, None)
    );

    // The successor rotates in turn.
    let third = token(user, family, at);
    sessions
        .rotate(second.id, &third, at)
        .await
        .expect("rotate successor");
}
on_both_backends!(rotate_marks_used_and_inserts_successor => sqlite_rotate_marks_used_and_inserts_successor, postgres_rotate_marks_used_and_inserts_successor);

async fn rotating_a_used_or_revoked_token_conflicts(t: &TestDb) {
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let family = Uuid::now_v7();
    let first = token(user, family, now());
    sessions.insert(&first).await.expect("insert");
    sessions
        .rotate(first.id, &token(user, family, now()), now())
        .await
        .expect("first rotation");

    let loser = token(user, family, now());
    assert!(matches!(
        sessions.rotate(first.id, &loser, now()).await,
        Err(RepoError::Conflict(_))
    ));
    assert_eq!(
        sessions
            .find_by_hash(&loser.token_hash)
            .await
            .expect("find"),
        None,
        "the losing successor is not stored"
    );

    let revoked = token(user, Uuid::now_v7(), now());
    sessions.insert(&revoked).await.expect("insert");
    sessions
        .revoke_family(revoked.family_id, now())
        .await
        .expect("revoke");
    assert!(matches!(
        sessions
            .rotate(revoked.id, &token(user, revoked.family_id, now()), now())
            .await,
        Err(RepoError::Conflict(_))
    ));
}
on_both_backends!(rotating_a_used_or_revoked_token_conflicts => sqlite_rotating_a_used_or_revoked_token_conflicts, postgres_rotating_a_used_or_revoked_token_conflicts);

/// Ten refreshes with one token at once, each on its own pooled connection: exactly one
/// gets a successor, the others a Conflict, and only that one successor is stored.
async fn concurrent_rotations_have_one_winner(t: &TestDb) {
    const RACERS: usize = 10;
    let sessions = Arc::new(StoreSessions::new(t.db.clone()));
    let user = sign_up(t).await;
    let family = Uuid::now_v7();
    let first = token(user, family, now());
    sessions.insert(&first).await.expect("insert");

    let old_id = first.id;
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let sessions = sessions.clone();
            let barrier = barrier.clone();
            let next = token(user, family, now());
            tokio::spawn(async move {
                barrier.wait().await;
                let result = sessions.rotate(old_id, &next, now()).await;
                (next, result)
            })
        })
        .collect();

    let mut winners = Vec::new();
    for racer in racers {
        let (next, result) = racer.await.expect("racer task");
        match result {
            Ok(()) => winners.push(next),
            Err(RepoError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one rotation succeeds");

    let mut conn = t.db.conn().await.expect("conn");
    let ids: Vec<String> = refresh_tokens::table
        .filter(refresh_tokens::family_id.eq(family.to_string()))
        .order(refresh_tokens::id.asc())
        .select(refresh_tokens::id)
        .load(&mut *conn)
        .await
        .expect("family");
    assert_eq!(ids, [first.id.to_string(), winners[0].id.to_string()]);
    let replaced_by: Option<String> = refresh_tokens::table
        .find(first.id.to_string())
        .select(refresh_tokens::replaced_by)
        .get_result(&mut *conn)
        .await
        .expect("old row");
    assert_eq!(replaced_by, Some(winners[0].id.to_string()));
}
on_both_backends!(concurrent_rotations_have_one_winner => sqlite_concurrent_rotations_have_one_winner, postgres_concurrent_rotations_have_one_winner, multi_thread);

async fn revoke_family_revokes_only_that_family(t: &TestDb) {
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let family = Uuid::now_v7();
    let first = token(user, family, now());
    let second = token(user, family, now());
    let other = token(user, Uuid::now_v7(), now());
    for t in [&first, &second, &other] {
        sessions.insert(t).await.expect("insert");
    }

    let early = now();
    sessions.revoke_family(family, early).await.expect("revoke");
    assert_eq!(stored(&sessions, &first).await.revoked_at, Some(early));
    assert_eq!(stored(&sessions, &second).await.revoked_at, Some(early));
    assert_eq!(stored(&sessions, &other).await.revoked_at, None);

    // Revoking again keeps the first revocation time.
    sessions
        .revoke_family(family, early + Duration::hours(1))
        .await
        .expect("revoke again");
    assert_eq!(stored(&sessions, &first).await.revoked_at, Some(early));
    sessions
        .revoke_family(Uuid::now_v7(), early)
        .await
        .expect("unknown family is a no-op");
}
on_both_backends!(revoke_family_revokes_only_that_family => sqlite_revoke_family_revokes_only_that_family, postgres_revoke_family_revokes_only_that_family);

async fn revoke_all_for_user_can_keep_one_family(t: &TestDb) {
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let someone_else = sign_up(t).await;
    let kept = token(user, Uuid::now_v7(), now());
    let phone = token(user, Uuid::now_v7(), now());
    let laptop = token(user, Uuid::now_v7(), now());
    let theirs = token(someone_else, Uuid::now_v7(), now());
    for t in [&kept, &phone, &laptop, &theirs] {
        sessions.insert(t).await.expect("insert");
    }

    let at = now();
    sessions
        .revoke_all_for_user(user, Some(kept.family_id), at)
        .await
        .expect("revoke others");
    assert_eq!(stored(&sessions, &kept).await.revoked_at, None);
    assert_eq!(stored(&sessions, &phone).await.revoked_at, Some(at));
    assert_eq!(stored(&sessions, &laptop).await.revoked_at, Some(at));
    assert_eq!(stored(&sessions, &theirs).await.revoked_at, None);

    sessions
        .revoke_all_for_user(user, None, at)
        .await
        .expect("revoke all");
    assert_eq!(stored(&sessions, &kept).await.revoked_at, Some(at));
    assert_eq!(stored(&sessions, &theirs).await.revoked_at, None);
}
on_both_backends!(revoke_all_for_user_can_keep_one_family => sqlite_revoke_all_for_user_can_keep_one_family, postgres_revoke_all_for_user_can_keep_one_family);

async fn session_state_follows_epoch_and_revocation(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let sessions = StoreSessions::new(t.db.clone());
    let user = sign_up(t).await;
    let family = Uuid::now_v7();
    let first = token(user, family, now());
    sessions.insert(&first).await.expect("insert");

    let state = |session_epoch, family_active| {
        Some(SessionState {
            session_epoch,
            family_active,
        })
    };
    assert_eq!(
        sessions.session_state(user, family).await.expect("state"),
        state(0, true)
    );

    // A rotated family stays active through its successor.
    sessions
        .rotate(first.id, &token(user, family, now()), now())
        .await
        .expect("rotate");
    assert_eq!(
        sessions.session_state(user, family).await.expect("state"),
        state(0, true)
    );

    accounts
        .bump_session_epoch(user, now())
        .await
        .expect("bump");
    assert_eq!(
        sessions.session_state(user, family).await.expect("state"),
        state(1, true)
    );

    sessions.revoke_family(family, now()).await.expect("revoke");
    assert_eq!(
        sessions.session_state(user, family).await.expect("state"),
        state(1, false)
    );

    // A family the user never had, or another user's family, is not active for them.
    assert_eq!(
        sessions
            .session_state(user, Uuid::now_v7())
            .await
            .expect("state"),
        state(1, false)
    );
    let someone_else = sign_up(t).await;
    let theirs = token(someone_else, Uuid::now_v7(), now());
    sessions.insert(&theirs).await.expect("insert");
    assert_eq!(
        sessions
            .session_state(user, theirs.family_id)
            .await
            .expect("state"),
        state(1, false)
    );
    assert_eq!(
        sessions
            .session_state(someone_else, theirs.family_id)
            .await
            .expect("state"),
        state(0, true)
    );

    assert_eq!(
        sessions
            .session_state(Uuid::now_v7(), family)
            .await
            .expect("unknown user"),
        None
    );
}
on_both_backends!(session_state_follows_epoch_and_revocation => sqlite_session_state_follows_epoch_and_revocation, postgres_session_state_follows_epoch_and_revocation);
