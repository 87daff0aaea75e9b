//! `Idempotency-Key` on mutations: a client may send a POST, PUT, PATCH or DELETE again with
//! the same key and get the first answer back, byte for byte, instead of a second change.
//!
//! Mounted around everything under `/api`, so every mutation route gets it without knowing.
//! Only requests that carry the header and a valid bearer token are affected; the rest pass
//! straight through (an unauthenticated one then gets its 401 from the route).
//!
//! - The key (1 to 255 visible ASCII characters, else 400) belongs to the user; the request is
//!   identified by method, path with query, and the SHA-256 of its body (buffered here, within
//!   the body limit, and handed on to the route).
//! - The first request claims the key and runs. A 2xx answer is stored and replayed to every
//!   retry with `Idempotent-Replayed: true`, without running the route again. Any other answer
//!   (4xx, 5xx, a timeout, a client that hung up) frees the key, so the retry runs for real.
//! - A retry while the first request still runs: 409 `IDEMPOTENCY_IN_PROGRESS`,
//!   `Retry-After: 1`. The same key with a different request: 422 `IDEMPOTENCY_KEY_REUSED`.
//! - Responses marked with [`carries_secret`] (tokens, invite codes) are never stored: secrets
//!   stay hashed at rest, so such a request simply runs again when retried.
//!
//! A request that is cancelled frees its key from a task spawned by a drop guard; if even that
//! cannot run (the process died), the claim counts as abandoned after
//! [`IdempotencyPolicy::abandon_after`] and the key is free again.

use crate::auth::extractor::authenticate;
use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::middleware::MiddlewareFuture;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{ContentType, HeaderMap, HeaderName};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse};
use futures_util::StreamExt;
use pantry_core::idempotency::{
    Begin, Claim, Idempotency, IdempotencyKey, IdempotencyPolicy, RequestFingerprint,
    StoredResponse,
};
use slog::{info, warn};
use std::sync::Arc;
use std::time::Duration;

/// The request header naming the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response header marking an answer replayed from storage.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The shortest time a claim is trusted to still be running.
const MIN_ABANDON_AFTER: Duration = Duration::from_secs(5 * 60);

/// How often expired keys are deleted by [`purge_periodically`].
pub const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Response extension: the body holds a secret and must not be stored for replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarriesSecret;

/// Marks `response` as carrying a secret (a token, an invite code), so that an
/// `Idempotency-Key` on its request never stores it. Secrets are kept hashed at rest; a
/// stored response would keep them in the clear for the key's lifetime.
pub fn carries_secret(mut response: HttpResponse) -> HttpResponse {
    response.extensions_mut().insert(CarriesSecret);
    response
}

/// The key lifetimes for `config`. A claim must outlive any request that can hold it, so it
/// counts as abandoned only after twice the request timeout, and never before five minutes.
pub fn policy(config: &HttpConfig) -> IdempotencyPolicy {
    let abandon_after = config
        .request_timeout
        .saturating_mul(2)
        .max(MIN_ABANDON_AFTER);
    let to_chrono = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    IdempotencyPolicy {
        ttl: to_chrono(config.idempotency_ttl),
        abandon_after: to_chrono(abandon_after),
    }
}

/// Deletes expired keys now and then every `every`, for as long as the process runs. The
/// table would be correct without it (an expired key is reused in place); this keeps it small.
pub async fn purge_periodically(service: Arc<Idempotency>, every: Duration, log: slog::Logger) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match service.purge_expired().await {
            Ok(0) => {}
            Ok(purged) => info!(log, "expired idempotency keys deleted"; "count" => purged),
            Err(err) => warn!(log, "deleting expired idempotency keys failed"; "cause" => %err),
        }
    }
}

/// The middleware; mount with `from_fn(idempotency::idempotent_retries(body_limit))` inside
/// the request timeout, so a timeout cancels the claim with the route.
pub fn idempotent_retries<B: MessageBody + 'static>(
    body_limit: usize,
) -> impl Fn(ServiceRequest, Next<B>) -> MiddlewareFuture<BoxBody> + 'static {
    move |req: ServiceRequest, next: Next<B>| Box::pin(handle(req, next, body_limit))
}

async fn handle<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
    body_limit: usize,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !is_mutation(req.method()) {
        return pass(req, next).await;
    }
    let Some(key) = key_of(req.headers())? else {
        return pass(req, next).await;
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return pass(req, next).await;
    };
    // Without a valid user there is no one to hold the key: the route answers 401 itself.
    let Ok(user) = authenticate(req.request()).await else {
        return pass(req, next).await;
    };

    let limit = crate::limits::body_limit_for(req.path(), body_limit);
    let body = read_body(req.take_payload(), limit).await?;
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let fingerprint = RequestFingerprint::new(req.method().as_str(), &path, &body);
    let service = state.idempotency.clone();
    match service
        .begin(user.user_id, &key, &fingerprint)
        .await
        .map_err(ApiError::from)?
    {
        Begin::Replay(stored) => Ok(replay(req, stored)?),
        Begin::InProgress => Err(in_progress().into()),
        Begin::KeyReused => Err(key_reused().into()),
        Begin::Run(claim) => {
            let guard = ClaimGuard {
                service,
                claim: Some(claim),
                log: state.log.clone(),
            };
            req.set_payload(Payload::from(body));
            run(req, next, guard).await
        }
    }
}

