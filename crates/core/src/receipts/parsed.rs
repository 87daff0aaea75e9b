//! A receipt as read, before it is stored: from the vision model (which may say anything) or
//! from a member who reviewed it (the confirm body, or a receipt carried by a chat turn).
//! Both pass through the same sanitising rules, so what reaches the pantry is always valid:
//!
//! - names are trimmed; a line without a name is dropped;
//! - a quantity that is missing, zero, negative or unreadable becomes 1;
//! - an unknown category becomes `other`, an unknown unit is left out (the pantry's `piece`);
//! - a price (the line total) that is negative, not finite or not a number is dropped; other
//!   amounts become minor units exactly, from their decimal text (never through binary floating
//!   point), rounding half up past two decimals;
//! - a currency that is not three letters is left out (the home's applies); a date that
//!   cannot be read is left out.
//!
//! Limits differ by source: the model's answer is cut to fit ([`MAX_LINES`] lines, names of
//! [`MAX_NAME_CHARS`]), a member's receipt over them is refused ([`ReceiptInputError`]).

use crate::items::{Category, Quantity, Unit};
use crate::money::{MoneyError, parse_minor, serialize_major};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// The most lines a receipt may have.
pub const MAX_LINES: usize = 200;
/// The longest item name, in characters (the pantry's limit).
pub const MAX_NAME_CHARS: usize = 255;
/// The longest merchant name, in characters.
pub const MAX_MERCHANT_CHARS: usize = 255;

/// A receipt as sent, loosely typed: the earlier server's confirm body (§2.6) and the
/// model's answer both deserialise into it. Amounts may be JSON numbers or numeric text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawReceipt {
    /// The earlier clients' name for the merchant; used when `merchant` is absent.
    #[serde(default)]
    pub store: Option<String>,
    /// Where it was bought.
    #[serde(default)]
    pub merchant: Option<String>,
    /// When (ISO 8601 date or date-time).
    #[serde(default)]
    pub purchased_at: Option<String>,
    /// ISO 4217 code.
    #[serde(default)]
    pub currency: Option<String>,
    /// The receipt's total, in major units.
    #[serde(default)]
    pub total: Option<Value>,
    /// The lines.
    #[serde(default)]
    pub items: Vec<RawLine>,
}

/// One line as sent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RawLine {
    /// What was bought.
    #[serde(default)]
    pub name: Option<String>,
    /// How many or how much.
    #[serde(default)]
    pub quantity: Option<Value>,
    /// Of what unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// Pantry category.
    #[serde(default)]
    pub category: Option<String>,
    /// The line total, in major units.
    #[serde(default)]
    pub price: Option<Value>,
}

/// A sanitised receipt, as answered by the scan route and as confirmed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedReceipt {
    /// Where it was bought.
    pub merchant: Option<String>,
    /// When.
    pub purchased_at: Option<DateTime<Utc>>,
    /// ISO 4217 code, upper case.
    pub currency: Option<String>,
    /// The total, in minor units (sent as major units, `total`).
    #[serde(rename = "total", serialize_with = "serialize_major")]
    pub total_minor: Option<i64>,
    /// The lines, in receipt order.
    pub items: Vec<ReceiptLine>,
}

/// One sanitised line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptLine {
    /// Trimmed, 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
    /// More than zero.
    pub quantity: Quantity,
    /// The unit, when one was read.
    pub unit: Option<Unit>,
    /// Pantry category.
    pub category: Category,
    /// The line total in minor units (sent as major units, `price`).
    #[serde(rename = "price", serialize_with = "serialize_major")]
    pub price_minor: Option<i64>,
}

/// Why a member's receipt was refused; the messages are shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptInputError {
    /// No line with a name.
    #[error("No items to add")]
    NoItems,
    /// More than [`MAX_LINES`] lines.
    #[error("A receipt can have at most {MAX_LINES} items")]
    TooManyItems,
    /// A name over [`MAX_NAME_CHARS`].
    #[error("Item names must be at most {MAX_NAME_CHARS} characters")]
    NameTooLong,
    /// A merchant over [`MAX_MERCHANT_CHARS`].
    #[error("The merchant must be at most {MAX_MERCHANT_CHARS} characters")]
    MerchantTooLong,
}

/// Who wrote the receipt: the model's answer is cut to fit, a member's is refused.
#[derive(Clone, Copy, PartialEq)]
enum Source {
    Model,
    Member,
}

impl ParsedReceipt {
    /// Sanitises a member's receipt (the confirm body, a chat turn's receipt).
    pub fn from_client(raw: RawReceipt) -> Result<ParsedReceipt, ReceiptInputError> {
        sanitize(raw, Source::Member)
    }

    /// Sanitises the model's answer: never refused, only cut to the limits. It may have no
    /// lines (the photo was not a receipt).
    pub fn from_model(raw: RawReceipt) -> ParsedReceipt {
        match sanitize(raw, Source::Model) {
            Ok(receipt) => receipt,
            // The model's receipt is cut, never refused; only an empty one lands here.
            Err(_) => ParsedReceipt {
                merchant: None,
                purchased_at: None,
                currency: None,
                total_minor: None,
                items: Vec::new(),
            },
        }
    }
}

/// `text` cut to `max` characters, or refused when a member sent it.
fn capped(
    text: &str,
    max: usize,
    source: Source,
    error: ReceiptInputError,
) -> Result<String, ReceiptInputError> {
    if text.chars().count() <= max {
        return Ok(text.to_owned());
    }
    match source {
        Source::Model => Ok(text
            .chars()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_owned()),
        Source::Member => Err(error),
    }
}

