//! Configuration of actix's extractors so that their failures become [`ApiError`]s: JSON
//! bodies are limited on the bytes actually read (chunked bodies included), and malformed
//! input answers 400/413/415 with a message that names no internals.

use crate::error::ApiError;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::web;

/// JSON body extractor settings.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| json_error(err, limit).into())
}

/// Raw body (`Bytes`, `String`) extractor settings.
pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let QueryPayloadError::Deserialize(e) = &err else {
            return ApiError::bad_request("Invalid query string").into();
        };
        ApiError::bad_request(format!("Invalid query string: {e}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        let PathError::Deserialize(_) = &err else {
            return ApiError::not_found("Not found").into();
        };
        // A malformed id names nothing that exists.
        ApiError::not_found("Not found").into()
    })
}

fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::payload_too_large(limit)
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::payload_too_large(limit),
        JsonPayloadError::ContentType => ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Expected Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::bad_request(format!("Invalid request body: {e}"))
        }
        JsonPayloadError::Deserialize(_) => ApiError::bad_request("Request body is not valid JSON"),
        _ => ApiError::bad_request("Could not read the request body"),
    }
}
