//! Invites: creation with a preview by code hash, listing, revocation, and acceptance —
//! joining with the invite's role, already-members, used-up, expired and revoked invites,
//! and concurrent acceptances of a single-use invite.

use crate::fixtures::now;
use chrono::Duration;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ActorKind, ChangeLogReader, NewHomeEvent};
use pantry_core::homes::home::{HomeRepository, NewHome};
use pantry_core::homes::invite::{
    AcceptOutcome, Invite, InvitePreview, InviteRepository, InviteState, NewInvite,
};
use pantry_core::homes::role::Role;
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{invites, memberships, users};
use pantry_store::test_support::TestDb;
use pantry_store::{AnyConnection, PooledConnection, StoreChangeLog, StoreHomes, StoreInvites};
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

fn event(home: Uuid, actor: Uuid, kind: &str, entity: Uuid) -> NewHomeEvent {
    NewHomeEvent {
        home_id: home,
        kind: kind.to_owned(),
        entity_id: Some(entity),
        payload: serde_json::json!({ "kind": kind }),
        actor: Actor {
            kind: ActorKind::User,
            user_id: Some(actor),
        },
        at: now(),
    }
}

/// The event the invite service logs when someone joins.
fn joined(home: Uuid, user: Uuid) -> NewHomeEvent {
    event(home, user, "member.joined", user)
}

/// A home named `name` created through the repository, owned by `owner`.
async fn create_home(t: &TestDb, owner: Uuid, name: &str) -> Uuid {
    let home = NewHome {
        id: Uuid::now_v7(),
        name: name.to_owned(),
        owner_id: owner,
        membership_id: Uuid::now_v7(),
        at: now(),
    };
    StoreHomes::new(t.db.clone())
        .create(&home, &event(home.id, owner, "home.created", home.id))
        .await
        .expect("create home");
    home.id
}

fn new_invite(home: Uuid, inviter: Uuid, role: Role, max_uses: Option<i32>) -> NewInvite {
    let id = Uuid::now_v7();
    NewInvite {
        id,
        home_id: home,
        inviter_id: inviter,
        code_hash: format!("hash-{}", id.simple()),
        role,
        max_uses,
        expires_at: now() + Duration::days(7),
        created_at: now(),
    }
}

async fn create_invite(repo: &StoreInvites, invite: &NewInvite) {
    repo.create(
        invite,
        &event(
            invite.home_id,
            invite.inviter_id,
            "invite.created",
            invite.id,
        ),
    )
    .await
    .expect("create invite");
}

/// The invite as the repository reads it back.
async fn stored(repo: &StoreInvites, invite: &NewInvite) -> Invite {
    repo.find_by_code_hash(&invite.code_hash)
        .await
        .expect("find")
        .expect("invite exists")
        .0
}

/// The kinds in the home's change log, oldest first.
async fn log(t: &TestDb, home: Uuid) -> Vec<String> {
    StoreChangeLog::new(t.db.clone())
        .events_since(home, 0, 1000)
        .await
        .expect("events")
        .into_iter()
        .map(|ev| ev.kind)
        .collect()
}

async fn membership_count(conn: &mut AnyConnection, home: Uuid) -> i64 {
    memberships::table
        .filter(memberships::home_id.eq(home.to_string()))
        .count()
        .get_result(conn)
        .await
        .expect("count memberships")
}

/// An owner "Alice" with a home "Casa", and the repositories.
async fn setup(t: &TestDb) -> (StoreInvites, StoreHomes, PooledConnection, Uuid, Uuid) {
    let mut conn = t.db.conn().await.expect("conn");
    let alice = insert_named_user(&mut conn, "Alice").await;
    let home = create_home(t, alice, "Casa").await;
    (
        StoreInvites::new(t.db.clone()),
        StoreHomes::new(t.db.clone()),
        conn,
        alice,
        home,
    )
}

