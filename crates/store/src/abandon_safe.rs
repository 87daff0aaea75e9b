//! How SQLite queries run: on tokio's blocking pool, and safe to abandon on any runtime.
//!
//! When a query's future is dropped before the query finished (the client hung up, the
//! request timed out), diesel-async must wait for the statement still running on its blocking
//! thread before the connection can be used again. Its default runner waits with
//! `block_in_place`, which panics on a current-thread runtime, and every actix worker is one:
//! an abandoned request would take its worker down. This runner waits with a plain blocking
//! receive instead. That cannot deadlock (the statement runs on a blocking-pool thread, not on
//! the waiting one); it holds the worker for the rest of one SQLite statement, which is
//! milliseconds.

use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{Receiver, sync_channel};
use std::task::{Context, Poll};
use tokio::task::JoinHandle;

/// The blocking-task runner of SQLite connections.
#[derive(Debug, Default, Clone, Copy)]
pub struct WaitOnAbandon;

/// A running blocking task that, if dropped early, waits for the task to finish.
struct Finishing<R> {
    handle: JoinHandle<R>,
    /// Signalled once the task, and everything it captured, is done.
    done: Option<Receiver<()>>,
}

impl<R> Future for Finishing<R> {
    type Output = Result<R, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let polled = Pin::new(&mut self.handle).poll(cx);
        if polled.is_ready() {
            self.done = None;
        }
        polled
    }
}

impl<R> Drop for Finishing<R> {
    fn drop(&mut self) {
        if let Some(done) = self.done.take()
            && !self.handle.is_finished()
        {
            // Returns when the task signals, or when it panicked and dropped the sender.
            let _ = done.recv();
        }
    }
}

impl SpawnBlocking for WaitOnAbandon {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        let (finished, done) = sync_channel::<()>(1);
        let handle = tokio::task::spawn_blocking(move || {
            // `task` and what it captured (the connection handle) are dropped when it returns,
            // so the signal means the connection is free again.
            let result = task();
            let _ = finished.send(());
            result
        });
        Finishing {
            handle,
            done: Some(done),
        }
        .map(|joined| joined.map_err(|e| Box::new(e) as Box<dyn Error + Send + Sync>))
        .boxed()
    }

    fn get_runtime() -> Self {
        Self
    }
}
