//! Units of measure, and exact conversion between the ones that measure the same thing.

use serde::{Deserialize, Serialize};

/// A unit from the earlier server's list of eighteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One thing; the base of counts (a dozen is 12 of them).
    Piece,
    /// Gram, the base of mass.
    Gram,
    /// Kilogram: 1000 g.
    Kg,
    /// Millilitre, the base of volume.
    Ml,
    /// Litre: 1000 ml.
    Liter,
    /// Avoirdupois ounce: exactly 28.349523125 g.
    Oz,
    /// Avoirdupois pound: exactly 453.59237 g (16 oz).
    Lb,
    /// US cup: exactly 236.5882365 ml (16 tbsp).
    Cup,
    /// US tablespoon: exactly 14.78676478125 ml (3 tsp).
    Tbsp,
    /// US teaspoon: exactly 4.92892159375 ml.
    Tsp,
    /// A bunch (herbs, bananas); converts to no other unit.
    Bunch,
    /// Twelve pieces.
    Dozen,
    /// A loaf; converts to no other unit.
    Loaf,
    /// A bottle; converts to no other unit.
    Bottle,
    /// A box; converts to no other unit.
    Box,
    /// A bag; converts to no other unit.
    Bag,
    /// A package (`pack`, `pkg`); converts to no other unit.
    Package,
    /// A jar; converts to no other unit.
    Jar,
}

/// What a unit measures. Only amounts of the same dimension can be added together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Grams, kilograms, ounces, pounds.
    Mass,
    /// Millilitres, litres, US cups, tablespoons, teaspoons.
    Volume,
    /// Pieces and dozens.
    Count,
    /// A unit that converts to nothing else (a bunch, a loaf, a jar…).
    Only(Unit),
}

impl Unit {
    /// Every unit, in the earlier server's order.
    pub const ALL: [Unit; 18] = [
        Unit::Piece,
        Unit::Gram,
        Unit::Kg,
        Unit::Ml,
        Unit::Liter,
        Unit::Oz,
        Unit::Lb,
        Unit::Cup,
        Unit::Tbsp,
        Unit::Tsp,
        Unit::Bunch,
        Unit::Dozen,
        Unit::Loaf,
        Unit::Bottle,
        Unit::Box,
        Unit::Bag,
        Unit::Package,
        Unit::Jar,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Gram => "gram",
            Unit::Kg => "kg",
            Unit::Ml => "ml",
            Unit::Liter => "liter",
            Unit::Oz => "oz",
            Unit::Lb => "lb",
            Unit::Cup => "cup",
            Unit::Tbsp => "tbsp",
            Unit::Tsp => "tsp",
            Unit::Bunch => "bunch",
            Unit::Dozen => "dozen",
            Unit::Loaf => "loaf",
            Unit::Bottle => "bottle",
            Unit::Box => "box",
            Unit::Bag => "bag",
            Unit::Package => "package",
            Unit::Jar => "jar",
        }
    }

    /// Parses a unit: the wire spelling or a common alias ("g", "grams", "litre", "pcs"…),
    /// ignoring case, surrounding spaces and a plural "s".
    ///
    /// ```
    /// use pantry_core::items::Unit;
    /// assert_eq!(Unit::parse("kg"), Some(Unit::Kg));
    /// assert_eq!(Unit::parse("Grams"), Some(Unit::Gram));
    /// assert_eq!(Unit::parse("litres"), Some(Unit::Liter));
    /// assert_eq!(Unit::parse("parsec"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Unit> {
        let lower = text.trim().to_lowercase();
        let exact = |t: &str| Unit::ALL.into_iter().find(|u| u.as_str() == t);
        if let Some(unit) = exact(&lower).or_else(|| alias(&lower)) {
            return Some(unit);
        }
        let singular = lower.strip_suffix("es").filter(|s| s.ends_with('x'));
        let singular = singular.or_else(|| lower.strip_suffix('s'))?;
        exact(singular).or_else(|| alias(singular))
    }

    /// What the unit measures.
    pub fn dimension(self) -> Dimension {
        match self {
            Unit::Gram | Unit::Kg | Unit::Oz | Unit::Lb => Dimension::Mass,
            Unit::Ml | Unit::Liter | Unit::Cup | Unit::Tbsp | Unit::Tsp => Dimension::Volume,
            Unit::Piece | Unit::Dozen => Dimension::Count,
            other => Dimension::Only(other),
        }
    }

    /// The unit's size in its dimension's base unit (gram, millilitre, piece) as an exact
    /// fraction `numerator / denominator`.
    fn base_ratio(self) -> (i128, i128) {
        match self {
            Unit::Kg | Unit::Liter => (1000, 1),
            Unit::Oz => (28_349_523_125, 1_000_000_000), // avoirdupois ounce
            Unit::Lb => (45_359_237, 100_000),
            Unit::Cup => (2_365_882_365, 10_000_000), // US cup
            Unit::Tbsp => (1_478_676_478_125, 100_000_000_000),
            Unit::Tsp => (492_892_159_375, 100_000_000_000),
            Unit::Dozen => (12, 1),
            _ => (1, 1),
        }
    }

    /// Whether amounts in `self` and `other` can be added.
    pub fn converts_to(self, other: Unit) -> bool {
        self.dimension() == other.dimension()
    }

    /// Converts `milli` thousandths of `self` into thousandths of `to`, rounding half up;
    /// `None` when the units measure different things or the result overflows.
    ///
    /// ```
    /// use pantry_core::items::Unit;
    /// assert_eq!(Unit::Kg.convert_milli(1_500, Unit::Gram), Some(1_500_000));
    /// assert_eq!(Unit::Lb.convert_milli(1_000, Unit::Gram), Some(453_592));
    /// assert_eq!(Unit::Dozen.convert_milli(1_000, Unit::Piece), Some(12_000));
    /// assert_eq!(Unit::Kg.convert_milli(1_000, Unit::Liter), None);
    /// ```
    pub fn convert_milli(self, milli: i64, to: Unit) -> Option<i64> {
        if !self.converts_to(to) {
            return None;
        }
        if self == to {
            return Some(milli);
        }
        let (fnum, fden) = self.base_ratio();
        let (tnum, tden) = to.base_ratio();
        let num = i128::from(milli).checked_mul(fnum)?.checked_mul(tden)?;
        let den = fden.checked_mul(tnum)?;
        let rounded = (num + den / 2) / den;
        i64::try_from(rounded).ok()
    }
}

fn alias(text: &str) -> Option<Unit> {
    Some(match text {
        "pc" | "pcs" | "each" | "ea" | "item" | "unit" => Unit::Piece,
        "g" | "gr" | "gramme" => Unit::Gram,
        "kilo" | "kilogram" | "kilogramme" | "kgs" => Unit::Kg,
        "millilitre" | "milliliter" | "mls" => Unit::Ml,
        "l" | "litre" | "lt" | "ltr" => Unit::Liter,
        "ounce" => Unit::Oz,
        "pound" | "lbs" => Unit::Lb,
        "tablespoon" | "tbs" => Unit::Tbsp,
        "teaspoon" => Unit::Tsp,
        "pack" | "pkg" | "packet" => Unit::Package,
        _ => return None,
    })
}
