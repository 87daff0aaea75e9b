//! Pixie's chat in storage: threads and messages only ever reached through their home,
//! ordering by last activity and by (time, id), cursor paging, JSON documents kept exactly,
//! auto-titles that never overwrite a rename, and token usage summed per home and member.

use crate::fixtures::{insert_user, insert_user_and_home, now};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pantry_core::homes::home::HomeRepository;
use pantry_core::pixie::model::TokenUsage;
use pantry_core::pixie::thread::{
    ChatMessage, ChatRepository, ChatRole, ChatThread, TurnUsage, UsageTotals,
};
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{chat_messages, chat_threads, chat_usage, users};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreChat, StoreHomes};
use serde_json::json;
use uuid::Uuid;

fn ms(n: i64) -> Duration {
    Duration::milliseconds(n)
}

fn thread(home: Uuid, by: Option<Uuid>, at: DateTime<Utc>) -> ChatThread {
    ChatThread {
        id: Uuid::now_v7(),
        home_id: home,
        title: None,
        created_by: by,
        created_at: at,
        updated_at: at,
    }
}

fn message(thread: Uuid, user: Option<Uuid>, text: &str, at: DateTime<Utc>) -> ChatMessage {
    ChatMessage {
        id: Uuid::now_v7(),
        thread_id: thread,
        user_id: user,
        role: ChatRole::User,
        content: text.to_owned(),
        intent: None,
        tool_calls: None,
        ui: None,
        created_at: at,
    }
}

fn usage(home: Uuid, thread: Uuid, user: Uuid, tokens: (u64, u64), at: DateTime<Utc>) -> TurnUsage {
    TurnUsage {
        home_id: home,
        thread_id: thread,
        user_id: user,
        model: "test-model".to_owned(),
        tokens: TokenUsage {
            prompt_tokens: tokens.0,
            completion_tokens: tokens.1,
        },
        at,
    }
}

/// A home with its owner and a chat repository.
struct Chat {
    t: StoreChat,
    home: Uuid,
    user: Uuid,
}

impl Chat {
    async fn new(db: &TestDb) -> Chat {
        let mut conn = db.db.conn().await.expect("conn");
        let (user, home) = insert_user_and_home(&mut conn).await;
        Chat {
            t: StoreChat::new(db.db.clone()),
            home,
            user,
        }
    }

    async fn thread_at(&self, at: DateTime<Utc>) -> ChatThread {
        let thread = thread(self.home, Some(self.user), at);
        self.t.create_thread(&thread).await.expect("create thread");
        thread
    }

    async fn say(&self, thread: Uuid, text: &str, at: DateTime<Utc>) -> ChatMessage {
        let message = message(thread, Some(self.user), text, at);
        self.t
            .append_message(self.home, &message)
            .await
            .expect("append");
        message
    }

    async fn all_messages(&self, thread: Uuid) -> Vec<ChatMessage> {
        self.t
            .messages(self.home, thread, None, 1000)
            .await
            .expect("messages")
    }

    async fn thread_ids(&self) -> Vec<Uuid> {
        self.t
            .threads(self.home, 100)
            .await
            .expect("threads")
            .into_iter()
            .map(|t| t.id)
            .collect()
    }
}

async fn count_rows(db: &TestDb, table: &str, column: &str, key: Uuid) -> i64 {
    let mut conn = db.db.conn().await.expect("conn");
    let key = key.to_string();
    let conn = &mut *conn;
    let counted = match (table, column) {
        ("chat_threads", "home_id") => {
            chat_threads::table
                .filter(chat_threads::home_id.eq(key))
                .count()
                .get_result(conn)
                .await
        }
        ("chat_messages", "thread_id") => {
            chat_messages::table
                .filter(chat_messages::thread_id.eq(key))
                .count()
                .get_result(conn)
                .await
        }
        ("chat_usage", "home_id") => {
            chat_usage::table
                .filter(chat_usage::home_id.eq(key))
                .count()
                .get_result(conn)
                .await
        }
        ("chat_usage", "thread_id") => {
            chat_usage::table
                .filter(chat_usage::thread_id.eq(key))
                .count()
                .get_result(conn)
                .await
        }
        other => panic!("no counter for {other:?}"),
    };
    counted.expect("count")
}

