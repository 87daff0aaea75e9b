//! Invite routes: create, list and revoke (admins); preview by code (public); accept.

use crate::auth::AuthUser;
use crate::envelope::{self, Done, Success};
use crate::error::{ApiError, FieldError};
use crate::idempotency::carries_secret;
use crate::openapi::{BadRequest, ErrorResponse, RoleSchema, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::homes::invite::{Invite, InviteState};
use pantry_core::homes::invites::{
    DEFAULT_INVITE_DAYS, InviteError, InviteRequest, MAX_INVITE_DAYS,
};
use pantry_core::homes::role::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes/{home_id}/invites")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(web::resource("/homes/{home_id}/invites/{invite_id}").route(web::delete().to(revoke)))
    .service(web::resource("/invites/{code}").route(web::get().to(preview)))
    .service(web::resource("/invites/{code}/accept").route(web::post().to(accept)));
}

/// The most uses one invite may allow.
const MAX_USES: i64 = 50;

/// Optional: an empty body invites a member for one use, valid for 7 days.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewInvite)]
struct CreateBody {
    /// `member` (default), `viewer`, or `admin` (the owner only).
    #[schema(value_type = Option<RoleSchema>, nullable = false)]
    role: Option<String>,
    /// A number of uses, or `null` for unlimited until expiry.
    #[serde(default = "one_use", deserialize_with = "nullable_uses")]
    #[schema(default = 1, minimum = 1, maximum = 50)]
    max_uses: Option<i64>,
    #[schema(nullable = false, default = 7, minimum = 1, maximum = 30)]
    expires_in_days: Option<i64>,
}

fn one_use() -> Option<i64> {
    Some(1)
}

fn nullable_uses<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

/// Whether an invite can still be used, and if not, why.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = InviteStatus)]
enum StatusBody {
    Active,
    Used,
    Expired,
    Revoked,
}

/// An invite as its home's admins see it (without its code).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Invite)]
struct InviteBody {
    id: Uuid,
    /// The role the invite grants.
    #[schema(value_type = RoleSchema)]
    role: Role,
    /// `null`: unlimited until expiry.
    #[schema(required = true)]
    max_uses: Option<i32>,
    uses: i32,
    expires_at: DateTime<Utc>,
    #[schema(required = true)]
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    inviter_id: Uuid,
    status: StatusBody,
}

impl From<Invite> for InviteBody {
    fn from(invite: Invite) -> Self {
        let status = match invite.state(Utc::now()) {
            InviteState::Usable => StatusBody::Active,
            InviteState::Expired => StatusBody::Expired,
            InviteState::Revoked => StatusBody::Revoked,
            InviteState::UsedUp => StatusBody::Used,
        };
        Self {
            id: invite.id,
            role: invite.role,
            max_uses: invite.max_uses,
            uses: invite.uses,
            expires_at: invite.expires_at,
            revoked_at: invite.revoked_at,
            created_at: invite.created_at,
            inviter_id: invite.inviter_id,
            status,
        }
    }
}

// The earlier `{code, expiresAt}` plus the invite's details.
/// A new invite and its code.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CreatedInvite)]
struct CreatedBody {
    /// The code to share; shown only here (stored hashed).
    code: String,
    expires_at: DateTime<Utc>,
    invite: InviteBody,
}

/// Where an invite code leads, shown before accepting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InvitePreview)]
struct PreviewBody {
    home_name: String,
    inviter_name: String,
    expires_at: DateTime<Utc>,
}

/// The joined home and a token bound to it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = InviteAccepted)]
struct AcceptedBody {
    home_id: Uuid,
    home_name: String,
    /// Kept from the earlier server for its clients; always false (no onboarding step yet).
    needs_onboarding: bool,
    /// An access token bound to the joined home.
    token: String,
    /// Seconds until `token` expires.
    expires_in: u64,
}

fn invite_error(error: InviteError) -> ApiError {
    match error {
        InviteError::NotFound => ApiError::not_found("Invalid or expired invite"),
        InviteError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        InviteError::AlreadyMember => ApiError::conflict("You are already a member of this home"),
        InviteError::Unusable(state) => {
            let (code, message) = match state {
                InviteState::Expired => ("INVITE_EXPIRED", "This invite has expired"),
                InviteState::Revoked => ("INVITE_REVOKED", "This invite was revoked"),
                InviteState::UsedUp | InviteState::Usable => {
                    ("INVITE_USED", "This invite has already been used")
                }
            };
            ApiError::new(StatusCode::GONE, code, message)
        }
        InviteError::Repo(e) => e.into(),
    }
}