fn sanitize(raw: RawReceipt, source: Source) -> Result<ParsedReceipt, ReceiptInputError> {
    if source == Source::Member && raw.items.len() > MAX_LINES {
        return Err(ReceiptInputError::TooManyItems);
    }
    let merchant = match raw
        .merchant
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .or_else(|| {
            raw.store
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
        }) {
        Some(m) => Some(capped(
            m,
            MAX_MERCHANT_CHARS,
            source,
            ReceiptInputError::MerchantTooLong,
        )?),
        None => None,
    };
    let mut items = Vec::new();
    for line in raw.items {
        if items.len() == MAX_LINES {
            break;
        }
        let Some(name) = line
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let name = capped(name, MAX_NAME_CHARS, source, ReceiptInputError::NameTooLong)?;
        let quantity = line
            .quantity
            .as_ref()
            .and_then(decimal_text)
            .and_then(|q| Quantity::parse(&q).ok())
            .filter(|q| !q.is_zero())
            .unwrap_or(Quantity::ONE);
        items.push(ReceiptLine {
            name,
            quantity,
            unit: line.unit.as_deref().and_then(Unit::parse),
            category: line
                .category
                .as_deref()
                .and_then(Category::parse)
                .unwrap_or(Category::Other),
            price_minor: line.price.as_ref().and_then(amount_minor),
        });
    }
    if items.is_empty() && source == Source::Member {
        return Err(ReceiptInputError::NoItems);
    }
    Ok(ParsedReceipt {
        merchant,
        purchased_at: raw.purchased_at.as_deref().and_then(moment),
        currency: raw.currency.as_deref().and_then(currency),
        total_minor: raw.total.as_ref().and_then(amount_minor),
        items,
    })
}

/// The decimal text of a JSON number or numeric string (a number's shortest round-trip
/// text, so `12.345` reads as "12.345", never as a binary approximation).
fn decimal_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// An amount in minor units, rounded half up past two decimals; `None` when negative or not
/// a plain decimal.
///
/// ```
/// # use pantry_core::receipts::parsed::amount_minor;
/// # use serde_json::json;
/// assert_eq!(amount_minor(&json!(12.345)), Some(1235));
/// assert_eq!(amount_minor(&json!(0.1)), Some(10));
/// assert_eq!(amount_minor(&json!("3.50")), Some(350));
/// assert_eq!(amount_minor(&json!(-2)), None);
/// assert_eq!(amount_minor(&json!("NaN")), None);
/// ```
pub fn amount_minor(value: &Value) -> Option<i64> {
    let text = decimal_text(value)?;
    match parse_minor(&text) {
        Ok(minor) => Some(minor),
        Err(MoneyError::TooPrecise) => {
            let (whole, fraction) = text.split_once('.')?;
            let kept = &fraction[..2];
            let round_up = fraction.as_bytes()[2] >= b'5';
            let minor = parse_minor(&format!("{whole}.{kept}")).ok()?;
            Some(minor + i64::from(round_up))
        }
        Err(_) => None,
    }
}

/// Three ASCII letters, upper-cased.
fn currency(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| text.to_ascii_uppercase())
}

/// RFC 3339, a date-time without zone (UTC), or a date (midnight UTC).
fn moment(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(value: Value) -> RawReceipt {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn odd_lines_are_made_valid() {
        let receipt = ParsedReceipt::from_client(raw(json!({
            "store": "Corner Shop", "purchasedAt": "not a date", "currency": "baht",
            "items": [
                {"name": "  ", "price": 3},
                {"name": "Eggs", "quantity": 0, "category": "eggs", "price": -4},
                {"name": "Rice", "quantity": "2.5", "unit": "kg", "category": "GRAINS", "price": "12.345"}
            ]
        })))
        .unwrap();
        assert_eq!(receipt.merchant.as_deref(), Some("Corner Shop"));
        assert_eq!(receipt.purchased_at, None);
        assert_eq!(receipt.currency, None);
        assert_eq!(receipt.items.len(), 2);
        let eggs = &receipt.items[0];
        assert_eq!(
            (eggs.quantity, eggs.category, eggs.price_minor),
            (Quantity::ONE, Category::Other, None)
        );
        let rice = &receipt.items[1];
        assert_eq!(rice.quantity, Quantity::parse("2.5").unwrap());
        assert_eq!(
            (rice.unit, rice.category, rice.price_minor),
            (Some(Unit::Kg), Category::Grains, Some(1235))
        );
    }

    #[test]
    fn members_get_errors_where_the_model_gets_cuts() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        let lines: Vec<Value> = (0..MAX_LINES + 1)
            .map(|i| json!({"name": format!("item {i}")}))
            .collect();
        assert_eq!(
            ParsedReceipt::from_client(raw(json!({"items": [{"name": long}]}))),
            Err(ReceiptInputError::NameTooLong)
        );
        assert_eq!(
            ParsedReceipt::from_client(raw(json!({"items": lines}))),
            Err(ReceiptInputError::TooManyItems)
        );
        assert_eq!(
            ParsedReceipt::from_client(raw(json!({"items": [{"name": ""}]}))),
            Err(ReceiptInputError::NoItems)
        );
        let cut = ParsedReceipt::from_model(raw(json!({"items": lines})));
        assert_eq!(cut.items.len(), MAX_LINES);
        let cut = ParsedReceipt::from_model(raw(json!({"items": [{"name": long}]})));
        assert_eq!(cut.items[0].name.chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn dates_and_currencies() {
        let receipt = ParsedReceipt::from_client(raw(json!({
            "purchasedAt": "2026-12-01", "currency": " usd ", "total": 10.5, "items": [{"name": "Tea"}]
        })))
        .unwrap();
        assert_eq!(
            receipt.purchased_at.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(receipt.currency.as_deref(), Some("USD"));
        assert_eq!(receipt.total_minor, Some(1050));
    }
}
