//! `GET` and `PATCH /api/users/me/preferences`: the caller's own preferences and those of a
//! home of theirs (the token's home unless `?homeId=` names another). Handlers check the JSON
//! shape of each field and hand the values to pantry-core's parsers; `PreferencesService`
//! decides who may write what.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use pantry_core::accounts::preferences::{
    BudgetConsciousness, CookingSkill, HomeChoice, NotificationType, PreferenceFieldError,
    Preferences, PreferencesEdit, PreferencesError, parse_dietary, parse_muted,
};
use pantry_core::homes::home::{HomeEdit, HomeFieldError};
use pantry_core::money::{self, MoneyError};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/me/preferences")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    );
}

/// The earlier server's preferences object, plus `homeId` (the home the home fields are from).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PreferencesBody {
    dietary_restrictions: Vec<String>,
    cooking_skill_level: Option<CookingSkill>,
    budget_consciousness: Option<BudgetConsciousness>,
    muted_notification_types: Vec<NotificationType>,
    household_size: Option<i32>,
    shared_dietary_restrictions: Vec<String>,
    /// Major units, as home rows carry it.
    monthly_budget: Option<f64>,
    home_id: Option<Uuid>,
}

impl From<Preferences> for PreferencesBody {
    fn from(prefs: Preferences) -> Self {
        let user = prefs.user;
        let home = prefs.home;
        Self {
            dietary_restrictions: user.dietary_restrictions,
            cooking_skill_level: user.cooking_skill_level,
            budget_consciousness: user.budget_consciousness,
            muted_notification_types: user.muted_notification_types,
            household_size: home.as_ref().and_then(|h| h.household_size),
            monthly_budget: home
                .as_ref()
                .and_then(|h| h.monthly_budget_minor)
                .map(money::to_major),
            home_id: home.as_ref().map(|h| h.home_id),
            shared_dietary_restrictions: home
                .map(|h| h.shared_dietary_restrictions)
                .unwrap_or_default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreferencesQuery {
    home_id: Option<String>,
}

/// Each field as sent, `null` included (`Some(Value::Null)`), so that a value of the wrong type
/// is reported against its field instead of failing the whole body. Unknown fields are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    #[serde(default, deserialize_with = "present")]
    dietary_restrictions: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    cooking_skill_level: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    budget_consciousness: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    muted_notification_types: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    household_size: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    shared_dietary_restrictions: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    monthly_budget: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

const NOT_A_LIST: &str = "must be a list of strings";

/// A list of strings; `null` is the empty list (clears it).
fn strings(value: Value) -> Result<Vec<String>, String> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(NOT_A_LIST.to_owned()),
            })
            .collect(),
        _ => Err(NOT_A_LIST.to_owned()),
    }
}

/// One of an enumeration's spellings, or `null` to unset it.
fn level<T>(
    value: Value,
    parse: fn(&str) -> Option<T>,
    error: PreferenceFieldError,
) -> Result<Option<T>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => parse(&s).map(Some).ok_or_else(|| error.to_string()),
        _ => Err(error.to_string()),
    }
}

fn household_size(value: Value) -> Result<Option<i32>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(n) => HomeEdit::household_size(Some(n)).map_err(|e| e.to_string()),
            None => Err(HomeFieldError::HouseholdSize.to_string()),
        },
        _ => Err(HomeFieldError::HouseholdSize.to_string()),
    }
}

/// A number or a numeric string, as the earlier clients sent money both ways, in minor units.
fn monthly_budget(value: Value) -> Result<Option<i64>, String> {
    let minor = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => money::parse_minor(&n.to_string()),
        Value::String(s) => money::parse_minor(&s),
        _ => Err(MoneyError::Malformed),
    };
    let minor = minor.map_err(|e| e.to_string())?;
    HomeEdit::budget(Some(minor)).map_err(|e| e.to_string())
}

