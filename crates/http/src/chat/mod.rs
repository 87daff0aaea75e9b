//! `/api/homes/:homeId/chat/*`: threads, messages and Pixie's turns ([`routes`]), their wire
//! shapes ([`wire`]), and the streaming of a turn to the home's live sockets ([`stream`]).

pub mod routes;
pub mod stream;
pub mod wire;

use crate::error::{ApiError, FieldError};
use pantry_core::pixie::service::ChatError;

/// How a refused chat operation is answered.
pub(crate) fn chat_error(error: ChatError) -> ApiError {
    match error {
        ChatError::HomeNotFound => ApiError::not_found("Home not found"),
        ChatError::ThreadNotFound => ApiError::not_found("Thread not found"),
        ChatError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        ChatError::Invalid(why) => {
            let field = if why.starts_with("title") {
                "title"
            } else {
                "content"
            };
            ApiError::validation(vec![FieldError::new(field, why)])
        }
        ChatError::RateLimited(wait) => ApiError::too_many_requests(
            "Too many messages; wait a moment before sending another",
            wait.num_seconds().max(1).unsigned_abs(),
        ),
        ChatError::Busy => ApiError::too_many_requests(
            "Pixie is still answering in this home; try again when the reply is done",
            2,
        ),
        ChatError::Repo(e) => e.into(),
    }
}
