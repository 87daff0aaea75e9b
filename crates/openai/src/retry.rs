//! When to try a request again and how long to wait first.
//!
//! Only failures before anything was streamed are retried (the caller has shown nothing yet),
//! and only those that may pass: connection errors, 408, 409, 429 and 5xx.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// No wait is longer than this, whatever the backoff or `Retry-After` says: the user is
/// waiting for an answer.
pub(crate) const MAX_DELAY: Duration = Duration::from_secs(8);

/// Whether a response with this status may succeed if sent again.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

/// How long to wait before retry number `attempt + 1`: the server's `Retry-After` if it gave
/// one, else `base * 2^attempt` with "equal jitter" (a random point in its upper half, so that
/// clients that failed together do not retry together); both capped at [`MAX_DELAY`].
pub(crate) fn backoff(attempt: u32, base: Duration, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(MAX_DELAY);
    }
    let exponential = base
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(MAX_DELAY);
    let half = exponential / 2;
    half + half.mul_f64(fastrand::f64())
}

/// The wait the server asked for: `retry-after-ms` (OpenAI) or `Retry-After` in seconds.
/// An HTTP date is ignored (the backoff applies then).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| -> Option<f64> {
        let value = headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()?;
        (value.is_finite() && value >= 0.0).then_some(value)
    };
    if let Some(millis) = number("retry-after-ms") {
        return Some(Duration::from_secs_f64(
            (millis / 1000.0).min(MAX_DELAY.as_secs_f64()),
        ));
    }
    number("retry-after").map(|secs| Duration::from_secs_f64(secs.min(MAX_DELAY.as_secs_f64())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        for _ in 0..50 {
            let first = backoff(0, base, None);
            assert!(
                first >= Duration::from_millis(50) && first <= base,
                "{first:?}"
            );
            let third = backoff(2, base, None);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            assert!(backoff(40, base, None) <= MAX_DELAY);
        }
        assert_eq!(backoff(3, base, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(backoff(0, base, Some(Duration::from_secs(600))), MAX_DELAY);
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        headers.insert("retry-after-ms", HeaderValue::from_static("99999999"));
        assert_eq!(retry_after(&headers), Some(MAX_DELAY));
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for code in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 422] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }
}
