//! # pantry-app
//!
//! Composes Pantry Pixie: reads the configuration, sets up logging, builds the storage and
//! HTTP adapters and runs the server. No rule lives here.

pub mod cli;
pub mod config;
pub mod logging;
pub mod scheduler;
pub mod secret;
pub mod server;
