//! Export and import of a whole home: a versioned JSON document with the home's settings,
//! members' names, pantry, lists and chat, so a household can leave with its data or move it
//! between servers. Import always creates a new home (new ids) owned by the importer.

use crate::change_log::Actor;
use crate::clock::Clock;
use crate::homes::access::{AccessError, require_role};
use crate::homes::home::{self, Home, HomeEdit, HomeRepository};
use crate::homes::role::Role;
use crate::items::item::{self, RecurringInterval, limits, parse_text};
use crate::items::{Category, Quantity, Unit};
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// The `format` every export carries.
pub const FORMAT: &str = "pantry-pixie/home-export";
/// The version of the format this build writes and reads.
pub const VERSION: u32 = 1;

/// Upper bounds on what one import may contain, so a hostile file cannot exhaust the server.
pub mod caps {
    /// Pantry items.
    pub const ITEMS: usize = 10_000;
    /// Grocery lists.
    pub const LISTS: usize = 500;
    /// Entries on one list.
    pub const LIST_ITEMS: usize = 500;
    /// Chat threads.
    pub const THREADS: usize = 1_000;
    /// Chat messages in all threads together.
    pub const MESSAGES: usize = 100_000;
    /// Characters in one message.
    pub const MESSAGE_CHARS: usize = 100_000;
}

/// A home as a portable document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeExport {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] when written by this build.
    pub version: u32,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// The home's settings.
    pub home: ExportedHome,
    /// Who lived there (names and roles only: accounts do not travel).
    #[serde(default)]
    pub members: Vec<ExportedMember>,
    /// The pantry.
    #[serde(default)]
    pub items: Vec<ExportedItem>,
    /// Grocery lists with their entries.
    #[serde(default)]
    pub lists: Vec<ExportedList>,
    /// Chat threads with their messages.
    #[serde(default)]
    pub threads: Vec<ExportedThread>,
}

/// The home's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedHome {
    /// The home's name: 1 to 255 characters, trimmed on import.
    pub name: String,
    /// Free text, at most 1000 characters.
    pub description: Option<String>,
    /// IANA time zone (`Europe/Paris`); list resets fall on local midnight in it.
    pub timezone: String,
    /// Three-letter ISO 4217 code, upper-cased on import; every `_minor` amount of the
    /// document is in minor units of it.
    pub currency: String,
    /// Monthly grocery budget in minor units of `currency`, zero or more.
    pub monthly_budget_minor: Option<i64>,
    /// How many people the pantry feeds, 1 to 20.
    pub household_size: Option<i32>,
    /// Restrictions the whole household shares (`vegetarian`): at most 20 of 1 to 64
    /// characters, de-duplicated on import.
    #[serde(default)]
    pub shared_dietary_restrictions: Vec<String>,
}

/// A member, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedMember {
    /// Display name at export time; import creates no account or membership from it.
    pub name: String,
    /// Their role in the home.
    pub role: Role,
    /// When they joined (UTC).
    pub joined_at: DateTime<Utc>,
}

/// A pantry item. `id` is only a reference for list entries within the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedItem {
    /// Unique within the document, named by [`ExportedListItem::item_id`]; import gives the
    /// item a new id.
    pub id: Uuid,
    /// 1 to 255 characters, trimmed on import.
    pub name: String,
    /// Free text, at most 1000 characters.
    pub description: Option<String>,
    /// Grouping in the pantry view.
    pub category: Category,
    /// How much is left, in thousandths of `unit` (1500 is 1.5), 0 to 999,999,000; zero
    /// means used up.
    pub quantity_milli: i64,
    /// What `quantity_milli` counts.
    pub unit: Unit,
    /// Where it is kept, at most 255 characters.
    pub location: Option<String>,
    /// Best-before moment (UTC).
    pub expires_at: Option<DateTime<Utc>>,
    /// The "checked" mark of the earlier app.
    pub is_checked: bool,
    /// Whether it is restocked on a schedule.
    pub is_recurring: bool,
    /// The restock schedule.
    pub recurring_interval: Option<RecurringInterval>,
    /// Price paid, in minor units of the home's currency, zero or more.
    pub price_minor: Option<i64>,
    /// Where it was bought, at most 255 characters.
    pub store: Option<String>,
    /// Free text, at most 1000 characters.
    pub notes: Option<String>,
    /// When it was first added, UTC (the purchase date for budgets); kept on import.
    pub date_added: DateTime<Utc>,
    /// When it last changed, UTC; kept on import.
    pub last_updated: DateTime<Utc>,
}

