//! Rows the tests need, inserted straight through the diesel schema.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::change_log::{Actor, ActorKind, NewHomeEvent};
use pantry_store::AnyConnection;
use pantry_store::schema::{grocery_lists, homes, memberships, users};
use uuid::Uuid;

/// Now, at the millisecond precision both databases store.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

fn naive_now() -> NaiveDateTime {
    now().naive_utc()
}

pub async fn insert_user(conn: &mut AnyConnection) -> Uuid {
    let id = Uuid::now_v7();
    let email = format!("{}@example.test", id.simple());
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id.to_string()),
            users::email.eq(&email),
            users::email_normalized.eq(&email),
            users::name.eq("Alice"),
            users::password_hash.eq("$argon2id$test"),
            users::created_at.eq(naive_now()),
            users::updated_at.eq(naive_now()),
        ))
        .execute(conn)
        .await
        .expect("insert user");
    id
}

pub async fn insert_home(conn: &mut AnyConnection, owner: Uuid) -> Uuid {
    let id = Uuid::now_v7();
    diesel::insert_into(homes::table)
        .values((
            homes::id.eq(id.to_string()),
            homes::name.eq("Home"),
            homes::owner_id.eq(owner.to_string()),
            homes::created_at.eq(naive_now()),
            homes::updated_at.eq(naive_now()),
        ))
        .execute(conn)
        .await
        .expect("insert home");
    id
}

/// A user and a home they own.
pub async fn insert_user_and_home(conn: &mut AnyConnection) -> (Uuid, Uuid) {
    let user = insert_user(conn).await;
    let home = insert_home(conn, user).await;
    (user, home)
}

pub async fn insert_membership(
    conn: &mut AnyConnection,
    home: Uuid,
    user: Uuid,
    role: &str,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(Uuid::now_v7().to_string()),
            memberships::home_id.eq(home.to_string()),
            memberships::user_id.eq(user.to_string()),
            memberships::role.eq(role),
            memberships::joined_at.eq(naive_now()),
        ))
        .execute(conn)
        .await
}

pub async fn insert_list(
    conn: &mut AnyConnection,
    home: Uuid,
    is_default: bool,
) -> QueryResult<usize> {
    diesel::insert_into(grocery_lists::table)
        .values((
            grocery_lists::id.eq(Uuid::now_v7().to_string()),
            grocery_lists::home_id.eq(home.to_string()),
            grocery_lists::name.eq(if is_default { "Quick Items" } else { "Weekly" }),
            grocery_lists::is_default.eq(is_default),
            grocery_lists::created_at.eq(naive_now()),
            grocery_lists::updated_at.eq(naive_now()),
        ))
        .execute(conn)
        .await
}

/// An event by a user, with a payload that says which one it is.
pub fn event(home: Uuid, n: u32) -> NewHomeEvent {
    NewHomeEvent {
        home_id: home,
        kind: "item.added".to_owned(),
        entity_id: Some(Uuid::now_v7()),
        payload: serde_json::json!({ "n": n, "name": "oat milk", "tags": ["dairy-free"] }),
        actor: Actor {
            kind: ActorKind::User,
            user_id: Some(Uuid::now_v7()),
        },
        at: now(),
    }
}
