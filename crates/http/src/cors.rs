//! Cross-origin policy: an exact-match allowlist, credentials only for listed origins,
//! preflights cached. Development also allows any port on `localhost` and `127.0.0.1` over
//! plain HTTP, and nothing else.

use actix_cors::Cors;
use actix_web::http::{Method, header};

/// How long browsers may cache a preflight answer.
pub const PREFLIGHT_MAX_AGE_SECS: usize = 600;

/// Whether `origin` may make credentialed requests.
pub fn origin_allowed(origin: &str, allowed: &[String], production: bool) -> bool {
    if allowed.iter().any(|a| a == origin) {
        return true;
    }
    !production && is_local_dev_origin(origin)
}

/// `http://localhost[:port]` or `http://127.0.0.1[:port]`, exactly.
fn is_local_dev_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://") else {
        return false;
    };
    let (host, port) = match rest.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    (host == "localhost" || host == "127.0.0.1") && port_ok
}

/// The actix-cors middleware for this policy. A request from another origin is still served
/// (browsers enforce CORS by the missing headers); it just gets no CORS headers.
pub fn cors(allowed: Vec<String>, production: bool) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, _head| {
            origin
                .to_str()
                .is_ok_and(|o| origin_allowed(o, &allowed, production))
        })
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::IF_MATCH,
        ])
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static("pixie-merged"),
        ])
        .supports_credentials()
        .max_age(PREFLIGHT_MAX_AGE_SECS)
        .block_on_origin_mismatch(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_allows_only_local_http_origins() {
        assert!(origin_allowed("http://localhost:5173", &[], false));
        assert!(origin_allowed("http://127.0.0.1", &[], false));
        assert!(!origin_allowed("http://localhost.evil.com", &[], false));
        assert!(!origin_allowed("http://localhost:80/x", &[], false));
        assert!(!origin_allowed("https://evil.example", &[], false));
        assert!(!origin_allowed("http://localhost:5173", &[], true));
    }

    #[test]
    fn listed_origins_match_exactly() {
        let allowed = vec!["https://pantry.example".to_owned()];
        assert!(origin_allowed("https://pantry.example", &allowed, true));
        assert!(!origin_allowed(
            "https://pantry.example.evil",
            &allowed,
            true
        ));
        assert!(!origin_allowed("http://pantry.example", &allowed, true));
    }
}
