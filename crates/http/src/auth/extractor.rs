//! `AuthUser`: the extractor every authenticated route takes. It verifies the bearer token,
//! then asks the account service whether the session is still live, so signing out everywhere
//! or changing the password ends access at once rather than at expiry.

use crate::edge::LoggedUser;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use pantry_core::accounts::service::{AuthenticateError, SessionClaims};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: Uuid,
    /// The home the token is bound to.
    pub home_id: Option<Uuid>,
    pub email: String,
    pub session: SessionClaims,
    /// When the access token expires (Unix seconds): live sockets close then.
    pub expires_at: i64,
}

/// The token of `Authorization: Bearer <token>`, if the header has that form.
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// Verifies the request's bearer token and that its session is still live, as every
/// authenticated route does; also names the user in the access log. The idempotency
/// middleware uses it to learn whose key a request carries.
pub async fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
    authenticate_token(req, &token).await
}

/// Verifies an access token that arrived some other way than `Authorization` (the live
/// socket's `Sec-WebSocket-Protocol`) exactly as [`authenticate`] does.
pub async fn authenticate_token(req: &HttpRequest, token: &str) -> Result<AuthUser, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("AppState missing"))?;
    let verified = state
        .tokens
        .verify(token)
        .map_err(|_| ApiError::unauthorized())?;
    match state.accounts.authenticate(verified.session).await {
        Ok(()) => {}
        Err(AuthenticateError::SessionEnded) => return Err(ApiError::unauthorized()),
        Err(AuthenticateError::Repo(e)) => return Err(e.into()),
    }
    req.extensions_mut()
        .insert(LoggedUser(verified.session.user_id.to_string()));
    Ok(AuthUser {
        user_id: verified.session.user_id,
        home_id: verified.home_id,
        email: verified.email,
        session: verified.session,
        expires_at: verified.expires_at,
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}
