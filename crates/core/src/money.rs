//! Money as integer minor units (cents), parsed exactly from decimal text: no floating point
//! ever touches an amount.

use thiserror::Error;

/// Why an amount was refused; the messages are shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// Not plain decimal digits with an optional `.` (no signs, exponents or separators).
    #[error("must be an amount such as 12.50")]
    Malformed,
    /// Non-zero digits past the second decimal: they would be lost in minor units.
    #[error("must have at most two decimals")]
    TooPrecise,
    /// Above 10^12 major units.
    #[error("is too large")]
    TooLarge,
    /// Below zero.
    #[error("must be zero or more")]
    Negative,
}

/// The largest amount accepted: 10^12 major units.
const MAX_MINOR: i64 = 100_000_000_000_000;

/// Parses a non-negative decimal amount ("12", "12.5", "12.50") into minor units.
///
/// ```
/// use pantry_core::money::{parse_minor, MoneyError};
/// assert_eq!(parse_minor("12.5"), Ok(1250));
/// assert_eq!(parse_minor(" 0.07 "), Ok(7));
/// assert_eq!(parse_minor("3"), Ok(300));
/// assert_eq!(parse_minor("1.005"), Err(MoneyError::TooPrecise));
/// assert_eq!(parse_minor("-1"), Err(MoneyError::Negative));
/// assert_eq!(parse_minor("1e3"), Err(MoneyError::Malformed));
/// ```
pub fn parse_minor(text: &str) -> Result<i64, MoneyError> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(MoneyError::Negative);
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(MoneyError::Malformed);
    }
    // "12.50" and "12.5000" are the same amount; only non-zero digits past two matter.
    let significant = fraction.trim_end_matches('0');
    if significant.len() > 2 {
        return Err(MoneyError::TooPrecise);
    }
    let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
    let cents: i64 = format!("{significant:0<2}")
        .parse()
        .map_err(|_| MoneyError::Malformed)?;
    let minor = whole
        .checked_mul(100)
        .and_then(|m| m.checked_add(cents))
        .ok_or(MoneyError::TooLarge)?;
    if minor > MAX_MINOR {
        return Err(MoneyError::TooLarge);
    }
    Ok(minor)
}

/// Minor units as a decimal number of major units, for the wire (`1250` → `12.5`).
pub fn to_major(minor: i64) -> f64 {
    minor as f64 / 100.0
}

/// Serialises optional minor units as major units, for entities that are sent as they are.
pub fn serialize_major<S: serde::Serializer>(minor: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match minor {
        Some(m) if m % 100 == 0 => s.serialize_i64(m / 100),
        Some(m) => s.serialize_f64(to_major(*m)),
        None => s.serialize_none(),
    }
}

/// Serialises minor units as major units (`25000` → `250`, `1250` → `12.5`).
pub fn serialize_major_amount<S: serde::Serializer>(minor: &i64, s: S) -> Result<S::Ok, S::Error> {
    serialize_major(&Some(*minor), s)
}

/// The sign written before an amount in `currency`, for the currencies households most
/// often use; `None` for the others, which are written with their code.
fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" | "CNY" => "¥",
        "THB" => "฿",
        "INR" => "₹",
        "KRW" => "₩",
        "VND" => "₫",
        "PHP" => "₱",
        "ILS" => "₪",
        "NGN" => "₦",
        "UAH" => "₴",
        "TRY" => "₺",
        _ => return None,
    })
}

/// Minor units as people read them in `currency`: its symbol (or code), thousands grouped,
/// two decimals. Every currency is stored in hundredths ([`parse_minor`]), JPY included, so
/// every amount is written with two decimals too.
///
/// ```
/// use pantry_core::money::format;
/// assert_eq!(format(25000, "THB"), "฿250.00");
/// assert_eq!(format(123456789, "USD"), "$1,234,567.89");
/// assert_eq!(format(-550, "EUR"), "-€5.50");
/// assert_eq!(format(1200, "CHF"), "CHF 12.00");
/// ```
pub fn format(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let cents = abs % 100;
    match symbol(currency) {
        Some(symbol) => format!("{sign}{symbol}{grouped}.{cents:02}"),
        None => format!("{sign}{currency} {grouped}.{cents:02}"),
    }
}
