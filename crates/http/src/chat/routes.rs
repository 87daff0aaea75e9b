//! Chat routes: threads (list, start, read, rename, delete), messages (newest first, with a
//! cursor to page back), sending a message (a whole Pixie turn, answered when it is done and
//! streamed to the home's sockets meanwhile) and the month's token use.

use crate::auth::AuthUser;
use crate::chat::chat_error;
use crate::chat::stream::LiveObserver;
use crate::chat::wire::{MessageBody, ThreadBody, TokensBody, TurnBody, UsageBody};
use crate::envelope::{self, Done, Success};
use crate::error::{ApiError, FieldError};
use crate::openapi::{BadRequest, ErrorResponse, IdempotencyKey, TooManyRequests, Unauthorized};
use crate::paging::{before_param, limit_param};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use pantry_core::pixie::agent::TurnRequest;
use pantry_core::pixie::service::{DEFAULT_MESSAGES, MAX_MESSAGES, MAX_THREADS};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes/{home_id}/chat/threads")
            .route(web::get().to(threads))
            .route(web::post().to(create_thread)),
    )
    .service(
        web::resource("/homes/{home_id}/chat/threads/{thread_id}")
            .route(web::get().to(get_thread))
            .route(web::patch().to(rename_thread))
            .route(web::delete().to(delete_thread)),
    )
    .service(
        web::resource("/homes/{home_id}/chat/threads/{thread_id}/messages")
            .route(web::get().to(messages))
            .route(web::post().to(send)),
    )
    .service(web::resource("/homes/{home_id}/chat/usage").route(web::get().to(usage)));
}

fn limit_of(raw: Option<&str>, default: i64, max: i64) -> Result<i64, ApiError> {
    limit_param(raw, default, max).map_err(|e| ApiError::validation(vec![e]))
}

// Taken as text so that a malformed number is reported against its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ThreadsQuery {
    /// At most this many threads (default 20, as the earlier server answered).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 20)]
    limit: Option<String>,
}

/// The home's threads
///
/// Most recently active first. Any member may read, viewers included.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/chat/threads",
    tag = "chat",
    operation_id = "listChatThreads",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ThreadsQuery),
    responses(
        (status = 200, description = "The threads", body = Success<Vec<ThreadBody>>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn threads(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<ThreadsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit_of(query.limit.as_deref(), 20, MAX_THREADS)?;
    let threads = state
        .chat
        .threads(user.user_id, *path, limit)
        .await
        .map_err(chat_error)?;
    let body: Vec<ThreadBody> = threads.into_iter().map(ThreadBody::from).collect();
    Ok(envelope::ok(body))
}

/// A thread's title.
#[derive(Deserialize, ToSchema)]
#[schema(as = ChatThreadTitle)]
struct TitleBody {
    /// Trimmed; 1 to 255 characters. Optional when starting a thread ("New Chat" until the
    /// first exchange names it).
    #[schema(nullable = false, example = "Weekend curry plans")]
    title: Option<String>,
}

/// The body of a create: optional, and `{}` is the same as none.
fn optional_title(body: &web::Bytes) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let parsed: TitleBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
    Ok(parsed.title)
}

/// Start a thread
///
/// Any member may; without a title it is "New Chat" until the first exchange names it.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/chat/threads",
    tag = "chat",
    operation_id = "createChatThread",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IdempotencyKey),
    request_body(content = TitleBody, description = "Optional"),
    responses(
        (status = 201, description = "The new thread", body = Success<ThreadBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn create_thread(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let title = optional_title(&body)?;
    let thread = state
        .chat
        .create_thread(user.user_id, *path, title.as_deref())
        .await
        .map_err(chat_error)?;
    Ok(envelope::created(ThreadBody::from(thread)))
}

/// One thread
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/chat/threads/{thread_id}",
    tag = "chat",
    operation_id = "getChatThread",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("thread_id" = Uuid, Path, description = "The thread")),
    responses(
        (status = 200, description = "The thread", body = Success<ThreadBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home or thread, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn get_thread(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, thread_id) = path.into_inner();
    let thread = state
        .chat
        .thread(user.user_id, home_id, thread_id)
        .await
        .map_err(chat_error)?;
    Ok(envelope::ok(ThreadBody::from(thread)))
}

/// Rename a thread (members)
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/chat/threads/{thread_id}",
    tag = "chat",
    operation_id = "renameChatThread",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("thread_id" = Uuid, Path, description = "The thread"), IdempotencyKey),
    request_body = TitleBody,
    responses(
        (status = 200, description = "The renamed thread", body = Success<ThreadBody>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers cannot rename (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or thread, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn rename_thread(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<TitleBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, thread_id) = path.into_inner();
    let Some(title) = body.into_inner().title else {
        return Err(ApiError::validation(vec![FieldError::new(
            "title",
            "is required",
        )]));
    };
    let thread = state
        .chat
        .rename_thread(user.user_id, home_id, thread_id, &title)
        .await
        .map_err(chat_error)?;
    Ok(envelope::ok(ThreadBody::from(thread)))
}

/// Delete a thread (its starter, or an admin)
///
/// Its messages go with it; the home's token use is kept.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/chat/threads/{thread_id}",
    tag = "chat",
    operation_id = "deleteChatThread",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("thread_id" = Uuid, Path, description = "The thread")),
    responses(
        (status = 200, description = "Deleted", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Neither the thread's starter nor an admin (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or thread, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn delete_thread(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, thread_id) = path.into_inner();
    state
        .chat
        .delete_thread(user.user_id, home_id, thread_id)
        .await
        .map_err(chat_error)?;
    Ok(envelope::done())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MessagesQuery {
    /// At most this many messages (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 50)]
    limit: Option<String>,
    /// Only messages older than this one: pass the oldest id of a page to get the page before
    /// it.
    #[param(value_type = Option<Uuid>)]
    before: Option<String>,
}

/// A thread's messages
///
/// Newest first (the earlier clients reverse them). Pixie's replies carry their tool calls
/// and UI card.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/chat/threads/{thread_id}/messages",
    tag = "chat",
    operation_id = "listChatMessages",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("thread_id" = Uuid, Path, description = "The thread"), MessagesQuery),
    responses(
        (status = 200, description = "A page of messages, newest first", body = Success<Vec<MessageBody>>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home or thread, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn messages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<MessagesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, thread_id) = path.into_inner();
    let limit = limit_of(query.limit.as_deref(), DEFAULT_MESSAGES, MAX_MESSAGES)?;
    let before = before_param(query.before.as_deref(), "a message id")
        .map_err(|e| ApiError::validation(vec![e]))?;
    let messages = state
        .chat
        .messages(user.user_id, home_id, thread_id, before, limit)
        .await
        .map_err(chat_error)?;
    let body: Vec<MessageBody> = messages.into_iter().map(MessageBody::from).collect();
    Ok(envelope::ok(body))
}

/// What a member says to Pixie.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ChatSend)]
struct SendBody {
    /// 1 to 2000 characters after trimming.
    #[schema(
        required = true,
        nullable = false,
        example = "add 2 milk and bread to the list"
    )]
    content: Option<String>,
    /// The list the client has open: list tools use it when the message names none.
    #[schema(nullable = false)]
    list_id: Option<Uuid>,
    /// A scanned receipt to review (from `POST .../receipts/scan`), checked like a confirm
    /// body: Pixie acknowledges it and shows it as a `receipt-review` card.
    #[schema(nullable = false)]
    receipt: Option<crate::receipts::body::ReceiptBody>,
}

/// Cancels a turn whose caller went away, unless someone in the home is watching it live.
struct TurnGuard {
    task: Option<tokio::task::JoinHandle<()>>,
    state: web::Data<AppState>,
    home_id: Uuid,
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        if let Some(task) = self.task.take()
            && self.state.live.followers(self.home_id) == 0
        {
            task.abort();
        }
    }
}

