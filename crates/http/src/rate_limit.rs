//! Per-client rate limits: actix-governor's GCRA bucket keyed by the resolved client address,
//! plus a penalty box that keeps a client that exceeded its bucket out for the configured
//! block duration (the earlier server's `RATE_LIMIT_BLOCK_DURATION` semantics).

use crate::client_ip::ClientIp;
use crate::config::RateLimit;
use crate::middleware::MiddlewareFuture;
use actix_governor::governor::clock::QuantaInstant;
use actix_governor::governor::middleware::NoOpMiddleware;
use actix_governor::{
    Governor, GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError,
    governor::NotUntil,
};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, HttpResponseBuilder};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys the bucket by the client address the edge middleware resolved (peer, or the first
/// untrusted forwarded hop when the peer is a trusted proxy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<Self::Key, Self::KeyExtractionError> {
        let resolved = req.extensions().get::<ClientIp>().map(|c| c.0);
        Ok(resolved
            .or_else(|| req.peer_addr().map(|p| p.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0])))
    }

    /// An empty 429 (governor already set `Retry-After`); the edge writes the JSON body.
    fn exceed_rate_limit_response(
        &self,
        _negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        response.finish()
    }
}

/// One rate limit, created once per process and shared by every worker (a limiter built per
/// worker would multiply the limit by the number of workers).
#[derive(Clone)]
pub struct Limiter {
    governor: GovernorConfig<ClientKey, NoOpMiddleware>,
    penalty: Arc<PenaltyBox>,
    block: Duration,
}

impl Limiter {
    /// A bucket of `points` that refills over `duration`; exceeding it blocks for `block`.
    pub fn new(limit: &RateLimit) -> Self {
        let points = limit.points.max(1);
        let period = (limit.duration / points).max(Duration::from_nanos(1));
        let governor = GovernorConfigBuilder::default()
            .key_extractor(ClientKey)
            .period(period)
            .burst_size(points)
            .finish()
            // `finish` refuses only a zero period or burst, both excluded above.
            .unwrap_or_else(|| unreachable!("rate limit with zero period or burst"));
        Self {
            governor,
            penalty: Arc::new(PenaltyBox::default()),
            block: limit.block,
        }
    }

    /// The governor middleware sharing this limiter's bucket.
    pub fn governor(&self) -> Governor<ClientKey, NoOpMiddleware> {
        Governor::new(&self.governor)
    }

    /// The penalty-box middleware sharing this limiter's blocked clients.
    pub fn penalty_box<B: MessageBody + 'static>(
        &self,
    ) -> impl Fn(ServiceRequest, Next<B>) -> MiddlewareFuture<BoxBody> + 'static {
        penalty_box(Arc::clone(&self.penalty), self.block)
    }
}

/// Clients that exceeded a limit, and until when they stay refused.
#[derive(Debug, Default)]
pub struct PenaltyBox {
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl PenaltyBox {
    fn remaining(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked
            .get(&ip)
            .and_then(|until| until.checked_duration_since(now))
    }

    fn block(&self, ip: IpAddr, until: Instant, now: Instant) {
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        // Forget expired entries now and then so the map stays as small as the abuse.
        if blocked.len() >= 1024 {
            blocked.retain(|_, until| *until > now);
        }
        blocked.insert(ip, until);
    }
}

/// Middleware wrapping a governor: refuses boxed clients at once, and boxes a client whose
/// request the governor refused. With a zero block duration it only normalises `Retry-After`.
fn penalty_box<B: MessageBody + 'static>(
    boxed: Arc<PenaltyBox>,
    block: Duration,
) -> impl Fn(ServiceRequest, Next<B>) -> MiddlewareFuture<BoxBody> + 'static {
    move |req: ServiceRequest, next: Next<B>| {
        let boxed = Arc::clone(&boxed);
        Box::pin(async move {
            let ip = ClientKey
                .extract(&req)
                .unwrap_or(IpAddr::from([0, 0, 0, 0]));
            let now = Instant::now();
            if let Some(left) = boxed.remaining(ip, now) {
                let response = HttpResponse::TooManyRequests()
                    .insert_header((header::RETRY_AFTER, whole_seconds(left)))
                    .finish();
                return Ok(req.into_response(response));
            }
            let mut res = next.call(req).await?.map_into_boxed_body();
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                if !block.is_zero() {
                    boxed.block(ip, now + block, now);
                    res.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(whole_seconds(block)));
                } else if res
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    == Some("0")
                {
                    // governor rounds down; "retry after 0 s" would invite an immediate retry.
                    res.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(1u64));
                }
            }
            Ok(res)
        })
    }
}

/// Seconds rounded up, at least 1: the value of a `Retry-After` header.
pub(crate) fn whole_seconds(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_box_blocks_until_deadline() {
        let pb = PenaltyBox::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let now = Instant::now();
        pb.block(ip, now + Duration::from_secs(30), now);
        assert!(pb.remaining(ip, now).is_some());
        assert!(pb.remaining("192.0.2.2".parse().unwrap(), now).is_none());
        assert!(pb.remaining(ip, now + Duration::from_secs(31)).is_none());
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::from_secs(60)), 60);
    }
}
