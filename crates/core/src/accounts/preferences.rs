//! A person's preferences and their home's shared ones: the values (each validated on
//! construction), the edit a request asks for, and the use case that reads and writes them.
//!
//! The user fields (diet, cooking skill, budget consciousness, muted notification types) belong
//! to the person and anyone may change their own. The home fields (household size, shared diet,
//! monthly budget) belong to the home, so they are written through
//! [`HomeService::update`](crate::homes::service::HomeService::update): admins and the owner
//! only, with the home's `home.updated` change-log event.

use crate::accounts::user::AccountRepository;
use crate::clock::Clock;
use crate::homes::home::{Home, HomeEdit, HomeRepository};
use crate::homes::role::Role;
use crate::homes::service::{HomeError, HomeService};
use crate::repo_error::RepoError;
use serde::Serialize;
use std::sync::Arc;
use thiserror::Error;
use uuid::Uuid;

/// How confident a cook the person is; Pixie pitches recipes to it.
///
/// ```
/// use pantry_core::accounts::preferences::CookingSkill;
/// assert_eq!(CookingSkill::parse(" Advanced "), Some(CookingSkill::Advanced));
/// assert_eq!(CookingSkill::Beginner.as_str(), "beginner");
/// assert_eq!(CookingSkill::parse("chef"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CookingSkill {
    /// Simple recipes, every step spelled out.
    Beginner,
    /// Everyday cooking.
    Intermediate,
    /// Anything goes.
    Advanced,
}

impl CookingSkill {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CookingSkill::Beginner => "beginner",
            CookingSkill::Intermediate => "intermediate",
            CookingSkill::Advanced => "advanced",
        }
    }

    /// The level named by `text` (trimmed, any case), if there is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "beginner" => Some(CookingSkill::Beginner),
            "intermediate" => Some(CookingSkill::Intermediate),
            "advanced" => Some(CookingSkill::Advanced),
            _ => None,
        }
    }
}

/// How closely the person watches what shopping costs; Pixie suggests accordingly.
///
/// ```
/// use pantry_core::accounts::preferences::BudgetConsciousness;
/// assert_eq!(BudgetConsciousness::parse("HIGH"), Some(BudgetConsciousness::High));
/// assert_eq!(BudgetConsciousness::Low.as_str(), "low");
/// assert_eq!(BudgetConsciousness::parse("frugal"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BudgetConsciousness {
    /// Price hardly matters.
    Low,
    /// Some attention to price.
    Medium,
    /// Every cent counts.
    High,
}

impl BudgetConsciousness {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetConsciousness::Low => "low",
            BudgetConsciousness::Medium => "medium",
            BudgetConsciousness::High => "high",
        }
    }

    /// The level named by `text` (trimmed, any case), if there is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Some(BudgetConsciousness::Low),
            "medium" => Some(BudgetConsciousness::Medium),
            "high" => Some(BudgetConsciousness::High),
            _ => None,
        }
    }
}

/// The kinds of notification a person can mute (the earlier server's five).
///
/// ```
/// use pantry_core::accounts::preferences::NotificationType;
/// assert_eq!(NotificationType::parse("sunday_sync"), Some(NotificationType::SundaySync));
/// assert_eq!(NotificationType::RunningLow.as_str(), "running_low");
/// assert_eq!(NotificationType::parse("spam"), None);
/// assert_eq!(NotificationType::ALL.len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationType {
    /// A recurring item is due to be bought again.
    RecurringDue,
    /// Something in the pantry expires soon.
    ExpiringSoon,
    /// Another member added or used up something.
    PartnerActivity,
    /// The weekly Sunday round-up.
    SundaySync,
    /// Something is predicted to run out.
    RunningLow,
}

