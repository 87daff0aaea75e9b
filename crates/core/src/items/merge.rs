//! Folding a new purchase into the row the household already has.
//!
//! The earlier server created a new row for every add, so "milk" appeared five times. Here an
//! add merges into an existing row with the same name (case- and space-insensitive) in the same
//! location (case-insensitive; "no location" matches only "no location") whose unit measures the
//! same thing; the amount is converted into the existing row's unit. A client that wants a
//! separate entry (another pack with its own expiry, say) asks for one.

use crate::items::Quantity;
use crate::items::item::{NewItem, PantryItem, normalize_name};

/// What merging `new` into `existing` produces.
#[derive(Debug, Clone, PartialEq)]
pub struct MergePlan {
    /// The row that absorbs the add.
    pub target: uuid::Uuid,
    /// Its quantity afterwards, in its own unit.
    pub quantity: Quantity,
    /// Its best-before afterwards: the earlier of the two while the old stock is still there
    /// (it will be eaten first), the new one when the row had run out.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn same_location(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.trim().to_lowercase() == b.trim().to_lowercase(),
        _ => false,
    }
}

/// The merge of `new` into the first of `candidates` it can join, if any. `candidates` are
/// the home's rows, oldest first; only those with the same normalised name are considered.
///
/// ```
/// use pantry_core::items::{NewItem, Quantity, Unit};
/// use pantry_core::items::merge::plan;
/// # use pantry_core::items::{Category, PantryItem};
/// # use chrono::Utc;
/// # let existing = PantryItem { id: uuid::Uuid::nil(), home_id: uuid::Uuid::nil(),
/// #   name: "Flour".into(), description: None, category: Category::Baking,
/// #   quantity: Quantity::parse("1").unwrap(), unit: Unit::Kg, location: None,
/// #   expires_at: None, is_checked: false, is_recurring: false, recurring_interval: None,
/// #   price_minor: None, store: None, notes: None, receipt_id: None, added_by: None,
/// #   version: 1, date_added: Utc::now(), last_updated: Utc::now() };
/// let mut add = NewItem::named("flour".into());
/// add.quantity = Quantity::parse("500").unwrap();
/// add.unit = Unit::Gram;
/// let merged = plan(&[existing], &add).unwrap();
/// assert_eq!(merged.quantity, Quantity::parse("1.5").unwrap()); // kilograms
/// ```
pub fn plan(candidates: &[PantryItem], new: &NewItem) -> Option<MergePlan> {
    let key = normalize_name(&new.name);
    candidates
        .iter()
        .filter(|c| normalize_name(&c.name) == key)
        .filter(|c| same_location(c.location.as_deref(), new.location.as_deref()))
        .find_map(|c| {
            let added = new.unit.convert_milli(new.quantity.milli(), c.unit)?;
            let quantity = Quantity::from_milli(c.quantity.milli().checked_add(added)?)?;
            let expires_at = if c.quantity.is_zero() {
                new.expires_at
            } else {
                match (c.expires_at, new.expires_at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            };
            Some(MergePlan {
                target: c.id,
                quantity,
                expires_at,
            })
        })
}
