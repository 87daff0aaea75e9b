//! Item categories: the earlier server's twelve.

use serde::{Deserialize, Serialize};

/// What kind of food or product an item is; drives grouping in the pantry view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Milk, cheese, yoghurt, eggs.
    Dairy,
    /// Meat and fish.
    Meat,
    /// Fruit and vegetables.
    Produce,
    /// Rice, pasta, bread, cereals.
    Grains,
    /// Shelf-stable staples.
    Pantry,
    /// Anything kept in the freezer.
    Frozen,
    /// Drinks.
    Beverages,
    /// Snacks and sweets.
    Snacks,
    /// Sauces and condiments.
    Condiments,
    /// Herbs and spices.
    Spices,
    /// Flour, sugar, baking goods.
    Baking,
    /// Everything else (the default).
    Other,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 12] = [
        Category::Dairy,
        Category::Meat,
        Category::Produce,
        Category::Grains,
        Category::Pantry,
        Category::Frozen,
        Category::Beverages,
        Category::Snacks,
        Category::Condiments,
        Category::Spices,
        Category::Baking,
        Category::Other,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Dairy => "dairy",
            Category::Meat => "meat",
            Category::Produce => "produce",
            Category::Grains => "grains",
            Category::Pantry => "pantry",
            Category::Frozen => "frozen",
            Category::Beverages => "beverages",
            Category::Snacks => "snacks",
            Category::Condiments => "condiments",
            Category::Spices => "spices",
            Category::Baking => "baking",
            Category::Other => "other",
        }
    }

    /// Parses the wire spelling, ignoring case and surrounding spaces.
    ///
    /// ```
    /// use pantry_core::items::Category;
    /// assert_eq!(Category::parse(" Dairy "), Some(Category::Dairy));
    /// assert_eq!(Category::parse("furniture"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Category> {
        let text = text.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(text))
    }
}