async fn thread_crud(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let created = chat.thread_at(at).await;

    let read = chat.t.thread(chat.home, created.id).await.expect("read");
    assert_eq!(read.as_ref(), Some(&created));
    assert_eq!(read.expect("thread").display_title(), "New Chat");
    assert_eq!(chat.thread_ids().await, vec![created.id]);

    let renamed_at = at + Duration::minutes(5);
    let renamed = chat
        .t
        .rename_thread(chat.home, created.id, "Weekly shop", renamed_at)
        .await
        .expect("rename")
        .expect("the thread is there");
    assert_eq!(renamed.title.as_deref(), Some("Weekly shop"));
    assert_eq!(renamed.updated_at, renamed_at);
    assert_eq!(renamed.created_at, at);
    assert_eq!(
        chat.t.thread(chat.home, created.id).await.expect("read"),
        Some(renamed)
    );

    assert!(
        chat.t
            .delete_thread(chat.home, created.id)
            .await
            .expect("delete")
    );
    assert_eq!(
        chat.t.thread(chat.home, created.id).await.expect("read"),
        None
    );
    assert!(chat.thread_ids().await.is_empty());
    assert!(
        !chat
            .t
            .delete_thread(chat.home, created.id)
            .await
            .expect("delete again"),
        "a second delete finds nothing"
    );
    assert_eq!(
        chat.t
            .rename_thread(chat.home, created.id, "Gone", renamed_at)
            .await
            .expect("rename"),
        None
    );

    // A thread started by nobody (scheduled) and the limit.
    for i in 0..3 {
        let mut t = thread(chat.home, None, at + ms(i));
        t.title = Some(format!("Digest {i}"));
        chat.t.create_thread(&t).await.expect("create");
    }
    let two = chat.t.threads(chat.home, 2).await.expect("threads");
    assert_eq!(two.len(), 2);
    assert_eq!(two[0].title.as_deref(), Some("Digest 2"));
    assert_eq!(two[0].created_by, None);
    assert!(
        chat.t
            .threads(chat.home, 0)
            .await
            .expect("threads")
            .is_empty()
    );
}
on_both_backends!(thread_crud => sqlite_chat_thread_crud, postgres_chat_thread_crud);

async fn another_homes_thread_is_out_of_reach(db: &TestDb) {
    let ours = Chat::new(db).await;
    let theirs = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = ours.thread_at(at).await;
    let said = ours.say(thread.id, "hello", at + ms(1)).await;
    let before = ours.t.thread(ours.home, thread.id).await.expect("read");

    let t = &theirs.t;
    let home = theirs.home;
    assert_eq!(t.thread(home, thread.id).await.expect("thread"), None);
    assert!(t.threads(home, 10).await.expect("threads").is_empty());
    assert_eq!(
        t.rename_thread(home, thread.id, "Mine now", at + ms(5))
            .await
            .expect("rename"),
        None
    );
    assert!(
        !t.title_if_untitled(home, thread.id, "Mine now")
            .await
            .expect("title")
    );
    assert!(
        t.messages(home, thread.id, None, 10)
            .await
            .expect("messages")
            .is_empty()
    );
    assert!(
        t.messages(home, thread.id, Some(said.id), 10)
            .await
            .expect("messages before")
            .is_empty()
    );
    let appended = t
        .append_message(home, &message(thread.id, None, "sneaky", at + ms(9)))
        .await;
    assert!(matches!(appended, Err(RepoError::NotFound)), "{appended:?}");
    assert!(!t.delete_thread(home, thread.id).await.expect("delete"));

    // Nothing changed for its own home.
    assert_eq!(
        ours.t.thread(ours.home, thread.id).await.expect("read"),
        before
    );
    assert_eq!(ours.all_messages(thread.id).await, vec![said]);

    // A thread id that exists nowhere.
    let missing = ours
        .t
        .append_message(ours.home, &message(Uuid::now_v7(), None, "?", at))
        .await;
    assert!(matches!(missing, Err(RepoError::NotFound)), "{missing:?}");
}
on_both_backends!(another_homes_thread_is_out_of_reach
    => sqlite_chat_another_homes_thread_is_out_of_reach,
       postgres_chat_another_homes_thread_is_out_of_reach);

