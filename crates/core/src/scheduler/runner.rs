//! One round of every scheduled job ([`Scheduler::tick`]); the app calls it on a timer.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::insights::predictions::PredictionService;
use crate::items::item::WriteMeta;
use crate::lists::ListService;
use crate::pixie::model::LanguageModel;
use crate::scheduler::store::{JobClaim, JobStore, Restocked};
use crate::scheduler::{digest, expiry, recurring, running_low};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Settings of the scheduler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// The local hour on Sundays from which the digest is posted.
    pub digest_hour: u32,
    /// How long a claimed digest stays this replica's before another may take it over.
    pub lease: std::time::Duration,
    /// How often each home's restock predictions are checked for "running low" notices.
    pub running_low_every: Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            digest_hour: 9,
            lease: std::time::Duration::from_secs(10 * 60),
            running_low_every: Duration::hours(1),
        }
    }
}

/// What the scheduler works with.
pub struct SchedulerDeps {
    /// Due work and its transactions.
    pub jobs: Arc<dyn JobStore>,
    /// Scheduled list resets.
    pub lists: Arc<ListService>,
    /// Restock predictions, for "running low" notices.
    pub predictions: Arc<PredictionService>,
    /// Writes the digest (the offline model makes [`digest::offline_text`] do it).
    pub model: Arc<dyn LanguageModel>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

/// What one round did; errors are collected so one failing job never stops the others.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// Recurring items put on a list.
    pub restocked: usize,
    /// Lists reset on schedule.
    pub lists_reset: usize,
    /// Expiry notices created.
    pub expiry_notices: usize,
    /// "Running low" notices created.
    pub running_low_notices: usize,
    /// Digests posted.
    pub digests: usize,
    /// What failed, one line each.
    pub errors: Vec<String>,
}

/// Runs the scheduled jobs; one per replica, each replica with its own name.
pub struct Scheduler {
    deps: SchedulerDeps,
    config: SchedulerConfig,
    replica: String,
    /// When this replica last checked each home's predictions (they are read, not claimed:
    /// the notices' once-keys keep replicas from repeating each other).
    predicted: Mutex<HashMap<Uuid, DateTime<Utc>>>,
}

impl Scheduler {
    /// A scheduler for the replica called `replica` (unique per process).
    pub fn new(deps: SchedulerDeps, config: SchedulerConfig, replica: String) -> Scheduler {
        Scheduler {
            deps,
            config,
            replica,
            predicted: Mutex::new(HashMap::new()),
        }
    }

    /// Runs every job once, in order: restocks, resets, expiry and running-low notices,
    /// digests.
    pub async fn tick(&self) -> TickReport {
        let mut report = TickReport::default();
        let now = self.deps.clock.now();
        let meta = WriteMeta {
            actor: Actor::system(),
            at: now,
        };
        self.restock(meta, &mut report).await;
        self.reset_lists(now, &mut report).await;
        self.expiry_notices(meta, &mut report).await;
        self.running_low(meta, &mut report).await;
        self.digests(meta, &mut report).await;
        report
    }

    async fn restock(&self, meta: WriteMeta, report: &mut TickReport) {
        let items = match self.deps.jobs.recurring_items().await {
            Ok(items) => items,
            Err(e) => return report.errors.push(format!("recurring items: {e}")),
        };
        for item in items {
            let Some(due) = recurring::next_due(item.since, item.interval, &item.timezone) else {
                continue;
            };
            if due > meta.at {
                continue;
            }
            let notice = recurring::notice(&item, due);
            let window = recurring::window(due);
            match self
                .deps
                .jobs
                .restock(&item, &window, &self.replica, &notice, meta)
                .await
            {
                Ok(Restocked::Added) => report.restocked += 1,
                Ok(Restocked::AlreadyOnList | Restocked::NotDue) => {}
                Err(e) => report
                    .errors
                    .push(format!("restock item {}: {e}", item.item_id)),
            }
        }
    }

    async fn reset_lists(&self, now: DateTime<Utc>, report: &mut TickReport) {
        let homes = match self.deps.jobs.homes_with_due_lists(now).await {
            Ok(homes) => homes,
            Err(e) => return report.errors.push(format!("due lists: {e}")),
        };
        for home_id in homes {
            match self.deps.lists.reset_due(&Actor::system(), home_id).await {
                Ok(reset) => report.lists_reset += reset.len(),
                Err(e) => report.errors.push(format!("reset lists of {home_id}: {e}")),
            }
        }
    }