async fn create_then_find_by_code_hash_gives_the_preview(t: &TestDb) {
    let (repo, _, _conn, alice, home) = setup(t).await;
    let new = NewInvite {
        expires_at: now() + Duration::days(3),
        created_at: now() - Duration::minutes(5),
        ..new_invite(home, alice, Role::Admin, Some(3))
    };
    create_invite(&repo, &new).await;

    let (invite, preview) = repo
        .find_by_code_hash(&new.code_hash)
        .await
        .expect("find")
        .expect("found");
    assert_eq!(
        invite,
        Invite {
            id: new.id,
            home_id: home,
            inviter_id: alice,
            role: Role::Admin,
            max_uses: Some(3),
            uses: 0,
            expires_at: new.expires_at,
            revoked_at: None,
            created_at: new.created_at,
        }
    );
    assert_eq!(
        preview,
        InvitePreview {
            home_name: "Casa".to_owned(),
            inviter_name: "Alice".to_owned(),
            expires_at: new.expires_at,
        }
    );
    assert_eq!(invite.state(now()), InviteState::Usable);
    assert_eq!(
        repo.find_by_code_hash("no-such-hash").await.expect("find"),
        None
    );
    assert_eq!(log(t, home).await, ["home.created", "invite.created"]);

    // The code hash is unique; a clash rolls the event back too.
    let clash = NewInvite {
        code_hash: new.code_hash.clone(),
        ..new_invite(home, alice, Role::Member, None)
    };
    let err = repo
        .create(&clash, &event(home, alice, "invite.created", clash.id))
        .await;
    assert!(
        matches!(&err, Err(RepoError::Conflict(key)) if key == "invites_code_hash_key"),
        "{err:?}"
    );
    assert_eq!(log(t, home).await.len(), 2);
}

async fn list_gives_the_homes_invites_newest_first(t: &TestDb) {
    let (repo, _, mut conn, alice, home) = setup(t).await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let other_home = create_home(t, bob, "Elsewhere").await;
    let base = now() - Duration::hours(1);
    let mut created = Vec::new();
    for minutes in [0, 20, 10] {
        let invite = NewInvite {
            created_at: base + Duration::minutes(minutes),
            ..new_invite(home, alice, Role::Member, None)
        };
        create_invite(&repo, &invite).await;
        created.push(invite);
    }
    // Two at the same instant: the larger id first.
    let tie = NewInvite {
        created_at: base + Duration::minutes(20),
        ..new_invite(home, alice, Role::Viewer, Some(1))
    };
    create_invite(&repo, &tie).await;
    create_invite(&repo, &new_invite(other_home, bob, Role::Member, None)).await;

    let ids: Vec<Uuid> = repo
        .list(home)
        .await
        .expect("list")
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, [tie.id, created[1].id, created[2].id, created[0].id]);
    assert_eq!(repo.list(other_home).await.expect("list").len(), 1);
    assert!(repo.list(Uuid::now_v7()).await.expect("list").is_empty());
}

async fn revoke_marks_the_invite_revoked(t: &TestDb) {
    let (repo, _, mut conn, alice, home) = setup(t).await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let other_home = create_home(t, bob, "Elsewhere").await;
    let invite = new_invite(home, alice, Role::Member, None);
    create_invite(&repo, &invite).await;
    let foreign = new_invite(other_home, bob, Role::Member, None);
    create_invite(&repo, &foreign).await;

    // Another home's invite and an unknown one are not found, and nothing is logged.
    for (h, id) in [(home, foreign.id), (home, Uuid::now_v7())] {
        let res = repo
            .revoke(h, id, &event(h, alice, "invite.revoked", id))
            .await;
        assert!(matches!(res, Err(RepoError::NotFound)), "{res:?}");
    }
    assert_eq!(stored(&repo, &foreign).await.revoked_at, None);
    assert_eq!(log(t, home).await, ["home.created", "invite.created"]);

    let first = event(home, alice, "invite.revoked", invite.id);
    repo.revoke(home, invite.id, &first).await.expect("revoke");
    let revoked = stored(&repo, &invite).await;
    assert_eq!(revoked.revoked_at, Some(first.at));
    assert_eq!(revoked.state(now()), InviteState::Revoked);
    assert_eq!(
        log(t, home).await,
        ["home.created", "invite.created", "invite.revoked"]
    );

    // Revoking again keeps the first revocation time.
    let mut again = event(home, alice, "invite.revoked", invite.id);
    again.at = first.at + Duration::minutes(5);
    repo.revoke(home, invite.id, &again).await.expect("again");
    assert_eq!(stored(&repo, &invite).await.revoked_at, Some(first.at));
}

