//! Homes and memberships: creation, edits, listing, members and roles, ownership transfer,
//! deletion and the active home, each mutation logged in the home's change log.

use crate::fixtures::{insert_list, insert_membership, now};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ActorKind, ChangeLogReader, NewHomeEvent};
use pantry_core::homes::home::{Home, HomeEdit, HomeRepository, NewHome};
use pantry_core::homes::role::Role;
use pantry_core::items::item::Mutation;
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{grocery_lists, home_events, homes, memberships, users};
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, StoreChangeLog, StoreHomes};
use uuid::Uuid;

/// A user with this name and an e-mail address derived from it.
async fn insert_named_user(conn: &mut AnyConnection, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let email = format!("{}.{}@example.test", name.to_lowercase(), id.simple());
    let at = now().naive_utc();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id.to_string()),
            users::email.eq(&email),
            users::email_normalized.eq(&email),
            users::name.eq(name),
            users::password_hash.eq("$argon2id$test"),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .execute(conn)
        .await
        .expect("insert user");
    id
}

async fn email_of(conn: &mut AnyConnection, user: Uuid) -> String {
    users::table
        .find(user.to_string())
        .select(users::email)
        .get_result(conn)
        .await
        .expect("email")
}

fn new_home(owner: Uuid, name: &str, at: DateTime<Utc>) -> NewHome {
    NewHome {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        owner_id: owner,
        membership_id: Uuid::now_v7(),
        at,
    }
}

fn event(home: Uuid, actor: Uuid, kind: &str) -> NewHomeEvent {
    NewHomeEvent {
        home_id: home,
        kind: kind.to_owned(),
        entity_id: Some(home),
        payload: serde_json::json!({ "kind": kind }),
        actor: Actor {
            kind: ActorKind::User,
            user_id: Some(actor),
        },
        at: now(),
    }
}

/// A home created through the repository, owned by `owner`.
async fn create_home(repo: &StoreHomes, owner: Uuid, at: DateTime<Utc>) -> Uuid {
    let home = new_home(owner, "Casa", at);
    repo.create(&home, &event(home.id, owner, "home.created"))
        .await
        .expect("create home");
    home.id
}

/// The home's change log as (seq, kind).
async fn log(t: &TestDb, home: Uuid) -> Vec<(i64, String)> {
    StoreChangeLog::new(t.db.clone())
        .events_since(home, 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .map(|ev| (ev.seq, ev.kind))
        .collect()
}

/// The home an update applied, failing the test on any other outcome.
fn applied(outcome: Result<Mutation<Home>, RepoError>) -> Home {
    match outcome {
        Ok(Mutation::Applied(home)) => home,
        other => panic!("expected an applied update, got {other:?}"),
    }
}

fn kinds(expected: &[&str]) -> Vec<(i64, String)> {
    (1..)
        .zip(expected.iter().map(|k| (*k).to_owned()))
        .collect()
}

async fn create_writes_home_owner_membership_and_event(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let owner = insert_named_user(&mut conn, "Alice").await;
    let at = now() - Duration::hours(1);
    let new = new_home(owner, "Casa", at);

    let home = repo
        .create(&new, &event(new.id, owner, "home.created"))
        .await
        .expect("create");
    assert_eq!(home.id, new.id);
    assert_eq!(home.name, "Casa");
    assert_eq!(home.description, None);
    assert_eq!(home.owner_id, owner);
    assert_eq!(home.timezone, "UTC");
    assert_eq!(home.currency, "USD");
    assert_eq!(home.monthly_budget_minor, None);
    assert_eq!(home.household_size, None);
    assert!(home.shared_dietary_restrictions.is_empty());
    assert_eq!(home.version, 1);
    assert_eq!((home.created_at, home.updated_at), (at, at));
    assert_eq!(repo.get(new.id).await.expect("get"), Some(home));

    assert_eq!(
        repo.role_of(new.id, owner).await.expect("role"),
        Some(Role::Owner)
    );
    let members = repo.members(new.id).await.expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].membership_id, new.membership_id);
    assert_eq!(members[0].joined_at, at);

    let latest = StoreChangeLog::new(t.db.clone())
        .latest_seq(new.id)
        .await
        .expect("seq");
    assert_eq!(latest, 1);
    assert_eq!(log(t, new.id).await, kinds(&["home.created"]));

    // The same id again is refused by the primary key, and nothing more is logged.
    let again = repo
        .create(&new, &event(new.id, owner, "home.created"))
        .await;
    assert!(
        matches!(&again, Err(RepoError::Conflict(name)) if name == "homes_pkey"),
        "{again:?}"
    );
    assert_eq!(log(t, new.id).await, kinds(&["home.created"]));

    assert!(repo.get(Uuid::now_v7()).await.expect("get").is_none());
    assert_eq!(
        repo.role_of(Uuid::now_v7(), owner).await.expect("role"),
        None
    );
}

