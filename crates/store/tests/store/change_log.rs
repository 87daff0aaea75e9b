//! The per-home change log: gap-free ordered seqs per home, transactional appends, reads.

use crate::fixtures::{event, insert_user_and_home};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use pantry_core::change_log::{ChangeLogReader, HomeEvent};
use pantry_core::repo_error::RepoError;
use pantry_store::schema::{home_events, homes, memberships, users};
use pantry_store::test_support::TestDb;
use pantry_store::{StoreChangeLog, TxError, append_event};
use uuid::Uuid;

fn seqs(events: &[HomeEvent]) -> Vec<i64> {
    events.iter().map(|e| e.seq).collect()
}

async fn seqs_count_per_home(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let (_, a) = insert_user_and_home(&mut conn).await;
    let (_, b) = insert_user_and_home(&mut conn).await;

    let mut got_a = Vec::new();
    let mut got_b = Vec::new();
    for n in 0..3 {
        got_a.push(
            append_event(&mut conn, &event(a, n))
                .await
                .expect("append a")
                .seq,
        );
        if n < 2 {
            got_b.push(
                append_event(&mut conn, &event(b, n))
                    .await
                    .expect("append b")
                    .seq,
            );
        }
    }
    assert_eq!(got_a, [1, 2, 3]);
    assert_eq!(got_b, [1, 2]);

    // The returned event is what was asked for, and it reads back identically.
    let new = event(a, 99);
    let appended = append_event(&mut conn, &new).await.expect("append");
    assert_eq!(appended.seq, 4);
    assert_eq!(
        (
            &appended.kind,
            appended.entity_id,
            &appended.payload,
            appended.actor,
            appended.at
        ),
        (&new.kind, new.entity_id, &new.payload, new.actor, new.at)
    );
    let log = StoreChangeLog::new(t.db.clone());
    let read = log.events_since(a, 3, 10).await.expect("read");
    assert_eq!(read, vec![appended]);
}
on_both_backends!(seqs_count_per_home => sqlite_seqs_count_per_home, postgres_seqs_count_per_home);

async fn events_since_and_latest_seq(t: &TestDb) {
    let log = StoreChangeLog::new(t.db.clone());
    let (a, other) = {
        let mut conn = t.db.conn().await.expect("conn");
        let (_, a) = insert_user_and_home(&mut conn).await;
        let (_, other) = insert_user_and_home(&mut conn).await;
        (a, other)
    };
    assert_eq!(log.latest_seq(a).await.expect("latest"), 0);
    assert!(log.events_since(a, 0, 10).await.expect("empty").is_empty());

    {
        let mut conn = t.db.conn().await.expect("conn");
        for n in 1..=5 {
            append_event(&mut conn, &event(a, n)).await.expect("append");
        }
        append_event(&mut conn, &event(other, 1))
            .await
            .expect("append other");
    }

    assert_eq!(log.latest_seq(a).await.expect("latest"), 5);
    assert_eq!(log.latest_seq(other).await.expect("latest other"), 1);
    assert_eq!(
        seqs(&log.events_since(a, 0, 100).await.expect("all")),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        seqs(&log.events_since(a, 2, 2).await.expect("slice")),
        [3, 4]
    );
    assert_eq!(seqs(&log.events_since(a, 4, 100).await.expect("tail")), [5]);
    assert!(
        log.events_since(a, 5, 100)
            .await
            .expect("none after")
            .is_empty()
    );
    assert!(log.events_since(a, 0, 0).await.expect("limit 0").is_empty());
    let payload_n: Vec<i64> = log
        .events_since(a, 0, 100)
        .await
        .expect("all")
        .iter()
        .map(|e| e.payload["n"].as_i64().expect("n"))
        .collect();
    assert_eq!(
        payload_n,
        [1, 2, 3, 4, 5],
        "events come back in append order"
    );

    let unknown = Uuid::now_v7();
    assert!(matches!(
        log.latest_seq(unknown).await,
        Err(RepoError::NotFound)
    ));
    assert!(
        log.events_since(unknown, 0, 10)
            .await
            .expect("unknown")
            .is_empty()
    );
}
on_both_backends!(events_since_and_latest_seq => sqlite_events_since_and_latest_seq, postgres_events_since_and_latest_seq);

async fn append_to_a_missing_home_is_not_found(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let err = append_event(&mut conn, &event(Uuid::now_v7(), 1))
        .await
        .expect_err("no such home");
    assert!(matches!(err, RepoError::NotFound), "{err:?}");
}
on_both_backends!(append_to_a_missing_home_is_not_found => sqlite_append_to_a_missing_home_is_not_found, postgres_append_to_a_missing_home_is_not_found);

