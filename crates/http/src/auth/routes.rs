//! `/api/auth/*`: register, login, refresh, logout, logout-all, password, me.

use crate::auth::AuthUser;
use crate::client_ip::ClientIp;
use crate::envelope;
use crate::envelope::{Done, Success};
use crate::error::{ApiError, FieldError};
use crate::idempotency::carries_secret;
use crate::openapi::{BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use garde::Validate;
use pantry_core::accounts::email::Email;
use pantry_core::accounts::password::{HashError, NewPassword};
use pantry_core::accounts::service::{
    ChangePasswordError, Login, LoginError, RefreshError, Register, RegisterError, SignedIn,
};
use pantry_core::accounts::user::UserName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/register").route(web::post().to(register)))
        .service(web::resource("/login").route(web::post().to(login)))
        .service(web::resource("/refresh").route(web::post().to(refresh)))
        .service(web::resource("/logout").route(web::post().to(logout)))
        .service(web::resource("/logout-all").route(web::post().to(logout_all)))
        .service(web::resource("/password").route(web::post().to(change_password)))
        .service(web::resource("/me").route(web::get().to(me)));
}

// `schema(...)` limits repeat the garde rules beside them, so that clients see them.

/// A new account.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = Registration)]
pub struct RegisterBody {
    #[garde(length(chars, min = 3, max = 255))]
    #[schema(format = Email, min_length = 3, max_length = 255, example = "alice@example.com")]
    email: String,
    /// At least 8 characters and not a common password.
    #[garde(length(chars, min = 1, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    password: String,
    #[garde(length(chars, min = 1, max = 255))]
    #[schema(min_length = 1, max_length = 255, example = "Alice")]
    name: String,
}

/// Credentials.
#[derive(Deserialize, Validate, ToSchema)]
#[schema(as = Login)]
pub struct LoginBody {
    #[garde(length(chars, min = 1, max = 255))]
    #[schema(min_length = 1, max_length = 255, example = "alice@example.com")]
    email: String,
    // Bounded so that nobody can make the server hash megabytes.
    #[garde(length(chars, min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    password: String,
}

/// A refresh token, to exchange or to end its session.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = RefreshToken)]
pub struct RefreshBody {
    #[garde(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    refresh_token: String,
}

/// The current password, to prove it is you, and the new one.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = PasswordChange)]
pub struct PasswordBody {
    #[garde(length(chars, min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    current_password: String,
    /// At least 8 characters and not a common password.
    #[garde(length(chars, min = 1, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    new_password: String,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = User)]
struct UserBody {
    id: Uuid,
    email: String,
    name: String,
    /// The active home: the one access tokens are bound to.
    #[schema(required = true)]
    home_id: Option<Uuid>,
}

// Register and login answer with this (the earlier `{token, user}` plus the new fields).
/// A new session: its tokens and the signed-in user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Session)]
struct SessionBody {
    /// The access token (JWT), sent as `Authorization: Bearer <token>`.
    token: String,
    /// Single-use: `POST /api/auth/refresh` spends it and answers a new pair.
    refresh_token: String,
    /// Seconds until `token` expires.
    expires_in: u64,
    user: UserBody,
}

/// Tokens of a session.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenPair {
    /// The access token (JWT).
    token: String,
    /// Single-use refresh token.
    refresh_token: String,
    /// Seconds until `token` expires.
    expires_in: u64,
}

/// The caller, as stored (not as the token remembers them).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Me)]
struct MeBody {
    user_id: Uuid,
    /// The active home.
    #[schema(required = true)]
    home_id: Option<Uuid>,
    email: String,
    name: String,
}

fn tokens(state: &AppState, signed_in: &SignedIn) -> Result<TokenPair, ApiError> {
    let access = state.tokens.issue(signed_in).map_err(ApiError::internal)?;
    Ok(TokenPair {
        token: access.token,
        refresh_token: signed_in.refresh_token.clone(),
        expires_in: access.expires_in,
    })
}

fn session_body(state: &AppState, signed_in: SignedIn) -> Result<SessionBody, ApiError> {
    let pair = tokens(state, &signed_in)?;
    Ok(SessionBody {
        token: pair.token,
        refresh_token: pair.refresh_token,
        expires_in: pair.expires_in,
        user: UserBody {
            id: signed_in.user.id,
            email: signed_in.user.email,
            name: signed_in.user.name,
            home_id: signed_in.home_id,
        },
    })
}

/// A throttle's wait as `Retry-After` seconds.
fn whole_seconds(wait: chrono::Duration) -> u64 {
    crate::rate_limit::whole_seconds(wait.to_std().unwrap_or_default())
}

/// A saturated hashing pool is load, not a bug: 503 with a short `Retry-After`.
fn hash_error(error: HashError) -> ApiError {
    match error {
        HashError::Busy => {
            let mut e = ApiError::unavailable("Too many sign-ins at once; try again in a moment");
            e.body.retry_after = Some(1);
            e
        }
        HashError::Failed(cause) => ApiError::internal(cause),
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "INVALID_CREDENTIALS",
        "Invalid email or password",
    )
}

