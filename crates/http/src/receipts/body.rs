//! The receipt a client sends: the confirm body, and the `receipt` of a chat turn (REST and
//! WebSocket). Both are checked here with the same rules, so Pixie only ever sees a receipt
//! that could have been confirmed.

use crate::error::ApiError;
use crate::openapi::mirrors::{CategorySchema, UnitSchema};
use crate::wire::Decimal;
use garde::Validate;
use pantry_core::receipts::parsed::{MAX_LINES, RawLine, RawReceipt};
use pantry_core::receipts::{ParsedReceipt, ReceiptInputError};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A reviewed receipt (the earlier server's confirm body). Unknown fields are ignored.
///
/// Lines without a name are dropped; a quantity that is missing or not above 0 becomes 1; a
/// negative or unreadable price is dropped; an unknown category becomes `other`; an unknown
/// unit is left out; a currency that is not three letters becomes the home's; a date that
/// cannot be read is left out.
// `schema(...)` limits repeat the garde rules beside them, so that clients see them.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReceiptInput)]
pub struct ReceiptBody {
    /// The earlier clients' name for `merchant`, used when `merchant` is absent.
    #[garde(length(chars, max = 255))]
    #[schema(nullable = false, max_length = 255)]
    store: Option<String>,
    /// Where it was bought; every line's `store`.
    #[garde(length(chars, max = 255))]
    #[schema(nullable = false, max_length = 255, example = "Test Mart")]
    merchant: Option<String>,
    /// When: an ISO 8601 date or date-time. The purchases count as spent then.
    #[garde(length(chars, max = 64))]
    #[schema(nullable = false, example = "2026-12-01")]
    purchased_at: Option<String>,
    /// ISO 4217 code.
    #[garde(length(chars, max = 16))]
    #[schema(nullable = false, example = "THB")]
    currency: Option<String>,
    /// The receipt's total, in major units.
    #[garde(skip)]
    #[schema(value_type = Option<Decimal>, nullable = false)]
    total: Option<Value>,
    /// 1 to 200 lines.
    #[serde(default)]
    #[garde(length(max = MAX_LINES), dive)]
    #[schema(min_items = 1, max_items = 200)]
    items: Vec<ReceiptLineBody>,
}

/// One line of a reviewed receipt.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(as = ReceiptLineInput)]
pub struct ReceiptLineBody {
    /// Trimmed, at most 255 characters; a line without one is dropped.
    #[garde(length(chars, max = 255))]
    #[schema(required = true, nullable = false, max_length = 255, example = "Milk")]
    name: Option<String>,
    /// How many or how much; 1 when missing or not above 0.
    #[garde(skip)]
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Value>,
    #[garde(length(chars, max = 32))]
    #[schema(value_type = Option<UnitSchema>, nullable = false)]
    unit: Option<String>,
    #[garde(length(chars, max = 32))]
    #[schema(value_type = Option<CategorySchema>, nullable = false)]
    category: Option<String>,
    /// The line total, in major units.
    #[garde(skip)]
    #[schema(value_type = Option<Decimal>, nullable = false)]
    price: Option<Value>,
}

/// How a refused receipt is answered: 400 with the reason as the message.
pub fn input_error(error: ReceiptInputError) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
        error.to_string(),
    )
}

impl ReceiptBody {
    /// The receipt, checked and sanitised.
    pub fn into_parsed(self) -> Result<ParsedReceipt, ApiError> {
        if self.items.is_empty() {
            return Err(input_error(ReceiptInputError::NoItems));
        }
        self.validate()?;
        let raw = RawReceipt {
            store: self.store,
            merchant: self.merchant,
            purchased_at: self.purchased_at,
            currency: self.currency,
            total: self.total,
            items: self
                .items
                .into_iter()
                .map(|l| RawLine {
                    name: l.name,
                    quantity: l.quantity,
                    unit: l.unit,
                    category: l.category,
                    price: l.price,
                })
                .collect(),
        };
        ParsedReceipt::from_client(raw).map_err(input_error)
    }
}