impl NotificationType {
    /// Every type, in the order they are listed to people.
    pub const ALL: [NotificationType; 5] = [
        NotificationType::RecurringDue,
        NotificationType::ExpiringSoon,
        NotificationType::PartnerActivity,
        NotificationType::SundaySync,
        NotificationType::RunningLow,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationType::RecurringDue => "recurring_due",
            NotificationType::ExpiringSoon => "expiring_soon",
            NotificationType::PartnerActivity => "partner_activity",
            NotificationType::SundaySync => "sunday_sync",
            NotificationType::RunningLow => "running_low",
        }
    }

    /// The type named by `text` (trimmed, any case), if there is one.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// Why a preference was refused; shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PreferenceFieldError {
    /// A dietary list broke [`HomeEdit::dietary`]'s rule.
    #[error("must be at most 20 entries of 1 to 64 characters")]
    Dietary,
    /// Not one of the [`CookingSkill`] levels.
    #[error("must be beginner, intermediate, advanced or null")]
    CookingSkill,
    /// Not one of the [`BudgetConsciousness`] levels.
    #[error("must be low, medium, high or null")]
    BudgetConsciousness,
    /// An entry that is not one of the [`NotificationType`]s.
    #[error(
        "must list only recurring_due, expiring_soon, partner_activity, sunday_sync or running_low"
    )]
    NotificationType,
}

/// A person's dietary restrictions: the same rule as a home's shared ones (trimmed,
/// de-duplicated ignoring case, at most 20 entries of 1 to 64 characters).
///
/// ```
/// use pantry_core::accounts::preferences::parse_dietary;
/// let list = vec![" vegan ".to_owned(), "Vegan".to_owned(), "nut-free".to_owned()];
/// assert_eq!(parse_dietary(&list).unwrap(), ["vegan", "nut-free"]);
/// assert!(parse_dietary(&["".to_owned()]).is_err());
/// ```
pub fn parse_dietary(raw: &[String]) -> Result<Vec<String>, PreferenceFieldError> {
    HomeEdit::dietary(raw).map_err(|_| PreferenceFieldError::Dietary)
}

/// Muted notification types, each known, without repeats, in the order given.
///
/// ```
/// use pantry_core::accounts::preferences::{parse_muted, NotificationType};
/// let muted = parse_muted(&["sunday_sync".to_owned(), "SUNDAY_SYNC".to_owned()]).unwrap();
/// assert_eq!(muted, [NotificationType::SundaySync]);
/// assert!(parse_muted(&["spam".to_owned()]).is_err());
/// ```
pub fn parse_muted(raw: &[String]) -> Result<Vec<NotificationType>, PreferenceFieldError> {
    let mut muted = Vec::new();
    for entry in raw {
        let kind = NotificationType::parse(entry).ok_or(PreferenceFieldError::NotificationType)?;
        if !muted.contains(&kind) {
            muted.push(kind);
        }
    }
    Ok(muted)
}

/// A person's own preferences, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPreferences {
    /// Diets and allergies, e.g. `vegetarian`, `nut-free`.
    pub dietary_restrictions: Vec<String>,
    /// Unset until the person says.
    pub cooking_skill_level: Option<CookingSkill>,
    /// Unset until the person says.
    pub budget_consciousness: Option<BudgetConsciousness>,
    /// Notification types the person does not want to see.
    pub muted_notification_types: Vec<NotificationType>,
}

/// Validated changes to a person's own preferences; `None` leaves a field as it is,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPreferencesEdit {
    /// From [`parse_dietary`]; an empty list clears it.
    pub dietary_restrictions: Option<Vec<String>>,
    /// The new level, or `Some(None)` to unset it.
    pub cooking_skill_level: Option<Option<CookingSkill>>,
    /// The new level, or `Some(None)` to unset it.
    pub budget_consciousness: Option<Option<BudgetConsciousness>>,
    /// From [`parse_muted`]; an empty list unmutes everything.
    pub muted_notification_types: Option<Vec<NotificationType>>,
}

impl UserPreferencesEdit {
    /// Whether the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == UserPreferencesEdit::default()
    }
}

/// The preferences a home shares, taken from the [`Home`] row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomePreferences {
    /// The home they belong to.
    pub home_id: Uuid,
    /// People living there, 1 to 20, when known.
    pub household_size: Option<i32>,
    /// Diets everyone in the home follows.
    pub shared_dietary_restrictions: Vec<String>,
    /// In minor units of the home's currency.
    pub monthly_budget_minor: Option<i64>,
}

