//! The web app in a real browser: the real binary on SQLite, a routed fake model, and the
//! end-to-end tests in `crates/web/e2e/tests` run by Node's test runner against Debian's
//! chromium (through `playwright-core`; no browser is ever downloaded).
//!
//! Needs `chromium` (`apt-get install chromium`) and the e2e packages
//! (`npm ci --prefix crates/web/e2e`). Without them the tests print `skipped: …` and pass, like
//! the PostgreSQL tests; `PIXIE_REQUIRE_BROWSER=1` turns that into a failure.

use std::fs::File;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pantry_core::pixie::tools::PRESENT_RECEIPT_REVIEW;
use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pantry-pixie");
/// The whole browser suite must finish within this; a hung browser fails instead of hanging CI.
const SUITE_TIMEOUT: Duration = Duration::from_secs(600);

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/e2e")
}

fn assets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/assets")
}

fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run the browser tests (or, without `browser`, to read the pinned
/// packages), with how to install it.
fn missing_prerequisites(browser: bool) -> Vec<String> {
    let mut missing = Vec::new();
    if browser && !chromium_path().exists() {
        missing.push(format!(
            "chromium at {} (install: apt-get install chromium)",
            chromium_path().display()
        ));
    }
    if browser && Command::new("node").arg("--version").output().is_err() {
        missing.push("node (install: apt-get install nodejs npm)".to_owned());
    }
    for package in ["playwright-core", "htm", "axe-core"] {
        if !e2e_dir().join("node_modules").join(package).exists() {
            missing.push(format!(
                "crates/web/e2e/node_modules/{package} (install: npm ci --prefix crates/web/e2e)"
            ));
        }
    }
    missing
}

/// True when the test may run; otherwise prints why it is skipped, or fails when
/// `PIXIE_REQUIRE_BROWSER=1` (the same policy as `PIXIE_REQUIRE_POSTGRES`).
fn prerequisites_present(browser: bool) -> bool {
    let missing = missing_prerequisites(browser);
    if missing.is_empty() {
        return true;
    }
    let list = missing.join("\n  - ");
    if std::env::var("PIXIE_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("PIXIE_REQUIRE_BROWSER=1 but the browser tests cannot run; missing:\n  - {list}");
    }
    eprintln!("skipped: the web app's browser tests need:\n  - {list}");
    false
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

/// The receipt the vision model "reads" from any photo (the JSON answer to the receipt schema).
const RECEIPT_ANSWER: &str = r#"{"merchant": "Corner Shop", "purchasedAt": "2026-12-04", "currency": "EUR", "total": 7.5,
 "items": [
   {"name": "Rye bread", "quantity": 1, "unit": "loaf", "category": "grains", "price": 3.2},
   {"name": "Blueberries", "quantity": 2, "unit": "box", "category": "produce", "price": 4.3}
 ]}"#;

/// The model of every browser test, answering each request by what it asks (the tests run in
/// parallel, so there is no order to script):
/// - a receipt scan (`response_format`): [`RECEIPT_ANSWER`];
/// - the title of a new thread: "Milk run";
/// - the result of `presentReceiptReview`: a short text; of any other tool: "Done! Milk is on
///   your Quick Items list." in chunks 150 ms apart (so the browser sees it streaming);
/// - a turn that carries a receipt (a user message mentioning one, with
///   `presentReceiptReview` offered): that tool;
/// - any other message: `addToList` with Milk.
fn scripted_model() -> FakeOpenAi {
    FakeOpenAi::start_routed(route)
}

fn route(request: &Value) -> Reply {
    if request
        .get("response_format")
        .is_some_and(|format| !format.is_null())
    {
        let middle = RECEIPT_ANSWER.len() / 2;
        return Reply::text(&[&RECEIPT_ANSWER[..middle], &RECEIPT_ANSWER[middle..]]);
    }
    let messages = request["messages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let Some(last) = messages.last() else {
        return Reply::status(400, None);
    };
    if last["role"] == "tool" {
        return if called_tool(messages, last) == Some(PRESENT_RECEIPT_REVIEW) {
            Reply::text(&["Have a look ", "and add it."])
        } else {
            Reply::text(&[
                "Done! ",
                "Milk ",
                "is on ",
                "your ",
                "Quick Items ",
                "list.",
            ])
            .with_delay_between_chunks(Duration::from_millis(150))
        };
    }
    let asks_for_a_title = messages.iter().any(|message| {
        message["role"] == "system"
            && message["content"]
                .as_str()
                .is_some_and(|text| text.starts_with("Write a title"))
    });
    if asks_for_a_title {
        return Reply::text(&["Milk ", "run"]);
    }
    let mentions_a_receipt = last["role"] == "user"
        && last["content"]
            .as_str()
            .is_some_and(|text| text.to_lowercase().contains("receipt"));
    let review_offered = request["tools"].as_array().is_some_and(|tools| {
        tools
            .iter()
            .any(|tool| tool["function"]["name"] == PRESENT_RECEIPT_REVIEW)
    });
    if mentions_a_receipt && review_offered {
        return Reply::tool_calls(vec![ToolCallScript::new(
            "call_receipt",
            PRESENT_RECEIPT_REVIEW,
            &["{\"acknowledged\": ", "true}"],
        )])
        .with_leading_text(&["Got your Corner Shop receipt. "]);
    }
    Reply::tool_calls(vec![ToolCallScript::new(
        "call_milk",
        "addToList",
        &["{\"items\": [{\"na", "me\": \"Milk\"}]}"],
    )])
}

/// The name of the tool whose result `result` (a `tool` message) is, from the assistant
/// message that called it.
fn called_tool<'a>(messages: &'a [Value], result: &Value) -> Option<&'a str> {
    let id = &result["tool_call_id"];
    messages
        .iter()
        .filter_map(|message| message["tool_calls"].as_array())
        .flatten()
        .find(|call| &call["id"] == id)
        .and_then(|call| call["function"]["name"].as_str())
}

