//! The success envelope of the earlier server: `{success: true, data, timestamp}`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;

#[derive(Serialize)]
struct Success<T: Serialize> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<T>,
    timestamp: String,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn respond<T: Serialize>(status: StatusCode, data: Option<T>) -> HttpResponse {
    HttpResponse::build(status).json(Success {
        success: true,
        data,
        timestamp: now(),
    })
}

/// 200 with `data`.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    respond(StatusCode::OK, Some(data))
}

/// 201 with `data`.
pub fn created<T: Serialize>(data: T) -> HttpResponse {
    respond(StatusCode::CREATED, Some(data))
}

/// 200 without `data`, as the earlier server answered deletions and sign-outs.
pub fn done() -> HttpResponse {
    respond::<()>(StatusCode::OK, None)
}
