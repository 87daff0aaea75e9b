//! Input shapes the earlier clients sent in more than one form, parsed strictly.

use crate::error::{ApiError, FieldError};
use chrono::{DateTime, NaiveDate, Utc};
use pantry_core::items::quantity::{Quantity, QuantityError};
use pantry_core::money::{self, MoneyError};
use serde::{Deserialize, Deserializer};
use utoipa::IntoParams;

/// Distinguishes a field that is absent (`None`) from one set to null (`Some(None)`).
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A decimal sent as a JSON number or as a numeric string (earlier clients did both).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Decimal {
    #[schema(value_type = f64)]
    Number(serde_json::Number),
    Text(String),
}

impl Decimal {
    fn text(&self) -> String {
        match self {
            Decimal::Number(n) => n.to_string(),
            Decimal::Text(t) => t.clone(),
        }
    }

    /// Money in minor units.
    pub fn minor(&self) -> Result<i64, MoneyError> {
        money::parse_minor(&self.text())
    }

    /// An item amount.
    pub fn quantity(&self) -> Result<Quantity, QuantityError> {
        Quantity::parse(&self.text())
    }
}

/// A moment sent as RFC 3339 text (`2026-12-24T18:00:00Z`), a calendar date (`2026-12-24`,
/// midnight UTC), or epoch milliseconds; kept to the millisecond.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Moment {
    Millis(i64),
    Text(String),
}

impl Moment {
    /// The instant, or `None` when it is not a date.
    pub fn parse(&self) -> Option<DateTime<Utc>> {
        match self {
            Moment::Millis(ms) => DateTime::from_timestamp_millis(*ms),
            Moment::Text(t) => {
                let t = t.trim();
                DateTime::parse_from_rfc3339(t)
                    .map(|d| d.with_timezone(&Utc))
                    .ok()
                    .or_else(|| {
                        NaiveDate::parse_from_str(t, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                            .map(|d| d.and_utc())
                    })
            }
        }
        .map(|d| d.trunc_subsecs_ms())
    }
}

trait TruncMs {
    fn trunc_subsecs_ms(self) -> Self;
}

impl TruncMs for DateTime<Utc> {
    fn trunc_subsecs_ms(self) -> Self {
        chrono::SubsecRound::trunc_subsecs(self, 3)
    }
}

/// The version a client says it is editing: `If-Match: "3"` (also `3` or `W/"3"`), else the
/// body's `version`. `Err` when the header is present but not a version.
pub fn expected_version(
    req: &actix_web::HttpRequest,
    body_version: Option<i64>,
) -> Result<Option<i64>, crate::error::ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Ok(body_version);
    };
    let text = value.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    if text == "*" {
        return Ok(None);
    }
    text.parse::<i64>().map(Some).map_err(|_| {
        crate::error::ApiError::bad_request("If-Match must be a version such as \"3\"")
    })
}

/// Collects every invalid field before answering, so a form shows all its errors at once.
#[derive(Default)]
pub(crate) struct Fields(Vec<FieldError>);

impl Fields {
    /// The value, or `None` after recording why `field` was refused.
    pub(crate) fn check<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|e| self.0.push(FieldError::new(field, e)))
            .ok()
    }

    /// 400 listing every refused field, if there was one.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
}

/// `?version=` of DELETE routes (or `If-Match`).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct VersionQuery {
    /// Delete it only if this is still its `version` (`If-Match` takes precedence).
    pub(crate) version: Option<i64>,
}
