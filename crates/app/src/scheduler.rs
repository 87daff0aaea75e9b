//! The scheduler's timer: one round of every job at start and then every
//! `SCHEDULER_INTERVAL`, on every replica (the jobs themselves make sure each unit of work
//! happens once, see `pantry_core::scheduler`).

use crate::config::Settings;
use crate::server::ServeError;
use crate::server::language_model;
use pantry_core::clock::SystemClock;
use pantry_core::insights::predictions::PredictionService;
use pantry_core::lists::ListService;
use pantry_core::scheduler::{Scheduler, SchedulerConfig, SchedulerDeps, TickReport};
use pantry_store::{Database, StoreHomes, StoreInsights, StoreJobs, StoreListItems, StoreLists};
use slog::{Logger, info, warn};
use std::sync::Arc;
use std::time::Duration;

/// The scheduler of this process over `db`, named uniquely among replicas.
pub fn scheduler(settings: &Settings, db: &Database) -> Result<Scheduler, ServeError> {
    let deps = SchedulerDeps {
        jobs: Arc::new(StoreJobs::new(db.clone())),
        lists: Arc::new(ListService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreLists::new(db.clone())),
            Arc::new(StoreListItems::new(db.clone())),
            Arc::new(SystemClock),
        )),
        predictions: Arc::new(PredictionService::new(
            Arc::new(StoreHomes::new(db.clone())),
            Arc::new(StoreInsights::new(db.clone())),
            Arc::new(SystemClock),
        )),
        model: language_model(settings)?,
        clock: Arc::new(SystemClock),
    };
    let config = SchedulerConfig {
        digest_hour: settings.scheduler.digest_hour,
        ..SchedulerConfig::default()
    };
    let replica = format!("{}-{}", hostname(), pantry_core::ids::new_id());
    Ok(Scheduler::new(deps, config, replica))
}

/// Runs a round now and then every `every`, logging what each round did.
pub async fn run_periodically(scheduler: Scheduler, every: Duration, log: Logger) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let report = scheduler.tick().await;
        log_report(&log, &report);
    }
}

fn log_report(log: &Logger, report: &TickReport) {
    for error in &report.errors {
        warn!(log, "scheduled job failed"; "cause" => error);
    }
    let done = report.restocked
        + report.lists_reset
        + report.expiry_notices
        + report.running_low_notices
        + report.digests;
    if done > 0 {
        info!(log, "scheduled jobs ran";
            "restocked" => report.restocked,
            "lists_reset" => report.lists_reset,
            "expiry_notices" => report.expiry_notices,
            "running_low_notices" => report.running_low_notices,
            "digests" => report.digests,
        );
    }
}

/// This machine's name for claim rows, so an operator can tell replicas apart.
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "replica".to_owned())
}