async fn rolled_back_append_leaves_no_trace(t: &TestDb) {
    let log = StoreChangeLog::new(t.db.clone());
    let mut conn = t.db.conn().await.expect("conn");
    let (_, home) = insert_user_and_home(&mut conn).await;
    append_event(&mut conn, &event(home, 1))
        .await
        .expect("first");

    let result = conn
        .transaction::<(), TxError, _>(async |c| {
            let ev = append_event(c, &event(home, 2)).await?;
            assert_eq!(ev.seq, 2, "visible inside the transaction");
            Err(RepoError::Conflict("the change itself failed".to_owned()).into())
        })
        .await;
    assert!(matches!(
        result.map_err(RepoError::from),
        Err(RepoError::Conflict(_))
    ));

    assert_eq!(log.latest_seq(home).await.expect("latest"), 1);
    assert_eq!(
        seqs(&log.events_since(home, 0, 10).await.expect("read")),
        [1]
    );
    // The number was not used up: the next committed append takes it.
    let next = conn
        .transaction::<_, TxError, _>(async |c| Ok(append_event(c, &event(home, 3)).await?))
        .await
        .expect("commit");
    assert_eq!(next.seq, 2);
}
on_both_backends!(rolled_back_append_leaves_no_trace => sqlite_rolled_back_append_leaves_no_trace, postgres_rolled_back_append_leaves_no_trace);

/// 20 writers × 5 appends each, every append in its own transaction on its own pooled
/// connection: exactly 1..=100, no gap, no duplicate.
async fn concurrent_appends_are_gap_free(t: &TestDb) {
    let home = {
        let mut conn = t.db.conn().await.expect("conn");
        insert_user_and_home(&mut conn).await.1
    };
    let writers: Vec<_> = (0..20u32)
        .map(|w| {
            let db = t.db.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                for i in 0..5 {
                    let mut conn = db.conn().await.expect("conn");
                    let ev = event(home, w * 5 + i);
                    let appended = conn
                        .transaction::<_, TxError, _>(async |c| Ok(append_event(c, &ev).await?))
                        .await
                        .expect("append");
                    got.push(appended.seq);
                }
                got
            })
        })
        .collect();

    let mut all = Vec::new();
    for writer in writers {
        let got = writer.await.expect("writer task");
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "one writer's seqs increase: {got:?}"
        );
        all.extend(got);
    }
    all.sort_unstable();
    assert_eq!(all, (1..=100).collect::<Vec<i64>>());

    let log = StoreChangeLog::new(t.db.clone());
    assert_eq!(log.latest_seq(home).await.expect("latest"), 100);
    let stored = log.events_since(home, 0, 1000).await.expect("read");
    assert_eq!(seqs(&stored), (1..=100).collect::<Vec<i64>>());
}
on_both_backends!(concurrent_appends_are_gap_free => sqlite_concurrent_appends_are_gap_free, postgres_concurrent_appends_are_gap_free, multi_thread);

async fn deleting_a_home_cascades(t: &TestDb) {
    let mut conn = t.db.conn().await.expect("conn");
    let (owner, home) = insert_user_and_home(&mut conn).await;
    let (_, kept) = insert_user_and_home(&mut conn).await;
    crate::fixtures::insert_membership(&mut conn, home, owner, "owner")
        .await
        .expect("membership");
    diesel::update(users::table.find(owner.to_string()))
        .set(users::active_home_id.eq(Some(home.to_string())))
        .execute(&mut *conn)
        .await
        .expect("set active home");
    for n in 0..3 {
        append_event(&mut conn, &event(home, n))
            .await
            .expect("append");
    }
    append_event(&mut conn, &event(kept, 0))
        .await
        .expect("append kept");

    diesel::delete(homes::table.find(home.to_string()))
        .execute(&mut *conn)
        .await
        .expect("delete home");

    let events_left: i64 = home_events::table
        .filter(home_events::home_id.eq(home.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(events_left, 0, "events cascade with their home");
    let members_left: i64 = memberships::table
        .filter(memberships::home_id.eq(home.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(members_left, 0, "memberships cascade with their home");
    let active: Option<String> = users::table
        .find(owner.to_string())
        .select(users::active_home_id)
        .get_result(&mut *conn)
        .await
        .expect("user");
    assert_eq!(active, None, "active_home_id is set to NULL");
    let other_events: i64 = home_events::table
        .filter(home_events::home_id.eq(kept.to_string()))
        .count()
        .get_result(&mut *conn)
        .await
        .expect("count");
    assert_eq!(other_events, 1, "other homes keep their log");
}
on_both_backends!(deleting_a_home_cascades => sqlite_deleting_a_home_cascades, postgres_deleting_a_home_cascades);