async fn pass<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Runs the route under the claim, then stores a 2xx answer or frees the key.
async fn run<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
    guard: ClaimGuard,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(err) => {
            guard.release().await;
            return Err(err);
        }
    };
    if !res.status().is_success() || res.response().extensions().contains::<CarriesSecret>() {
        guard.release().await;
        return Ok(res.map_into_boxed_body());
    }

    let status = res.status();
    let (req, response) = res.into_parts();
    let (response, body) = response.into_parts();
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            guard.release().await;
            let err: Box<dyn std::error::Error> = err.into();
            return Err(ApiError::internal(format!("reading the response body: {err}")).into());
        }
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            guard
                .complete(StoredResponse {
                    status: status.as_u16(),
                    body: text.to_owned(),
                })
                .await;
        }
        // Every route answers JSON; a body that is not text cannot be stored, so the key is
        // freed rather than replaying something else.
        Err(_) => guard.release().await,
    }
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(bytes)),
    ))
}

/// The stored answer, as first sent, marked as a replay.
fn replay(req: ServiceRequest, stored: StoredResponse) -> Result<ServiceResponse, ApiError> {
    let status = StatusCode::from_u16(stored.status).map_err(|_| {
        ApiError::internal(format!(
            "stored idempotent status {} is invalid",
            stored.status
        ))
    })?;
    let mut response = HttpResponse::build(status);
    response.insert_header((IDEMPOTENT_REPLAYED, "true"));
    if !stored.body.is_empty() {
        response.content_type(ContentType::json());
    }
    Ok(req.into_response(response.body(stored.body)))
}

fn is_mutation(method: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method)
}

/// The request's key: `None` without the header, 400 when it is malformed or repeated.
fn key_of(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::bad_request("Idempotency-Key must be sent once"));
    }
    let text = value.to_str().map_err(|_| {
        ApiError::bad_request("Idempotency-Key must consist of visible ASCII characters only")
    })?;
    IdempotencyKey::parse(text)
        .map(Some)
        .map_err(|e| ApiError::bad_request(format!("Idempotency-Key {e}")))
}

/// The whole body, refused with 413 past `limit` (chunked bodies have no declared length to
/// refuse earlier).
async fn read_body(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("Could not read the request body"))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn in_progress() -> ApiError {
    let mut error = ApiError::new(
        StatusCode::CONFLICT,
        "IDEMPOTENCY_IN_PROGRESS",
        "A request with this Idempotency-Key is still being processed; retry shortly",
    );
    error.body.retry_after = Some(1);
    error
}

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used for a different request",
    )
}

/// A claim that must end: completed or released on the way out, or, if the request is
/// dropped first (timeout, client gone, panic), released by a task spawned from `drop`.
struct ClaimGuard {
    service: Arc<Idempotency>,
    /// `Some` until the claim has been dealt with.
    claim: Option<Claim>,
    log: slog::Logger,
}

impl ClaimGuard {
    async fn release(mut self) {
        // The claim stays in the guard while the release runs: if this is cancelled too,
        // `drop` tries again.
        if let Some(claim) = self.claim.clone() {
            let released = self.service.release(&claim).await;
            self.claim = None;
            if let Err(err) = released {
                warn!(self.log, "idempotency key not released; it frees itself once abandoned";
                    "cause" => %err);
            }
        }
    }

    async fn complete(mut self, response: StoredResponse) {
        if let Some(claim) = self.claim.clone() {
            let completed = self.service.complete(&claim, &response).await;
            // The answer goes out either way. If it could not be stored, the claim is left to
            // lapse: retries meanwhile get 409 rather than a second run of a request that
            // already succeeded.
            self.claim = None;
            if let Err(err) = completed {
                warn!(self.log, "idempotent response not stored; retries get 409 until the claim lapses";
                    "cause" => %err);
            }
        }
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        let Some(claim) = self.claim.take() else {
            return;
        };
        let service = self.service.clone();
        let log = self.log.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(err) = service.release(&claim).await {
                        warn!(log, "idempotency key of a cancelled request not released; it frees itself once abandoned";
                            "cause" => %err);
                    }
                });
            }
            Err(_) => warn!(log, "idempotency key of a cancelled request left to lapse"),
        }
    }
}
