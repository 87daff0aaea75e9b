//! Constraints the domain relies on, and how their violations reach it.

use crate::fixtures::{insert_list, insert_membership, insert_user, insert_user_and_home};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{homes, users};
use pantry_store::test_support::TestDb;
use pantry_store::to_repo_error;

fn conflict_name(result: QueryResult<usize>) -> String {
    match result.map_err(to_repo_error) {
        Err(RepoError::Conflict(name)) => name,
        other => panic!("expected a Conflict, got {other:?}"),
    }
}

async fn one_membership_per_user_and_home(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let (owner, home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, home, owner, "owner")
        .await
        .expect("first");
    let name = conflict_name(insert_membership(&mut conn, home, owner, "member").await);
    assert_eq!(name, "memberships_home_user_key");

    // The same user in another home, and another user in this home, are fine.
    let (_, other_home) = insert_user_and_home(&mut conn).await;
    insert_membership(&mut conn, other_home, owner, "viewer")
        .await
        .expect("other home");
    let guest = insert_user(&mut conn).await;
    insert_membership(&mut conn, home, guest, "admin")
        .await
        .expect("other user");
}
on_both_backends!(one_membership_per_user_and_home => sqlite_one_membership_per_user_and_home, postgres_one_membership_per_user_and_home);

async fn one_default_list_per_home(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let (_, home) = insert_user_and_home(&mut conn).await;
    insert_list(&mut conn, home, true)
        .await
        .expect("first default");
    let name = conflict_name(insert_list(&mut conn, home, true).await);
    assert_eq!(name, "grocery_lists_one_default_per_home");

    insert_list(&mut conn, home, false)
        .await
        .expect("non-default lists are unlimited");
    insert_list(&mut conn, home, false)
        .await
        .expect("non-default lists are unlimited");
    let (_, other_home) = insert_user_and_home(&mut conn).await;
    insert_list(&mut conn, other_home, true)
        .await
        .expect("another home's default");
}
on_both_backends!(one_default_list_per_home => sqlite_one_default_list_per_home, postgres_one_default_list_per_home);

async fn email_is_unique_after_normalisation(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let user = insert_user(&mut conn).await;
    let taken: String = users::table
        .find(user.to_string())
        .select(users::email_normalized)
        .get_result(&mut *conn)
        .await
        .expect("user");
    let now = chrono::Utc::now().naive_utc();
    let result = diesel::insert_into(users::table)
        .values((
            users::id.eq(uuid::Uuid::now_v7().to_string()),
            users::email.eq(taken.to_uppercase()),
            users::email_normalized.eq(&taken),
            users::name.eq("Bob"),
            users::password_hash.eq("x"),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .await;
    assert_eq!(conflict_name(result), "users_email_normalized_key");
}
on_both_backends!(email_is_unique_after_normalisation => sqlite_email_is_unique_after_normalisation, postgres_email_is_unique_after_normalisation);

/// CHECK violations mean a value skipped domain validation: a storage fault, not a conflict.
async fn invalid_role_is_refused(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let (owner, home) = insert_user_and_home(&mut conn).await;
    let err = insert_membership(&mut conn, home, owner, "overlord")
        .await
        .map_err(to_repo_error)
        .expect_err("role outside the CHECK list");
    assert!(matches!(err, RepoError::Storage(_)), "{err:?}");
}
on_both_backends!(invalid_role_is_refused => sqlite_invalid_role_is_refused, postgres_invalid_role_is_refused);

/// Foreign keys are enforced on every pooled connection (SQLite needs a PRAGMA for that).
async fn foreign_keys_are_enforced(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let now = chrono::Utc::now().naive_utc();
    let result = diesel::insert_into(homes::table)
        .values((
            homes::id.eq(uuid::Uuid::now_v7().to_string()),
            homes::name.eq("Nobody's"),
            homes::owner_id.eq(uuid::Uuid::now_v7().to_string()),
            homes::created_at.eq(now),
            homes::updated_at.eq(now),
        ))
        .execute(&mut *conn)
        .await;
    assert!(
        matches!(result.map_err(to_repo_error), Err(RepoError::Conflict(_))),
        "a home whose owner does not exist is refused"
    );

    // An owner cannot be deleted while they own a home (ON DELETE RESTRICT).
    let (owner, _home) = insert_user_and_home(&mut conn).await;
    let result = diesel::delete(users::table.find(owner.to_string()))
        .execute(&mut *conn)
        .await;
    assert!(
        matches!(result.map_err(to_repo_error), Err(RepoError::Conflict(_))),
        "owner deletion is refused while they own a home"
    );
}
on_both_backends!(foreign_keys_are_enforced => sqlite_foreign_keys_are_enforced, postgres_foreign_keys_are_enforced);

/// A scheduled job claims its window once across replicas: the second `INSERT … ON CONFLICT
/// DO NOTHING` inserts nothing. Also shows `per_backend!` compiling an upsert per backend.
async fn a_job_window_is_claimed_once(t: &TestDb) {
    use pantry_store::schema::job_claims;
    let mut conn = t.db.conn().await.expect("conn");
    let now = chrono::Utc::now().naive_utc();
    let mut claims = Vec::new();
    for replica in ["replica-a", "replica-b"] {
        let row = (
            job_claims::job.eq("list_reset"),
            job_claims::scope_key.eq("home-1"),
            job_claims::window_key.eq("2026-W49"),
            job_claims::claimed_by.eq(replica),
            job_claims::claimed_at.eq(now),
        );
        let inserted = pantry_store::per_backend!(&mut *conn, |c| {
            diesel::insert_into(job_claims::table)
                .values(row)
                .on_conflict_do_nothing()
                .execute(c)
                .await
        })
        .expect("claim");
        claims.push(inserted);
    }
    assert_eq!(claims, [1, 0]);
    let winner: String = job_claims::table
        .select(job_claims::claimed_by)
        .get_result(&mut *conn)
        .await
        .expect("claim row");
    assert_eq!(winner, "replica-a");
}
on_both_backends!(a_job_window_is_claimed_once => sqlite_a_job_window_is_claimed_once, postgres_a_job_window_is_claimed_once);
