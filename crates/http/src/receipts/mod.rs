//! `/api/homes/:homeId/receipts/*`: scan a receipt photo, confirm the reviewed receipt into
//! the pantry, and read the home's receipts. [`body`] is the receipt body shared with chat.

pub mod body;
pub mod routes;