/// A grocery list with its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedList {
    /// 1 to 255 characters, trimmed on import.
    pub name: String,
    /// Free text, at most 1000 characters.
    pub description: Option<String>,
    /// `false` once the list is completed.
    pub is_active: bool,
    /// The home's "Quick Items" list; at most one list of the document may be it.
    pub is_default: bool,
    /// When it was completed (UTC).
    pub completed_at: Option<DateTime<Utc>>,
    /// Budget in minor units of the home's currency, zero or more.
    pub total_budget_minor: Option<i64>,
    /// `weekly`, `biweekly` or `monthly` (lower case) when it starts new rounds by itself.
    pub recurring_schedule: Option<String>,
    /// Weekday of weekly and biweekly resets, 0 = Sunday to 6; `None` means Sunday.
    pub schedule_day_of_week: Option<i32>,
    /// Day of monthly resets, 1 to 31 (clamped to the month's length); `None` means the
    /// first.
    pub schedule_day_of_month: Option<i32>,
    /// The next scheduled reset (UTC), kept on import: one already past is due at once.
    pub next_reset_at: Option<DateTime<Utc>>,
    /// When it last started a new round (UTC).
    pub last_reset_at: Option<DateTime<Utc>>,
    /// How many times it was reset, zero or more.
    pub round_number: i32,
    /// Order among the home's lists (ascending).
    pub position: i32,
    /// When it was created, UTC; kept on import.
    pub created_at: DateTime<Utc>,
    /// Its entries in display order, at most [`caps::LIST_ITEMS`]; the list's estimated cost
    /// is recomputed from them on import.
    #[serde(default)]
    pub items: Vec<ExportedListItem>,
}

/// An entry of a list; `item_id` names an [`ExportedItem::id`] of the same document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedListItem {
    /// The pantry item to buy: an [`ExportedItem::id`] of this document.
    pub item_id: Uuid,
    /// How much to buy, in thousandths of the item's unit, 0 to 999,999,000.
    pub quantity_milli: i64,
    /// Ticked off.
    pub is_completed: bool,
    /// When it was ticked off (UTC).
    pub completed_at: Option<DateTime<Utc>>,
    /// Free text, at most 500 characters.
    pub notes: Option<String>,
    /// Estimated price per unit of the item, in minor units of the home's currency, zero or
    /// more.
    pub estimated_price_minor: Option<i64>,
    /// Order within the list (ascending).
    pub position: i32,
    /// When it was put on the list, UTC; kept on import.
    pub added_at: DateTime<Utc>,
}

/// A chat thread with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedThread {
    /// At most 255 characters; `None` for an untitled thread.
    pub title: Option<String>,
    /// When the thread was started (UTC).
    pub created_at: DateTime<Utc>,
    /// When it last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// Its messages, oldest first; at most [`caps::MESSAGES`] in all threads together.
    #[serde(default)]
    pub messages: Vec<ExportedMessage>,
}

/// A chat message; the author is kept by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedMessage {
    /// Who speaks: `user`, `assistant`, `system` or `tool`.
    pub role: String,
    /// The text, at most [`caps::MESSAGE_CHARS`] characters.
    pub content: String,
    /// The label the assistant gave the message (`greeting` for Pixie's welcome), if any.
    pub intent: Option<String>,
    /// The assistant's tool calls: any JSON, kept as recorded.
    pub tool_calls: Option<serde_json::Value>,
    /// What the assistant attached for display: any JSON, kept as recorded.
    pub ui: Option<serde_json::Value>,
    /// Display name of the person who wrote it; `None` when nobody is known (the assistant's
    /// messages, a deleted account).
    pub author_name: Option<String>,
    /// When it was sent, UTC; kept on import.
    pub created_at: DateTime<Utc>,
}

/// One problem found in an import document; `path` locates it (`items[3].name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// Where in the document.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn problem(path: impl Into<String>, message: impl ToString) -> ImportProblem {
    ImportProblem {
        path: path.into(),
        message: message.to_string(),
    }
}

const SCHEDULES: [&str; 3] = ["weekly", "biweekly", "monthly"];
const MESSAGE_ROLES: [&str; 4] = ["user", "assistant", "system", "tool"];

