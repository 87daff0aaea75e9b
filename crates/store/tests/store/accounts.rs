//! Accounts: sign-up writes every row atomically, lookups, the current home, password and
//! session-epoch updates.

use crate::fixtures::{insert_home, insert_membership, insert_user, now};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::accounts::email::Email;
use pantry_core::accounts::user::{AccountRepository, NewAccount, UserName};
use pantry_core::change_log::{Actor, ActorKind, ChangeLogReader};
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{chat_messages, chat_threads, home_events, homes, memberships, users};
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, StoreAccounts, StoreChangeLog};
use uuid::Uuid;

/// A sign-up as the account service builds it, with fresh ids.
pub fn new_account(email: &str, at: DateTime<Utc>) -> NewAccount {
    NewAccount {
        user_id: Uuid::now_v7(),
        email: Email::parse(email).expect("valid email"),
        name: UserName::parse("Alice").expect("valid name"),
        password_hash: "$argon2id$v=19$test".to_owned(),
        home_id: Uuid::now_v7(),
        home_name: "Alice's Kitchen".to_owned(),
        membership_id: Uuid::now_v7(),
        thread_id: Uuid::now_v7(),
        thread_title: "Welcome to Pantry Pixie".to_owned(),
        welcome_message_id: Uuid::now_v7(),
        welcome_message: "Hi, I'm Pixie!".to_owned(),
        at,
    }
}

/// Rows in each table a sign-up writes to, in the order users, homes, memberships,
/// chat_threads, chat_messages, home_events.
async fn row_counts(conn: &mut AnyConnection) -> [i64; 6] {
    [
        users::table.count().get_result(conn).await.expect("users"),
        homes::table.count().get_result(conn).await.expect("homes"),
        memberships::table
            .count()
            .get_result(conn)
            .await
            .expect("memberships"),
        chat_threads::table
            .count()
            .get_result(conn)
            .await
            .expect("threads"),
        chat_messages::table
            .count()
            .get_result(conn)
            .await
            .expect("messages"),
        home_events::table
            .count()
            .get_result(conn)
            .await
            .expect("events"),
    ]
}

fn expect_conflict(result: Result<(), RepoError>) -> String {
    match result {
        Err(RepoError::Conflict(name)) => name,
        other => panic!("expected a Conflict, got {other:?}"),
    }
}

async fn create_account_writes_every_row(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let at = now();
    let account = new_account("Alice@Example.com", at);
    accounts.create_account(&account).await.expect("create");

    let mut conn = t.db.conn().await.expect("conn");
    assert_eq!(row_counts(&mut conn).await, [1, 1, 1, 1, 1, 1]);

    let user_id = account.user_id.to_string();
    let home_id = account.home_id.to_string();
    let user: (
        String,
        String,
        i64,
        Option<String>,
        NaiveDateTime,
        NaiveDateTime,
    ) = users::table
        .find(&user_id)
        .select((
            users::email,
            users::email_normalized,
            users::session_epoch,
            users::active_home_id,
            users::created_at,
            users::updated_at,
        ))
        .get_result(&mut *conn)
        .await
        .expect("user row");
    assert_eq!(
        user,
        (
            "Alice@Example.com".to_owned(),
            "alice@example.com".to_owned(),
            0,
            Some(home_id.clone()),
            at.naive_utc(),
            at.naive_utc()
        )
    );

    let home: (String, String, String, String, i64) = homes::table
        .find(&home_id)
        .select((
            homes::name,
            homes::owner_id,
            homes::timezone,
            homes::currency,
            homes::last_seq,
        ))
        .get_result(&mut *conn)
        .await
        .expect("home row");
    assert_eq!(
        home,
        (
            "Alice's Kitchen".to_owned(),
            user_id.clone(),
            "UTC".to_owned(),
            "USD".to_owned(),
            1
        )
    );

    let membership: (String, String, String, String, NaiveDateTime) = memberships::table
        .select((
            memberships::id,
            memberships::home_id,
            memberships::user_id,
            memberships::role,
            memberships::joined_at,
        ))
        .get_result(&mut *conn)
        .await
        .expect("membership row");
    assert_eq!(
        membership,
        (
            account.membership_id.to_string(),
            home_id.clone(),
            user_id.clone(),
            "owner".to_owned(),
            at.naive_utc()
        )
    );

    let thread: (String, String, Option<String>, Option<String>) = chat_threads::table
        .select((
            chat_threads::id,
            chat_threads::home_id,
            chat_threads::title,
            chat_threads::created_by,
        ))
        .get_result(&mut *conn)
        .await
        .expect("thread row");
    assert_eq!(
        thread,
        (
            account.thread_id.to_string(),
            home_id.clone(),
            Some("Welcome to Pantry Pixie".to_owned()),
            Some(user_id.clone())
        )
    );

    let message: (
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    ) = chat_messages::table
        .select((
            chat_messages::id,
            chat_messages::thread_id,
            chat_messages::user_id,
            chat_messages::role,
            chat_messages::content,
            chat_messages::intent,
        ))
        .get_result(&mut *conn)
        .await
        .expect("message row");
    assert_eq!(
        message,
        (
            account.welcome_message_id.to_string(),
            account.thread_id.to_string(),
            None,
            "assistant".to_owned(),
            "Hi, I'm Pixie!".to_owned(),
            Some("greeting".to_owned())
        )
    );

    let events = StoreChangeLog::new(t.db.clone())
        .events_since(account.home_id, 0, 10)
        .await
        .expect("events");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        (
            event.seq,
            event.kind.as_str(),
            event.entity_id,
            &event.payload,
            event.actor,
            event.at
        ),
        (
            1,
            "home.created",
            Some(account.home_id),
            &serde_json::json!({ "name": "Alice's Kitchen" }),
            Actor {
                kind: ActorKind::User,
                user_id: Some(account.user_id)
            },
            at
        )
    );

    assert_eq!(
        accounts.current_home(account.user_id).await.expect("home"),
        Some(account.home_id)
    );
}
on_both_backends!(create_account_writes_every_row => sqlite_create_account_writes_every_row, postgres_create_account_writes_every_row);

