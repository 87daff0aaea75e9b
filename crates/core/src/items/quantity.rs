//! Amounts of an item: exact decimals with at most three decimals, stored as thousandths.

use serde::{Serialize, Serializer};
use thiserror::Error;

/// A non-negative amount in thousandths of the item's unit (`1500` is 1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(i64);

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QuantityError {
    /// Not a plain decimal number.
    #[error("must be a number such as 2 or 0.5")]
    Malformed,
    /// Below zero.
    #[error("must be zero or more")]
    Negative,
    /// More than three decimals.
    #[error("must have at most three decimals")]
    TooPrecise,
    /// Above [`Quantity::MAX`].
    #[error("must be at most 999999")]
    TooLarge,
}

impl Quantity {
    /// The largest amount accepted, as the earlier server allowed: 999,999 units.
    pub const MAX: Quantity = Quantity(999_999_000);
    /// One unit.
    pub const ONE: Quantity = Quantity(1_000);
    /// Nothing left.
    pub const ZERO: Quantity = Quantity(0);

    /// An amount from thousandths; `None` outside `0..=MAX`.
    pub fn from_milli(milli: i64) -> Option<Quantity> {
        (0..=Self::MAX.0)
            .contains(&milli)
            .then_some(Quantity(milli))
    }

    /// Thousandths of a unit.
    pub fn milli(self) -> i64 {
        self.0
    }

    /// Whether nothing is left.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The amount as a JSON-friendly number (`1500` → `1.5`).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Parses decimal text ("2", "0.5", "1.250").
    ///
    /// ```
    /// use pantry_core::items::quantity::{Quantity, QuantityError};
    /// assert_eq!(Quantity::parse("1.5").map(Quantity::milli), Ok(1500));
    /// assert_eq!(Quantity::parse("0.0005"), Err(QuantityError::TooPrecise));
    /// assert_eq!(Quantity::parse("1000000"), Err(QuantityError::TooLarge));
    /// assert_eq!(Quantity::parse("-1"), Err(QuantityError::Negative));
    /// assert_eq!(Quantity::parse("2e3"), Err(QuantityError::Malformed));
    /// ```
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(QuantityError::Negative);
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(QuantityError::Malformed);
        }
        let significant = fraction.trim_end_matches('0');
        if significant.len() > 3 {
            return Err(QuantityError::TooPrecise);
        }
        if whole.trim_start_matches('0').len() > 6 {
            return Err(QuantityError::TooLarge);
        }
        let whole: i64 = whole.parse().map_err(|_| QuantityError::Malformed)?;
        let thousandths: i64 = format!("{significant:0<3}")
            .parse()
            .map_err(|_| QuantityError::Malformed)?;
        Quantity::from_milli(whole * 1000 + thousandths).ok_or(QuantityError::TooLarge)
    }

    /// The sum, capped at [`Quantity::MAX`].
    pub fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity(self.0.saturating_add(other.0).min(Self::MAX.0))
    }

    /// The difference, floored at zero.
    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity((self.0 - other.0).max(0))
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole amounts stay integers on the wire, as the earlier server sent them.
        if self.0 % 1000 == 0 {
            s.serialize_i64(self.0 / 1000)
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let text = format!("{frac:03}");
            write!(f, "{whole}.{}", text.trim_end_matches('0'))
        }
    }
}
