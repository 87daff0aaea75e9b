//! Home and membership routes. Handlers parse and validate; `HomeService` decides.

use crate::auth::AuthUser;
use crate::envelope::{self, Done, Success};
use crate::error::{ApiError, FieldError};
use crate::idempotency::carries_secret;
use crate::openapi::{
    BadRequest, ErrorResponse, IfMatch, RoleSchema, Stale, TooManyRequests, Unauthorized,
};
use crate::state::AppState;
use crate::wire::{Decimal, expected_version, nullable};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::homes::home::{self, Home, HomeEdit, HomeFieldError};
use pantry_core::homes::role::Role;
use pantry_core::homes::service::HomeError;
use pantry_core::money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
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
            .route(web::patch().to(patch))
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

// The earlier server's camelCase row.
/// A home. Money is in major units of `currency` on the wire (stored in minor units).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Home)]
pub struct HomeBody {
    id: Uuid,
    #[schema(example = "Alice's Kitchen")]
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    owner_id: Uuid,
    /// IANA time zone.
    #[schema(example = "Europe/Berlin")]
    timezone: String,
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    currency: String,
    /// In major units of `currency`.
    #[schema(required = true, example = 450.5)]
    monthly_budget: Option<f64>,
    #[schema(required = true)]
    household_size: Option<i32>,
    shared_dietary_restrictions: Vec<String>,
    /// Increases by one with every edit.
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// The caller's role; in lists and `GET /api/homes/{home_id}` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RoleSchema>)]
    role: Option<Role>,
    /// In lists only.
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

/// A member of a home.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Member)]
struct MemberBody {
    /// The membership id, as the earlier server answered.
    id: Uuid,
    user_id: Uuid,
    name: String,
    email: String,
    #[schema(value_type = RoleSchema)]
    role: Role,
    joined_at: DateTime<Utc>,
}

/// A new home.
#[derive(Deserialize, ToSchema)]
#[schema(as = NewHome)]
struct CreateBody {
    /// Trimmed; 1 to 255 characters.
    #[schema(example = "Beach House")]
    name: String,
}

/// Every field is optional: absent fields keep their value, `null` clears a nullable one, and
/// unknown fields are ignored (clients may send a whole home back).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = HomeEdit)]
struct UpdateBody {
    /// Trimmed; 1 to 255 characters.
    #[schema(nullable = false)]
    name: Option<String>,
    /// At most 1000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    /// IANA time zone, e.g. `Asia/Bangkok`.
    #[schema(nullable = false)]
    timezone: Option<String>,
    /// ISO 4217 code, any case.
    #[schema(nullable = false)]
    currency: Option<String>,
    /// Major units, as a number or a numeric string; at most two decimals, not negative.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Decimal>)]
    monthly_budget: Option<Option<Decimal>>,
    /// 1 to 20.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    household_size: Option<Option<i64>>,
    /// At most 20; trimmed and de-duplicated case-insensitively.
    #[schema(nullable = false)]
    shared_dietary_restrictions: Option<Vec<String>>,
    /// Change it only if this is still its `version` (`If-Match` takes precedence).
    #[schema(nullable = false)]
    version: Option<i64>,
}

/// A member's new role.
#[derive(Deserialize, ToSchema)]
#[schema(as = RoleChange)]
struct RoleBody {
    /// `admin`, `member` or `viewer`; ownership changes only by transfer.
    #[schema(value_type = RoleSchema)]
    role: String,
}

/// Who receives the home.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Transfer)]
struct TransferBody {
    /// The member who becomes owner.
    user_id: Uuid,
}

/// The newly active home and a token bound to it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Activated)]
struct ActivateBody {
    /// An access token bound to this home (same session).
    token: String,
    /// Seconds until `token` expires.
    expires_in: u64,
    home: HomeBody,
}

/// How a refused home operation is answered.
pub(crate) fn home_error(error: HomeError) -> ApiError {
    match error {
        HomeError::NotFound => ApiError::not_found("Home not found"),
        HomeError::MemberNotFound => ApiError::not_found("Member not found"),
        HomeError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        HomeError::Stale { current, role } => {
            ApiError::stale(&HomeBody::new(*current, Some(role), None))
        }
        HomeError::Conflict(why) => ApiError::conflict(why),
        HomeError::Repo(e) => e.into(),
    }
}

/// Validates every field of an update, reporting all bad ones at once.
fn parse_edit(body: &UpdateBody) -> Result<HomeEdit, ApiError> {
    let mut edit = HomeEdit::default();
    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<(), HomeFieldError>| {
        if let Err(e) = result {
            errors.push(FieldError::new(field, e));
        }
    };
    if let Some(name) = &body.name {
        check("name", home::parse_name(name).map(|n| edit.name = Some(n)));
    }
    if let Some(description) = &body.description {
        check(
            "description",
            HomeEdit::description(description.as_deref()).map(|d| edit.description = Some(d)),
        );
    }
    if let Some(tz) = &body.timezone {
        check(
            "timezone",
            home::parse_timezone(tz).map(|t| edit.timezone = Some(t)),
        );
    }
    if let Some(currency) = &body.currency {
        check(
            "currency",
            home::parse_currency(currency).map(|c| edit.currency = Some(c)),
        );
    }
    if let Some(size) = body.household_size {
        check(
            "householdSize",
            HomeEdit::household_size(size).map(|s| edit.household_size = Some(s)),
        );
    }
    if let Some(list) = &body.shared_dietary_restrictions {
        check(
            "sharedDietaryRestrictions",
            HomeEdit::dietary(list).map(|l| edit.shared_dietary_restrictions = Some(l)),
        );
    }
    if let Some(amount) = &body.monthly_budget {
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

/// The caller's homes
///
/// Every home the caller belongs to, with their `role` and the `memberCount`.
#[utoipa::path(
    get,
    path = "/api/homes",
    tag = "homes",
    operation_id = "listHomes",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The caller's homes", body = Success<Vec<HomeBody>>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn list(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let homes = state.homes.list(user.user_id).await.map_err(home_error)?;
    let body: Vec<HomeBody> = homes
        .into_iter()
        .map(|s| HomeBody::new(s.home, Some(s.role), Some(s.member_count)))
        .collect();
    Ok(envelope::ok(body))
}

/// A home
///
/// With the caller's `role`.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}",
    tag = "homes",
    operation_id = "getHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The home", body = Success<HomeBody>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Create a home
///
/// The caller becomes its owner. Their active home does not change.
#[utoipa::path(
    post,
    path = "/api/homes",
    tag = "homes",
    operation_id = "createHome",
    security(("bearerAuth" = [])),
    request_body = CreateBody,
    responses(
        (status = 201, description = "The new home", body = Success<HomeBody>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Edit a home (admins)
///
/// Any subset of the editable fields; 400 lists every invalid field at once. With `If-Match`
/// (or `version`), only if nobody changed it since.
#[utoipa::path(
    put,
    path = "/api/homes/{home_id}",
    tag = "homes",
    operation_id = "updateHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated home (`version` + 1)", body = Success<HomeBody>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the home as it is now, with the caller's `role`", body = Stale<HomeBody>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let edit = parse_edit(&body)?;
    let expected = expected_version(&req, body.version)?;
    let home = state
        .homes
        .update(user.user_id, *path, edit, expected)
        .await
        .map_err(home_error)?;
    Ok(envelope::ok(HomeBody::new(home, None, None)))
}

/// Edit a home (admins; PATCH alias of PUT)
///
/// The same partial update as PUT, `If-Match` and `version` included: the earlier clients
/// used both.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}",
    tag = "homes",
    operation_id = "patchHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated home (`version` + 1)", body = Success<HomeBody>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the home as it is now, with the caller's `role`", body = Stale<HomeBody>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn patch(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    update(state, user, req, path, body).await
}

/// Delete a home (owner)
///
/// The home and everything in it are gone.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}",
    tag = "homes",
    operation_id = "deleteHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "Deleted", body = Done),
        (status = 403, description = "Owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// The home's members
///
/// Any member may see who they share the home with.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/members",
    tag = "members",
    operation_id = "listMembers",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "Everyone in the home", body = Success<Vec<MemberBody>>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Change a member's role (admins)
///
/// Only the owner grants or changes `admin`; the owner's role changes only by transfer.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/members/{user_id}",
    tag = "members",
    operation_id = "setMemberRole",
    security(("bearerAuth" = [])),
    params(
        ("home_id" = Uuid, Path, description = "The home"),
        ("user_id" = Uuid, Path, description = "The member's user id"),
    ),
    request_body = RoleBody,
    responses(
        (status = 200, description = "Role changed", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Admin or owner role required, or only the owner manages admins (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Ownership changes only by transfer, or your own role (`CONFLICT`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Remove a member (admins)
///
/// Only the owner removes admins; the owner cannot be removed; use leave to leave.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/members/{user_id}",
    tag = "members",
    operation_id = "removeMember",
    security(("bearerAuth" = [])),
    params(
        ("home_id" = Uuid, Path, description = "The home"),
        ("user_id" = Uuid, Path, description = "The member's user id"),
    ),
    responses(
        (status = 200, description = "Removed", body = Done),
        (status = 403, description = "Admin or owner role required, or only the owner removes admins (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The owner, or yourself (`CONFLICT`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Leave a home
///
/// The owner must transfer or delete the home first, so a home always has an owner.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/leave",
    tag = "members",
    operation_id = "leaveHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "Left", body = Done),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The owner cannot leave (`CONFLICT`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Hand the home to another member (owner)
///
/// That member becomes owner; the caller becomes admin.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/transfer",
    tag = "members",
    operation_id = "transferOwnership",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    request_body = TransferBody,
    responses(
        (status = 200, description = "Transferred", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "You already own it (`CONFLICT`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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

/// Switch the active home
///
/// Answers a new access token whose `homeId` is this home (same session).
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/activate",
    tag = "homes",
    operation_id = "activateHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The token and the home", body = Success<ActivateBody>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
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
