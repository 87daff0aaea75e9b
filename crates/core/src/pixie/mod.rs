//! Pixie, the household chat assistant: chat threads and messages, the language-model port,
//! the tools Pixie may call (each one a pantry or list use case), and the agent loop that
//! ties them together. An offline model implements the same port with a deterministic
//! parser, so the product works with no model at all.

pub mod agent;
pub mod arguments;
pub mod context;
pub mod limits;
pub mod model;
pub mod offline;
pub mod service;
pub mod thread;
pub mod tools;
