//! A fake OpenAI chat-completions server for tests and benchmarks (feature `fake`).
//!
//! [`FakeOpenAi`] is a real HTTP server on 127.0.0.1 that answers from a script of
//! [`Reply`]s (a queue played in request order, one reply repeated, or a route that picks the
//! reply from each request's body) with the byte-for-byte shape of OpenAI's streaming format (role chunk, content
//! or tool-call fragments, finish chunk, usage chunk, `data: [DONE]`), written chunk by chunk
//! with optional pauses. Failure shapes (status codes, a mid-stream error, a stall, raw
//! bytes) test what a client does when things go wrong. It records the request bodies and
//! counts streams whose client went away, so a test can check what was sent and that a
//! cancelled caller closed its connection.
//!
//! Use it from another crate's tests with
//! `pantry-openai = { workspace = true, features = ["fake"] }` in `[dev-dependencies]`,
//! build the client from [`FakeOpenAi::config`] (or [`FakeOpenAi::base_url`] and
//! [`FakeOpenAi::KEY`]), and script one reply per expected request:
//!
//! ```no_run
//! use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
//!
//! let fake = FakeOpenAi::start(vec![
//!     Reply::tool_calls(vec![ToolCallScript::new("call_1", "addToList", &["{\"name\":", "\"milk\"}"])]),
//!     Reply::text(&["Added ", "milk."]).with_usage(120, 4),
//! ]);
//! let model = pantry_openai::OpenAiModel::new(fake.config()).expect("valid config");
//! // ... run the code under test with `model` ...
//! assert_eq!(fake.request_count(), 2);
//! assert_eq!(fake.requests()[1]["messages"][3]["role"], "tool");
//! ```
//!
//! When requests come from several tests at once, or in an order the test does not control
//! (a browser suite, a title asked for alongside the answer), route them instead with
//! [`FakeOpenAi::start_routed`]: the route gets each request's JSON body and answers by what it
//! asks, e.g. a text reply once the last message is a tool result.

mod reply;
mod server;

pub use reply::{Reply, ToolCallScript};
pub use server::{FakeOpenAi, REQUEST_LOG_LIMIT};