async fn threads_are_ordered_by_last_activity(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let first = chat.thread_at(at).await;
    let second = chat.thread_at(at + ms(10)).await;
    let third = chat.thread_at(at + ms(20)).await;
    assert_eq!(chat.thread_ids().await, vec![third.id, second.id, first.id]);

    // A message moves its thread to the top and its updated_at to the message's time.
    let said = chat.say(first.id, "still there?", at + ms(30)).await;
    assert_eq!(chat.thread_ids().await, vec![first.id, third.id, second.id]);
    let moved = chat.t.thread(chat.home, first.id).await.expect("read");
    assert_eq!(moved.expect("thread").updated_at, said.created_at);

    // A late-arriving older message never moves updated_at backwards.
    chat.say(first.id, "late", at + ms(5)).await;
    let kept = chat.t.thread(chat.home, first.id).await.expect("read");
    assert_eq!(kept.expect("thread").updated_at, at + ms(30));

    // Equal activity: the newer id (UUIDv7) first.
    chat.say(second.id, "tie", at + ms(30)).await;
    assert_eq!(chat.thread_ids().await, vec![second.id, first.id, third.id]);
}
on_both_backends!(threads_are_ordered_by_last_activity
    => sqlite_chat_threads_are_ordered_by_last_activity,
       postgres_chat_threads_are_ordered_by_last_activity);

async fn messages_newest_first_stable_within_a_millisecond(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = chat.thread_at(at).await;
    let mut ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
    ids.sort();
    // Written in the opposite order of their ids, all in one millisecond.
    for (n, id) in ids.iter().enumerate().rev() {
        let mut m = message(thread.id, Some(chat.user), &format!("m{n}"), at + ms(1));
        m.id = *id;
        chat.t.append_message(chat.home, &m).await.expect("append");
    }
    let older = chat.say(thread.id, "older", at).await;
    let newer = chat.say(thread.id, "newer", at + ms(2)).await;

    let got: Vec<String> = chat
        .all_messages(thread.id)
        .await
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(got, ["newer", "m4", "m3", "m2", "m1", "m0", "older"]);

    // Twice the same answer.
    assert_eq!(
        chat.all_messages(thread.id).await,
        chat.all_messages(thread.id).await
    );
    let first = chat
        .t
        .messages(chat.home, thread.id, None, 1)
        .await
        .expect("one");
    assert_eq!(first, vec![newer]);
    let last = chat
        .t
        .messages(chat.home, thread.id, Some(ids[0]), 10)
        .await
        .expect("before m0");
    assert_eq!(last, vec![older]);
}
on_both_backends!(messages_newest_first_stable_within_a_millisecond
    => sqlite_chat_messages_newest_first_stable_within_a_millisecond,
       postgres_chat_messages_newest_first_stable_within_a_millisecond);

async fn paging_back_gives_every_message_once(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = chat.thread_at(at).await;
    let other = chat.thread_at(at).await;
    let foreign = chat.say(other.id, "elsewhere", at + ms(100)).await;
    // 25 messages, three to a millisecond, so pages also split within one millisecond.
    let mut written = Vec::new();
    for i in 0..25 {
        written.push(chat.say(thread.id, &format!("m{i}"), at + ms(i / 3)).await);
    }
    let newest_first: Vec<ChatMessage> = written.into_iter().rev().collect();

    let mut seen = Vec::new();
    let mut before = None;
    let mut sizes = Vec::new();
    loop {
        let page = chat
            .t
            .messages(chat.home, thread.id, before, 10)
            .await
            .expect("page");
        sizes.push(page.len());
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(page);
    }
    assert_eq!(sizes, [10, 10, 5, 0]);
    assert_eq!(seen, newest_first);

    // A cursor that is not a message of this thread gives nothing (not an error).
    for cursor in [foreign.id, Uuid::now_v7()] {
        assert!(
            chat.t
                .messages(chat.home, thread.id, Some(cursor), 10)
                .await
                .expect("foreign cursor")
                .is_empty()
        );
    }
}
on_both_backends!(paging_back_gives_every_message_once
    => sqlite_chat_paging_back_gives_every_message_once,
       postgres_chat_paging_back_gives_every_message_once);

