//! Grocery lists: what the household means to buy, shared by everyone in the home.
//!
//! - [`list`]: the list, its summary figures, validated fields and edits, and the repository
//!   port; [`list::events`] names the change-log events of lists and entries.
//! - [`entry`]: the entries of a list (pantry items to buy, how much, at what estimated price)
//!   and their repository port.
//! - [`schedule`]: when a recurring list starts its next round, in the home's time zone.
//! - [`service`]: the use cases; each checks the actor's membership and role first.

pub mod entry;
pub mod list;
pub mod schedule;
pub mod service;

pub use entry::{
    ItemByName, ListItem, ListItemEdit, ListItemRepository, ListItemWithItem, NewListItem,
};
pub use list::{GroceryList, GroceryListWithItems, ListEdit, ListRepository, ListStats, NewList};
pub use schedule::{ListSchedule, Schedule};
pub use service::{ListError, ListService};
