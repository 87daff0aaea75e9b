//! The home entity, its validated fields, and the repository port.

use crate::change_log::NewHomeEvent;
use crate::homes::role::Role;
use crate::items::item::Mutation;
use crate::repo_error::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use thiserror::Error;
use uuid::Uuid;

/// A household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Home {
    /// UUIDv7.
    pub id: Uuid,
    /// Trimmed, 1 to 255 characters.
    pub name: String,
    /// Free text, at most 1000 characters.
    pub description: Option<String>,
    /// The one member with the owner role (kept in step by transfers).
    pub owner_id: Uuid,
    /// IANA time zone: schedules and "Sunday" are computed in it.
    pub timezone: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The monthly grocery budget in minor units of `currency`.
    pub monthly_budget_minor: Option<i64>,
    /// How many people the pantry feeds (1 to 20).
    pub household_size: Option<i32>,
    /// Dietary restrictions everyone in the home shares (e.g. `vegetarian`).
    pub shared_dietary_restrictions: Vec<String>,
    /// Increases with every edit, for optimistic concurrency.
    pub version: i64,
    /// When the home was created.
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    pub updated_at: DateTime<Utc>,
}

/// A home as one of the caller's homes: with the caller's role and the member count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeSummary {
    /// The home itself.
    pub home: Home,
    /// The caller's role in it.
    pub role: Role,
    /// How many people belong to it, the caller included.
    pub member_count: i64,
}

/// A member of a home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The membership row (the earlier clients' member `id`).
    pub membership_id: Uuid,
    /// The person.
    pub user_id: Uuid,
    /// Their display name.
    pub name: String,
    /// Their address, visible to the other members.
    pub email: String,
    /// Their role in this home.
    pub role: Role,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// Why a home field was refused; shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HomeFieldError {
    /// The name is empty after trimming or longer than 255 characters.
    #[error("must be 1 to 255 characters")]
    Name,
    /// The description is longer than 1000 characters.
    #[error("must be at most 1000 characters")]
    Description,
    /// Not a time zone the IANA database knows.
    #[error("must be an IANA time zone such as Europe/Paris")]
    Timezone,
    /// Not three letters.
    #[error("must be a three-letter ISO 4217 code such as EUR")]
    Currency,
    /// A negative budget.
    #[error("must be zero or more")]
    Budget,
    /// Outside 1 to 20.
    #[error("must be between 1 and 20")]
    HouseholdSize,
    /// Too many restrictions, or one empty or too long.
    #[error("must be at most 20 entries of 1 to 64 characters")]
    Dietary,
}

/// A home name: trimmed, 1 to 255 characters.
///
/// ```
/// use pantry_core::homes::home::parse_name;
/// assert_eq!(parse_name("  Beach House ").unwrap(), "Beach House");
/// assert!(parse_name("   ").is_err());
/// ```
pub fn parse_name(raw: &str) -> Result<String, HomeFieldError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(HomeFieldError::Name);
    }
    Ok(name.to_owned())
}

/// An IANA time zone name, as the database of time zones knows it.
///
/// ```
/// use pantry_core::homes::home::parse_timezone;
/// assert_eq!(parse_timezone("Asia/Bangkok").unwrap(), "Asia/Bangkok");
/// assert!(parse_timezone("Mars/Olympus").is_err());
/// ```
pub fn parse_timezone(raw: &str) -> Result<String, HomeFieldError> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| HomeFieldError::Timezone)
}

/// A currency code: three letters, upper-cased. Whether ISO 4217 assigns it is not checked,
/// so a new currency needs no release.
///
/// ```
/// use pantry_core::homes::home::parse_currency;
/// assert_eq!(parse_currency(" thb ").unwrap(), "THB");
/// assert!(parse_currency("EURO").is_err());
/// ```
pub fn parse_currency(raw: &str) -> Result<String, HomeFieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(HomeFieldError::Currency)
    }
}

/// Validated changes to a home; `None` leaves a field as it is, `Some(None)` clears it.
///
/// Build the values with [`parse_name`], [`parse_timezone`], [`parse_currency`] and the
/// associated functions, so that only valid values reach the repository.
///
/// ```
/// use pantry_core::homes::home::{HomeEdit, parse_name};
/// let edit = HomeEdit {
///     name: Some(parse_name("Beach House").unwrap()),
///     description: Some(HomeEdit::description(Some("  ")).unwrap()), // blank clears it
///     household_size: Some(HomeEdit::household_size(Some(3)).unwrap()),
///     ..HomeEdit::default()
/// };
/// assert_eq!(edit.description, Some(None));
/// assert!(HomeEdit::household_size(Some(21)).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeEdit {
    /// A new name, from [`parse_name`].
    pub name: Option<String>,
    /// A new description, from [`HomeEdit::description`].
    pub description: Option<Option<String>>,
    /// A new time zone, from [`parse_timezone`].
    pub timezone: Option<String>,
    /// A new currency, from [`parse_currency`].
    pub currency: Option<String>,
    /// A new budget in minor units, from [`HomeEdit::budget`].
    pub monthly_budget_minor: Option<Option<i64>>,
    /// A new household size, from [`HomeEdit::household_size`].
    pub household_size: Option<Option<i32>>,
    /// New restrictions, from [`HomeEdit::dietary`].
    pub shared_dietary_restrictions: Option<Vec<String>>,
}