async fn tool_calls_and_ui_round_trip_exactly(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = chat.thread_at(at).await;
    let mut reply = message(thread.id, Some(chat.user), "Added 🥛 oat milk.", at + ms(1));
    reply.role = ChatRole::Assistant;
    reply.intent = Some("add_to_list".to_owned());
    reply.tool_calls = Some(json!([
        {
            "id": "call_1",
            "name": "add_to_list",
            "arguments": { "items": [{ "name": "oat milk", "quantity": 2.5 }] },
            "result": { "ok": true, "ids": [u64::MAX, -7, 0], "note": null,
                        "text": "quote \" backslash \\ newline \n tab \t ünïcödé ✓" }
        },
        { "id": "call_2", "name": "noop", "arguments": {}, "result": [] }
    ]));
    reply.ui = Some(json!({
        "type": "list_update",
        "items": [{ "name": "oat milk", "checked": false, "price": 1.99e-3 }],
        "empty": {}
    }));
    chat.t
        .append_message(chat.home, &reply)
        .await
        .expect("append");
    let plain = chat.say(thread.id, "thanks", at + ms(2)).await;
    let mut null_doc = message(thread.id, None, "null", at + ms(3));
    null_doc.tool_calls = Some(serde_json::Value::Null);
    chat.t
        .append_message(chat.home, &null_doc)
        .await
        .expect("append");

    assert_eq!(
        chat.all_messages(thread.id).await,
        vec![null_doc, plain, reply]
    );
}
on_both_backends!(tool_calls_and_ui_round_trip_exactly
    => sqlite_chat_tool_calls_and_ui_round_trip_exactly,
       postgres_chat_tool_calls_and_ui_round_trip_exactly);

/// A stored document or role this crate could not have written is a storage fault, not a
/// panic.
async fn corrupt_rows_are_storage_errors(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    for (column, value) in [
        ("ui", "{not json"),
        ("tool_calls", "[1,"),
        ("role", "system"),
    ] {
        let thread = chat.thread_at(at).await;
        let m = chat.say(thread.id, "x", at).await;
        let mut conn = db.db.conn().await.expect("conn");
        let row = chat_messages::table.find(m.id.to_string());
        let update = match column {
            "ui" => {
                diesel::update(row)
                    .set(chat_messages::ui.eq(value))
                    .execute(&mut *conn)
                    .await
            }
            "tool_calls" => {
                diesel::update(row)
                    .set(chat_messages::tool_calls.eq(value))
                    .execute(&mut *conn)
                    .await
            }
            _ => {
                diesel::update(row)
                    .set(chat_messages::role.eq(value))
                    .execute(&mut *conn)
                    .await
            }
        };
        update.expect("corrupt the row");
        let read = chat.t.messages(chat.home, thread.id, None, 10).await;
        assert!(
            matches!(&read, Err(RepoError::Storage(text)) if text.contains(column)),
            "{column}: {read:?}"
        );
    }
}
on_both_backends!(corrupt_rows_are_storage_errors
    => sqlite_chat_corrupt_rows_are_storage_errors,
       postgres_chat_corrupt_rows_are_storage_errors);

async fn auto_title_never_overwrites_a_rename(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);

    let renamed = chat.thread_at(at).await;
    chat.t
        .rename_thread(chat.home, renamed.id, "Party", at + ms(10))
        .await
        .expect("rename")
        .expect("thread");
    assert!(
        !chat
            .t
            .title_if_untitled(chat.home, renamed.id, "Auto title")
            .await
            .expect("auto title")
    );
    let after = chat.t.thread(chat.home, renamed.id).await.expect("read");
    assert_eq!(after.expect("thread").title.as_deref(), Some("Party"));

    let untitled = chat.thread_at(at).await;
    assert!(
        chat.t
            .title_if_untitled(chat.home, untitled.id, "Auto title")
            .await
            .expect("auto title")
    );
    let titled = chat
        .t
        .thread(chat.home, untitled.id)
        .await
        .expect("read")
        .expect("thread");
    assert_eq!(titled.title.as_deref(), Some("Auto title"));
    assert_eq!(titled.updated_at, at, "auto titles are not activity");
    assert!(
        !chat
            .t
            .title_if_untitled(chat.home, untitled.id, "Second guess")
            .await
            .expect("again")
    );
    assert!(
        !chat
            .t
            .title_if_untitled(chat.home, Uuid::now_v7(), "Nobody")
            .await
            .expect("missing thread")
    );
}
on_both_backends!(auto_title_never_overwrites_a_rename
    => sqlite_chat_auto_title_never_overwrites_a_rename,
       postgres_chat_auto_title_never_overwrites_a_rename);