/// The body is optional (the earlier clients sent none); when present it is validated.
fn parse_request(body: &[u8]) -> Result<InviteRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(InviteRequest::default());
    }
    let body: CreateBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))?;
    let mut errors = Vec::new();
    let role = match body.role.as_deref() {
        None => Role::Member,
        Some(r) => match Role::parse(r) {
            Some(role) if role != Role::Owner => role,
            _ => {
                errors.push(FieldError::new("role", "must be admin, member or viewer"));
                Role::Member
            }
        },
    };
    let max_uses = match body.max_uses {
        Some(n) if (1..=MAX_USES).contains(&n) => Some(n as i32),
        Some(_) => {
            errors.push(FieldError::new(
                "maxUses",
                "must be between 1 and 50, or null for unlimited",
            ));
            None
        }
        None => None,
    };
    let valid_days = body.expires_in_days.unwrap_or(DEFAULT_INVITE_DAYS);
    if !(1..=MAX_INVITE_DAYS).contains(&valid_days) {
        errors.push(FieldError::new("expiresInDays", "must be between 1 and 30"));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(InviteRequest {
        role,
        max_uses,
        valid_days,
    })
}

/// Create an invite (admins)
///
/// Only the owner invites admins; nobody invites owners.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/invites",
    tag = "invites",
    operation_id = "createInvite",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    request_body(content = Option<CreateBody>, description = "Optional; defaults apply to absent fields", content_type = "application/json"),
    responses(
        (status = 201, description = "The invite and its code", body = Success<CreatedBody>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Admin or owner role required, or only the owner invites admins (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request = parse_request(&body)?;
    let created = state
        .invites
        .create(user.user_id, *path, request)
        .await
        .map_err(invite_error)?;
    Ok(carries_secret(envelope::created(CreatedBody {
        code: created.code,
        expires_at: created.invite.expires_at,
        invite: created.invite.into(),
    })))
}

/// The home's invites (admins)
///
/// Newest first, with their status. Codes are never shown again.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/invites",
    tag = "invites",
    operation_id = "listInvites",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The invites", body = Success<Vec<InviteBody>>),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let invites = state
        .invites
        .list(user.user_id, *path)
        .await
        .map_err(invite_error)?;
    Ok(envelope::ok(
        invites
            .into_iter()
            .map(InviteBody::from)
            .collect::<Vec<_>>(),
    ))
}

/// Revoke an invite (admins)
///
/// Its code stops working at once.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/invites/{invite_id}",
    tag = "invites",
    operation_id = "revokeInvite",
    security(("bearerAuth" = [])),
    params(
        ("home_id" = Uuid, Path, description = "The home"),
        ("invite_id" = Uuid, Path, description = "The invite"),
    ),
    responses(
        (status = 200, description = "Revoked", body = Done),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or invite (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn revoke(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, invite_id) = path.into_inner();
    state
        .invites
        .revoke(user.user_id, home_id, invite_id)
        .await
        .map_err(invite_error)?;
    Ok(envelope::done())
}

/// What an invite code invites to
///
/// Public, so that a link can show where it leads before signing in.
#[utoipa::path(
    get,
    path = "/api/invites/{code}",
    tag = "invites",
    operation_id = "previewInvite",
    params(("code" = String, Path, description = "The invite code")),
    responses(
        (status = 200, description = "The home and who invited", body = Success<PreviewBody>),
        (status = 404, description = "Invalid or expired invite: unknown and unusable codes alike (`NOT_FOUND`)", body = ErrorResponse),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn preview(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let preview = state.invites.preview(&path).await.map_err(invite_error)?;
    Ok(envelope::ok(PreviewBody {
        home_name: preview.home_name,
        inviter_name: preview.inviter_name,
        expires_at: preview.expires_at,
    }))
}

/// Join a home by code
///
/// The joined home becomes the caller's active home; the answer carries a token bound to it.
#[utoipa::path(
    post,
    path = "/api/invites/{code}/accept",
    tag = "invites",
    operation_id = "acceptInvite",
    security(("bearerAuth" = [])),
    params(("code" = String, Path, description = "The invite code")),
    responses(
        (status = 200, description = "Joined", body = Success<AcceptedBody>),
        (status = 404, description = "Invalid invite (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Already a member of this home (`CONFLICT`)", body = ErrorResponse),
        (status = 410, description = "The invite expired, was revoked or is used up (`INVITE_EXPIRED`, `INVITE_REVOKED`, `INVITE_USED`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn accept(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let joined = state
        .invites
        .accept(user.user_id, &path)
        .await
        .map_err(invite_error)?;
    let (home, _) = state
        .homes
        .get(user.user_id, joined.home_id)
        .await
        .map_err(|_| ApiError::internal("joined home not readable"))?;
    let token = state
        .tokens
        .issue_for(user.session, &user.email, Some(home.id))
        .map_err(ApiError::internal)?;
    Ok(carries_secret(envelope::ok(AcceptedBody {
        home_id: home.id,
        home_name: home.name,
        needs_onboarding: false,
        token: token.token,
        expires_in: token.expires_in,
    })))
}
