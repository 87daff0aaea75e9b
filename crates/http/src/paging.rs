//! Query parameters of cursor-paged routes (`?limit=&before=`), read from text so that a
//! malformed value is reported against its parameter.

use crate::error::FieldError;
use uuid::Uuid;

/// `limit`: absent or blank means `default`; otherwise a whole number from 1 to `max`.
pub fn limit_param(raw: Option<&str>, default: i64, max: i64) -> Result<i64, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                FieldError::new("limit", format!("must be a whole number from 1 to {max}"))
            }),
    }
}

/// `before`: absent or blank means from the newest; otherwise the id of a row (`what` names it
/// in the error: "must be a message id").
pub fn before_param(raw: Option<&str>, what: &str) -> Result<Option<Uuid>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => Uuid::parse_str(text)
            .map(Some)
            .map_err(|_| FieldError::new("before", format!("must be {what}"))),
    }
}
