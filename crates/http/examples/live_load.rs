//! Live-sync load client: opens many sockets on one home, makes changes over HTTP one at a
//! time, and reports how long each change took to reach every socket. Run by
//! `deploy/bench/live.py --client rust`, which starts the server and signs up; by hand:
//!
//! ```text
//! cargo run --release -p pantry-http --example live_load -- <port> <token> <homeId> \
//!     <sockets> <changes> <interval-ms>
//! ```
//!
//! Latency runs from just before the writer sends a change's request to the socket reading
//! its `inventory_update` frame, so it includes the write itself.

use futures_util::StreamExt;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
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

#[actix_web::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = arg(&args, 1, "port")?;
    let token: String = arg(&args, 2, "token")?;
    let home: String = arg(&args, 3, "homeId")?;
    let sockets: usize = arg(&args, 4, "sockets")?;
    let changes: usize = arg(&args, 5, "changes")?;
    let interval = Duration::from_millis(arg(&args, 6, "interval-ms")?);

    let sent: Rc<RefCell<Vec<Option<Instant>>>> = Rc::new(RefCell::new(vec![None; changes]));
    let latencies: Rc<RefCell<Vec<f64>>> = Rc::new(RefCell::new(Vec::new()));
    let mut readers = Vec::new();
    for _ in 0..sockets {
        let (_, mut io) = awc::Client::new()
            .ws(format!("ws://127.0.0.1:{port}/api/ws"))
            .protocols([format!("auth-{token}")])
            .max_frame_size(1 << 20)
            .connect()
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (sent, latencies) = (sent.clone(), latencies.clone());
        readers.push(actix_web::rt::spawn(async move {
            let mut seen = 0;
            while seen < changes {
                let Some(Ok(frame)) = io.next().await else {
                    break;
                };
                let now = Instant::now();
                let awc::ws::Frame::Text(text) = frame else {
                    continue;
                };
                let Ok(frame) = serde_json::from_slice::<Value>(&text) else {
                    continue;
                };
                let name = frame["payload"]["item"]["name"].as_str().unwrap_or("");
                if frame["type"] != "inventory_update" || !name.starts_with("live") {
                    continue;
                }
                let Ok(k) = name[4..].parse::<usize>() else {
                    continue;
                };
                if let Some(Some(at)) = sent.borrow().get(k) {
                    latencies
                        .borrow_mut()
                        .push(now.duration_since(*at).as_secs_f64() * 1000.0);
                    seen += 1;
                }
            }
        }));
    }
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;

    let http = awc::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/homes/{home}/items");
    for k in 0..changes {
        sent.borrow_mut()[k] = Some(Instant::now());
        let reply = http
            .post(&url)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send_json(&json!({ "name": format!("live{k}") }))
            .await
            .map_err(|e| format!("write: {e}"))?;
        if reply.status().as_u16() != 201 {
            return Err(format!("write answered {}", reply.status()).into());
        }
        actix_web::rt::time::sleep(interval).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while latencies.borrow().len() < sockets * changes && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    for reader in readers {
        reader.abort();
    }
    let mut all = latencies.borrow().clone();
    all.sort_by(f64::total_cmp);
    println!(
        "p50 {:.1} ms | p99 {:.1} ms | max {:.1} ms | delivered {} of {}",
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(f64::NAN),
        all.len(),
        sockets * changes
    );
    Ok(())
}