async fn update_applies_set_and_cleared_fields(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let owner = insert_named_user(&mut conn, "Alice").await;
    let home_id = create_home(&repo, owner, now() - Duration::hours(1)).await;

    let set_all = HomeEdit {
        name: Some("Chez nous".to_owned()),
        description: Some(Some("Two cats".to_owned())),
        timezone: Some("Europe/Paris".to_owned()),
        currency: Some("EUR".to_owned()),
        monthly_budget_minor: Some(Some(45_000)),
        household_size: Some(Some(3)),
        shared_dietary_restrictions: Some(vec!["vegetarian".to_owned(), "nut-free".to_owned()]),
    };
    let ev = event(home_id, owner, "home.updated");
    let home = applied(repo.update(home_id, &set_all, None, &ev).await);
    assert_eq!(home.name, "Chez nous");
    assert_eq!(home.description.as_deref(), Some("Two cats"));
    assert_eq!(home.timezone, "Europe/Paris");
    assert_eq!(home.currency, "EUR");
    assert_eq!(home.monthly_budget_minor, Some(45_000));
    assert_eq!(home.household_size, Some(3));
    assert_eq!(
        home.shared_dietary_restrictions,
        vec!["vegetarian".to_owned(), "nut-free".to_owned()]
    );
    assert_eq!(home.version, 2);
    assert_eq!(home.updated_at, ev.at);
    assert_eq!(repo.get(home_id).await.expect("get"), Some(home.clone()));

    // Some(None) clears; None leaves alone.
    let clear = HomeEdit {
        description: Some(None),
        monthly_budget_minor: Some(None),
        household_size: Some(None),
        shared_dietary_restrictions: Some(Vec::new()),
        ..HomeEdit::default()
    };
    let cleared = applied(
        repo.update(
            home_id,
            &clear,
            None,
            &event(home_id, owner, "home.updated"),
        )
        .await,
    );
    assert_eq!(cleared.name, "Chez nous");
    assert_eq!(cleared.timezone, "Europe/Paris");
    assert_eq!(cleared.currency, "EUR");
    assert_eq!(cleared.description, None);
    assert_eq!(cleared.monthly_budget_minor, None);
    assert_eq!(cleared.household_size, None);
    assert!(cleared.shared_dietary_restrictions.is_empty());
    assert_eq!(cleared.version, 3);

    // An empty edit still counts as a change.
    let same = applied(
        repo.update(
            home_id,
            &HomeEdit::default(),
            None,
            &event(home_id, owner, "home.updated"),
        )
        .await,
    );
    assert_eq!(same.version, 4);
    assert_eq!(same.name, "Chez nous");

    let unknown = Uuid::now_v7();
    for expected in [None, Some(1)] {
        let missing = repo
            .update(
                unknown,
                &set_all,
                expected,
                &event(unknown, owner, "home.updated"),
            )
            .await;
        assert!(matches!(missing, Ok(Mutation::Missing)), "{missing:?}");
    }

    // A refused value rolls back the edit and its event.
    let bad = HomeEdit {
        name: Some("Never stored".to_owned()),
        monthly_budget_minor: Some(Some(-1)),
        ..HomeEdit::default()
    };
    let refused = repo
        .update(home_id, &bad, None, &event(home_id, owner, "home.updated"))
        .await;
    assert!(matches!(refused, Err(RepoError::Storage(_))), "{refused:?}");
    assert_eq!(repo.get(home_id).await.expect("get"), Some(same));

    assert_eq!(
        log(t, home_id).await,
        kinds(&[
            "home.created",
            "home.updated",
            "home.updated",
            "home.updated"
        ])
    );
}

