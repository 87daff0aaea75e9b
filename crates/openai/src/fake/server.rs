//! [`FakeOpenAi`]: the scripted server itself (actix-web in its own thread and runtime).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::rt::System;
use actix_web::rt::time::{Sleep, sleep};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer};
use futures_util::Stream;
use serde_json::{Value, json};

use crate::OpenAiConfig;

use super::reply::{Body, ChunkContext, Frame, Reply, error_object};

/// How long a [`Reply::stall_after`] keeps the connection silent.
const STALL: Duration = Duration::from_secs(3600);

/// At most this many request bodies are kept for [`FakeOpenAi::requests`] (the first ones), so
/// a long benchmark does not grow without bound; [`FakeOpenAi::request_count`] counts all.
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// A scripted OpenAI-compatible chat-completions server on 127.0.0.1.
///
/// It serves `POST /v1/chat/completions` (and `/chat/completions`) over real HTTP with the
/// real streaming format, in its own thread with its own actix runtime, so any test runtime
/// can use it. Dropping it stops the server.
///
/// ```no_run
/// # use pantry_openai::fake::{FakeOpenAi, Reply};
/// let fake = FakeOpenAi::start(vec![Reply::text(&["Hel", "lo!"])]);
/// let base_url = fake.base_url(); // http://127.0.0.1:PORT/v1, with FakeOpenAi::KEY as the key
/// # drop(base_url);
/// ```
pub struct FakeOpenAi {
    base_url: String,
    shared: Arc<Shared>,
    server: ServerHandle,
    system: System,
    thread: Option<JoinHandle<()>>,
}

/// What the handlers and the test share.
struct Shared {
    script: Mutex<Script>,
    requests: Mutex<Vec<Value>>,
    request_count: AtomicUsize,
    disconnects: AtomicUsize,
    /// When each streamed answer's first text chunk was handed to the connection.
    first_tokens: Mutex<Vec<Instant>>,
    next_id: AtomicU64,
}

/// What a routed fake calls to pick the reply to one request (see [`FakeOpenAi::start_routed`]).
type Route = dyn Fn(&Value) -> Reply + Send + Sync;

/// Where replies come from.
enum Script {
    /// In order, one per request; then 500.
    Queue(VecDeque<Reply>),
    /// The same reply every time.
    Repeat(Reply),
    /// Chosen from each request's body, whatever the order the requests come in.
    Routed(Arc<Route>),
}

impl FakeOpenAi {
    /// The only API key the fake accepts (`Authorization: Bearer sk-fake`).
    pub const KEY: &'static str = "sk-fake";

    /// Serves `replies` in order, one per request, on a free port. A request after the
    /// script has run out gets a 500 with an OpenAI error body, so an unexpected call fails
    /// loudly.
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound (a broken test machine).
    pub fn start(replies: Vec<Reply>) -> FakeOpenAi {
        Self::start_or_panic(Script::Queue(replies.into()))
    }

    /// Answers every request with `reply` (for benchmarks).
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound.
    pub fn start_repeating(reply: Reply) -> FakeOpenAi {
        Self::start_or_panic(Script::Repeat(reply))
    }