async fn deleting_a_thread_keeps_its_usage(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let gone = chat.thread_at(at).await;
    let kept = chat.thread_at(at).await;
    for i in 0..3 {
        chat.say(gone.id, "q", at + ms(i)).await;
    }
    let kept_message = chat.say(kept.id, "stay", at + ms(5)).await;
    let u = |thread, tokens, i| usage(chat.home, thread, chat.user, tokens, at + ms(i));
    chat.t
        .record_usage(&u(gone.id, (100, 20), 1))
        .await
        .expect("usage");
    chat.t
        .record_usage(&u(kept.id, (10, 2), 2))
        .await
        .expect("usage");
    let before = chat.t.usage_since(chat.home, at).await.expect("usage");
    assert_eq!(count_rows(db, "chat_usage", "thread_id", gone.id).await, 1);

    assert!(
        chat.t
            .delete_thread(chat.home, gone.id)
            .await
            .expect("delete")
    );
    assert_eq!(
        count_rows(db, "chat_messages", "thread_id", gone.id).await,
        0
    );
    assert_eq!(count_rows(db, "chat_usage", "thread_id", gone.id).await, 0);
    assert_eq!(count_rows(db, "chat_usage", "home_id", chat.home).await, 2);
    let after = chat.t.usage_since(chat.home, at).await.expect("usage");
    assert_eq!(after, before);
    assert_eq!(
        after.tokens,
        TokenUsage {
            prompt_tokens: 110,
            completion_tokens: 22
        }
    );
    assert_eq!(chat.all_messages(kept.id).await, vec![kept_message]);
}
on_both_backends!(deleting_a_thread_keeps_its_usage
    => sqlite_chat_deleting_a_thread_keeps_its_usage,
       postgres_chat_deleting_a_thread_keeps_its_usage);

async fn usage_since_counts_from_the_boundary_per_member(db: &TestDb) {
    let chat = Chat::new(db).await;
    let other_home = Chat::new(db).await;
    let since = now() - Duration::hours(1);
    let thread = chat.thread_at(since - Duration::hours(1)).await;
    let (alice, home) = (chat.user, chat.home);
    let (bob, carol, dave) = {
        let mut conn = db.db.conn().await.expect("conn");
        (
            insert_user(&mut conn).await,
            insert_user(&mut conn).await,
            insert_user(&mut conn).await,
        )
    };
    let empty = chat.t.usage_since(home, since).await.expect("usage");
    assert_eq!(empty, UsageTotals::default());

    let record = |user, tokens, at| {
        let t = &chat.t;
        let row = usage(home, thread.id, user, tokens, at);
        async move { t.record_usage(&row).await.expect("record") }
    };
    record(alice, (1000, 1000), since - ms(1)).await; // just before: not counted
    record(alice, (10, 5), since).await; // exactly at `since`: counted
    record(alice, (20, 5), since + ms(1)).await;
    record(bob, (30, 10), since + Duration::minutes(5)).await;
    record(carol, (50, 0), since + Duration::minutes(6)).await;
    record(dave, (7, 0), since + Duration::minutes(7)).await;
    // Another home's usage is not ours.
    let theirs = other_home.thread_at(since).await;
    other_home
        .t
        .record_usage(&usage(
            other_home.home,
            theirs.id,
            other_home.user,
            (999, 999),
            since,
        ))
        .await
        .expect("record");
    // Dave's account goes: his row stays in the totals, without a member.
    let mut conn = db.db.conn().await.expect("conn");
    diesel::delete(users::table.find(dave.to_string()))
        .execute(&mut *conn)
        .await
        .expect("delete dave");
    drop(conn);

    let got = chat.t.usage_since(home, since).await.expect("usage");
    assert_eq!(
        got.tokens,
        TokenUsage {
            prompt_tokens: 10 + 20 + 30 + 50 + 7,
            completion_tokens: 5 + 5 + 10
        }
    );
    assert_eq!(got.turns, 5);
    // Carol's 50 tokens first; Alice and Bob tie on 40: the smaller user id first.
    let (first, second) = if alice < bob {
        (alice, bob)
    } else {
        (bob, alice)
    };
    let tokens_of = |user| {
        if user == alice {
            (
                TokenUsage {
                    prompt_tokens: 30,
                    completion_tokens: 10,
                },
                2,
            )
        } else {
            (
                TokenUsage {
                    prompt_tokens: 30,
                    completion_tokens: 10,
                },
                1,
            )
        }
    };
    let (first_tokens, first_turns) = tokens_of(first);
    let (second_tokens, second_turns) = tokens_of(second);
    assert_eq!(
        got.by_user,
        vec![
            (
                carol,
                TokenUsage {
                    prompt_tokens: 50,
                    completion_tokens: 0
                },
                1
            ),
            (first, first_tokens, first_turns),
            (second, second_tokens, second_turns),
        ]
    );

    // One millisecond later the boundary row drops out.
    let later = chat
        .t
        .usage_since(home, since + ms(1))
        .await
        .expect("usage");
    assert_eq!(later.turns, 4);
    assert_eq!(later.tokens.total(), 20 + 5 + 30 + 10 + 50 + 7);
}
on_both_backends!(usage_since_counts_from_the_boundary_per_member
    => sqlite_chat_usage_since_counts_from_the_boundary_per_member,
       postgres_chat_usage_since_counts_from_the_boundary_per_member);

