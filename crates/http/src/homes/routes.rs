//! Home and membership routes. Handlers parse and validate; `HomeService` decides.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
use crate::idempotency::carries_secret;
use crate::state::AppState;
use crate::wire::{Decimal, nullable};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::homes::home::{self, Home, HomeEdit, HomeFieldError};
use pantry_core::homes::role::Role;
use pantry_core::homes::service::HomeError;
use pantry_core::money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        web::resource("/homes/{home_id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/homes/{home_id}/members").route(web::get().to(members)))
    .service(
        web::resource("/homes/{home_id}/members/{user_id}")
            .route(web::patch().to(set_role))
            .route(web::delete().to(remove_member)),
    )
    .service(web::resource("/homes/{home_id}/leave").route(web::post().to(leave)))
    .service(web::resource("/homes/{home_id}/transfer").route(web::post().to(transfer)))
    .service(web::resource("/homes/{home_id}/activate").route(web::post().to(activate)));
}

/// A home on the wire: the earlier server's camelCase row, money in major units.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HomeBody {
    id: Uuid,
    name: String,
    description: Option<String>,
    owner_id: Uuid,
    timezone: String,
    currency: String,
    monthly_budget: Option<f64>,
    household_size: Option<i32>,
    shared_dietary_restrictions: Vec<String>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member_count: Option<i64>,
}

impl HomeBody {
    pub(crate) fn new(home: Home, role: Option<Role>, member_count: Option<i64>) -> Self {
        Self {
            id: home.id,
            name: home.name,
            description: home.description,
            owner_id: home.owner_id,
            timezone: home.timezone,
            currency: home.currency,
            monthly_budget: home.monthly_budget_minor.map(money::to_major),
            household_size: home.household_size,
            shared_dietary_restrictions: home.shared_dietary_restrictions,
            version: home.version,
            created_at: home.created_at,
            updated_at: home.updated_at,
            role,
            member_count,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberBody {
    /// The membership id, as the earlier server answered.
    id: Uuid,
    user_id: Uuid,
    name: String,
    email: String,
    role: Role,
    joined_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct CreateBody {
    name: String,
}

/// Unknown fields are ignored, as the earlier server did: clients send whole rows back.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    timezone: Option<String>,
    currency: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    monthly_budget: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    household_size: Option<Option<i64>>,
    shared_dietary_restrictions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RoleBody {
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransferBody {
    user_id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActivateBody {
    token: String,
    expires_in: u64,
    home: HomeBody,
}

/// How a refused home operation is answered.
pub(crate) fn home_error(error: HomeError) -> ApiError {
    match error {
        HomeError::NotFound => ApiError::not_found("Home not found"),
        HomeError::MemberNotFound => ApiError::not_found("Member not found"),
        HomeError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        HomeError::Conflict(why) => ApiError::conflict(why),
        HomeError::Repo(e) => e.into(),
    }
}

/// Validates every field of an update, reporting all bad ones at once.
fn parse_edit(body: UpdateBody) -> Result<HomeEdit, ApiError> {
    let mut edit = HomeEdit::default();
    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<(), HomeFieldError>| {
        if let Err(e) = result {
            errors.push(FieldError::new(field, e));
        }
    };
    if let Some(name) = body.name {
        check("name", home::parse_name(&name).map(|n| edit.name = Some(n)));
    }
    if let Some(description) = body.description {
        check(
            "description",
            HomeEdit::description(description.as_deref()).map(|d| edit.description = Some(d)),
        );
    }
    if let Some(tz) = body.timezone {
        check(
            "timezone",
            home::parse_timezone(&tz).map(|t| edit.timezone = Some(t)),
        );
    }
    if let Some(currency) = body.currency {
        check(
            "currency",
            home::parse_currency(&currency).map(|c| edit.currency = Some(c)),
        );
    }
    if let Some(size) = body.household_size {
        check(
            "householdSize",
            HomeEdit::household_size(size).map(|s| edit.household_size = Some(s)),
        );
    }
    if let Some(list) = body.shared_dietary_restrictions {
        check(
            "sharedDietaryRestrictions",
            HomeEdit::dietary(&list).map(|l| edit.shared_dietary_restrictions = Some(l)),
        );
    }
    if let Some(amount) = body.monthly_budget {
        let parsed = match amount {
            None => Ok(None),
            Some(amount) => amount.minor().map(Some),
        };
        match parsed {
            Ok(minor) => edit.monthly_budget_minor = Some(minor),
            Err(e) => errors.push(FieldError::new("monthlyBudget", e)),
        }
    }
    if errors.is_empty() {
        Ok(edit)
    } else {
        Err(ApiError::validation(errors))
    }
}

async fn list(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let homes = state.homes.list(user.user_id).await.map_err(home_error)?;
    let body: Vec<HomeBody> = homes
        .into_iter()
        .map(|s| HomeBody::new(s.home, Some(s.role), Some(s.member_count)))
        .collect();
    Ok(envelope::ok(body))
}

async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (home, role) = state
        .homes
        .get(user.user_id, *path)
        .await
        .map_err(home_error)?;
    Ok(envelope::ok(HomeBody::new(home, Some(role), None)))
}

async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let name = home::parse_name(&body.name)
        .map_err(|e| ApiError::validation(vec![FieldError::new("name", e)]))?;
    let home = state
        .homes
        .create(user.user_id, name)
        .await
        .map_err(home_error)?;
    Ok(envelope::created(HomeBody::new(
        home,
        Some(Role::Owner),
        Some(1),
    )))
}

async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let edit = parse_edit(body.into_inner())?;
    let home = state
        .homes
        .update(user.user_id, *path, edit)
        .await
        .map_err(home_error)?;
    Ok(envelope::ok(HomeBody::new(home, None, None)))
}

async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .homes
        .delete(user.user_id, *path)
        .await
        .map_err(home_error)?;
    Ok(envelope::done())
}

async fn members(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let members = state
        .homes
        .members(user.user_id, *path)
        .await
        .map_err(home_error)?;
    let body: Vec<MemberBody> = members
        .into_iter()
        .map(|m| MemberBody {
            id: m.membership_id,
            user_id: m.user_id,
            name: m.name,
            email: m.email,
            role: m.role,
            joined_at: m.joined_at,
        })
        .collect();
    Ok(envelope::ok(body))
}

async fn set_role(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "role",
            "must be admin, member or viewer",
        )])
    })?;
    let (home_id, target) = path.into_inner();
    state
        .homes
        .set_role(user.user_id, home_id, target, role)
        .await
        .map_err(home_error)?;
    Ok(envelope::done())
}

async fn remove_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, target) = path.into_inner();
    state
        .homes
        .remove_member(user.user_id, home_id, target)
        .await
        .map_err(home_error)?;
    Ok(envelope::done())
}

async fn leave(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state
        .homes
        .leave(user.user_id, *path)
        .await
        .map_err(home_error)?;
    Ok(envelope::done())
}

async fn transfer(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<TransferBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .homes
        .transfer_ownership(user.user_id, *path, body.user_id)
        .await
        .map_err(home_error)?;
    Ok(envelope::done())
}

/// Switches the caller's active home and answers with an access token bound to it.
async fn activate(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let home = state
        .homes
        .activate(user.user_id, *path)
        .await
        .map_err(home_error)?;
    let token = state
        .tokens
        .issue_for(user.session, &user.email, Some(home.id))
        .map_err(ApiError::internal)?;
    Ok(carries_secret(envelope::ok(ActivateBody {
        token: token.token,
        expires_in: token.expires_in,
        home: HomeBody::new(home, None, None),
    })))
}
