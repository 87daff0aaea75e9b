//! Receipts: a photo of a till receipt is read by a vision model ([`vision`]), the household
//! reviews the lines, and the confirmed receipt is added to the pantry in one transaction
//! ([`service`]).
//!
//! - [`image`]: the photo as a client sends it, a size-limited base64 data URL.
//! - [`parsed`]: a receipt as read (by the model, or edited by a member), sanitised into
//!   values the pantry accepts; the same rules serve the model's answer, the confirm body and
//!   a receipt carried by a chat turn.
//! - [`vision`]: what the model is asked and how its answer is read (strictly, then sanitised).
//! - [`receipt`]: the stored receipt, its lines (purchase-ledger rows) and the repository port.
//! - [`service`]: scan, confirm, list and read; each checks membership and role first.
//!
//! ```
//! use pantry_core::receipts::parsed::{ParsedReceipt, RawReceipt};
//! let raw: RawReceipt = serde_json::from_value(serde_json::json!({
//!     "merchant": "Test Mart", "currency": "thb", "total": 200,
//!     "items": [{"name": " Milk ", "quantity": 0, "category": "dairy", "price": 120}]
//! })).unwrap();
//! let receipt = ParsedReceipt::from_client(raw).unwrap();
//! assert_eq!(receipt.items[0].name, "Milk");
//! assert_eq!(receipt.items[0].price_minor, Some(12_000));
//! assert_eq!(receipt.currency.as_deref(), Some("THB"));
//! ```

pub mod image;
pub mod parsed;
pub mod receipt;
pub mod service;
pub mod vision;

pub use image::{ImageError, ReceiptImage};
pub use parsed::{ParsedReceipt, RawReceipt, ReceiptInputError, ReceiptLine};
pub use receipt::{Confirmed, NewReceipt, Receipt, ReceiptDetail, ReceiptRepository, RecordedLine};
pub use service::{ReceiptError, ReceiptService};