async fn update_honours_the_expected_version(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let owner = insert_named_user(&mut conn, "Alice").await;
    let home_id = create_home(&repo, owner, now() - Duration::hours(1)).await;
    let rename = |name: &str| HomeEdit {
        name: Some(name.to_owned()),
        ..HomeEdit::default()
    };

    // The current version applies and bumps it.
    let first = applied(
        repo.update(
            home_id,
            &rename("Version two"),
            Some(1),
            &event(home_id, owner, "home.updated"),
        )
        .await,
    );
    assert_eq!(first.name, "Version two");
    assert_eq!(first.version, 2);

    // A stale one changes nothing, logs nothing, and answers the home as it is.
    for stale in [1, 3] {
        let outcome = repo
            .update(
                home_id,
                &rename("Never stored"),
                Some(stale),
                &event(home_id, owner, "home.updated"),
            )
            .await;
        match outcome {
            Ok(Mutation::Stale(current)) => assert_eq!(current, first),
            other => panic!("expected stale, got {other:?}"),
        }
    }
    assert_eq!(repo.get(home_id).await.expect("get"), Some(first.clone()));
    assert_eq!(
        log(t, home_id).await,
        kinds(&["home.created", "home.updated"])
    );

    // Without a version the last write wins, whatever the version is.
    let blind = applied(
        repo.update(
            home_id,
            &rename("Last write"),
            None,
            &event(home_id, owner, "home.updated"),
        )
        .await,
    );
    assert_eq!(blind.name, "Last write");
    assert_eq!(blind.version, 3);
    let again = applied(
        repo.update(
            home_id,
            &rename("Third"),
            Some(3),
            &event(home_id, owner, "home.updated"),
        )
        .await,
    );
    assert_eq!(again.version, 4);
    assert_eq!(
        log(t, home_id).await,
        kinds(&[
            "home.created",
            "home.updated",
            "home.updated",
            "home.updated"
        ])
    );
}

async fn malformed_dietary_restrictions_are_a_storage_error(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let owner = insert_named_user(&mut conn, "Alice").await;
    let home_id = create_home(&repo, owner, now()).await;
    diesel::update(homes::table.find(home_id.to_string()))
        .set(homes::shared_dietary_restrictions.eq("vegan, kosher"))
        .execute(&mut *conn)
        .await
        .expect("corrupt");
    let got = repo.get(home_id).await;
    assert!(matches!(got, Err(RepoError::Storage(_))), "{got:?}");
}

async fn list_for_user_gives_roles_and_member_counts(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let carol = insert_named_user(&mut conn, "Carol").await;

    let alices = create_home(&repo, alice, now() - Duration::hours(2)).await;
    let bobs = create_home(&repo, bob, now() - Duration::hours(1)).await;
    insert_membership(&mut conn, bobs, alice, "member")
        .await
        .expect("alice joins bob's home");
    insert_membership(&mut conn, bobs, carol, "viewer")
        .await
        .expect("carol joins bob's home");

    let listed = repo.list_for_user(alice).await.expect("list");
    let summary: Vec<(Uuid, Role, i64)> = listed
        .iter()
        .map(|s| (s.home.id, s.role, s.member_count))
        .collect();
    assert_eq!(
        summary,
        vec![(alices, Role::Owner, 1), (bobs, Role::Member, 3)]
    );
    assert_eq!(
        listed[1].home,
        repo.get(bobs).await.expect("get").expect("bob's home")
    );

    let carols: Vec<(Uuid, Role, i64)> = repo
        .list_for_user(carol)
        .await
        .expect("list")
        .iter()
        .map(|s| (s.home.id, s.role, s.member_count))
        .collect();
    assert_eq!(carols, vec![(bobs, Role::Viewer, 3)]);

    assert!(
        repo.list_for_user(Uuid::now_v7())
            .await
            .expect("list")
            .is_empty()
    );
}

async fn members_are_listed_oldest_first_with_names(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let carol = insert_named_user(&mut conn, "Carol").await;
    let home = create_home(&repo, alice, now() - Duration::hours(1)).await;
    // Carol joins before Bob.
    insert_membership(&mut conn, home, carol, "viewer")
        .await
        .expect("carol");
    insert_membership(&mut conn, home, bob, "admin")
        .await
        .expect("bob");

    let members = repo.members(home).await.expect("members");
    let got: Vec<(Uuid, &str, Role)> = members
        .iter()
        .map(|m| (m.user_id, m.name.as_str(), m.role))
        .collect();
    assert_eq!(
        got,
        vec![
            (alice, "Alice", Role::Owner),
            (carol, "Carol", Role::Viewer),
            (bob, "Bob", Role::Admin),
        ]
    );
    for m in &members {
        assert_eq!(m.email, email_of(&mut conn, m.user_id).await);
    }
    assert!(members[0].joined_at <= members[1].joined_at);
    assert!(members[1].joined_at <= members[2].joined_at);

    assert!(repo.members(Uuid::now_v7()).await.expect("none").is_empty());
}

