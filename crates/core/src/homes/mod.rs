//! Homes (households) and who belongs to them.
//!
//! - [`role`]: owner > admin > member > viewer, and what each may do.
//! - [`home`]: the home entity, validated edits, and the repository port.
//! - [`invite`], [`invites`]: invite codes and the use cases that create and redeem them.
//! - [`service`]: the use cases; every one checks the acting user's membership and role
//!   itself, so REST, Pixie's tools and scheduled jobs obey the same rules.

pub mod access;
pub mod home;
pub mod invite;
pub mod invites;
pub mod role;
pub mod service;