async fn accept_joins_with_the_invites_role_and_counts_a_use(t: &TestDb) {
    let (repo, homes, mut conn, alice, home) = setup(t).await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let invite = new_invite(home, alice, Role::Admin, Some(5));
    create_invite(&repo, &invite).await;

    let membership = Uuid::now_v7();
    let ev = joined(home, bob);
    let outcome = repo
        .accept(invite.id, bob, membership, &ev)
        .await
        .expect("accept");
    assert_eq!(outcome, AcceptOutcome::Joined);
    assert_eq!(
        homes.role_of(home, bob).await.expect("role"),
        Some(Role::Admin)
    );
    let member = homes
        .members(home)
        .await
        .expect("members")
        .into_iter()
        .find(|m| m.user_id == bob)
        .expect("bob is a member");
    assert_eq!(
        (member.membership_id, member.joined_at),
        (membership, ev.at)
    );
    assert_eq!(stored(&repo, &invite).await.uses, 1);
    assert_eq!(
        log(t, home).await,
        // The owner's "Bob joined your home" is the notice.
        [
            "home.created",
            "invite.created",
            "member.joined",
            "notification.created"
        ]
    );

    // Again by the same user (or by the owner): already a member, no use counted, no event.
    for user in [bob, alice] {
        let again = repo
            .accept(invite.id, user, Uuid::now_v7(), &joined(home, user))
            .await
            .expect("accept again");
        assert_eq!(again, AcceptOutcome::AlreadyMember);
    }
    assert_eq!(stored(&repo, &invite).await.uses, 1);
    assert_eq!(membership_count(&mut conn, home).await, 2);
    assert_eq!(
        log(t, home).await.len(),
        4,
        "nothing more than the first join"
    );

    // An unknown invite, or one of another home, is not found.
    let carol = insert_named_user(&mut conn, "Carol").await;
    let res = repo
        .accept(Uuid::now_v7(), carol, Uuid::now_v7(), &joined(home, carol))
        .await;
    assert!(matches!(res, Err(RepoError::NotFound)), "{res:?}");
    let other_home = create_home(t, carol, "Elsewhere").await;
    let res = repo
        .accept(invite.id, carol, Uuid::now_v7(), &joined(other_home, carol))
        .await;
    assert!(matches!(res, Err(RepoError::NotFound)), "{res:?}");
}

async fn a_single_use_invite_is_used_up_by_the_first_acceptance(t: &TestDb) {
    let (repo, homes, mut conn, alice, home) = setup(t).await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let carol = insert_named_user(&mut conn, "Carol").await;
    let invite = new_invite(home, alice, Role::Member, Some(1));
    create_invite(&repo, &invite).await;

    let first = repo
        .accept(invite.id, bob, Uuid::now_v7(), &joined(home, bob))
        .await
        .expect("bob");
    assert_eq!(first, AcceptOutcome::Joined);
    let second = repo
        .accept(invite.id, carol, Uuid::now_v7(), &joined(home, carol))
        .await
        .expect("carol");
    assert_eq!(second, AcceptOutcome::NoLongerUsable(InviteState::UsedUp));
    assert_eq!(homes.role_of(home, carol).await.expect("role"), None);
    let after = stored(&repo, &invite).await;
    assert_eq!(after.uses, 1);
    assert_eq!(after.state(now()), InviteState::UsedUp);
    // Bob's join and the owner's notice of it; nothing for Carol.
    assert_eq!(log(t, home).await.len(), 4);
}

/// Creates an invite that is already expired or revoked and checks that accepting it changes nothing.
async fn check_unusable(t: &TestDb, unusable: InviteState) {
    let (repo, homes, mut conn, alice, home) = setup(t).await;
    let bob = insert_named_user(&mut conn, "Bob").await;
    let mut invite = new_invite(home, alice, Role::Member, None);
    if unusable == InviteState::Expired {
        invite.created_at = now() - Duration::days(8);
        invite.expires_at = now() - Duration::minutes(1);
    }
    create_invite(&repo, &invite).await;
    if unusable == InviteState::Revoked {
        repo.revoke(
            home,
            invite.id,
            &event(home, alice, "invite.revoked", invite.id),
        )
        .await
        .expect("revoke");
    }
    let events_before = log(t, home).await.len();

    let outcome = repo
        .accept(invite.id, bob, Uuid::now_v7(), &joined(home, bob))
        .await
        .expect("accept");
    assert_eq!(outcome, AcceptOutcome::NoLongerUsable(unusable));
    assert_eq!(homes.role_of(home, bob).await.expect("role"), None);
    assert_eq!(stored(&repo, &invite).await.uses, 0);
    assert_eq!(log(t, home).await.len(), events_before);
}

