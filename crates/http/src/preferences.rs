//! `GET` and `PATCH /api/users/me/preferences`: the caller's own preferences and those of a
//! home of theirs (the token's home unless `?homeId=` names another). Handlers check the JSON
//! shape of each field and hand the values to pantry-core's parsers; `PreferencesService`
//! decides who may write what.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::openapi::mirrors::{
    BudgetConsciousnessSchema, CookingSkillSchema, NotificationTypeSchema,
};
use crate::openapi::{BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use crate::wire::Decimal;
use actix_web::{HttpResponse, web};
use pantry_core::accounts::preferences::{
    BudgetConsciousness, CookingSkill, HomeChoice, NotificationType, PreferenceFieldError,
    Preferences, PreferencesEdit, PreferencesError, parse_dietary, parse_muted,
};
use pantry_core::homes::home::{HomeEdit, HomeFieldError};
use pantry_core::money::{self, MoneyError};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/me/preferences")
            .route(web::get().to(get))
            .route(web::patch().to(update)),
    );
}

// The earlier server's preferences object, plus `homeId`.
/// The caller's own preferences and those their home shares. Every field is always sent; with
/// no home, the home fields are `null` or empty and `homeId` is `null`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Preferences)]
struct PreferencesBody {
    /// The caller's diet (e.g. `vegan`).
    dietary_restrictions: Vec<String>,
    /// `null` when not set.
    #[schema(value_type = Option<CookingSkillSchema>, required = true)]
    cooking_skill_level: Option<CookingSkill>,
    /// `null` when not set.
    #[schema(value_type = Option<BudgetConsciousnessSchema>, required = true)]
    budget_consciousness: Option<BudgetConsciousness>,
    /// Notifications the caller does not want.
    #[schema(value_type = Vec<NotificationTypeSchema>)]
    muted_notification_types: Vec<NotificationType>,
    /// The home's household size.
    #[schema(required = true)]
    household_size: Option<i32>,
    /// The diet the home shares.
    shared_dietary_restrictions: Vec<String>,
    /// The home's monthly budget, in major units of its currency, as home rows carry it.
    #[schema(required = true, example = 250.5)]
    monthly_budget: Option<f64>,
    /// The home the home fields are from.
    #[schema(required = true)]
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

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct PreferencesQuery {
    /// One of the caller's homes (another answers 404, like a missing one). Without it (or
    /// empty), the home the token is bound to, or the caller's current home if they left that
    /// one.
    #[param(value_type = Option<Uuid>, nullable = false)]
    home_id: Option<String>,
}

// Each field as sent, `null` included (`Some(Value::Null)`), so that a value of the wrong type
// is reported against its field instead of failing the whole body.
/// Any subset of the fields, at least one; absent fields keep their value, unknown fields are
/// ignored. The caller's own fields anyone may change; the home's fields (`householdSize`,
/// `sharedDietaryRestrictions`, `monthlyBudget`) need admin or owner there, and without that
/// role nothing at all is written. Every value is checked; nothing is written if one is bad.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PreferencesEdit)]
struct PatchBody {
    /// At most 20 strings of 1 to 64 characters, trimmed and de-duplicated ignoring case;
    /// `null` empties it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    dietary_restrictions: Option<Value>,
    /// Any case; `null` unsets it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<CookingSkillSchema>)]
    cooking_skill_level: Option<Value>,
    /// Any case; `null` unsets it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<BudgetConsciousnessSchema>)]
    budget_consciousness: Option<Value>,
    /// `null` empties it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<NotificationTypeSchema>>)]
    muted_notification_types: Option<Value>,
    /// 1 to 20, or `null` (home field).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 20)]
    household_size: Option<Value>,
    /// As `dietaryRestrictions` (home field).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    shared_dietary_restrictions: Option<Value>,
    /// Major units, as a number or a numeric string: not negative, at most two decimals, or
    /// `null` (home field).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Decimal>)]
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

/// The caller's preferences
///
/// Their own, and those of the chosen home.
#[utoipa::path(
    get,
    path = "/api/users/me/preferences",
    tag = "preferences",
    operation_id = "getPreferences",
    security(("bearerAuth" = [])),
    params(PreferencesQuery),
    responses(
        (status = 200, description = "The preferences", body = Success<PreferencesBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "`homeId` is not one of the caller's homes (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Change preferences
///
/// Answers `{success, timestamp}` as the earlier server did, plus `data`: the preferences after
/// the change. Home fields are written as an edit of the home (`version` + 1) without a version
/// check: the last write wins (`PUT /api/homes/{home_id}` takes `If-Match`).
#[utoipa::path(
    patch,
    path = "/api/users/me/preferences",
    tag = "preferences",
    operation_id = "updatePreferences",
    security(("bearerAuth" = [])),
    params(PreferencesQuery),
    request_body = PatchBody,
    responses(
        (status = 200, description = "The preferences after the change", body = Success<PreferencesBody>),
        (status = 400, description = "Invalid fields (`VALIDATION_ERROR`, one `details` entry per field), no known field (`BAD_REQUEST` \"No valid fields to update\"), or not a JSON object", body = ErrorResponse),
        (status = 403, description = "Home fields need admin or owner in the chosen home; nothing was written (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "`homeId` is not one of the caller's homes, or home fields were sent with no home (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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
