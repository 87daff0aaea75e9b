//! [`FakeOpenAi`]: the scripted server itself (actix-web in its own thread and runtime).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
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

/// Where replies come from.
enum Script {
    /// In order, one per request; then 500.
    Queue(VecDeque<Reply>),
    /// The same reply every time.
    Repeat(Reply),
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
    let reply = {
        let mut script = lock(&shared.script);
        match &mut *script {
            Script::Queue(queue) => queue.pop_front(),
            Script::Repeat(reply) => Some(reply.clone()),
        }
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
