//! Scheduled work: recurring restocks, list resets, expiry and running-low notices and the
//! weekly digest, run by every replica's timer yet done exactly once.
//!
//! How "exactly once" holds with several replicas on one database:
//! - a restock, a reset and a digest each happen in one transaction that first locks the home,
//!   re-checks that the work is still due and records it (a `job_claims` row, the item's
//!   `recurring_last_added_at`, the list's `next_reset_at`), so a replica that comes second
//!   finds nothing left to do, and a replica that dies mid-way leaves nothing half-done;
//! - a notice that must exist once carries a `once_key`, unique per home in the database;
//! - the digest asks the model outside any transaction: its claim is leased, and a replica that
//!   died holding it is taken over once the lease ran out (the post itself checks the claim).
//!
//! - [`store`]: the [`JobStore`] port and the rows it returns.
//! - [`recurring`], [`expiry`], [`running_low`], [`digest`]: each job's rules (pure).
//! - [`runner`]: [`Scheduler::tick`], one round of every job.

pub mod digest;
pub mod expiry;
pub mod recurring;
pub mod runner;
pub mod running_low;
pub mod store;

pub use runner::{Scheduler, SchedulerConfig, SchedulerDeps, TickReport};
pub use store::{JobClaim, JobStore};