async fn set_role_changes_members_but_never_the_owner(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let stranger = insert_named_user(&mut conn, "Eve").await;
    let home = create_home(&repo, alice, now()).await;
    insert_membership(&mut conn, home, bob, "member")
        .await
        .expect("bob");

    let changed = event(home, alice, "member.role_changed");
    repo.set_role(home, bob, Role::Admin, &changed)
        .await
        .expect("promote");
    assert_eq!(
        repo.role_of(home, bob).await.expect("role"),
        Some(Role::Admin)
    );
    repo.set_role(home, bob, Role::Viewer, &changed)
        .await
        .expect("demote");
    assert_eq!(
        repo.role_of(home, bob).await.expect("role"),
        Some(Role::Viewer)
    );

    let not_member = repo.set_role(home, stranger, Role::Member, &changed).await;
    assert!(
        matches!(not_member, Err(RepoError::NotFound)),
        "{not_member:?}"
    );
    let unknown_home = Uuid::now_v7();
    let no_home = repo
        .set_role(
            unknown_home,
            bob,
            Role::Member,
            &event(unknown_home, alice, "member.role_changed"),
        )
        .await;
    assert!(matches!(no_home, Err(RepoError::NotFound)), "{no_home:?}");

    let demote_owner = repo.set_role(home, alice, Role::Admin, &changed).await;
    assert!(
        matches!(&demote_owner, Err(RepoError::Conflict(why)) if why == "owner role changes only by transfer"),
        "{demote_owner:?}"
    );
    let make_owner = repo.set_role(home, bob, Role::Owner, &changed).await;
    assert!(
        matches!(&make_owner, Err(RepoError::Conflict(why)) if why == "owner role changes only by transfer"),
        "{make_owner:?}"
    );
    assert_eq!(
        repo.role_of(home, alice).await.expect("role"),
        Some(Role::Owner)
    );
    assert_eq!(
        repo.role_of(home, bob).await.expect("role"),
        Some(Role::Viewer)
    );
    assert_eq!(repo.role_of(home, stranger).await.expect("role"), None);

    assert_eq!(
        log(t, home).await,
        kinds(&["home.created", "member.role_changed", "member.role_changed"])
    );
}

async fn remove_member_ends_a_membership_but_not_the_owners(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let home = create_home(&repo, alice, now()).await;
    insert_membership(&mut conn, home, bob, "admin")
        .await
        .expect("bob");

    let removed = event(home, alice, "member.removed");
    repo.remove_member(home, bob, &removed)
        .await
        .expect("remove bob");
    assert_eq!(repo.role_of(home, bob).await.expect("role"), None);
    assert_eq!(repo.members(home).await.expect("members").len(), 1);

    let again = repo.remove_member(home, bob, &removed).await;
    assert!(matches!(again, Err(RepoError::NotFound)), "{again:?}");

    let owner = repo.remove_member(home, alice, &removed).await;
    assert!(
        matches!(&owner, Err(RepoError::Conflict(why)) if why == "the owner cannot be removed"),
        "{owner:?}"
    );
    assert_eq!(
        repo.role_of(home, alice).await.expect("role"),
        Some(Role::Owner)
    );

    assert_eq!(
        log(t, home).await,
        kinds(&["home.created", "member.removed"])
    );
}

async fn owner_count(conn: &mut AnyConnection, home: Uuid) -> i64 {
    memberships::table
        .filter(memberships::home_id.eq(home.to_string()))
        .filter(memberships::role.eq("owner"))
        .count()
        .get_result(conn)
        .await
        .expect("owners")
}

