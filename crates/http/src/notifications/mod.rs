//! The household inbox over HTTP: a member's notifications, marking them read, and the
//! running-low "add to list" action. Live delivery is the `notification` frame of the live
//! socket (`crate::live`).

pub mod routes;