    /// Answers each request with the reply `route` picks from its parsed JSON body (the
    /// `messages`, `tools`, `response_format`, … the client sent), so tests that run in
    /// parallel, in any order, can share one fake: each request is answered by what it is, not
    /// by when it came. Only requests that pass the fake's checks reach `route` (a JSON object
    /// with `stream: true` and the right key); it runs on the server's thread, once per
    /// request, and may be called for several requests at the same time.
    ///
    /// ```no_run
    /// # use pantry_openai::fake::{FakeOpenAi, Reply, ToolCallScript};
    /// let fake = FakeOpenAi::start_routed(|request| {
    ///     let last = request["messages"].as_array().and_then(|messages| messages.last());
    ///     match last {
    ///         // The tool ran: answer in words.
    ///         Some(message) if message["role"] == "tool" => Reply::text(&["Done!"]),
    ///         // A new question: ask for the tool.
    ///         _ => Reply::tool_calls(vec![ToolCallScript::new("call_1", "addToList", &["{\"items\":[{\"name\":\"Milk\"}]}"])]),
    ///     }
    /// });
    /// # drop(fake);
    /// ```
    ///
    /// # Panics
    /// If no port on 127.0.0.1 can be bound. A panic inside `route` does not stop the server:
    /// that request gets a 500 with an OpenAI error body naming it.
    pub fn start_routed(route: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> FakeOpenAi {
        Self::start_or_panic(Script::Routed(Arc::new(route)))
    }

    /// Like [`FakeOpenAi::start_repeating`] on a given address (the standalone example uses
    /// this with `--port`).
    pub fn try_start_repeating_on(
        address: impl ToSocketAddrs,
        reply: Reply,
    ) -> io::Result<FakeOpenAi> {
        Self::spawn(TcpListener::bind(address)?, Script::Repeat(reply))
    }

    fn start_or_panic(script: Script) -> FakeOpenAi {
        match TcpListener::bind(("127.0.0.1", 0)).and_then(|listener| Self::spawn(listener, script))
        {
            Ok(fake) => fake,
            Err(error) => panic!("the fake OpenAI server could not start: {error}"),
        }
    }

    fn spawn(listener: TcpListener, script: Script) -> io::Result<FakeOpenAi> {
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script),
            requests: Mutex::new(Vec::new()),
            request_count: AtomicUsize::new(0),
            disconnects: AtomicUsize::new(0),
            first_tokens: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        });
        let (started, on_start) = mpsc::channel::<io::Result<(ServerHandle, System)>>();
        let data = web::Data::from(Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name(format!("fake-openai-{}", address.port()))
            .spawn(move || {
                let system = System::new();
                system.block_on(async move {
                    let server = HttpServer::new(move || {
                        App::new()
                            .app_data(data.clone())
                            .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
                            .route("/v1/chat/completions", web::post().to(chat_completions))
                            .route("/chat/completions", web::post().to(chat_completions))
                            .default_service(web::to(not_found))
                    })
                    .workers(1)
                    // Each chunk leaves at once, as from OpenAI (no Nagle delay).
                    .tcp_nodelay(true)
                    .disable_signals()
                    .shutdown_timeout(0)
                    .listen(listener);
                    let server = match server {
                        Ok(server) => server.run(),
                        Err(error) => {
                            let _ = started.send(Err(error));
                            return;
                        }
                    };
                    let _ = started.send(Ok((server.handle(), System::current())));
                    let _ = server.await;
                });
            })?;
        let (server, system) = on_start.recv().map_err(|_| {
            io::Error::other("the fake OpenAI server thread ended before starting")
        })??;
        Ok(FakeOpenAi {
            base_url: format!("http://{}/v1", display_address(address)),
            shared,
            server,
            system,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT/v1`: what to configure as the client's base URL.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// A client config pointed at this fake: its base URL and key, default timeouts, and
    /// retries 10 ms apart so that failure tests stay fast.
    pub fn config(&self) -> OpenAiConfig {
        OpenAiConfig {
            base_url: self.base_url(),
            api_key: Self::KEY.to_owned(),
            retry_base_delay: Duration::from_millis(10),
            ..OpenAiConfig::default()
        }
    }

    /// The JSON bodies of the requests received so far, in order (a body that is not JSON is
    /// kept as a string). At most [`REQUEST_LOG_LIMIT`] are kept.
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests have arrived (including rejected ones).
    pub fn request_count(&self) -> usize {
        self.shared.request_count.load(Ordering::SeqCst)
    }

    /// How many streamed replies were abandoned by their client before they finished: the
    /// sign that a cancelled caller really closed its connection.
    pub fn disconnects(&self) -> usize {
        self.shared.disconnects.load(Ordering::SeqCst)
    }

    /// When each streamed answer's first text chunk was written, in order (at most
    /// [`REQUEST_LOG_LIMIT`]): what a latency benchmark compares the client's frames with.
    pub fn first_token_times(&self) -> Vec<Instant> {
        lock(&self.shared.first_tokens).clone()
    }

    /// Waits until [`FakeOpenAi::disconnects`] reaches `count`, for at most `within` (a
    /// disconnect is seen only when the server next writes). True if it did. Needs a tokio
    /// timer (any tokio or actix test runtime).
    pub async fn wait_for_disconnects(&self, count: usize, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.disconnects() >= count {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; its future only reports completion.
        drop(self.server.stop(false));
        self.system.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FakeOpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOpenAi")
            .field("base_url", &self.base_url)
            .field("request_count", &self.request_count())
            .field("disconnects", &self.disconnects())
            .finish_non_exhaustive()
    }
}

fn display_address(address: SocketAddr) -> String {
    match address {
        SocketAddr::V4(v4) => v4.to_string(),
        SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `POST /v1/chat/completions`: record, check the key, then play the next reply.
async fn chat_completions(
    request: HttpRequest,
    body: Bytes,
    shared: web::Data<Shared>,
) -> HttpResponse {
    let json: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let number = shared.request_count.fetch_add(1, Ordering::SeqCst) + 1;
    {
        let mut requests = lock(&shared.requests);
        if requests.len() < REQUEST_LOG_LIMIT {
            requests.push(json.clone());
        }
    }
    let expected = format!("Bearer {}", FakeOpenAi::KEY);
    let authorized = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value == expected);
    if !authorized {
        return error_response(401, None, None);
    }
    if !json.is_object() {
        return error_response(
            400,
            Some("We could not parse the JSON body of your request."),
            None,
        );
    }
    if json.get("stream") != Some(&Value::Bool(true)) {
        return error_response(
            400,
            Some("The fake OpenAI server only answers stream: true."),
            None,
        );
    }
    let (reply, route) = {
        let mut script = lock(&shared.script);
        match &mut *script {
            Script::Queue(queue) => (queue.pop_front(), None),
            Script::Repeat(reply) => (Some(reply.clone()), None),
            Script::Routed(route) => (None, Some(Arc::clone(route))),
        }
    };
    // A route runs outside the lock (requests may be routed at the same time), and its panic
    // fails only its own request, loudly.
    let reply = match route {
        Some(route) => match panic::catch_unwind(AssertUnwindSafe(|| route(&json))) {
            Ok(reply) => Some(reply),
            Err(_) => {
                let message = format!("fake OpenAI: the route panicked on request #{number}");
                return error_response(500, Some(&message), None);
            }
        },
        None => reply,
    };
    let Some(reply) = reply else {
        let message = format!("fake OpenAI: no scripted reply left for request #{number}");
        return error_response(500, Some(&message), None);
    };
    if !reply.response_delay.is_zero() {
        sleep(reply.response_delay).await;
    }
    if let Body::Status {
        status,
        retry_after,
    } = &reply.body
    {
        return error_response(*status, None, *retry_after);
    }
    let model = json
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("gpt-4o-mini");
    let include_usage = json.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
    let context = ChunkContext::new(
        shared.next_id.fetch_add(1, Ordering::SeqCst),
        model,
        include_usage,
    );
    let rendered = reply.render(&context);
    HttpResponse::Ok()
        .content_type(reply.content_type())
        .insert_header(("cache-control", "no-cache"))
        .streaming(Chunks {
            frames: rendered.frames.into(),
            stall: rendered.stall,
            sleep: None,
            finished: false,
            shared: shared.into_inner(),
            token_sent: false,
        })
}

/// Any other path: OpenAI's 404 shape.
async fn not_found(request: HttpRequest) -> HttpResponse {
    let message = format!("Invalid URL ({} {})", request.method(), request.path());
    error_response(404, Some(&message), None)
}

/// A non-2xx answer with OpenAI's error body (and rate-limit headers for 429).
fn error_response(status: u16, message: Option<&str>, retry_after: Option<u64>) -> HttpResponse {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(code);
    if let Some(seconds) = retry_after {
        response.insert_header(("retry-after", seconds.to_string()));
    }
    if status == 429 {
        response.insert_header(("x-ratelimit-remaining-requests", "0"));
    }
    response.json(json!({"error": error_object(status, message)}))
}

/// The streamed body: each frame after its pause, one write each. Dropped before the end
/// means the client went away, which is counted in [`FakeOpenAi::disconnects`].
struct Chunks {
    frames: VecDeque<Frame>,
    stall: bool,
    sleep: Option<Pin<Box<Sleep>>>,
    finished: bool,
    shared: Arc<Shared>,
    /// Whether the first text chunk went out (and its time was recorded).
    token_sent: bool,
}

impl Chunks {
    /// Hands `bytes` on, noting the time of the first chunk that carries text.
    fn emit(&mut self, bytes: String) -> Poll<Option<Result<Bytes, Infallible>>> {
        if !self.token_sent
            && bytes.contains("\"content\":\"")
            && !bytes.contains("\"content\":\"\"")
        {
            self.token_sent = true;
            let mut times = lock(&self.shared.first_tokens);
            if times.len() < REQUEST_LOG_LIMIT {
                times.push(Instant::now());
            }
        }
        Poll::Ready(Some(Ok(Bytes::from(bytes))))
    }
}

impl Stream for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(pause) = this.sleep.as_mut() {
                if pause.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep = None;
                return match this.frames.pop_front() {
                    Some(frame) => this.emit(frame.bytes),
                    None => {
                        this.finished = true;
                        Poll::Ready(None)
                    }
                };
            }
            match this.frames.front() {
                Some(frame) if frame.delay.is_zero() => {
                    let bytes = this
                        .frames
                        .pop_front()
                        .map(|frame| frame.bytes)
                        .unwrap_or_default();
                    return this.emit(bytes);
                }
                Some(frame) => this.sleep = Some(Box::pin(sleep(frame.delay))),
                None if this.stall => {
                    this.stall = false;
                    this.sleep = Some(Box::pin(sleep(STALL)));
                }
                None => {
                    this.finished = true;
                    return Poll::Ready(None);
                }
            }
        }
    }
}

impl Drop for Chunks {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.disconnects.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use pantry_core::pixie::model::{LanguageModel, ModelMessage, ModelRequest};

    use super::*;
    use crate::OpenAiModel;
    use crate::fake::ToolCallScript;

    fn ask(messages: Vec<ModelMessage>) -> ModelRequest {
        ModelRequest {
            messages,
            tools: vec![],
            max_tokens: None,
            response_format: None,
        }
    }

    /// A route that answers by the last user message: "tool" asks for a tool, anything else
    /// is echoed back.
    fn echo(request: &Value) -> Reply {
        let last = request["messages"]
            .as_array()
            .and_then(|messages| messages.last())
            .and_then(|message| message["content"].as_str())
            .unwrap_or_default();
        match last {
            "tool" => Reply::tool_calls(vec![ToolCallScript::new(
                "call_1",
                "addToList",
                &["{\"items\":[]}"],
            )]),
            "boom" => panic!("the route refuses {last}"),
            other => Reply::text(&["you said ", other]),
        }
    }

    #[tokio::test]
    async fn a_routed_fake_answers_each_request_by_its_body_in_any_order() {
        let fake = FakeOpenAi::start_routed(echo);
        let model = OpenAiModel::new(fake.config()).unwrap();
        let mut ignore = |_: &str| {};
        for word in ["b", "a", "b"] {
            let reply = model
                .complete(ask(vec![ModelMessage::User(word.into())]), &mut ignore)
                .await
                .unwrap();
            assert_eq!(reply.text, format!("you said {word}"));
        }
        let reply = model
            .complete(ask(vec![ModelMessage::User("tool".into())]), &mut ignore)
            .await
            .unwrap();
        assert_eq!(reply.tool_calls[0].name, "addToList");

        // Parallel requests each get their own answer, not the next one in a queue.
        let words: Vec<String> = (0..8).map(|n| format!("w{n}")).collect();
        let answers = futures_util::future::join_all(words.iter().map(|word| {
            let model = &model;
            async move {
                let mut ignore = |_: &str| {};
                model
                    .complete(ask(vec![ModelMessage::User(word.clone())]), &mut ignore)
                    .await
                    .unwrap()
                    .text
            }
        }))
        .await;
        let expected: Vec<String> = words
            .iter()
            .map(|word| format!("you said {word}"))
            .collect();
        assert_eq!(answers, expected);
        assert_eq!(fake.request_count(), 12);
        assert_eq!(fake.requests()[0]["messages"][0]["content"], "b");
    }

    #[tokio::test]
    async fn a_panicking_route_fails_only_its_request() {
        let fake = FakeOpenAi::start_routed(echo);
        let model = OpenAiModel::new(OpenAiConfig {
            max_retries: 0,
            ..fake.config()
        })
        .unwrap();
        let mut ignore = |_: &str| {};
        let failed = model
            .complete(ask(vec![ModelMessage::User("boom".into())]), &mut ignore)
            .await;
        assert!(failed.is_err(), "{failed:?}");
        let reply = model
            .complete(
                ask(vec![ModelMessage::User("still here".into())]),
                &mut ignore,
            )
            .await
            .unwrap();
        assert_eq!(reply.text, "you said still here");
        assert_eq!(fake.request_count(), 2);
    }
}