async fn email_is_taken_case_insensitively(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    accounts
        .create_account(&new_account("alice@example.com", now()))
        .await
        .expect("first");

    let second = new_account("ALICE@example.com", now());
    let name = expect_conflict(accounts.create_account(&second).await);
    assert_eq!(name, "users_email_normalized_key");

    let mut conn = t.db.conn().await.expect("conn");
    assert_eq!(
        row_counts(&mut conn).await,
        [1, 1, 1, 1, 1, 1],
        "nothing of the second account remains"
    );
    assert_eq!(
        accounts.find_by_id(second.user_id).await.expect("find"),
        None
    );
}
on_both_backends!(email_is_taken_case_insensitively => sqlite_email_is_taken_case_insensitively, postgres_email_is_taken_case_insensitively);

/// A failure after the user, home and membership are written (here a thread id that is
/// already used) rolls all of them back.
async fn a_late_failure_rolls_back_the_whole_account(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let first = new_account("alice@example.com", now());
    accounts.create_account(&first).await.expect("first");

    let second = NewAccount {
        thread_id: first.thread_id,
        ..new_account("bob@example.com", now())
    };
    let name = expect_conflict(accounts.create_account(&second).await);
    assert_eq!(name, "chat_threads_pkey");

    let mut conn = t.db.conn().await.expect("conn");
    assert_eq!(row_counts(&mut conn).await, [1, 1, 1, 1, 1, 1]);
    assert_eq!(
        accounts
            .find_by_email("bob@example.com")
            .await
            .expect("find"),
        None
    );
}
on_both_backends!(a_late_failure_rolls_back_the_whole_account => sqlite_a_late_failure_rolls_back_the_whole_account, postgres_a_late_failure_rolls_back_the_whole_account);