/// Messages racing a delete of their thread: each append either lands (and goes with the
/// thread) or finds the thread gone; none fails any other way or outlives the thread.
async fn appends_racing_a_delete_are_stored_or_not_found(db: &TestDb) {
    let chat = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = chat.thread_at(at).await;
    let appends = (0..16).map(|i| {
        let (repo, home) = (chat.t.clone(), chat.home);
        let m = message(thread.id, None, &format!("m{i}"), at + ms(i));
        tokio::spawn(async move { repo.append_message(home, &m).await })
    });
    let appends: Vec<_> = appends.collect();
    let deleted = {
        let (repo, home, id) = (chat.t.clone(), chat.home, thread.id);
        tokio::spawn(async move { repo.delete_thread(home, id).await })
    };
    for append in appends {
        match append.await.expect("task") {
            Ok(()) | Err(RepoError::NotFound) => {}
            other => panic!("append racing a delete: {other:?}"),
        }
    }
    assert!(deleted.await.expect("task").expect("delete"));
    assert_eq!(
        count_rows(db, "chat_messages", "thread_id", thread.id).await,
        0
    );
}
on_both_backends!(appends_racing_a_delete_are_stored_or_not_found
    => sqlite_chat_appends_racing_a_delete_are_stored_or_not_found,
       postgres_chat_appends_racing_a_delete_are_stored_or_not_found,
       multi_thread);

/// A turn whose thread or member went away while Pixie answered is still charged to the home.
async fn usage_outlives_a_deleted_thread_or_member(db: &TestDb) {
    let chat = Chat::new(db).await;
    let other = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let gone = chat.thread_at(at).await;
    assert!(
        chat.t
            .delete_thread(chat.home, gone.id)
            .await
            .expect("delete")
    );
    let left = {
        let mut conn = db.db.conn().await.expect("conn");
        let user = insert_user(&mut conn).await;
        diesel::delete(users::table.find(user.to_string()))
            .execute(&mut *conn)
            .await
            .expect("delete user");
        user
    };
    let theirs = other.thread_at(at).await;
    for (thread, user) in [
        (gone.id, chat.user),
        (theirs.id, chat.user),
        (gone.id, left),
    ] {
        chat.t
            .record_usage(&usage(chat.home, thread, user, (3, 1), at))
            .await
            .expect("recorded");
    }
    let got = chat.t.usage_since(chat.home, at).await.expect("usage");
    assert_eq!(got.turns, 3);
    assert_eq!(got.tokens.total(), 12);
    assert_eq!(got.by_user.len(), 1, "the deleted member has no row");
    assert_eq!(got.by_user[0].0, chat.user);
    assert_eq!(got.by_user[0].2, 2);
    // None of them points at a thread: one is gone, the other is another home's.
    assert_eq!(
        count_rows(db, "chat_usage", "thread_id", theirs.id).await,
        0
    );
    assert_eq!(
        other
            .t
            .usage_since(other.home, at)
            .await
            .expect("usage")
            .turns,
        0
    );

    let no_home = chat
        .t
        .record_usage(&usage(Uuid::now_v7(), gone.id, chat.user, (1, 1), at))
        .await;
    assert!(matches!(no_home, Err(RepoError::NotFound)), "{no_home:?}");
}
on_both_backends!(usage_outlives_a_deleted_thread_or_member
    => sqlite_chat_usage_outlives_a_deleted_thread_or_member,
       postgres_chat_usage_outlives_a_deleted_thread_or_member);