async fn transfer_ownership_swaps_roles_atomically(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let carol = insert_named_user(&mut conn, "Carol").await;
    let home = create_home(&repo, alice, now()).await;
    insert_membership(&mut conn, home, bob, "member")
        .await
        .expect("bob");

    let transferred = event(home, alice, "home.ownership_transferred");
    repo.transfer_ownership(home, bob, &transferred)
        .await
        .expect("transfer");
    assert_eq!(
        repo.role_of(home, alice).await.expect("role"),
        Some(Role::Admin)
    );
    assert_eq!(
        repo.role_of(home, bob).await.expect("role"),
        Some(Role::Owner)
    );
    let after = repo.get(home).await.expect("get").expect("home");
    assert_eq!(after.owner_id, bob);
    assert_eq!(after.version, 2);
    assert_eq!(owner_count(&mut conn, home).await, 1);

    // To the current owner: nothing changes and nothing is logged.
    repo.transfer_ownership(home, bob, &transferred)
        .await
        .expect("no-op transfer");
    assert_eq!(repo.get(home).await.expect("get"), Some(after.clone()));

    let outsider = repo.transfer_ownership(home, carol, &transferred).await;
    assert!(matches!(outsider, Err(RepoError::NotFound)), "{outsider:?}");
    let unknown_home = Uuid::now_v7();
    let no_home = repo
        .transfer_ownership(
            unknown_home,
            bob,
            &event(unknown_home, alice, "home.ownership_transferred"),
        )
        .await;
    assert!(matches!(no_home, Err(RepoError::NotFound)), "{no_home:?}");
    assert_eq!(repo.get(home).await.expect("get"), Some(after));
    assert_eq!(owner_count(&mut conn, home).await, 1);

    // And back again.
    repo.transfer_ownership(home, alice, &transferred)
        .await
        .expect("transfer back");
    assert_eq!(
        repo.role_of(home, alice).await.expect("role"),
        Some(Role::Owner)
    );
    assert_eq!(
        repo.role_of(home, bob).await.expect("role"),
        Some(Role::Admin)
    );
    assert_eq!(owner_count(&mut conn, home).await, 1);

    assert_eq!(
        log(t, home).await,
        kinds(&[
            "home.created",
            "home.ownership_transferred",
            "home.ownership_transferred"
        ])
    );
}