/// Concurrent sign-ups with one address: the unique index lets exactly one through.
async fn concurrent_sign_ups_with_one_email(t: &TestDb) {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(6));
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let accounts = StoreAccounts::new(t.db.clone());
            let barrier = barrier.clone();
            let email = if n % 2 == 0 {
                "carol@example.com"
            } else {
                "Carol@Example.com"
            };
            let account = new_account(email, now());
            tokio::spawn(async move {
                barrier.wait().await;
                accounts.create_account(&account).await
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(()) => created += 1,
            Err(RepoError::Conflict(name)) => assert_eq!(name, "users_email_normalized_key"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created, 1);
    let mut conn = t.db.conn().await.expect("conn");
    assert_eq!(row_counts(&mut conn).await, [1, 1, 1, 1, 1, 1]);
}
on_both_backends!(concurrent_sign_ups_with_one_email => sqlite_concurrent_sign_ups_with_one_email, postgres_concurrent_sign_ups_with_one_email, multi_thread);

async fn finds_users_by_email_and_id(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let at = now();
    let account = new_account("Dana@Example.com", at);
    accounts.create_account(&account).await.expect("create");

    let by_email = accounts
        .find_by_email("dana@example.com")
        .await
        .expect("by email")
        .expect("found by email");
    assert_eq!(by_email.id, account.user_id);
    assert_eq!(by_email.email, "Dana@Example.com", "the address as typed");
    assert_eq!(by_email.name, "Alice");
    assert_eq!(by_email.password_hash, "$argon2id$v=19$test");
    assert_eq!(by_email.session_epoch, 0);
    assert_eq!(by_email.created_at, at);

    let by_id = accounts
        .find_by_id(account.user_id)
        .await
        .expect("by id")
        .expect("found by id");
    assert_eq!(by_id, by_email);

    // Lookups go by the normalised form only.
    assert_eq!(
        accounts
            .find_by_email("Dana@Example.com")
            .await
            .expect("typed form"),
        None
    );
    assert_eq!(
        accounts
            .find_by_email("nobody@example.com")
            .await
            .expect("unknown"),
        None
    );
    assert_eq!(
        accounts.find_by_id(Uuid::now_v7()).await.expect("unknown"),
        None
    );
}
on_both_backends!(finds_users_by_email_and_id => sqlite_finds_users_by_email_and_id, postgres_finds_users_by_email_and_id);

async fn password_hash_and_session_epoch(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let account = new_account("erin@example.com", now());
    accounts.create_account(&account).await.expect("create");
    let user = account.user_id;

    let later = now() + Duration::seconds(5);
    let epoch = accounts
        .set_password_hash(user, "rehashed", false, later)
        .await
        .expect("rehash");
    assert_eq!(epoch, 0, "no bump");
    let stored = accounts
        .find_by_id(user)
        .await
        .expect("find")
        .expect("user");
    assert_eq!(
        (stored.password_hash.as_str(), stored.session_epoch),
        ("rehashed", 0)
    );

    let epoch = accounts
        .set_password_hash(user, "changed", true, later)
        .await
        .expect("change");
    assert_eq!(epoch, 1);
    let stored = accounts
        .find_by_id(user)
        .await
        .expect("find")
        .expect("user");
    assert_eq!(
        (stored.password_hash.as_str(), stored.session_epoch),
        ("changed", 1)
    );

    assert_eq!(
        accounts
            .bump_session_epoch(user, later)
            .await
            .expect("bump"),
        2
    );
    assert_eq!(
        accounts
            .bump_session_epoch(user, later)
            .await
            .expect("bump"),
        3
    );
    let mut conn = t.db.conn().await.expect("conn");
    let updated_at: NaiveDateTime = users::table
        .find(user.to_string())
        .select(users::updated_at)
        .get_result(&mut *conn)
        .await
        .expect("user");
    assert_eq!(updated_at, later.naive_utc());

    let unknown = Uuid::now_v7();
    assert!(matches!(
        accounts.set_password_hash(unknown, "x", true, later).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        accounts.bump_session_epoch(unknown, later).await,
        Err(RepoError::NotFound)
    ));
}
on_both_backends!(password_hash_and_session_epoch => sqlite_password_hash_and_session_epoch, postgres_password_hash_and_session_epoch);

/// Joins `user` to `home` at a given time (fixtures' `insert_membership` uses now).
async fn join_at(conn: &mut AnyConnection, home: Uuid, user: Uuid, at: DateTime<Utc>) {
    insert_membership(conn, home, user, "member")
        .await
        .expect("membership");
    diesel::update(
        memberships::table
            .filter(memberships::home_id.eq(home.to_string()))
            .filter(memberships::user_id.eq(user.to_string())),
    )
    .set(memberships::joined_at.eq(at.naive_utc()))
    .execute(conn)
    .await
    .expect("set joined_at");
}

async fn leave(conn: &mut AnyConnection, home: Uuid, user: Uuid) {
    diesel::delete(
        memberships::table
            .filter(memberships::home_id.eq(home.to_string()))
            .filter(memberships::user_id.eq(user.to_string())),
    )
    .execute(conn)
    .await
    .expect("leave");
}

async fn current_home_falls_back_to_latest_membership(t: &TestDb) {
    let accounts = StoreAccounts::new(t.db.clone());
    let account = new_account("frank@example.com", now());
    accounts.create_account(&account).await.expect("create");
    let user = account.user_id;
    let own_home = account.home_id;

    let mut conn = t.db.conn().await.expect("conn");
    let other_owner = insert_user(&mut conn).await;
    let older = insert_home(&mut conn, other_owner).await;
    let newer = insert_home(&mut conn, other_owner).await;
    let base = now();
    join_at(&mut conn, newer, user, base + Duration::days(2)).await;
    join_at(&mut conn, older, user, base + Duration::days(1)).await;

    // Still a member of the active home: it wins over later joins.
    assert_eq!(
        accounts.current_home(user).await.expect("home"),
        Some(own_home)
    );

    // Left the active home (the pointer stays): the most recently joined home.
    leave(&mut conn, own_home, user).await;
    assert_eq!(
        accounts.current_home(user).await.expect("home"),
        Some(newer)
    );
    leave(&mut conn, newer, user).await;
    assert_eq!(
        accounts.current_home(user).await.expect("home"),
        Some(older)
    );

    // Ties on joined_at go to the later id (UUIDv7: the later insert).
    let tied = insert_home(&mut conn, other_owner).await;
    join_at(&mut conn, tied, user, base + Duration::days(1)).await;
    assert_eq!(accounts.current_home(user).await.expect("home"), Some(tied));

    leave(&mut conn, older, user).await;
    leave(&mut conn, tied, user).await;
    assert_eq!(accounts.current_home(user).await.expect("no home"), None);
    assert_eq!(
        accounts
            .current_home(Uuid::now_v7())
            .await
            .expect("unknown user"),
        None
    );
}
on_both_backends!(current_home_falls_back_to_latest_membership => sqlite_current_home_falls_back_to_latest_membership, postgres_current_home_falls_back_to_latest_membership);
