//! The pantry: what is at home, how much, where, and until when.
//!
//! - [`unit`](mod@unit), [`category`], [`quantity`]: the value types an item is made of; invalid values
//!   cannot be constructed.
//! - [`item`]: the pantry item, its validated edits, list filters, and the repository port.
//! - [`merge`]: the rule that folds a new purchase into an existing row (same name and location,
//!   convertible unit).
//! - [`service`]: the use cases; each checks the actor's membership and role first.

pub mod category;
pub mod item;
pub mod merge;
pub mod quantity;
pub mod service;
pub mod unit;

pub use category::Category;
pub use item::{ItemEdit, ItemFilter, ItemRepository, ItemStats, NewItem, PantryItem};
pub use quantity::Quantity;
pub use service::{ItemError, ItemService, Listing};
pub use unit::Unit;