    async fn expiry_notices(&self, meta: WriteMeta, report: &mut TickReport) {
        let from = meta.at - expiry::BEHIND;
        let to = meta.at + expiry::AHEAD;
        let items = match self.deps.jobs.expiring_items(from, to).await {
            Ok(items) => items,
            Err(e) => return report.errors.push(format!("expiring items: {e}")),
        };
        for item in items {
            let notice = expiry::notice(&item, meta.at);
            match self
                .deps
                .jobs
                .notify_once(item.home_id, &notice, meta)
                .await
            {
                Ok(true) => report.expiry_notices += 1,
                Ok(false) => {}
                Err(e) => report
                    .errors
                    .push(format!("expiry notice for {}: {e}", item.item_id)),
            }
        }
    }

    async fn running_low(&self, meta: WriteMeta, report: &mut TickReport) {
        let homes = match self.deps.jobs.homes().await {
            Ok(homes) => homes,
            Err(e) => return report.errors.push(format!("homes: {e}")),
        };
        for home in homes {
            if !self.prediction_due(home.home_id, meta.at) {
                continue;
            }
            let predictions = match self
                .deps
                .predictions
                .upcoming(&Actor::system(), home.home_id, running_low::AHEAD_DAYS)
                .await
            {
                Ok(predictions) => predictions,
                Err(e) => {
                    report
                        .errors
                        .push(format!("predictions of {}: {e}", home.home_id));
                    continue;
                }
            };
            for prediction in &predictions {
                let Some(notice) = running_low::notice(home.home_id, prediction, meta.at) else {
                    continue;
                };
                match self
                    .deps
                    .jobs
                    .notify_once(home.home_id, &notice, meta)
                    .await
                {
                    Ok(true) => report.running_low_notices += 1,
                    Ok(false) => {}
                    Err(e) => report
                        .errors
                        .push(format!("running-low notice in {}: {e}", home.home_id)),
                }
            }
        }
    }

    /// Whether `home`'s predictions are due for a check (and records that they are checked).
    fn prediction_due(&self, home: Uuid, now: DateTime<Utc>) -> bool {
        let mut checked = self
            .predicted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match checked.get(&home) {
            Some(last) if now >= *last && now - *last < self.config.running_low_every => false,
            _ => {
                checked.insert(home, now);
                true
            }
        }
    }

    async fn digests(&self, meta: WriteMeta, report: &mut TickReport) {
        let homes = match self.deps.jobs.homes().await {
            Ok(homes) => homes,
            Err(e) => return report.errors.push(format!("homes: {e}")),
        };
        for home in homes {
            let Some(date) = digest::due_on(meta.at, &home.timezone, self.config.digest_hour)
            else {
                continue;
            };
            let claim = JobClaim {
                job: digest::JOB.to_owned(),
                scope: home.home_id.to_string(),
                window: date.to_string(),
                replica: self.replica.clone(),
            };
            match self.post_digest(&claim, home.home_id, date, meta).await {
                Ok(true) => report.digests += 1,
                Ok(false) => {}
                Err(e) => report
                    .errors
                    .push(format!("digest of {}: {e}", home.home_id)),
            }
        }
    }

    async fn post_digest(
        &self,
        claim: &JobClaim,
        home_id: uuid::Uuid,
        date: chrono::NaiveDate,
        meta: WriteMeta,
    ) -> Result<bool, crate::repo_error::RepoError> {
        if !self
            .deps
            .jobs
            .claim(claim, self.config.lease, meta.at)
            .await?
        {
            return Ok(false);
        }
        let since = meta.at - Duration::days(7);
        let facts = self.deps.jobs.week_facts(home_id, since, meta.at).await?;
        let text = self.write_digest(&facts).await;
        let notice = digest::notice(home_id, date);
        let posted = self
            .deps
            .jobs
            .post_digest(claim, home_id, &text, &notice, meta)
            .await?;
        Ok(posted.is_some())
    }

    /// The model's digest, or the offline one when there is no model or it failed: a digest
    /// the household is owed is never skipped.
    async fn write_digest(&self, facts: &crate::scheduler::store::WeekFacts) -> String {
        if self.deps.model.is_offline() {
            return digest::offline_text(facts);
        }
        let mut ignore = |_: &str| {};
        match self
            .deps
            .model
            .complete(digest::request(facts), &mut ignore)
            .await
        {
            Ok(reply) if !reply.text.trim().is_empty() => reply.text.trim().to_owned(),
            _ => digest::offline_text(facts),
        }
    }
}
