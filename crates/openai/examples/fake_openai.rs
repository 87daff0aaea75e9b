//! The fake OpenAI server on its own, for load tests of the HTTP layer without a real model.
//!
//! ```text
//! cargo run --release -p pantry-openai --features fake --example fake_openai -- \
//!     --port 8089 --words 40 --delay-ms 20
//! ```
//!
//! Every request gets the same streamed text reply: `--words` content chunks `--delay-ms`
//! apart. Use the printed base URL with the key `sk-fake`. Runs until killed.

use std::process::ExitCode;
use std::time::Duration;

use pantry_openai::fake::{FakeOpenAi, Reply};

const USAGE: &str =
    "usage: fake_openai [--host 127.0.0.1] [--port 8089] [--words 40] [--delay-ms 20]";

struct Options {
    host: String,
    port: u16,
    words: usize,
    delay: Duration,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        host: "127.0.0.1".to_owned(),
        port: 8089,
        words: 40,
        delay: Duration::from_millis(20),
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => options.host = value()?,
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--words" => options.words = value()?.parse().map_err(|e| format!("--words: {e}"))?,
            "--delay-ms" => {
                let millis: u64 = value()?.parse().map_err(|e| format!("--delay-ms: {e}"))?;
                options.delay = Duration::from_millis(millis);
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    const WORDS: [&str; 8] = [
        "Milk ", "eggs ", "and ", "flour ", "are ", "on ", "the ", "list. ",
    ];
    let pieces: Vec<&str> = (0..options.words).map(|n| WORDS[n % WORDS.len()]).collect();
    let reply = Reply::text(&pieces).with_delay_between_chunks(options.delay);
    let fake =
        match FakeOpenAi::try_start_repeating_on((options.host.as_str(), options.port), reply) {
            Ok(fake) => fake,
            Err(error) => {
                eprintln!(
                    "could not start on {}:{}: {error}",
                    options.host, options.port
                );
                return ExitCode::FAILURE;
            }
        };
    println!("{}", fake.base_url());
    loop {
        std::thread::park();
    }
}
