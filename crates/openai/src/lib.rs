//! Filled in by the Pixie issue: a reqwest client for OpenAI-compatible chat completions.
