//! Accounts and sessions: who a person is, how they prove it, and how long that proof lasts.
//!
//! - [`email`], [`password`], [`user`]: validated values and the user entity.
//! - [`session`]: rotating refresh tokens grouped in families (one per sign-in).
//! - [`throttle`]: growing delays after failed sign-ins, per account and per client.
//! - [`service`]: the use cases (register, login, refresh, logout, password change, me).
//! - [`preferences`]: a person's preferences and their home's shared ones.

pub mod email;
pub mod password;
pub mod preferences;
pub mod service;
pub mod session;
pub mod throttle;
pub mod user;