/// The real binary on a temporary SQLite home; stopped (SIGTERM, then kill) when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _data: tempfile::TempDir,
}

impl Server {
    fn start(model: &FakeOpenAi) -> Server {
        let data = tempfile::tempdir().expect("a temporary data dir");
        let log = data.path().join("server.log");
        let port = free_port();
        let output = File::create(&log).expect("the server log file");
        let child = Command::new(BIN)
            .current_dir(data.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PORT", port.to_string())
            .env("PIXIE_DATA_DIR", data.path().join("data"))
            .env("RATE_LIMIT_POINTS", "100000")
            .env("AUTH_RATE_LIMIT_POINTS", "10000")
            .env("WS_SESSION_CHECK_INTERVAL", "1")
            .env("OPENAI_API_KEY", FakeOpenAi::KEY)
            .env("OPENAI_BASE_URL", model.base_url())
            .env("LOG_LEVEL", "warn")
            .stdout(output.try_clone().expect("a second log handle"))
            .stderr(output)
            .spawn()
            .expect("the pantry-pixie binary starts");
        let mut server = Server {
            child,
            port,
            log,
            _data: data,
        };
        server.wait_ready();
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if http_status(self.port, "/ready") == Some(200) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited early ({status}):\n{}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server not ready in 30 s:\n{}", self.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of a plain `GET`, or None while nothing answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::Write;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    text.split(' ').nth(1)?.parse().ok()
}

/// Runs `node --test` on the e2e tests against `url`; answers its exit success and output.
fn run_node_tests(url: &str) -> (bool, String) {
    let output_path = std::env::temp_dir().join(format!("pixie-e2e-{}.log", std::process::id()));
    let output = File::create(&output_path).expect("the node output file");
    let mut node = Command::new("node")
        .current_dir(e2e_dir())
        .args(["--test", "--test-reporter=spec", "tests/"])
        .env("PIXIE_URL", url)
        // The model is scripted_model(): the chat and receipt tests may run.
        .env("PIXIE_FAKE_SCRIPT", "milk")
        .env("CHROMIUM_PATH", chromium_path())
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("a second output handle"))
        .stderr(output)
        .spawn()
        .expect("node starts");
    let deadline = Instant::now() + SUITE_TIMEOUT;
    let status = loop {
        if let Some(status) = node.try_wait().expect("node's status") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = node.kill();
            let _ = node.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut text = std::fs::read_to_string(&output_path).unwrap_or_default();
    let _ = std::fs::remove_file(&output_path);
    if status.is_none() {
        text.push_str(&format!(
            "\nthe browser tests did not finish within {SUITE_TIMEOUT:?} and were stopped\n"
        ));
    }
    (status.is_some_and(|status| status.success()), text)
}

#[test]
fn the_web_app_passes_its_browser_tests() {
    if !prerequisites_present(true) {
        return;
    }
    let model = scripted_model();
    let server = Server::start(&model);
    let (passed, output) = run_node_tests(&server.url());
    println!("{output}");
    if !passed {
        println!("--- server log ---\n{}", server.log_text());
    }
    assert!(passed, "the browser tests failed (node's output above)");
}

/// The vendored Preact + htm bundle is exactly the file the pinned `htm` package ships, so
/// an upgrade of the pin without a re-vendor (or a hand edit of the vendored file) is caught.
#[test]
fn the_vendored_htm_preact_bundle_is_not_stale() {
    if !prerequisites_present(false) {
        return;
    }
    let upstream = e2e_dir().join("node_modules/htm/preact/standalone.module.js");
    let vendored = assets_dir().join("vendor/htm-preact.js");
    let upstream = std::fs::read(&upstream).expect("htm's standalone bundle");
    let vendored = std::fs::read(&vendored).expect("the vendored bundle");
    assert!(
        upstream == vendored,
        "crates/web/assets/vendor/htm-preact.js differs from htm/preact/standalone.module.js of \
         the htm version pinned in crates/web/e2e/package.json: copy it again"
    );
}