async fn concurrent_transfers_leave_exactly_one_owner(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let home = create_home(&repo, alice, now()).await;
    let mut others = Vec::new();
    for name in ["Bob", "Carol", "Dan", "Erin"] {
        let user = insert_named_user(&mut conn, name).await;
        insert_membership(&mut conn, home, user, "member")
            .await
            .expect("member");
        others.push(user);
    }

    let tasks: Vec<_> = others
        .iter()
        .map(|&to| {
            let repo = repo.clone();
            let ev = event(home, alice, "home.ownership_transferred");
            tokio::spawn(async move { repo.transfer_ownership(home, to, &ev).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("join").expect("transfer");
    }

    assert_eq!(owner_count(&mut conn, home).await, 1);
    let owner = repo.get(home).await.expect("get").expect("home").owner_id;
    assert_eq!(
        repo.role_of(home, owner).await.expect("role"),
        Some(Role::Owner)
    );
    assert_eq!(log(t, home).await.len(), 1 + others.len());
}

async fn concurrent_edits_of_one_version_apply_once(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let home = create_home(&repo, alice, now()).await;

    let tasks: Vec<_> = ["A", "B", "C", "D"]
        .into_iter()
        .map(|name| {
            let repo = repo.clone();
            let edit = HomeEdit {
                name: Some(name.to_owned()),
                ..HomeEdit::default()
            };
            let ev = event(home, alice, "home.updated");
            tokio::spawn(async move { repo.update(home, &edit, Some(1), &ev).await })
        })
        .collect();
    let mut winners = Vec::new();
    let mut stale = 0;
    for task in tasks {
        match task.await.expect("join").expect("update") {
            Mutation::Applied(home) => winners.push(home),
            Mutation::Stale(current) => {
                assert!(current.version >= 2, "{current:?}");
                stale += 1;
            }
            Mutation::Missing => panic!("the home is there"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(stale, 3);
    let now_home = repo.get(home).await.expect("get").expect("home");
    assert_eq!(now_home, winners[0]);
    assert_eq!(now_home.version, 2);
    assert_eq!(log(t, home).await, kinds(&["home.created", "home.updated"]));
}

async fn delete_cascades_and_clears_active_homes(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let home = create_home(&repo, alice, now()).await;
    let kept = create_home(&repo, bob, now()).await;
    insert_membership(&mut conn, home, bob, "member")
        .await
        .expect("bob");
    insert_list(&mut conn, home, true).await.expect("list");
    repo.set_active_home(alice, home).await.expect("alice");
    repo.set_active_home(bob, home).await.expect("bob");

    repo.delete(home).await.expect("delete");
    assert_eq!(repo.get(home).await.expect("get"), None);
    let home_key = home.to_string();
    let left: [i64; 3] = [
        memberships::table
            .filter(memberships::home_id.eq(&home_key))
            .count()
            .get_result(&mut *conn)
            .await
            .expect("memberships"),
        home_events::table
            .filter(home_events::home_id.eq(&home_key))
            .count()
            .get_result(&mut *conn)
            .await
            .expect("events"),
        grocery_lists::table
            .filter(grocery_lists::home_id.eq(&home_key))
            .count()
            .get_result(&mut *conn)
            .await
            .expect("lists"),
    ];
    assert_eq!(left, [0, 0, 0]);
    let active: Vec<Option<String>> = users::table
        .order(users::id)
        .select(users::active_home_id)
        .load(&mut *conn)
        .await
        .expect("users");
    assert_eq!(active, vec![None, None]);

    // The other home is untouched.
    assert_eq!(
        repo.role_of(kept, bob).await.expect("role"),
        Some(Role::Owner)
    );
    assert_eq!(log(t, kept).await, kinds(&["home.created"]));

    let again = repo.delete(home).await;
    assert!(matches!(again, Err(RepoError::NotFound)), "{again:?}");
}

async fn set_active_home_records_the_pointer(t: &TestDb) {
    let repo = StoreHomes::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let first = create_home(&repo, alice, now()).await;
    let second = create_home(&repo, alice, now()).await;

    for home in [first, second] {
        repo.set_active_home(alice, home).await.expect("set");
        let active: Option<String> = users::table
            .find(alice.to_string())
            .select(users::active_home_id)
            .get_result(&mut *conn)
            .await
            .expect("user");
        assert_eq!(active, Some(home.to_string()));
    }

    let nobody = repo.set_active_home(Uuid::now_v7(), first).await;
    assert!(matches!(nobody, Err(RepoError::NotFound)), "{nobody:?}");
    let no_home = repo.set_active_home(alice, Uuid::now_v7()).await;
    assert!(
        matches!(no_home, Err(RepoError::Conflict(_))),
        "{no_home:?}"
    );
}

on_both_backends!(create_writes_home_owner_membership_and_event
    => sqlite_create_writes_home_owner_membership_and_event,
       postgres_create_writes_home_owner_membership_and_event);
on_both_backends!(update_applies_set_and_cleared_fields
    => sqlite_update_applies_set_and_cleared_fields,
       postgres_update_applies_set_and_cleared_fields);
on_both_backends!(update_honours_the_expected_version
    => sqlite_update_honours_the_expected_version,
       postgres_update_honours_the_expected_version);
on_both_backends!(malformed_dietary_restrictions_are_a_storage_error
    => sqlite_malformed_dietary_restrictions_are_a_storage_error,
       postgres_malformed_dietary_restrictions_are_a_storage_error);
on_both_backends!(list_for_user_gives_roles_and_member_counts
    => sqlite_list_for_user_gives_roles_and_member_counts,
       postgres_list_for_user_gives_roles_and_member_counts);
on_both_backends!(members_are_listed_oldest_first_with_names
    => sqlite_members_are_listed_oldest_first_with_names,
       postgres_members_are_listed_oldest_first_with_names);
on_both_backends!(set_role_changes_members_but_never_the_owner
    => sqlite_set_role_changes_members_but_never_the_owner,
       postgres_set_role_changes_members_but_never_the_owner);
on_both_backends!(remove_member_ends_a_membership_but_not_the_owners
    => sqlite_remove_member_ends_a_membership_but_not_the_owners,
       postgres_remove_member_ends_a_membership_but_not_the_owners);
on_both_backends!(transfer_ownership_swaps_roles_atomically
    => sqlite_transfer_ownership_swaps_roles_atomically,
       postgres_transfer_ownership_swaps_roles_atomically);
on_both_backends!(delete_cascades_and_clears_active_homes
    => sqlite_delete_cascades_and_clears_active_homes,
       postgres_delete_cascades_and_clears_active_homes);
on_both_backends!(set_active_home_records_the_pointer
    => sqlite_set_active_home_records_the_pointer,
       postgres_set_active_home_records_the_pointer);
on_both_backends!(concurrent_transfers_leave_exactly_one_owner
    => sqlite_concurrent_transfers_leave_exactly_one_owner,
       postgres_concurrent_transfers_leave_exactly_one_owner, multi_thread);
on_both_backends!(concurrent_edits_of_one_version_apply_once
    => sqlite_concurrent_edits_of_one_version_apply_once,
       postgres_concurrent_edits_of_one_version_apply_once, multi_thread);
