//! Live-update hints: each committed append is announced, deleting a home is announced, and
//! on PostgreSQL only commits are, across instances, and a lost listener comes back asking
//! for a resync.

use crate::fixtures::{event, insert_user_and_home};
use diesel_async::{AsyncConnection, SimpleAsyncConnection};
use pantry_core::change_signals::{ChangeHint, ChangeHints, ChangeSignals};
use pantry_core::homes::home::HomeRepository;
use pantry_core::repo_error::RepoError;
use pantry_store::test_support::TestDb;
use pantry_store::{Backend, Database, StoreChangeSignals, StoreHomes, TxError, append_event};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(10);

/// Signals of `db`, with the PostgreSQL listener connected (a NOTIFY sent before it listens
/// is not received; the resync it asks for on connecting covers that in real use).
async fn started(db: &Database) -> (StoreChangeSignals, Box<dyn ChangeHints>) {
    let signals = StoreChangeSignals::start(db, |_| {});
    let hints = signals.subscribe();
    if db.backend() == Backend::Postgres {
        tokio::time::timeout(PATIENCE, async {
            while signals.listener_pid().is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the listener connects");
    }
    (signals, hints)
}

/// The next hint that is not a resync.
async fn next_change(hints: &mut Box<dyn ChangeHints>) -> ChangeHint {
    tokio::time::timeout(PATIENCE, async {
        loop {
            match hints.next().await.expect("the hint source lives") {
                ChangeHint::Resync => continue,
                hint => return hint,
            }
        }
    })
    .await
    .expect("a hint arrives")
}

async fn committed_appends_and_deletions_are_hinted(t: &TestDb) {
    let (_signals, mut hints) = started(&t.db).await;
    let home = {
        let mut conn = t.db.conn().await.expect("conn");
        let (_, home) = insert_user_and_home(&mut conn).await;
        conn.transaction::<(), TxError, _>(async |c| {
            append_event(c, &event(home, 1)).await?;
            append_event(c, &event(home, 2)).await?;
            Ok(())
        })
        .await
        .expect("commit");
        home
    };
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::Appended {
            home_id: home,
            seq: 1
        }
    );
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::Appended {
            home_id: home,
            seq: 2
        }
    );

    StoreHomes::new(t.db.clone())
        .delete(home)
        .await
        .expect("delete");
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::HomeDeleted { home_id: home }
    );
    // Deleting what is not there announces nothing.
    assert!(matches!(
        StoreHomes::new(t.db.clone()).delete(home).await,
        Err(RepoError::NotFound)
    ));
}
on_both_backends!(committed_appends_and_deletions_are_hinted => sqlite_committed_appends_and_deletions_are_hinted, postgres_committed_appends_and_deletions_are_hinted);

/// PostgreSQL sends the NOTIFY at commit: a rolled-back append is never announced, so the
/// next hint is the next commit's.
#[tokio::test]
async fn postgres_a_rolled_back_append_is_not_hinted() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let (_signals, mut hints) = started(&t.db).await;
    let mut conn = t.db.conn().await.expect("conn");
    let (_, a) = insert_user_and_home(&mut conn).await;
    let (_, b) = insert_user_and_home(&mut conn).await;
    let rolled_back = conn
        .transaction::<(), TxError, _>(async |c| {
            append_event(c, &event(a, 1)).await?;
            Err(RepoError::Conflict("the change failed".to_owned()).into())
        })
        .await;
    assert!(rolled_back.is_err());
    append_event(&mut conn, &event(b, 1)).await.expect("b");
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::Appended { home_id: b, seq: 1 }
    );
}

/// Two instances on one PostgreSQL database: an append through one is hinted to the other.
#[tokio::test]
async fn postgres_hints_reach_other_instances() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let other = Database::new(&t.config()).expect("second pool");
    let (_signals, mut hints) = started(&other).await;
    let mut conn = t.db.conn().await.expect("conn");
    let (_, home) = insert_user_and_home(&mut conn).await;
    append_event(&mut conn, &event(home, 1))
        .await
        .expect("append");
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::Appended {
            home_id: home,
            seq: 1
        }
    );
    other.close();
}

/// The listener's connection is terminated: it reconnects (a new server process), asks for a
/// resync, and hints arrive again.
#[tokio::test]
async fn postgres_a_lost_listener_reconnects_and_asks_for_a_resync() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let (signals, mut hints) = started(&t.db).await;
    let first = signals.listener_pid().expect("connected");
    // The resync sent on the first connection.
    assert_eq!(
        tokio::time::timeout(PATIENCE, hints.next())
            .await
            .expect("hint"),
        Some(ChangeHint::Resync)
    );

    let mut conn = t.db.conn().await.expect("conn");
    conn.batch_execute(&format!("SELECT pg_terminate_backend({first})"))
        .await
        .expect("terminate the listener");
    assert_eq!(
        tokio::time::timeout(PATIENCE, hints.next())
            .await
            .expect("hint"),
        Some(ChangeHint::Resync),
        "a reconnected listener asks for a resync"
    );
    let second = signals.listener_pid().expect("connected again");
    assert_ne!(first, second);
    assert_eq!(signals.listener_connections(), 2);

    let (_, home) = insert_user_and_home(&mut conn).await;
    append_event(&mut conn, &event(home, 1))
        .await
        .expect("append");
    assert_eq!(
        next_change(&mut hints).await,
        ChangeHint::Appended {
            home_id: home,
            seq: 1
        }
    );
}
