//! The outermost middleware: the edge every request enters and every response leaves by.
//!
//! It assigns the request id, resolves the client address, turns every error (from handlers,
//! extractors, other middleware or actix itself) into the JSON error envelope, adds the
//! security headers and `X-Request-Id`, and writes the one access-log line. Doing all of this
//! in one place guarantees that no response, however it was produced, misses any of it.

use crate::client_ip::{self, ClientIp};
use crate::error::{ApiError, ErrorBody, FieldError};
use crate::security_headers::SecurityHeaders;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use ipnet::IpNet;
use serde::Serialize;
use std::time::Instant;
use uuid::Uuid;

/// The id of a request, echoed as `X-Request-Id` and in error bodies and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestId(pub Uuid);

/// The authenticated user of a request, put in the request extensions by the auth extractor
/// so the access log can name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedUser(pub String);

/// What the edge middleware needs, registered as app data.
pub struct EdgeSettings {
    pub security_headers: SecurityHeaders,
    pub trusted_proxies: Vec<IpNet>,
    pub log: slog::Logger,
}

// Also the OpenAPI schema of every error (`ErrorResponse`), so the two cannot differ.
/// The body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ErrorResponse)]
pub(crate) struct ErrorEnvelope<'a> {
    /// Always `false`.
    #[schema(example = false)]
    success: bool,
    /// What went wrong, fit to show to a person; never internals.
    #[schema(example = "Validation failed")]
    error: &'a str,
    /// Stable machine-readable code (see the table in docs/api.md).
    #[schema(example = "VALIDATION_ERROR")]
    code: &'a str,
    /// Equals the `X-Request-Id` header and the id in the server log.
    #[schema(format = Uuid)]
    request_id: String,
    /// One entry per invalid field; validation errors only.
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    details: &'a [FieldError],
    /// Seconds to wait before retrying, as in `Retry-After`; 429 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    /// The row as it is now; 409 `STALE_VERSION` only (the same shape the route answers on
    /// success).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    current: Option<&'a serde_json::Value>,
}

/// The middleware function; mount with `actix_web::middleware::from_fn(edge::edge)`.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(settings) = req.app_data::<web::Data<EdgeSettings>>().cloned() else {
        // Misconfigured app: still answer, never panic.
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let started = Instant::now();
    let request_id = Uuid::now_v7();
    let client = client_ip::resolve(req.peer_addr(), req.headers(), &settings.trusted_proxies);
    req.extensions_mut().insert(RequestId(request_id));
    req.extensions_mut().insert(ClientIp(client));
    let access = AccessLine {
        request_id,
        method: req.method().to_string(),
        // The path only: query strings can carry tokens and must never reach the log.
        path: req.path().to_owned(),
        client,
        started,
    };

    match next.call(req).await {
        Ok(res) => {
            let (req, response) = res.map_into_boxed_body().into_parts();
            let cause = response
                .extensions()
                .get::<ErrorBody>()
                .and_then(|b| b.cause.clone())
                .or_else(|| response.error().map(ToString::to_string));
            let response = finish(response, &settings, request_id);
            let user = req.extensions().get::<LoggedUser>().map(|u| u.0.clone());
            access.write(&settings.log, response.status().as_u16(), user, cause);
            Ok(ServiceResponse::new(req, response))
        }
        // An error from a middleware: there is no request left to build a response with, so
        // the response actix builds from the error is finished by a mapper instead.
        Err(mut err) => {
            let status = err.as_response_error().status_code().as_u16();
            let cause = err
                .as_error::<ApiError>()
                .and_then(|e| e.body.cause.clone())
                .or_else(|| (status >= 500).then(|| err.to_string()));
            let mapper_settings = settings.clone();
            err.add_response_mapper(move |response| finish(response, &mapper_settings, request_id));
            access.write(&settings.log, status, None, cause);
            Err(err)
        }
    }
}

/// Error envelope, security headers and request id: what every response leaves with.
fn finish(
    response: HttpResponse<BoxBody>,
    settings: &EdgeSettings,
    request_id: Uuid,
) -> HttpResponse<BoxBody> {
    let status = response.status();
    let mut response = if status.is_client_error() || status.is_server_error() {
        let body = response
            .extensions()
            .get::<ErrorBody>()
            .cloned()
            .unwrap_or_else(|| ApiError::from_status(status).body);
        render_error(response, &body, request_id)
    } else {
        response
    };
    let headers = response.headers_mut();
    // actix-cors marks every response as credentialed; without an allowed origin that is
    // meaningless at best, so credentials are only ever announced next to an allowed origin.
    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }
    settings.security_headers.apply(headers);
    if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
        headers.insert(header::HeaderName::from_static("x-request-id"), value);
    }
    response
}

/// The fields of one access-log line known before the response.
struct AccessLine {
    request_id: Uuid,
    method: String,
    path: String,
    client: std::net::IpAddr,
    started: Instant,
}

impl AccessLine {
    fn write(self, log: &slog::Logger, status: u16, user: Option<String>, cause: Option<String>) {
        let latency_ms = format!("{:.2}", self.started.elapsed().as_secs_f64() * 1000.0);
        let request_id = self.request_id.to_string();
        let client_ip = self.client.to_string();
        // The fields go on the record itself, so each request is exactly one line.
        macro_rules! access {
            ($level:ident, $msg:literal $(, $k:literal => $v:expr)*) => {
                slog::$level!(log, $msg;
                    "request_id" => &request_id, "method" => &self.method, "path" => &self.path,
                    "status" => status, "latency_ms" => &latency_ms, "client_ip" => &client_ip,
                    "user_id" => &user $(, $k => $v)*)
            };
        }
        if status >= 500 {
            access!(error, "request failed", "cause" => &cause);
        } else {
            access!(info, "request");
        }
    }
}

/// Replaces the body of an error response with the JSON envelope, keeping its headers
/// (`Retry-After`, `Allow`, CORS) and status.
fn render_error(
    response: HttpResponse<BoxBody>,
    body: &ErrorBody,
    request_id: Uuid,
) -> HttpResponse<BoxBody> {
    let retry_after = (response.status().as_u16() == 429)
        .then(|| {
            response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        })
        .flatten();
    let envelope = ErrorEnvelope {
        success: false,
        error: &body.message,
        code: body.code,
        request_id: request_id.to_string(),
        details: &body.details,
        retry_after,
        current: body.current.as_deref(),
    };
    let json = serde_json::to_vec(&envelope).unwrap_or_else(|_| b"{\"success\":false}".to_vec());
    let mut response = response.set_body(BoxBody::new(json));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}