/// Create an account
///
/// Creates the user with a home of their own ("<name>'s Kitchen") and signs them in.
#[utoipa::path(
    post,
    path = "/api/auth/register",
    tag = "auth",
    operation_id = "register",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Signed up and signed in", body = Success<SessionBody>),
        (status = 400, response = BadRequest),
        (status = 409, description = "Email already registered (`CONFLICT`)", body = ErrorResponse),
        (status = 429, response = TooManyRequests),
        (status = 503, description = "Too many sign-ins at once (`SERVICE_UNAVAILABLE`, `Retry-After`)", body = ErrorResponse),
    ),
)]
async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let email = Email::parse(&body.email);
    let password = NewPassword::parse(&body.password);
    let name = UserName::parse(&body.name);
    let (email, password, name) = match (email, password, name) {
        (Ok(e), Ok(p), Ok(n)) => (e, p, n),
        (e, p, n) => {
            let mut details = Vec::new();
            if let Err(err) = e {
                details.push(FieldError::new("email", err));
            }
            if let Err(err) = p {
                details.push(FieldError::new("password", err));
            }
            if let Err(err) = n {
                details.push(FieldError::new("name", err));
            }
            return Err(ApiError::validation(details));
        }
    };
    let signed_in = state
        .accounts
        .register(Register {
            email,
            password,
            name,
        })
        .await
        .map_err(|e| match e {
            RegisterError::EmailTaken => ApiError::conflict("Email already registered"),
            RegisterError::Hash(e) => hash_error(e),
            RegisterError::Repo(e) => e.into(),
        })?;
    Ok(carries_secret(envelope::created(session_body(
        &state, signed_in,
    )?)))
}

/// Sign in
///
/// Repeated failures for one account or client are throttled (429 with `Retry-After`).
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    operation_id = "login",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = Success<SessionBody>),
        (status = 400, response = BadRequest),
        (status = 401, description = "Unknown email or wrong password, alike (`INVALID_CREDENTIALS`)", body = ErrorResponse),
        (status = 429, response = TooManyRequests),
        (status = 503, description = "Too many sign-ins at once (`SERVICE_UNAVAILABLE`, `Retry-After`)", body = ErrorResponse),
    ),
)]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let client = req
        .extensions()
        .get::<ClientIp>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    let body = body.into_inner();
    let signed_in = state
        .accounts
        .login(Login {
            email: body.email,
            password: body.password,
            client,
        })
        .await
        .map_err(|e| match e {
            LoginError::InvalidCredentials => invalid_credentials(),
            LoginError::Throttled { retry_after } => {
                let secs = whole_seconds(retry_after);
                ApiError::too_many_requests(
                    "Too many failed sign-in attempts; try again later",
                    secs,
                )
            }
            LoginError::Hash(e) => hash_error(e),
            LoginError::Repo(e) => e.into(),
        })?;
    Ok(carries_secret(envelope::ok(session_body(
        &state, signed_in,
    )?)))
}

/// Exchange a refresh token for a new token pair
///
/// The old refresh token is spent. Presenting a spent one again ends its session (reuse
/// detection).
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = "auth",
    operation_id = "refresh",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new access and refresh token", body = Success<TokenPair>),
        (status = 400, response = BadRequest),
        (status = 401, description = "Unknown, expired, revoked or reused (`INVALID_REFRESH_TOKEN`); sign in again", body = ErrorResponse),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let signed_in = state
        .accounts
        .refresh(&body.refresh_token)
        .await
        .map_err(|e| match e {
            RefreshError::Invalid => ApiError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "INVALID_REFRESH_TOKEN",
                "Invalid refresh token; sign in again",
            ),
            RefreshError::Repo(e) => e.into(),
        })?;
    Ok(carries_secret(envelope::ok(tokens(&state, &signed_in)?)))
}

/// Sign out one session
///
/// Ends the session of the refresh token, and with it its access tokens. Unknown tokens are
/// ignored.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "Signed out", body = Done),
        (status = 400, response = BadRequest),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    state.accounts.logout(&body.refresh_token).await?;
    Ok(envelope::done())
}

/// Sign out everywhere
///
/// Ends every session of the caller at once.
#[utoipa::path(
    post,
    path = "/api/auth/logout-all",
    tag = "auth",
    operation_id = "logoutAll",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Every session ended", body = Done),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn logout_all(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    state.accounts.logout_all(user.user_id).await?;
    Ok(envelope::done())
}

/// Change the password
///
/// Answers tokens for a fresh session; every other token of the user stops working.
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "auth",
    operation_id = "changePassword",
    security(("bearerAuth" = [])),
    request_body = PasswordBody,
    responses(
        (status = 200, description = "Password changed; tokens of the new session", body = Success<TokenPair>),
        (status = 400, description = "Wrong current password or a weak new one (`VALIDATION_ERROR`, `details`), or malformed JSON (`BAD_REQUEST`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let new = NewPassword::parse(&body.new_password)
        .map_err(|e| ApiError::validation(vec![FieldError::new("newPassword", e)]))?;
    let signed_in = state
        .accounts
        .change_password(user.session, &body.current_password, new)
        .await
        .map_err(|e| match e {
            ChangePasswordError::WrongPassword => ApiError::validation(vec![FieldError::new(
                "currentPassword",
                "is not your current password",
            )]),
            ChangePasswordError::Throttled { retry_after } => {
                let secs = whole_seconds(retry_after);
                ApiError::too_many_requests("Too many wrong passwords; try again later", secs)
            }
            ChangePasswordError::SessionEnded => ApiError::unauthorized(),
            ChangePasswordError::Hash(e) => hash_error(e),
            ChangePasswordError::Repo(e) => e.into(),
        })?;
    Ok(carries_secret(envelope::ok(tokens(&state, &signed_in)?)))
}

/// The caller
///
/// Read from the database, not just the token.
#[utoipa::path(
    get,
    path = "/api/auth/me",
    tag = "auth",
    operation_id = "me",
    security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "The signed-in user and their active home", body = Success<MeBody>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let (account, home_id) = state
        .accounts
        .me(user.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(envelope::ok(MeBody {
        user_id: account.id,
        home_id,
        email: account.email,
        name: account.name,
    }))
}
