//! Dedicated threads for password hashing.
//!
//! argon2id is deliberately expensive (~22 ms of CPU and 19 MiB of memory per hash here).
//! Running it on these threads rather than on actix workers or tokio's shared blocking pool
//! gives three properties:
//! - **Other requests keep their latency during a login flood:** the threads run at the lowest
//!   scheduling priority (nice 19), so the request workers win the CPU whenever they need it
//!   and hashing uses what is left.
//! - **Bounded work and memory:** at most `threads` hashes run at once, and at most `queue`
//!   wait; past that a login is refused at once (503) instead of queueing without limit.
//! - **Less work per hash during a flood:** a thread keeps its argon2 memory while more hashes
//!   are waiting (a fresh 19 MiB buffer costs ~6 ms of page faults per hash), and gives it back
//!   as soon as none is, so a server between sign-ins stays small (the binary makes glibc unmap
//!   such large blocks when freed: `crates/app/src/main.rs`).

use argon2::Block;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a hashing thread keeps its memory without work.
const KEEP_MEMORY_FOR: Duration = Duration::from_secs(2);

/// A hashing thread's reusable argon2 memory.
#[derive(Default)]
pub struct Scratch {
    blocks: Vec<Block>,
}

impl Scratch {
    /// `count` blocks of working memory, reusing the previous allocation when it fits.
    pub fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() != count {
            self.blocks = vec![Block::default(); count];
        }
        &mut self.blocks
    }

    fn release(&mut self) {
        self.blocks = Vec::new();
    }
}

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// Why a job could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolError {
    /// Every thread is busy and the queue is full.
    Busy,
    /// The pool's threads are gone.
    Stopped,
}

/// A fixed set of low-priority threads that run hashing jobs.
pub struct HashingPool {
    jobs: SyncSender<Job>,
    /// Jobs sent but not yet taken by a thread (the channel cannot tell).
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

impl HashingPool {
    /// Starts `threads` threads with room for `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> std::io::Result<Self> {
        let (jobs, receiver) = sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let waiting = Arc::new(AtomicUsize::new(0));
        for i in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            let waiting = Arc::clone(&waiting);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || work(&receiver, &waiting))?;
        }
        Ok(Self {
            jobs,
            waiting,
            queue,
        })
    }

    /// Whether the queue is full, so that a job sent now would be refused.
    pub fn saturated(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) >= self.queue
    }

    /// Runs `job` on a hashing thread and waits for its result without blocking the caller's
    /// thread.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let (reply, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |scratch| {
            // The caller may have gone (client disconnected); nothing to do then.
            let _ = reply.send(job(scratch));
        });
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.jobs.try_send(job).map_err(|e| {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            match e {
                TrySendError::Full(_) => PoolError::Busy,
                TrySendError::Disconnected(_) => PoolError::Stopped,
            }
        })?;
        result.await.map_err(|_| PoolError::Stopped)
    }
}

fn work(receiver: &Mutex<Receiver<Job>>, waiting: &AtomicUsize) {
    lower_priority();
    let mut scratch = Scratch::default();
    loop {
        // Only one thread waits on the channel at a time; the others wait on the lock.
        let next = {
            let receiver = receiver.lock().unwrap_or_else(|p| p.into_inner());
            receiver.recv_timeout(KEEP_MEMORY_FOR)
        };
        match next {
            Ok(job) => {
                waiting.fetch_sub(1, Ordering::Relaxed);
                job(&mut scratch);
                // The memory is worth keeping only for a hash that is already waiting. (A
                // timeout alone would not do: the threads that wait on the lock, not on the
                // channel, never time out, and would keep their memory for good.)
                if waiting.load(Ordering::Relaxed) == 0 {
                    scratch.release();
                }
            }
            Err(RecvTimeoutError::Timeout) => scratch.release(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Nice 19 for the calling thread: on Linux, `setpriority(PRIO_PROCESS, 0, ..)` applies to
/// the calling thread only. Failure leaves normal priority, which is still correct.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority takes plain integers and touches no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_and_return_their_result() {
        let pool = HashingPool::new(2, 8).unwrap();
        let results =
            futures_util::future::join_all((0..6).map(|i| pool.run(move |_| i * 2))).await;
        let values: Vec<i32> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(values, vec![0, 2, 4, 6, 8, 10]);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let pool = Arc::new(HashingPool::new(1, 1).unwrap());
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = Arc::clone(&pool);
        let blocker = tokio::spawn(async move {
            busy.run(move |_| {
                let _ = hold.recv();
            })
            .await
        });
        // Let the thread take the blocking job, then fill the single queue slot.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let waiting = Arc::clone(&pool);
        let queued = tokio::spawn(async move { waiting.run(|_| 1).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(pool.saturated());
        assert_eq!(pool.run(|_| 2).await, Err(PoolError::Busy));
        release.send(()).unwrap();
        assert_eq!(queued.await.unwrap(), Ok(1));
        assert_eq!(blocker.await.unwrap(), Ok(()));
        assert!(!pool.saturated());
    }

    #[test]
    fn threads_run_at_the_lowest_priority() {
        let pool = HashingPool::new(1, 1).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // SAFETY: getpriority takes plain integers.
        let nice = rt.block_on(pool.run(|_| unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }));
        assert_eq!(nice, Ok(19));
    }
}
