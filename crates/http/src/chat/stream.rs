//! A turn as it happens, on the home's live sockets, in the earlier protocol's frames:
//! `status` typing, the member's `message` echoed to the others, `ui_message` with the
//! cumulative `content` (and the new `delta`) while Pixie writes, the final `ui_message` with
//! its `ui` card, `status` idle. And the socket's `message` frame, which runs a turn.
//!
//! Frames reach the sockets of this instance only; the stored reply (and the changes its
//! tools made, which travel through the change log) reach everyone.

use crate::chat::wire::MessageBody;
use crate::live::frames;
use crate::live::hub::Socket;
use crate::receipts::body::ReceiptBody;
use crate::state::AppState;
use actix_web::web::{self, Bytes};
use pantry_core::pixie::agent::{TurnObserver, TurnRequest};
use pantry_core::pixie::service::ChatError;
use pantry_core::pixie::thread::ChatMessage;
use pantry_core::receipts::ParsedReceipt;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

/// Sends a turn's frames to the home's sockets (and to the socket that asked, if any).
pub struct LiveObserver {
    state: web::Data<AppState>,
    home_id: Uuid,
    thread_id: Uuid,
    origin: Option<Arc<Socket>>,
}

impl LiveObserver {
    /// Frames for `thread_id` of `home_id`; `origin` is the socket that sent the message.
    pub fn new(
        state: web::Data<AppState>,
        home_id: Uuid,
        thread_id: Uuid,
        origin: Option<Arc<Socket>>,
    ) -> Self {
        LiveObserver {
            state,
            home_id,
            thread_id,
            origin,
        }
    }

    fn origin_id(&self) -> Option<u64> {
        self.origin.as_ref().map(|s| s.id)
    }

    /// To every socket of the home, the asking one included.
    fn everyone(&self, frame: Bytes) {
        self.state
            .live
            .broadcast(self.home_id, &frame, self.origin_id());
        if let Some(origin) = &self.origin {
            let _ = origin.outbox.push(frame);
        }
    }

    /// `status` idle, also after a failed turn.
    pub fn idle(&self) {
        self.everyone(frames::plain(
            "status",
            json!({ "status": "idle", "threadId": self.thread_id, "homeId": self.home_id }),
        ));
    }

    /// The thread got a title from this exchange.
    pub fn titled(&self, title: &str) {
        self.everyone(frames::plain(
            "thread_update",
            json!({ "threadId": self.thread_id, "homeId": self.home_id, "title": title }),
        ));
    }
}

impl TurnObserver for LiveObserver {
    fn started(&mut self, message: &ChatMessage, reply_id: Uuid) {
        self.everyone(frames::plain(
            "status",
            json!({ "status": "typing", "threadId": self.thread_id, "homeId": self.home_id }),
        ));
        // The partners see what was asked; the asker has it already.
        let echo = frames::plain_at(
            "message",
            json!({
                "threadId": self.thread_id,
                "homeId": self.home_id,
                "role": "user",
                "content": message.content,
                "intent": message.intent,
                "messageId": message.id,
                "userId": message.user_id,
                "replyId": reply_id,
            }),
            message.created_at,
        );
        self.state
            .live
            .broadcast(self.home_id, &echo, self.origin_id());
    }

    fn text(&mut self, reply_id: Uuid, delta: &str, so_far: &str) {
        self.everyone(frames::plain(
            "ui_message",
            json!({
                "threadId": self.thread_id,
                "homeId": self.home_id,
                "role": "assistant",
                "content": so_far,
                "delta": delta,
                "messageId": reply_id,
                "isStreaming": true,
            }),
        ));
    }

    fn finished(&mut self, reply: &ChatMessage) {
        let body = MessageBody::from(reply.clone());
        self.everyone(frames::plain_at(
            "ui_message",
            json!({
                "threadId": self.thread_id,
                "homeId": self.home_id,
                "role": "assistant",
                "content": body.content,
                "messageId": body.id,
                "ui": body.ui,
                "toolCalls": body.tool_calls,
                "isStreaming": false,
            }),
            reply.created_at,
        ));
        self.idle();
    }
}