/// Validates every field sent, reporting all bad ones at once.
fn parse_edit(body: PatchBody, errors: &mut Vec<FieldError>) -> PreferencesEdit {
    let mut edit = PreferencesEdit::default();
    let mut check = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError::new(field, message));
        }
    };
    if let Some(v) = body.dietary_restrictions {
        check(
            "dietaryRestrictions",
            strings(v)
                .and_then(|l| parse_dietary(&l).map_err(|e| e.to_string()))
                .map(|l| edit.user.dietary_restrictions = Some(l)),
        );
    }
    if let Some(v) = body.cooking_skill_level {
        check(
            "cookingSkillLevel",
            level(v, CookingSkill::parse, PreferenceFieldError::CookingSkill)
                .map(|l| edit.user.cooking_skill_level = Some(l)),
        );
    }
    if let Some(v) = body.budget_consciousness {
        check(
            "budgetConsciousness",
            level(
                v,
                BudgetConsciousness::parse,
                PreferenceFieldError::BudgetConsciousness,
            )
            .map(|l| edit.user.budget_consciousness = Some(l)),
        );
    }
    if let Some(v) = body.muted_notification_types {
        check(
            "mutedNotificationTypes",
            strings(v)
                .and_then(|l| parse_muted(&l).map_err(|e| e.to_string()))
                .map(|l| edit.user.muted_notification_types = Some(l)),
        );
    }
    if let Some(v) = body.household_size {
        check(
            "householdSize",
            household_size(v).map(|s| edit.home.household_size = Some(s)),
        );
    }
    if let Some(v) = body.shared_dietary_restrictions {
        check(
            "sharedDietaryRestrictions",
            strings(v)
                .and_then(|l| HomeEdit::dietary(&l).map_err(|e| e.to_string()))
                .map(|l| edit.home.shared_dietary_restrictions = Some(l)),
        );
    }
    if let Some(v) = body.monthly_budget {
        check(
            "monthlyBudget",
            monthly_budget(v).map(|m| edit.home.monthly_budget_minor = Some(m)),
        );
    }
    edit
}

/// `?homeId=` names a home; without it (or empty, as the earlier client sent it) the token's.
fn home_choice(query: &PreferencesQuery, user: &AuthUser) -> Result<HomeChoice, FieldError> {
    match query.home_id.as_deref().map(str::trim) {
        None | Some("") => Ok(HomeChoice::Session(user.home_id)),
        Some(id) => Uuid::parse_str(id)
            .map(HomeChoice::Named)
            .map_err(|_| FieldError::new("homeId", "must be a home id")),
    }
}

fn preferences_error(error: PreferencesError) -> ApiError {
    match error {
        PreferencesError::NothingToUpdate => ApiError::bad_request("No valid fields to update"),
        PreferencesError::UserNotFound => ApiError::not_found("User not found"),
        PreferencesError::HomeNotFound => ApiError::not_found("Home not found"),
        PreferencesError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        PreferencesError::Conflict(why) => ApiError::conflict(why),
        PreferencesError::Repo(e) => e.into(),
    }
}

async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PreferencesQuery>,
) -> Result<HttpResponse, ApiError> {
    let choice = home_choice(&query, &user).map_err(|e| ApiError::validation(vec![e]))?;
    let prefs = state
        .preferences
        .get(user.user_id, choice)
        .await
        .map_err(preferences_error)?;
    Ok(envelope::ok(PreferencesBody::from(prefs)))
}

/// Answers `{success, timestamp}` as the earlier server did, plus `data`: the preferences after
/// the change.
async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PreferencesQuery>,
    body: web::Json<PatchBody>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let choice = match home_choice(&query, &user) {
        Ok(choice) => Some(choice),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let edit = parse_edit(body.into_inner(), &mut errors);
    let choice = match choice {
        Some(choice) if errors.is_empty() => choice,
        _ => return Err(ApiError::validation(errors)),
    };
    let prefs = state
        .preferences
        .update(user.user_id, choice, edit)
        .await
        .map_err(preferences_error)?;
    Ok(envelope::ok(PreferencesBody::from(prefs)))
}