impl HomeEdit {
    /// A description: trimmed; blank or `None` clears it; at most 1000 characters.
    pub fn description(raw: Option<&str>) -> Result<Option<String>, HomeFieldError> {
        match raw.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if d.chars().count() > 1000 => Err(HomeFieldError::Description),
            other => Ok(other.map(str::to_owned)),
        }
    }

    /// A monthly budget in minor units: zero or more, or `None` to clear it.
    pub fn budget(minor: Option<i64>) -> Result<Option<i64>, HomeFieldError> {
        match minor {
            Some(m) if m < 0 => Err(HomeFieldError::Budget),
            other => Ok(other),
        }
    }

    /// A household size from 1 to 20, or `None` to clear it.
    pub fn household_size(size: Option<i64>) -> Result<Option<i32>, HomeFieldError> {
        match size {
            Some(n) if (1..=20).contains(&n) => Ok(Some(n as i32)),
            Some(_) => Err(HomeFieldError::HouseholdSize),
            None => Ok(None),
        }
    }

    /// Trimmed, de-duplicated (case-insensitively), at most 20 of 1 to 64 characters.
    pub fn dietary(raw: &[String]) -> Result<Vec<String>, HomeFieldError> {
        let mut out: Vec<String> = Vec::new();
        for entry in raw {
            let entry = entry.trim();
            if entry.is_empty() || entry.chars().count() > 64 {
                return Err(HomeFieldError::Dietary);
            }
            if !out.iter().any(|e| e.eq_ignore_ascii_case(entry)) {
                out.push(entry.to_owned());
            }
        }
        if out.len() > 20 {
            return Err(HomeFieldError::Dietary);
        }
        Ok(out)
    }
}

/// A home to create, with its creator as owner.
#[derive(Debug, Clone)]
pub struct NewHome {
    /// The new home's id.
    pub id: Uuid,
    /// Its name, from [`parse_name`].
    pub name: String,
    /// The creator, who becomes its owner.
    pub owner_id: Uuid,
    /// The id of the owner membership.
    pub membership_id: Uuid,
    /// When it was created.
    pub at: DateTime<Utc>,
}

/// Storage of homes and memberships. Every mutation appends its `event` to the home's change
/// log in the same transaction.
#[async_trait]
pub trait HomeRepository: Send + Sync {
    /// The user's role in the home, `None` when they are not a member (or it does not exist).
    async fn role_of(&self, home_id: Uuid, user_id: Uuid) -> Result<Option<Role>, RepoError>;

    /// The user's role with the home's latest change-log `seq`, in one read (`None` as for
    /// [`role_of`](Self::role_of)): what a cached read needs to know it is still current.
    async fn role_and_seq(
        &self,
        home_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<(Role, i64)>, RepoError>;

    /// The home, if it exists. Callers check membership first.
    async fn get(&self, home_id: Uuid) -> Result<Option<Home>, RepoError>;

    /// The user's homes, oldest membership first.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<HomeSummary>, RepoError>;

    /// The home, the owner membership, and `event`.
    async fn create(&self, home: &NewHome, event: &NewHomeEvent) -> Result<Home, RepoError>;

    /// Applies `edit`, bumps `version` and `updated_at`, appends `event`: `Applied` with the
    /// updated home. With `expected_version`, only when it is still the home's `version`,
    /// compared under the home's write lock in the same transaction as the write; otherwise
    /// nothing changes, no event is appended, and the answer is `Stale` with the home as it
    /// is. `Missing` when the home does not exist. Without it the last write wins.
    async fn update(
        &self,
        home_id: Uuid,
        edit: &HomeEdit,
        expected_version: Option<i64>,
        event: &NewHomeEvent,
    ) -> Result<Mutation<Home>, RepoError>;

    /// Deletes the home and everything in it.
    async fn delete(&self, home_id: Uuid) -> Result<(), RepoError>;

    /// Members, oldest first.
    async fn members(&self, home_id: Uuid) -> Result<Vec<Member>, RepoError>;

    /// Changes a member's role. `NotFound` without that membership; `Conflict` when the
    /// member is the owner or `role` is owner (ownership moves only by transfer).
    async fn set_role(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        role: Role,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError>;

    /// Ends a membership. `NotFound` without it; `Conflict` for the owner.
    async fn remove_member(
        &self,
        home_id: Uuid,
        user_id: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError>;

    /// Makes `to` (a member) the owner and the previous owner an admin, atomically.
    /// `NotFound` when `to` is not a member.
    async fn transfer_ownership(
        &self,
        home_id: Uuid,
        to: Uuid,
        event: &NewHomeEvent,
    ) -> Result<(), RepoError>;

    /// Records the home the user works in.
    async fn set_active_home(&self, user_id: Uuid, home_id: Uuid) -> Result<(), RepoError>;
}