/// Talk to Pixie
///
/// Runs a whole turn: the message is stored, Pixie reads the household, uses its tools (as
/// Pixie, for the caller: changes are logged with `actorKind: "pixie"` and broadcast) and
/// answers. The reply streams to the home's live sockets meanwhile (`ui_message` frames) and
/// is returned here when done, with its UI card. The first exchange names the thread.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/chat/threads/{thread_id}/messages",
    tag = "chat",
    operation_id = "sendChatMessage",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("thread_id" = Uuid, Path, description = "The thread"), IdempotencyKey),
    request_body = SendBody,
    responses(
        (status = 201, description = "The message and Pixie's reply", body = Success<TurnBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home or thread, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, description = "Too many messages from the caller, or Pixie is already answering twice in this home (`RATE_LIMITED`, with `Retry-After`)", body = ErrorResponse),
    ),
)]
async fn send(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<SendBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, thread_id) = path.into_inner();
    let body = body.into_inner();
    let Some(content) = body.content else {
        return Err(ApiError::validation(vec![FieldError::new(
            "content",
            "is required",
        )]));
    };
    let request = TurnRequest {
        user_id: user.user_id,
        home_id,
        thread_id,
        content,
        list_id: body.list_id,
        receipt: body.receipt.map(|r| r.into_parsed()).transpose()?,
    };
    // The turn runs as its own task, so a caller who hangs up does not cut the reply short
    // for the partners watching; with nobody watching, the guard cancels it.
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let task_state = state.clone();
    let task = actix_web::rt::spawn(async move {
        let mut observer = LiveObserver::new(task_state.clone(), home_id, thread_id, None);
        let outcome = task_state.chat.send(request, &mut observer).await;
        if let Ok(outcome) = &outcome
            && let Some(title) = &outcome.new_title
        {
            observer.titled(title);
        }
        let _ = sender.send(outcome);
    });
    let mut guard = TurnGuard {
        task: Some(task),
        state: state.clone(),
        home_id,
    };
    let outcome = receiver
        .await
        .map_err(|_| ApiError::internal("the chat turn ended without an answer"))?;
    guard.task = None;
    let outcome = outcome.map_err(chat_error)?;
    Ok(envelope::created(TurnBody {
        assistant_text: outcome.reply.content.clone(),
        user_message: outcome.user_message.into(),
        assistant_message: outcome.reply.into(),
        thread_title: outcome.new_title,
        usage: TokensBody::from(outcome.usage),
    }))
}

/// The home's Pixie use this month
///
/// Tokens used since the start of the month in the home's time zone, per member, against the
/// monthly budget. Over budget, Pixie answers in simple (offline) mode until `periodEnd`.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/chat/usage",
    tag = "chat",
    operation_id = "getChatUsage",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "This month's use", body = Success<UsageBody>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn usage(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let report = state
        .chat
        .usage(user.user_id, *path)
        .await
        .map_err(chat_error)?;
    Ok(envelope::ok(UsageBody::new(
        report,
        state.chat.model_name(),
    )))
}
