//! A user's own preferences: defaults, round trip, partial edits and clearing, `updated_at`,
//! other users untouched, unknown users, and lenient reading of the earlier server's data.

use crate::fixtures::{insert_user, now};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::accounts::preferences::{
    BudgetConsciousness, CookingSkill, NotificationType, UserPreferences, UserPreferencesEdit,
};
use pantry_core::accounts::user::AccountRepository;
use pantry_core::repo_error::RepoError;
use pantry_store::schema::users;
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, StoreAccounts};
use uuid::Uuid;

async fn updated_at(conn: &mut AnyConnection, user: Uuid) -> NaiveDateTime {
    users::table
        .find(user.to_string())
        .select(users::updated_at)
        .get_result(conn)
        .await
        .expect("updated_at")
}

fn everything() -> UserPreferencesEdit {
    UserPreferencesEdit {
        dietary_restrictions: Some(vec!["vegan".to_owned(), "nut-free".to_owned()]),
        cooking_skill_level: Some(Some(CookingSkill::Intermediate)),
        budget_consciousness: Some(Some(BudgetConsciousness::High)),
        muted_notification_types: Some(vec![
            NotificationType::SundaySync,
            NotificationType::PartnerActivity,
        ]),
    }
}

async fn round_trip_and_partial_edits(t: &TestDb) {
    let repo = StoreAccounts::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_user(&mut conn).await;
    let bob = insert_user(&mut conn).await;

    assert_eq!(
        repo.preferences(alice).await.expect("read"),
        Some(UserPreferences::default()),
        "a new account has no preferences yet"
    );

    let at = now() + Duration::minutes(5);
    repo.update_preferences(alice, &everything(), at)
        .await
        .expect("update");
    let stored = repo.preferences(alice).await.expect("read").expect("alice");
    assert_eq!(
        stored,
        UserPreferences {
            dietary_restrictions: vec!["vegan".to_owned(), "nut-free".to_owned()],
            cooking_skill_level: Some(CookingSkill::Intermediate),
            budget_consciousness: Some(BudgetConsciousness::High),
            muted_notification_types: vec![
                NotificationType::SundaySync,
                NotificationType::PartnerActivity
            ],
        }
    );
    assert_eq!(updated_at(&mut conn, alice).await, at.naive_utc());

    // Only the named fields change; `Some(None)` clears a level.
    let later = at + Duration::minutes(1);
    let edit = UserPreferencesEdit {
        cooking_skill_level: Some(None),
        muted_notification_types: Some(Vec::new()),
        ..Default::default()
    };
    repo.update_preferences(alice, &edit, later)
        .await
        .expect("partial update");
    let after = repo.preferences(alice).await.expect("read").expect("alice");
    assert_eq!(
        after,
        UserPreferences {
            cooking_skill_level: None,
            muted_notification_types: Vec::new(),
            ..stored
        }
    );
    assert_eq!(updated_at(&mut conn, alice).await, later.naive_utc());

    assert_eq!(
        repo.preferences(bob).await.expect("read bob"),
        Some(UserPreferences::default()),
        "other users are untouched"
    );
}
on_both_backends!(round_trip_and_partial_edits => sqlite_preferences_round_trip_and_partial_edits, postgres_preferences_round_trip_and_partial_edits);

async fn unknown_user(t: &TestDb) {
    let repo = StoreAccounts::new(t.db.clone());
    let nobody = Uuid::now_v7();
    assert_eq!(repo.preferences(nobody).await.expect("read"), None);
    let err = repo
        .update_preferences(nobody, &everything(), now())
        .await
        .expect_err("no such user");
    assert!(matches!(err, RepoError::NotFound), "{err:?}");
}
on_both_backends!(unknown_user => sqlite_preferences_of_an_unknown_user, postgres_preferences_of_an_unknown_user);

/// The earlier server stored `null` for a non-array diet and could hold types since retired.
async fn earlier_servers_data_reads_leniently(t: &TestDb) {
    let repo = StoreAccounts::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let user = insert_user(&mut conn).await;
    diesel::update(users::table.find(user.to_string()))
        .set((
            users::dietary_restrictions.eq("null"),
            users::muted_notification_types.eq(r#"["sunday_sync","weekly_digest","sunday_sync"]"#),
            users::cooking_skill_level.eq(Some("advanced")),
        ))
        .execute(&mut *conn)
        .await
        .expect("legacy row");
    assert_eq!(
        repo.preferences(user).await.expect("read"),
        Some(UserPreferences {
            dietary_restrictions: Vec::new(),
            cooking_skill_level: Some(CookingSkill::Advanced),
            budget_consciousness: None,
            muted_notification_types: vec![NotificationType::SundaySync],
        })
    );
}
on_both_backends!(earlier_servers_data_reads_leniently => sqlite_preferences_from_the_earlier_server, postgres_preferences_from_the_earlier_server);