async fn deleting_a_home_removes_its_chat(db: &TestDb) {
    let chat = Chat::new(db).await;
    let kept = Chat::new(db).await;
    let at = now() - Duration::hours(1);
    let thread = chat.thread_at(at).await;
    chat.say(thread.id, "hi", at + ms(1)).await;
    chat.t
        .record_usage(&usage(chat.home, thread.id, chat.user, (5, 5), at))
        .await
        .expect("usage");
    let kept_thread = kept.thread_at(at).await;
    kept.say(kept_thread.id, "hi", at + ms(1)).await;
    kept.t
        .record_usage(&usage(kept.home, kept_thread.id, kept.user, (5, 5), at))
        .await
        .expect("usage");

    StoreHomes::new(db.db.clone())
        .delete(chat.home)
        .await
        .expect("delete home");
    assert_eq!(
        count_rows(db, "chat_threads", "home_id", chat.home).await,
        0
    );
    assert_eq!(
        count_rows(db, "chat_messages", "thread_id", thread.id).await,
        0
    );
    assert_eq!(count_rows(db, "chat_usage", "home_id", chat.home).await, 0);

    assert_eq!(kept.thread_ids().await, vec![kept_thread.id]);
    assert_eq!(kept.all_messages(kept_thread.id).await.len(), 1);
    assert_eq!(
        kept.t
            .usage_since(kept.home, at)
            .await
            .expect("usage")
            .turns,
        1
    );
}
on_both_backends!(deleting_a_home_removes_its_chat
    => sqlite_chat_deleting_a_home_removes_its_chat,
       postgres_chat_deleting_a_home_removes_its_chat);

/// Every stored message joins the home's change log in the same transaction: a member's as
/// theirs, a reply as Pixie's for them, with the message (and its card) as the payload, so
/// sockets on every instance see it and a resume replays it. A refused append logs nothing.
async fn stored_messages_join_the_change_log(db: &TestDb) {
    use pantry_core::change_log::{ActorKind, ChangeLogReader};
    use pantry_store::StoreChangeLog;
    let c = Chat::new(db).await;
    let log = StoreChangeLog::new(db.db.clone());
    let t = c.thread_at(now()).await;
    let before = log.latest_seq(c.home).await.expect("seq");
    let asked = c.say(t.id, "we need eggs", now()).await;
    let mut reply = message(t.id, Some(c.user), "On the list!", now() + ms(5));
    reply.role = ChatRole::Assistant;
    reply.ui = Some(json!({"type": "grocery-list", "data": {"items": []}}));
    c.t.append_message(c.home, &reply).await.expect("reply");

    let events = log.events_since(c.home, before, 10).await.expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, "chat.message_added");
    assert_eq!(events[0].entity_id, Some(asked.id));
    assert_eq!(events[0].actor.kind, ActorKind::User);
    assert_eq!(events[0].actor.user_id, Some(c.user));
    assert_eq!(events[0].payload["content"], "we need eggs");
    assert_eq!(events[0].payload["threadId"], json!(t.id));
    assert_eq!(events[1].actor.kind, ActorKind::Pixie);
    assert_eq!(events[1].actor.user_id, Some(c.user));
    assert_eq!(events[1].payload["role"], "assistant");
    assert_eq!(events[1].payload["ui"]["type"], "grocery-list");

    // Through another home: nothing stored, nothing logged anywhere.
    let other = Chat::new(db).await;
    let other_before = log.latest_seq(other.home).await.expect("seq");
    let stray = message(t.id, Some(other.user), "hi", now());
    assert!(matches!(
        other.t.append_message(other.home, &stray).await,
        Err(RepoError::NotFound)
    ));
    assert_eq!(log.latest_seq(other.home).await.expect("seq"), other_before);
    assert_eq!(log.latest_seq(c.home).await.expect("seq"), before + 2);
}
on_both_backends!(stored_messages_join_the_change_log
    => sqlite_chat_stored_messages_join_the_change_log, postgres_chat_stored_messages_join_the_change_log);