/// The payload of a socket's `message` frame.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageFrame {
    thread_id: Uuid,
    content: String,
    /// Which home the thread is in; when absent, the homes the socket follows are tried.
    home_id: Option<Uuid>,
    /// The list the client has open (a default for list tools).
    list_id: Option<Uuid>,
    /// A scanned receipt to review, checked like a confirm body.
    receipt: Option<Value>,
}

/// A frame's `receipt`, checked like a confirm body; the error text otherwise.
fn receipt_of(value: Value) -> Result<ParsedReceipt, String> {
    let body: ReceiptBody =
        serde_json::from_value(value).map_err(|e| format!("Invalid receipt: {e}"))?;
    body.into_parsed().map_err(|e| {
        let details: Vec<String> = e
            .body
            .details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect();
        if details.is_empty() {
            e.body.message.into_owned()
        } else {
            format!("Invalid receipt: {}", details.join("; "))
        }
    })
}

/// The error frame for a refused turn.
fn refused(error: &ChatError) -> Bytes {
    match error {
        ChatError::HomeNotFound | ChatError::ThreadNotFound => {
            frames::error("Thread not found", "NOT_FOUND")
        }
        ChatError::Forbidden(_) => frames::error("Not allowed in this home", "FORBIDDEN"),
        ChatError::Invalid(why) => frames::error(why, "VALIDATION_ERROR"),
        ChatError::RateLimited(_) => frames::error(
            "Too many messages; wait a moment before sending another",
            "RATE_LIMITED",
        ),
        ChatError::Busy => frames::error("Pixie is still answering in this home", "BUSY"),
        ChatError::Repo(_) => frames::error("Failed to process message", "INTERNAL_ERROR"),
    }
}

/// Runs the turn a socket asked for, in the background, streaming it to the home. The turn is
/// cancelled (and the model request with it) when the asking socket closes.
pub async fn on_message(
    state: web::Data<AppState>,
    socket: Arc<Socket>,
    user_id: Uuid,
    payload: Value,
    log: slog::Logger,
) {
    let Ok(frame) = serde_json::from_value::<MessageFrame>(payload) else {
        let _ = socket.outbox.push(frames::error(
            "threadId and content are required",
            "INVALID_PAYLOAD",
        ));
        return;
    };
    let candidates = match frame.home_id {
        Some(home_id) => vec![home_id],
        None => state.live.homes_of(&socket),
    };
    let mut home = None;
    for home_id in candidates {
        match state.chat.thread(user_id, home_id, frame.thread_id).await {
            Ok(_) => {
                home = Some(home_id);
                break;
            }
            Err(ChatError::HomeNotFound | ChatError::ThreadNotFound) => continue,
            Err(e) => {
                let _ = socket.outbox.push(refused(&e));
                return;
            }
        }
    }
    let Some(home_id) = home else {
        let _ = socket.outbox.push(refused(&ChatError::ThreadNotFound));
        return;
    };
    let receipt = match frame.receipt.map(receipt_of).transpose() {
        Ok(receipt) => receipt,
        Err(why) => {
            let _ = socket.outbox.push(frames::error(&why, "VALIDATION_ERROR"));
            return;
        }
    };
    let request = TurnRequest {
        user_id,
        home_id,
        thread_id: frame.thread_id,
        content: frame.content,
        list_id: frame.list_id,
        receipt,
    };
    actix_web::rt::spawn(async move {
        let mut observer = LiveObserver::new(
            state.clone(),
            home_id,
            request.thread_id,
            Some(socket.clone()),
        );
        let outcome = tokio::select! {
            outcome = state.chat.send(request, &mut observer) => Some(outcome),
            _ = socket.outbox.closed() => None,
        };
        match outcome {
            Some(Ok(outcome)) => {
                if let Some(title) = &outcome.new_title {
                    observer.titled(title);
                }
            }
            Some(Err(error)) => {
                if let ChatError::Repo(e) = &error {
                    slog::error!(log, "chat turn failed"; "error" => %e);
                    observer.idle();
                }
                let _ = socket.outbox.push(refused(&error));
            }
            None => {
                slog::debug!(log, "chat turn cancelled: the asking socket closed");
                observer.idle();
            }
        }
    });
}
