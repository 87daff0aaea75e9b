//! Security headers sent on every response: API, static files, errors, 413 and 429 alike.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

/// The CSP allows only same-origin resources and no inline script or `eval`, so the web app
/// must ship scripts and styles as files. `connect-src 'self'` also covers same-origin
/// WebSockets (CSP Level 3).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The fixed header set, built once at start.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// Production adds HSTS and asks browsers to upgrade insecure sub-requests; development
    /// is served over plain HTTP on localhost, where both would break the app.
    pub fn new(production: bool) -> Self {
        let csp = if production {
            format!("{CSP}; upgrade-insecure-requests")
        } else {
            CSP.to_owned()
        };
        let mut headers = vec![
            (
                HeaderName::from_static("content-security-policy"),
                HeaderValue::from_str(&csp)
                    .unwrap_or(HeaderValue::from_static("default-src 'none'")),
            ),
            (
                HeaderName::from_static("x-frame-options"),
                HeaderValue::from_static("DENY"),
            ),
            (
                HeaderName::from_static("x-content-type-options"),
                HeaderValue::from_static("nosniff"),
            ),
            (
                HeaderName::from_static("referrer-policy"),
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
            (
                HeaderName::from_static("permissions-policy"),
                HeaderValue::from_static(
                    "geolocation=(), microphone=(), camera=(), payment=(), usb=(), interest-cohort=()",
                ),
            ),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            ),
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        ];
        if production {
            headers.push((
                HeaderName::from_static("strict-transport-security"),
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            ));
        }
        Self { headers }
    }

    /// Sets every header, replacing any value a handler chose.
    pub fn apply(&self, target: &mut HeaderMap) {
        for (name, value) in &self.headers {
            target.insert(name.clone(), value.clone());
        }
    }
}
