//! Resource limits on requests: the body size (before and while reading) and the handler
//! timeout. Slow clients that trickle their headers are cut off by the server's client
//! request timeout, configured in the app crate.

use crate::error::ApiError;
use crate::middleware::MiddlewareFuture;
use actix_web::body::MessageBody;
use actix_web::dev::ServiceRequest;
use actix_web::http::header;
use actix_web::middleware::Next;
use std::time::Duration;

/// The body limit of `POST /api/homes/{id}/receipts/scan`: a receipt photo (at most 5 MiB,
/// a third more as base64) needs more room than any other request.
pub const RECEIPT_SCAN_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The body limit of the request to `path`: `default`, except on the receipt scan route,
/// which gets [`RECEIPT_SCAN_BODY_LIMIT`] (never less than `default`).
pub fn body_limit_for(path: &str, default: usize) -> usize {
    let scan = path.strip_prefix("/api/homes/").is_some_and(|rest| {
        rest.strip_suffix("/receipts/scan")
            .is_some_and(|home| !home.is_empty() && !home.contains('/'))
    });
    if scan {
        default.max(RECEIPT_SCAN_BODY_LIMIT)
    } else {
        default
    }
}

/// Refuses a request whose declared `Content-Length` exceeds its limit (`limit`, or the
/// larger one of its route, see [`body_limit_for`]) before reading a byte.
/// Bodies without a length (chunked) are limited while they are read, by the extractor
/// configs in [`crate::extractors`].
pub fn declared_body_limit<B: MessageBody + 'static>(
    limit: usize,
) -> impl Fn(ServiceRequest, Next<B>) -> MiddlewareFuture<B> + 'static {
    move |req: ServiceRequest, next: Next<B>| {
        let limit = body_limit_for(req.path(), limit);
        Box::pin(async move {
            let declared = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|len| len > limit as u64) {
                return Err(ApiError::payload_too_large(limit).into());
            }
            next.call(req).await
        })
    }
}

/// Cancels the handler (drops its future, so its work stops at the next await) when it runs
/// longer than `timeout`, answering 408.
pub fn request_timeout<B: MessageBody + 'static>(
    timeout: Duration,
) -> impl Fn(ServiceRequest, Next<B>) -> MiddlewareFuture<B> + 'static {
    move |req: ServiceRequest, next: Next<B>| {
        Box::pin(async move {
            match tokio::time::timeout(timeout, next.call(req)).await {
                Ok(result) => result,
                Err(_elapsed) => Err(ApiError::request_timeout().into()),
            }
        })
    }
}
