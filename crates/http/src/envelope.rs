//! The success envelope of the earlier server: `{success: true, data, timestamp}`.
//!
//! The two body types are also the OpenAPI schemas of every success response, so the document
//! describes exactly what is sent.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// A successful answer carrying `data`.
#[derive(Serialize, ToSchema)]
pub struct Success<T> {
    /// Always `true`.
    #[schema(example = true)]
    success: bool,
    data: T,
    /// When the server answered (ISO 8601, UTC, milliseconds).
    #[schema(format = DateTime, example = "2026-12-04T09:00:00.000Z")]
    timestamp: String,
}

/// A successful answer without data (deletions, sign-outs, role changes).
#[derive(Serialize, ToSchema)]
pub struct Done {
    /// Always `true`.
    #[schema(example = true)]
    success: bool,
    /// When the server answered (ISO 8601, UTC, milliseconds).
    #[schema(format = DateTime, example = "2026-12-04T09:00:00.000Z")]
    timestamp: String,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn respond<T: Serialize>(status: StatusCode, data: T) -> HttpResponse {
    HttpResponse::build(status).json(Success {
        success: true,
        data,
        timestamp: now(),
    })
}

/// 200 with `data`.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    respond(StatusCode::OK, data)
}

/// 200 with `data` already serialised as JSON: the same bytes as [`ok`] would send, without
/// serialising again what a cache holds.
pub fn ok_serialized(data: &[u8]) -> HttpResponse {
    let timestamp = now();
    let mut body = Vec::with_capacity(data.len() + timestamp.len() + 48);
    body.extend_from_slice(br#"{"success":true,"data":"#);
    body.extend_from_slice(data);
    body.extend_from_slice(br#","timestamp":""#);
    body.extend_from_slice(timestamp.as_bytes());
    body.extend_from_slice(br#""}"#);
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

/// 201 with `data`.
pub fn created<T: Serialize>(data: T) -> HttpResponse {
    respond(StatusCode::CREATED, data)
}

/// 200 without `data`, as the earlier server answered deletions and sign-outs.
pub fn done() -> HttpResponse {
    HttpResponse::Ok().json(Done {
        success: true,
        timestamp: now(),
    })
}
