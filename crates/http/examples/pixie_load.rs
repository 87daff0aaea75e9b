//! Pixie load client: hosts the fake OpenAI server in-process (so its clock is ours) and
//! drives a running Pantry Pixie server configured with `OPENAI_BASE_URL` pointing at it.
//! Run by `deploy/bench/pixie.py`, which starts the server, signs up and names the threads
//! (so no title requests interleave); by hand:
//!
//! ```text
//! cargo run --release -p pantry-http --example pixie_load -- <fake-port> <server-port> \
//!     latency <turns> <token> <homeId> <threadId>
//! cargo run --release -p pantry-http --example pixie_load -- <fake-port> <server-port> \
//!     throughput <seconds> <token>:<homeId>:<threadId> ...
//! ```
//!
//! `latency`: one socket sends a `message` frame, waits for the final `ui_message`, sends the
//! next. The server's added latency is the time from the fake writing its first text chunk
//! to the socket reading the first streaming `ui_message` of that turn.
//! `throughput`: one loop per home posts messages over HTTP back to back against a fake that
//! answers at once; prints the turns completed.

use futures_util::{SinkExt, StreamExt};
use pantry_openai::fake::{FakeOpenAi, Reply};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, name: &str) -> Result<T, Error> {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("argument {i}: {name}").into())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn summary(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} p50={:.2} ms p90={:.2} ms p99={:.2} ms max={:.2} ms",
        values.len(),
        percentile(&values, 50.0),
        percentile(&values, 90.0),
        percentile(&values, 99.0),
        values.last().copied().unwrap_or(f64::NAN)
    );
}

async fn latency(fake_port: u16, port: u16, args: &[String]) -> Result<(), Error> {
    let turns: usize = arg(args, 4, "turns")?;
    let token: String = arg(args, 5, "token")?;
    let home: String = arg(args, 6, "homeId")?;
    let thread: String = arg(args, 7, "threadId")?;
    let words: Vec<&str> = "Sure, milk and bread are on the list now. "
        .split_inclusive(' ')
        .collect();
    let fake = FakeOpenAi::try_start_repeating_on(
        ("127.0.0.1", fake_port),
        Reply::text(&words).with_delay_between_chunks(Duration::from_millis(5)),
    )?;
    let (_, mut io) = awc::Client::new()
        .ws(format!("ws://127.0.0.1:{port}/api/ws"))
        .protocols([format!("auth-{token}")])
        .max_frame_size(1 << 20)
        .connect()
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut first_frames = Vec::with_capacity(turns);
    let mut whole_turns = Vec::with_capacity(turns);
    let mut typings = Vec::with_capacity(turns);
    for n in 0..turns {
        let sent = Instant::now();
        let frame = json!({"type": "message", "payload": {"threadId": thread, "homeId": home, "content": format!("turn {n}")}});
        io.send(awc::ws::Message::Text(frame.to_string().into()))
            .await?;
        let mut first = None;
        let mut typing = None;
        loop {
            let Some(Ok(awc::ws::Frame::Text(text))) = io.next().await else {
                continue;
            };
            let value: Value = serde_json::from_slice(&text)?;
            match value["type"].as_str() {
                Some("ui_message") if value["payload"]["isStreaming"] == true => {
                    first.get_or_insert_with(Instant::now);
                }
                Some("ui_message") => break,
                Some("status") if value["payload"]["status"] == "typing" => {
                    typing.get_or_insert_with(Instant::now);
                }
                Some("error") => return Err(format!("server error: {value}").into()),
                _ => {}
            }
        }
        first_frames.push(first.ok_or("no streaming frame")?);
        typings.push(typing.ok_or("no typing frame")?);
        whole_turns.push(sent.elapsed().as_secs_f64() * 1000.0);
    }
    let tokens = fake.first_token_times();
    if tokens.len() != turns {
        return Err(format!("{} model answers for {turns} turns", tokens.len()).into());
    }
    let added: Vec<f64> = first_frames
        .iter()
        .zip(&tokens)
        .map(|(frame, token)| frame.duration_since(*token).as_secs_f64() * 1000.0)
        .collect();
    summary(
        "server-added latency (fake's first token -> first ui_message)",
        added,
    );
    let before_model: Vec<f64> = typings
        .iter()
        .zip(&tokens)
        .map(|(typing, token)| token.duration_since(*typing).as_secs_f64() * 1000.0)
        .collect();
    summary(
        "typing frame -> fake's first token (context, model call)",
        before_model,
    );
    summary(
        "whole turn (message frame -> final ui_message)",
        whole_turns,
    );
    Ok(())
}

async fn throughput(fake_port: u16, port: u16, args: &[String]) -> Result<(), Error> {
    let seconds: u64 = arg(args, 4, "seconds")?;
    let _fake = FakeOpenAi::try_start_repeating_on(
        ("127.0.0.1", fake_port),
        Reply::text(&["Sure ", "thing."]),
    )?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut loops = Vec::new();
    for spec in &args[5..] {
        let mut parts = spec.split(':');
        let (Some(token), Some(home), Some(thread)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("expected token:home:thread, got {spec}").into());
        };
        let url =
            format!("http://127.0.0.1:{port}/api/homes/{home}/chat/threads/{thread}/messages");
        let auth = format!("Bearer {token}");
        loops.push(actix_web::rt::spawn(async move {
            let client = awc::Client::builder()
                .timeout(Duration::from_secs(30))
                .finish();
            let (mut done, mut failed) = (0u64, 0u64);
            while Instant::now() < deadline {
                let reply = client
                    .post(&url)
                    .insert_header(("Authorization", auth.as_str()))
                    .send_json(&json!({"content": "what's expiring?"}))
                    .await;
                match reply {
                    Ok(mut r) if r.status().as_u16() == 201 => {
                        let _ = r.body().limit(1 << 20).await;
                        done += 1;
                    }
                    _ => failed += 1,
                }
            }
            (done, failed)
        }));
    }
    let (mut done, mut failed) = (0, 0);
    for handle in loops {
        let (d, f) = handle.await?;
        done += d;
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "turns={done} failed={failed} seconds={elapsed:.2} turns_per_second={:.1}",
        done as f64 / elapsed
    );
    Ok(())
}

#[actix_web::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let fake_port: u16 = arg(&args, 1, "fake-port")?;
    let port: u16 = arg(&args, 2, "server-port")?;
    match args.get(3).map(String::as_str) {
        Some("latency") => latency(fake_port, port, &args).await,
        Some("throughput") => throughput(fake_port, port, &args).await,
        _ => Err("mode: latency or throughput".into()),
    }
}
