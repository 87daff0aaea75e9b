//! A socket's bounded queue of encoded frames, which is also the socket's response body.
//!
//! Nobody awaits a socket. The hub queues a change only when there is room for it; when there
//! is none, the socket's subscription simply stays behind, and the hub delivers the rest from
//! the change log once the queue drained (the log is the buffer, so a burst or a long resume
//! never needs more than the queue). A socket that cannot take anything for the send timeout
//! is closed (4008) with its queue discarded, which frees the memory at once, whatever the
//! connection does; the client resumes from its last seq on a new socket. actix's dispatcher
//! pulls frames as the connection can take them.
//!
//! actix-ws does the handshake and reads the client's frames; its own writer is not used
//! (its queue can only be awaited), but its body is kept inside [`OutboxBody`] because
//! dropping it tells actix-ws's message stream that the connection is gone.

use actix_http::ws::{CloseCode, CloseReason, OpCode, Parser};
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::web::{Bytes, BytesMut};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use tokio::sync::Notify;

/// Why a frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The queue holds its maximum: the reader is too slow.
    Full,
    /// The socket is closing or closed.
    Closed,
}

/// Room beyond the capacity for the socket's own frames (pongs, acknowledgements, errors),
/// so that answering a client never depends on how many changes are queued.
const CONTROL_SLACK: usize = 32;

pub struct Outbox {
    state: Mutex<State>,
    capacity: usize,
    closing: Notify,
}

#[derive(Default)]
struct State {
    frames: VecDeque<Bytes>,
    /// The close frame, once closing began, until the body hands it out.
    close_frame: Option<Bytes>,
    /// The close code, once closing began.
    close_code: Option<u16>,
    /// No more frames at all: the body ends once the queue is drained.
    finished: bool,
    waker: Option<Waker>,
    /// Told when the queue has drained to half its capacity (the hub's feeds waiting to
    /// deliver more).
    room_waiters: Vec<Arc<Notify>>,
}

impl Outbox {
    pub fn new(capacity: usize) -> Outbox {
        Outbox {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
            closing: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues one of the socket's own frames (pong, acknowledgement, error).
    pub fn push(&self, frame: Bytes) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.close_code.is_some() || state.finished {
            return Err(PushError::Closed);
        }
        if state.frames.len() >= self.capacity + CONTROL_SLACK {
            return Err(PushError::Full);
        }
        state.frames.push_back(frame);
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
        Ok(())
    }

    /// Queues the frames of one change, all or none. Without room, `waiter` is told once
    /// the queue has drained to half its capacity.
    pub fn push_change(&self, frames: &[Bytes], waiter: &Arc<Notify>) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.close_code.is_some() || state.finished {
            return Err(PushError::Closed);
        }
        if state.frames.len() + frames.len() > self.capacity {
            register(&mut state, waiter);
            return Err(PushError::Full);
        }
        state.frames.extend(frames.iter().cloned());
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
        Ok(())
    }

    /// Whether `needed` more change frames fit now; when not, `waiter` is told once the
    /// queue has drained to half its capacity. A closed outbox has no room.
    pub fn has_room(&self, needed: usize, waiter: &Arc<Notify>) -> bool {
        let mut state = self.lock();
        if state.close_code.is_some() || state.finished {
            return false;
        }
        if state.frames.len() + needed <= self.capacity {
            return true;
        }
        register(&mut state, waiter);
        false
    }

    /// Starts the closing handshake with `code`: no frame is accepted after this, the close
    /// frame follows what is queued (or replaces it, with `discard`). Answers whether this
    /// call began closing (false when it had already begun).
    pub fn close(&self, code: u16, reason: &str, discard: bool) -> bool {
        let mut state = self.lock();
        if state.close_code.is_some() || state.finished {
            return false;
        }
        if discard {
            state.frames = VecDeque::new();
        }
        state.room_waiters = Vec::new();
        state.close_code = Some(code);
        state.close_frame = Some(close_frame(code, reason));
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
        drop(state);
        self.closing.notify_waiters();
        true
    }

    /// Ends the body once what is queued has been sent (after the closing handshake, or when
    /// the client is gone).
    pub fn finish(&self) {
        let mut state = self.lock();
        state.finished = true;
        if let Some(waker) = state.waker.take() {
            waker.wake();
        }
        drop(state);
        self.closing.notify_waiters();
    }

    /// Accepting frames (not closing, not finished).
    pub fn is_open(&self) -> bool {
        let state = self.lock();
        state.close_code.is_none() && !state.finished
    }

    /// The close code, once closing began.
    pub fn close_code(&self) -> Option<u16> {
        self.lock().close_code
    }

    /// Resolves once the outbox stops being open.
    pub async fn closed(&self) {
        loop {
            let notified = self.closing.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            if !self.is_open() {
                return;
            }
            notified.await;
        }
    }

    fn poll_frame(&self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let mut state = self.lock();
        if let Some(frame) = state.frames.pop_front() {
            if !state.room_waiters.is_empty() && state.frames.len() <= self.capacity / 2 {
                for waiter in std::mem::take(&mut state.room_waiters) {
                    waiter.notify_one();
                }
            }
            return Poll::Ready(Some(frame));
        }
        if let Some(frame) = state.close_frame.take() {
            return Poll::Ready(Some(frame));
        }
        if state.finished {
            return Poll::Ready(None);
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

fn register(state: &mut State, waiter: &Arc<Notify>) {
    if !state.room_waiters.iter().any(|w| Arc::ptr_eq(w, waiter)) {
        state.room_waiters.push(waiter.clone());
    }
}

/// The response body of a live socket: the frames of its [`Outbox`].
pub struct OutboxBody {
    outbox: Arc<super::hub::Socket>,
    /// actix-ws's own body, never polled; see the module documentation.
    _actix_ws: BoxBody,
}

impl OutboxBody {
    pub fn new(outbox: Arc<super::hub::Socket>, actix_ws: BoxBody) -> OutboxBody {
        OutboxBody {
            outbox,
            _actix_ws: actix_ws,
        }
    }
}

impl MessageBody for OutboxBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.outbox.outbox.poll_frame(cx).map(|frame| frame.map(Ok))
    }
}

/// A server-to-client text frame (servers do not mask).
pub fn text_frame(json: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(json.len() + 10);
    Parser::write_message(&mut buf, json, OpCode::Text, true, false);
    buf.freeze()
}

/// A ping frame.
pub fn ping_frame() -> Bytes {
    let mut buf = BytesMut::with_capacity(2);
    Parser::write_message(&mut buf, b"", OpCode::Ping, true, false);
    buf.freeze()
}

/// The answer to a client's ping.
pub fn pong_frame(payload: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(payload.len() + 2);
    Parser::write_message(&mut buf, payload, OpCode::Pong, true, false);
    buf.freeze()
}

/// A close frame with a code and a short reason.
pub fn close_frame(code: u16, reason: &str) -> Bytes {
    let mut buf = BytesMut::with_capacity(reason.len() + 4);
    Parser::write_close(
        &mut buf,
        Some(CloseReason {
            code: CloseCode::from(code),
            description: (!reason.is_empty()).then(|| reason.to_owned()),
        }),
        false,
    );
    buf.freeze()
}