impl From<Home> for HomePreferences {
    fn from(home: Home) -> Self {
        HomePreferences {
            home_id: home.id,
            household_size: home.household_size,
            shared_dietary_restrictions: home.shared_dietary_restrictions,
            monthly_budget_minor: home.monthly_budget_minor,
        }
    }
}

/// Everything the preferences screen shows: the person's own, and their home's when they have
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The caller's own preferences.
    pub user: UserPreferences,
    /// The chosen home's, or `None` when the caller belongs to no home.
    pub home: Option<HomePreferences>,
}

/// A preferences update: the person's fields and the home's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferencesEdit {
    /// Changes to the caller's own preferences.
    pub user: UserPreferencesEdit,
    /// Changes to the home: only `household_size`, `shared_dietary_restrictions` and
    /// `monthly_budget_minor` are meant to be set here (validated with [`HomeEdit`]'s parsers).
    pub home: HomeEdit,
}

impl PreferencesEdit {
    /// Whether the edit changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.user.is_empty() && !self.touches_home()
    }

    /// Whether the edit changes the home (and therefore needs admin or owner there).
    pub fn touches_home(&self) -> bool {
        self.home != HomeEdit::default()
    }
}

/// Which home's preferences a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeChoice {
    /// A home the caller named; they must be a member of it.
    Named(Uuid),
    /// The home the caller's session is bound to (the access token's `homeId`). When they are
    /// no longer a member of it, their current home
    /// ([`AccountRepository::current_home`]) instead: the one a refreshed token would name.
    Session(Option<Uuid>),
}

/// Why a preferences operation was refused.
#[derive(Debug, Error)]
pub enum PreferencesError {
    /// The update names no field at all.
    #[error("No valid fields to update")]
    NothingToUpdate,
    /// The caller's account is gone.
    #[error("user not found")]
    UserNotFound,
    /// The named home does not exist or the caller is not a member (indistinguishable), or
    /// home fields were sent by someone who belongs to no home.
    #[error("home not found")]
    HomeNotFound,
    /// Home fields sent by a member below admin.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The home changed underneath the update.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Repo(RepoError),
}

impl From<RepoError> for PreferencesError {
    fn from(error: RepoError) -> Self {
        PreferencesError::Repo(error)
    }
}

impl From<HomeError> for PreferencesError {
    fn from(error: HomeError) -> Self {
        match error {
            HomeError::NotFound | HomeError::MemberNotFound => PreferencesError::HomeNotFound,
            HomeError::Forbidden(why) => PreferencesError::Forbidden(why),
            HomeError::Conflict(why) => PreferencesError::Conflict(why),
            // Only an edit naming a version can be stale, and preferences name none.
            HomeError::Stale { .. } => {
                PreferencesError::Conflict("the home changed since the version you have")
            }
            HomeError::Repo(e) => PreferencesError::Repo(e),
        }
    }
}

/// Reads and writes preferences.
pub struct PreferencesService {
    accounts: Arc<dyn AccountRepository>,
    homes: Arc<dyn HomeRepository>,
    home_service: Arc<HomeService>,
    clock: Arc<dyn Clock>,
}