impl HomeExport {
    /// Checks the whole document against the same rules as the API, normalising the home's
    /// fields; every problem is reported, and nothing is imported unless there are none.
    pub fn validate(mut self) -> Result<HomeExport, Vec<ImportProblem>> {
        let mut problems = Vec::new();
        let mut check = |path: String, ok: bool, message: &str| {
            if !ok {
                problems.push(problem(path, message));
            }
        };
        check(
            "format".into(),
            self.format == FORMAT,
            "must be \"pantry-pixie/home-export\"",
        );
        check("version".into(), self.version == VERSION, "must be 1");
        check(
            "items".into(),
            self.items.len() <= caps::ITEMS,
            "too many items",
        );
        check(
            "lists".into(),
            self.lists.len() <= caps::LISTS,
            "too many lists",
        );
        check(
            "threads".into(),
            self.threads.len() <= caps::THREADS,
            "too many threads",
        );
        let messages: usize = self.threads.iter().map(|t| t.messages.len()).sum();
        check(
            "threads".into(),
            messages <= caps::MESSAGES,
            "too many messages",
        );
        check(
            "lists".into(),
            self.lists.iter().filter(|l| l.is_default).count() <= 1,
            "at most one list can be the default",
        );

        let h = &mut self.home;
        match home::parse_name(&h.name) {
            Ok(n) => h.name = n,
            Err(e) => problems.push(problem("home.name", e)),
        }
        match HomeEdit::description(h.description.as_deref()) {
            Ok(d) => h.description = d,
            Err(e) => problems.push(problem("home.description", e)),
        }
        match home::parse_timezone(&h.timezone) {
            Ok(t) => h.timezone = t,
            Err(e) => problems.push(problem("home.timezone", e)),
        }
        match home::parse_currency(&h.currency) {
            Ok(c) => h.currency = c,
            Err(e) => problems.push(problem("home.currency", e)),
        }
        if let Err(e) = HomeEdit::budget(h.monthly_budget_minor) {
            problems.push(problem("home.monthlyBudgetMinor", e));
        }
        if let Err(e) = HomeEdit::household_size(h.household_size.map(i64::from)) {
            problems.push(problem("home.householdSize", e));
        }
        match HomeEdit::dietary(&h.shared_dietary_restrictions) {
            Ok(d) => h.shared_dietary_restrictions = d,
            Err(e) => problems.push(problem("home.sharedDietaryRestrictions", e)),
        }

        let mut ids = HashSet::new();
        for (i, item) in self.items.iter_mut().enumerate() {
            let at = |f: &str| format!("items[{i}].{f}");
            if !ids.insert(item.id) {
                problems.push(problem(at("id"), "appears twice"));
            }
            match item::parse_name(&item.name) {
                Ok(n) => item.name = n,
                Err(e) => problems.push(problem(at("name"), e)),
            }
            if Quantity::from_milli(item.quantity_milli).is_none() {
                problems.push(problem(at("quantityMilli"), "must be 0 to 999999000"));
            }
            if item.price_minor.is_some_and(|p| p < 0) {
                problems.push(problem(at("priceMinor"), "must be zero or more"));
            }
            for (field, value, max) in [
                ("description", &item.description, limits::LONG_TEXT),
                ("notes", &item.notes, limits::LONG_TEXT),
                ("location", &item.location, limits::SHORT_TEXT),
                ("store", &item.store, limits::SHORT_TEXT),
            ] {
                if let Err(e) = parse_text(value.as_deref(), max) {
                    problems.push(problem(at(field), e));
                }
            }
        }
        for (i, list) in self.lists.iter_mut().enumerate() {
            let at = |f: &str| format!("lists[{i}].{f}");
            match item::parse_name(&list.name) {
                Ok(n) => list.name = n,
                Err(e) => problems.push(problem(at("name"), e)),
            }
            if let Err(e) = parse_text(list.description.as_deref(), limits::LONG_TEXT) {
                problems.push(problem(at("description"), e));
            }
            if list.total_budget_minor.is_some_and(|b| b < 0) {
                problems.push(problem(at("totalBudgetMinor"), "must be zero or more"));
            }
            if let Some(s) = &list.recurring_schedule
                && !SCHEDULES.contains(&s.as_str())
            {
                problems.push(problem(
                    at("recurringSchedule"),
                    "must be weekly, biweekly or monthly",
                ));
            }
            if list
                .schedule_day_of_week
                .is_some_and(|d| !(0..=6).contains(&d))
            {
                problems.push(problem(at("scheduleDayOfWeek"), "must be 0 to 6"));
            }
            if list
                .schedule_day_of_month
                .is_some_and(|d| !(1..=31).contains(&d))
            {
                problems.push(problem(at("scheduleDayOfMonth"), "must be 1 to 31"));
            }
            if list.round_number < 0 {
                problems.push(problem(at("roundNumber"), "must be zero or more"));
            }
            if list.items.len() > caps::LIST_ITEMS {
                problems.push(problem(at("items"), "too many entries"));
            }
            for (j, entry) in list.items.iter().enumerate() {
                let at = |f: &str| format!("lists[{i}].items[{j}].{f}");
                if !ids.contains(&entry.item_id) {
                    problems.push(problem(at("itemId"), "names no item of this document"));
                }
                if Quantity::from_milli(entry.quantity_milli).is_none() {
                    problems.push(problem(at("quantityMilli"), "must be 0 to 999999000"));
                }
                if entry.estimated_price_minor.is_some_and(|p| p < 0) {
                    problems.push(problem(at("estimatedPriceMinor"), "must be zero or more"));
                }
                if let Err(e) = parse_text(entry.notes.as_deref(), 500) {
                    problems.push(problem(at("notes"), e));
                }
            }
        }
        for (i, thread) in self.threads.iter().enumerate() {
            if let Err(e) = parse_text(thread.title.as_deref(), 255) {
                problems.push(problem(format!("threads[{i}].title"), e));
            }
            for (j, m) in thread.messages.iter().enumerate() {
                if !MESSAGE_ROLES.contains(&m.role.as_str()) {
                    problems.push(problem(
                        format!("threads[{i}].messages[{j}].role"),
                        "must be user, assistant, system or tool",
                    ));
                }
                if m.content.chars().count() > caps::MESSAGE_CHARS {
                    problems.push(problem(
                        format!("threads[{i}].messages[{j}].content"),
                        "too long",
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

/// Reading a home out whole, and writing one in whole.
#[async_trait]
pub trait PortabilityRepository: Send + Sync {
    /// Everything of the home, in a stable order (oldest first); `None` when it is gone.
    async fn export(
        &self,
        home_id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Option<HomeExport>, RepoError>;

    /// Creates a new home owned by `owner` from a validated document, in one transaction:
    /// either all of it exists afterwards or none of it does.
    async fn import(
        &self,
        owner: Uuid,
        document: &HomeExport,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Home, RepoError>;
}

/// Why an export or import was refused.
#[derive(Debug, Error)]
pub enum PortabilityError {
    /// No such home, or the actor is not a member.
    #[error("home not found")]
    HomeNotFound,
    /// The role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The document breaks the rules; every problem is listed.
    #[error("invalid import document")]
    Invalid(Vec<ImportProblem>),
    /// The store failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for PortabilityError {
    fn from(e: RepoError) -> Self {
        PortabilityError::Repo(e)
    }
}

/// The export and import use cases.
pub struct PortabilityService {
    homes: Arc<dyn HomeRepository>,
    store: Arc<dyn PortabilityRepository>,
    clock: Arc<dyn Clock>,
}

impl PortabilityService {
    /// The service over its ports.
    pub fn new(
        homes: Arc<dyn HomeRepository>,
        store: Arc<dyn PortabilityRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            homes,
            store,
            clock,
        }
    }

    /// The whole home as a document. Any member may take the household's data with them.
    pub async fn export(
        &self,
        actor: &Actor,
        home_id: Uuid,
    ) -> Result<HomeExport, PortabilityError> {
        require_role(self.homes.as_ref(), home_id, actor, Role::Viewer)
            .await
            .map_err(|e| match e {
                AccessError::NotMember => PortabilityError::HomeNotFound,
                AccessError::Forbidden(why) => PortabilityError::Forbidden(why),
                AccessError::Repo(e) => PortabilityError::Repo(e),
            })?;
        self.store
            .export(home_id, self.clock.now())
            .await?
            .ok_or(PortabilityError::HomeNotFound)
    }

    /// A new home, owned by the actor, with the document's contents.
    pub async fn import(
        &self,
        user_id: Uuid,
        document: HomeExport,
    ) -> Result<Home, PortabilityError> {
        let document = document.validate().map_err(PortabilityError::Invalid)?;
        Ok(self
            .store
            .import(user_id, &document, Actor::user(user_id), self.clock.now())
            .await?)
    }
}