async fn an_expired_invite_is_no_longer_usable(t: &TestDb) {
    check_unusable(t, InviteState::Expired).await;
}

async fn a_revoked_invite_is_no_longer_usable(t: &TestDb) {
    check_unusable(t, InviteState::Revoked).await;
}

async fn concurrent_acceptances_take_a_single_use_invite_once(t: &TestDb) {
    let (repo, _, mut conn, alice, home) = setup(t).await;
    let invite = new_invite(home, alice, Role::Member, Some(1));
    create_invite(&repo, &invite).await;
    let mut people = Vec::new();
    for n in 0..8 {
        people.push(insert_named_user(&mut conn, &format!("Guest{n}")).await);
    }
    let members_before = membership_count(&mut conn, home).await;

    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(people.len()));
    let tasks: Vec<_> = people
        .iter()
        .map(|&user| {
            let repo = repo.clone();
            let barrier = barrier.clone();
            let ev = joined(home, user);
            tokio::spawn(async move {
                barrier.wait().await;
                repo.accept(invite.id, user, Uuid::now_v7(), &ev).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("join").expect("accept"));
    }

    let joined_count = outcomes
        .iter()
        .filter(|o| **o == AcceptOutcome::Joined)
        .count();
    assert_eq!(joined_count, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| matches!(
            o,
            AcceptOutcome::Joined | AcceptOutcome::NoLongerUsable(InviteState::UsedUp)
        )),
        "{outcomes:?}"
    );
    assert_eq!(stored(&repo, &invite).await.uses, 1);
    assert_eq!(membership_count(&mut conn, home).await, members_before + 1);
    let uses: i32 = invites::table
        .find(invite.id.to_string())
        .select(invites::uses)
        .get_result(&mut *conn)
        .await
        .expect("uses");
    assert_eq!(uses, 1);
    assert_eq!(
        log(t, home).await,
        // The owner's "Bob joined your home" is the notice.
        [
            "home.created",
            "invite.created",
            "member.joined",
            "notification.created"
        ]
    );
}

on_both_backends!(create_then_find_by_code_hash_gives_the_preview
    => sqlite_create_then_find_by_code_hash_gives_the_preview,
       postgres_create_then_find_by_code_hash_gives_the_preview);
on_both_backends!(list_gives_the_homes_invites_newest_first
    => sqlite_list_gives_the_homes_invites_newest_first,
       postgres_list_gives_the_homes_invites_newest_first);
on_both_backends!(revoke_marks_the_invite_revoked
    => sqlite_revoke_marks_the_invite_revoked,
       postgres_revoke_marks_the_invite_revoked);
on_both_backends!(accept_joins_with_the_invites_role_and_counts_a_use
    => sqlite_accept_joins_with_the_invites_role_and_counts_a_use,
       postgres_accept_joins_with_the_invites_role_and_counts_a_use);
on_both_backends!(a_single_use_invite_is_used_up_by_the_first_acceptance
    => sqlite_a_single_use_invite_is_used_up_by_the_first_acceptance,
       postgres_a_single_use_invite_is_used_up_by_the_first_acceptance);
on_both_backends!(an_expired_invite_is_no_longer_usable
    => sqlite_an_expired_invite_is_no_longer_usable,
       postgres_an_expired_invite_is_no_longer_usable);
on_both_backends!(a_revoked_invite_is_no_longer_usable
    => sqlite_a_revoked_invite_is_no_longer_usable,
       postgres_a_revoked_invite_is_no_longer_usable);
on_both_backends!(concurrent_acceptances_take_a_single_use_invite_once
    => sqlite_concurrent_acceptances_take_a_single_use_invite_once,
       postgres_concurrent_acceptances_take_a_single_use_invite_once, multi_thread);