impl PreferencesService {
    /// The use cases over these ports; home fields are written through `home_service`.
    pub fn new(
        accounts: Arc<dyn AccountRepository>,
        homes: Arc<dyn HomeRepository>,
        home_service: Arc<HomeService>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            accounts,
            homes,
            home_service,
            clock,
        }
    }

    /// The actor's preferences with those of the chosen home.
    pub async fn get(
        &self,
        actor: Uuid,
        choice: HomeChoice,
    ) -> Result<Preferences, PreferencesError> {
        let home = self.resolve(actor, choice).await?.map(|(id, _)| id);
        self.read(actor, home).await
    }

    /// Applies `edit` and answers the preferences after it. Home fields need admin or owner in
    /// the chosen home; without that role nothing at all is written (Forbidden).
    pub async fn update(
        &self,
        actor: Uuid,
        choice: HomeChoice,
        edit: PreferencesEdit,
    ) -> Result<Preferences, PreferencesError> {
        if edit.is_empty() {
            return Err(PreferencesError::NothingToUpdate);
        }
        let home = self.resolve(actor, choice).await?;
        // Every check comes before the first write, so a refused update changes nothing.
        if edit.touches_home() {
            match home {
                None => return Err(PreferencesError::HomeNotFound),
                Some((_, role)) if role < Role::Admin => {
                    return Err(PreferencesError::Forbidden("admin or owner role required"));
                }
                Some(_) => {}
            }
        }
        // The home first: it re-checks the role, so a demotion in between still refuses the
        // whole update before the user's own fields change. The two writes are separate
        // transactions; only a storage failure between them can leave the first one alone.
        if let (true, Some((home_id, _))) = (edit.touches_home(), home) {
            // Last write wins: preferences carry no home version (see docs/api.md).
            self.home_service
                .update(actor, home_id, edit.home, None)
                .await?;
        }
        if !edit.user.is_empty() {
            match self
                .accounts
                .update_preferences(actor, &edit.user, self.clock.now())
                .await
            {
                Err(RepoError::NotFound) => return Err(PreferencesError::UserNotFound),
                other => other?,
            }
        }
        self.read(actor, home.map(|(id, _)| id)).await
    }

    /// The home `choice` designates and the actor's role there; `None` when the session's home
    /// is gone and the actor belongs to no other.
    async fn resolve(
        &self,
        actor: Uuid,
        choice: HomeChoice,
    ) -> Result<Option<(Uuid, Role)>, PreferencesError> {
        match choice {
            HomeChoice::Named(home_id) => match self.homes.role_of(home_id, actor).await? {
                Some(role) => Ok(Some((home_id, role))),
                None => Err(PreferencesError::HomeNotFound),
            },
            HomeChoice::Session(bound) => {
                if let Some(home_id) = bound
                    && let Some(role) = self.homes.role_of(home_id, actor).await?
                {
                    return Ok(Some((home_id, role)));
                }
                let Some(home_id) = self.accounts.current_home(actor).await? else {
                    return Ok(None);
                };
                Ok(self
                    .homes
                    .role_of(home_id, actor)
                    .await?
                    .map(|role| (home_id, role)))
            }
        }
    }

    async fn read(&self, actor: Uuid, home: Option<Uuid>) -> Result<Preferences, PreferencesError> {
        let user = self
            .accounts
            .preferences(actor)
            .await?
            .ok_or(PreferencesError::UserNotFound)?;
        let home = match home {
            Some(id) => self.homes.get(id).await?.map(HomePreferences::from),
            None => None,
        };
        Ok(Preferences { user, home })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn dietary_follows_the_home_rule() {
        assert_eq!(
            parse_dietary(&strings(&[" Vegan", "vegan ", "halal"])).unwrap(),
            ["Vegan", "halal"]
        );
        assert_eq!(parse_dietary(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(
            parse_dietary(&strings(&["   "])),
            Err(PreferenceFieldError::Dietary)
        );
        assert_eq!(
            parse_dietary(&["x".repeat(65)]),
            Err(PreferenceFieldError::Dietary)
        );
        assert!(parse_dietary(&["x".repeat(64)]).is_ok());
        let many: Vec<String> = (0..21).map(|i| format!("diet {i}")).collect();
        assert_eq!(parse_dietary(&many), Err(PreferenceFieldError::Dietary));
        assert!(parse_dietary(&many[..20]).is_ok());
    }

    #[test]
    fn muted_types_are_the_five_known_ones() {
        let all: Vec<String> = NotificationType::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        assert_eq!(parse_muted(&all).unwrap(), NotificationType::ALL);
        assert_eq!(
            parse_muted(&strings(&["running_low", "marketing"])),
            Err(PreferenceFieldError::NotificationType)
        );
    }

    #[test]
    fn an_edit_of_nothing_is_empty() {
        assert!(PreferencesEdit::default().is_empty());
        let clear_skill = PreferencesEdit {
            user: UserPreferencesEdit {
                cooking_skill_level: Some(None),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(!clear_skill.is_empty() && !clear_skill.touches_home());
        let clear_budget = PreferencesEdit {
            home: HomeEdit {
                monthly_budget_minor: Some(None),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(!clear_budget.is_empty() && clear_budget.touches_home());
    }
}
