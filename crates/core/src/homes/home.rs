//! The home entity, its validated fields, and the repository port.

use crate::change_log::NewHomeEvent;
use crate::homes::role::Role;
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
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: Uuid,
    /// IANA time zone: schedules and "Sunday" are computed in it.
    pub timezone: String,
    /// ISO 4217 code.
    pub currency: String,
    pub monthly_budget_minor: Option<i64>,
    pub household_size: Option<i32>,
    pub shared_dietary_restrictions: Vec<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A home as one of the caller's homes: with the caller's role and the member count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeSummary {
    pub home: Home,
    pub role: Role,
    pub member_count: i64,
}

/// A member of a home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub membership_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// Why a home field was refused; shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HomeFieldError {
    #[error("must be 1 to 255 characters")]
    Name,
    #[error("must be at most 1000 characters")]
    Description,
    #[error("must be an IANA time zone such as Europe/Paris")]
    Timezone,
    #[error("must be a three-letter ISO 4217 code such as EUR")]
    Currency,
    #[error("must be zero or more")]
    Budget,
    #[error("must be between 1 and 20")]
    HouseholdSize,
    #[error("must be at most 20 entries of 1 to 64 characters")]
    Dietary,
}

/// A home name: trimmed, 1 to 255 characters.
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

/// A currency code, upper-cased.
pub fn parse_currency(raw: &str) -> Result<String, HomeFieldError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(HomeFieldError::Currency)
    }
}

/// Validated changes to a home; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeEdit {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub monthly_budget_minor: Option<Option<i64>>,
    pub household_size: Option<Option<i32>>,
    pub shared_dietary_restrictions: Option<Vec<String>>,
}

impl HomeEdit {
    pub fn description(raw: Option<&str>) -> Result<Option<String>, HomeFieldError> {
        match raw.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if d.chars().count() > 1000 => Err(HomeFieldError::Description),
            other => Ok(other.map(str::to_owned)),
        }
    }

    pub fn budget(minor: Option<i64>) -> Result<Option<i64>, HomeFieldError> {
        match minor {
            Some(m) if m < 0 => Err(HomeFieldError::Budget),
            other => Ok(other),
        }
    }

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
    pub id: Uuid,
    pub name: String,
    pub owner_id: Uuid,
    pub membership_id: Uuid,
    pub at: DateTime<Utc>,
}

/// Storage of homes and memberships. Every mutation appends its `event` to the home's change
/// log in the same transaction.
#[async_trait]
pub trait HomeRepository: Send + Sync {
    /// The user's role in the home, `None` when they are not a member (or it does not exist).
    async fn role_of(&self, home_id: Uuid, user_id: Uuid) -> Result<Option<Role>, RepoError>;

    async fn get(&self, home_id: Uuid) -> Result<Option<Home>, RepoError>;

    /// The user's homes, oldest membership first.
    async fn list_for_user(&self, user_id: Uuid) -> Result<Vec<HomeSummary>, RepoError>;

    /// The home, the owner membership, and `event`.
    async fn create(&self, home: &NewHome, event: &NewHomeEvent) -> Result<Home, RepoError>;

    /// Applies `edit`, bumps `version` and `updated_at`, appends `event`; the updated home.
    async fn update(
        &self,
        home_id: Uuid,
        edit: &HomeEdit,
        event: &NewHomeEvent,
    ) -> Result<Home, RepoError>;

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
