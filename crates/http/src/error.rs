//! The one error type of the HTTP layer and its JSON shape.
//!
//! Every error response of the server has the body
//! `{"success":false,"error":<message>,"code":<CODE>,"requestId":<id>}` (plus `details` for
//! validation, `retryAfter` for 429). [`ApiError`] only records what went wrong; the
//! [`crate::edge`] middleware renders the body, so that errors raised by actix itself, by other
//! middleware or by extractors get exactly the same shape, and nothing internal ever leaks.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use pantry_core::repo_error::RepoError;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field as the client spelled it (camelCase, dotted for nested fields).
    #[schema(example = "name")]
    pub field: String,
    /// Why it was refused, fit to show to a person.
    #[schema(example = "length is lower than 1")]
    pub message: String,
}

impl FieldError {
    /// `field` as the client spelled it (camelCase), and why it was refused.
    pub fn new(field: &str, message: impl ToString) -> Self {
        Self {
            field: field.to_owned(),
            message: message.to_string(),
        }
    }
}

/// What the edge middleware needs to render an error body; stored in the response extensions.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: Cow<'static, str>,
    pub details: Vec<FieldError>,
    /// The cause of a 5xx, for the log only.
    pub cause: Option<String>,
    /// Seconds to wait, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
    /// The row as it is now, for a 409 caused by a stale version, so the client can merge.
    pub current: Option<Box<serde_json::Value>>,
}

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
                details: Vec::new(),
                cause: None,
                retry_after: None,
                current: None,
            },
        }
    }

    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    /// 400 with one entry per invalid field, as the earlier server's `validateBody` answered.
    pub fn validation(details: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Validation failed",
        );
        error.body.details = details;
        error
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// 409 `STALE_VERSION`: the request named an old version; `current` is the row now.
    pub fn stale(current: &impl Serialize) -> Self {
        let mut error = Self::new(
            StatusCode::CONFLICT,
            "STALE_VERSION",
            "This was changed by someone else; here is the current version",
        );
        error.body.current = serde_json::to_value(current).ok().map(Box::new);
        error
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("Request body is larger than {limit} bytes"),
        )
    }

    pub fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "Request Timeout",
        )
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(message: impl Into<Cow<'static, str>>, retry_after_secs: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT", message);
        error.body.retry_after = Some(retry_after_secs);
        error
    }

    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            message,
        )
    }

    /// A 500 whose cause is logged with the request id and never shown to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "An unexpected error occurred",
        );
        error.body.cause = Some(cause.to_string());
        error
    }

    /// The body for a status that no handler described (actix's own 404, 405, 413, ...).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("BAD_REQUEST", "Bad request"),
            401 => ("UNAUTHORIZED", "Unauthorized"),
            403 => ("FORBIDDEN", "Forbidden"),
            404 => ("NOT_FOUND", "Not found"),
            405 => ("METHOD_NOT_ALLOWED", "Method not allowed"),
            406 => ("NOT_ACCEPTABLE", "Not acceptable"),
            408 => ("REQUEST_TIMEOUT", "Request Timeout"),
            409 => ("CONFLICT", "Conflict"),
            411 => ("LENGTH_REQUIRED", "Length required"),
            413 => ("PAYLOAD_TOO_LARGE", "Request body is too large"),
            414 => ("URI_TOO_LONG", "URI too long"),
            415 => ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
            422 => ("VALIDATION_ERROR", "Validation failed"),
            429 => ("RATE_LIMIT", "Too Many Requests"),
            431 => ("HEADERS_TOO_LARGE", "Request headers too large"),
            503 => ("SERVICE_UNAVAILABLE", "Service unavailable"),
            504 => ("GATEWAY_TIMEOUT", "Gateway timeout"),
            s if s >= 500 => ("INTERNAL_ERROR", "An unexpected error occurred"),
            _ => ("BAD_REQUEST", "Bad request"),
        };
        Self::new(status, code, message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.body.code,
            self.body.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// An empty response carrying [`ErrorBody`]; [`crate::edge`] writes the JSON.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::new(self.status);
        if let Some(secs) = self.body.retry_after {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, secs.into());
        }
        response.extensions_mut().insert(self.body.clone());
        response
    }
}

impl From<RepoError> for ApiError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => ApiError::not_found("Not found"),
            RepoError::Conflict(_) => ApiError::conflict("Conflict"),
            RepoError::Unavailable(cause) => {
                let mut e = ApiError::unavailable("The database is unavailable; try again shortly");
                e.body.cause = Some(cause);
                e
            }
            RepoError::Storage(cause) => ApiError::internal(cause),
        }
    }
}

impl From<garde::Report> for ApiError {
    fn from(report: garde::Report) -> Self {
        let details = report
            .iter()
            .map(|(path, error)| FieldError::new(&path.to_string(), error.message()))
            .collect();
        ApiError::validation(details)
    }
}
