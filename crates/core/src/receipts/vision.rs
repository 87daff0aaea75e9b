//! What a vision model is asked to read a receipt, and how its answer is read: strictly
//! against the schema first (anything else is [`UnreadableReceipt`], never a panic), then
//! sanitised like any receipt ([`ParsedReceipt::from_model`]).

use crate::items::Category;
use crate::pixie::model::{ContentPart, JsonSchema, ModelMessage, ModelRequest};
use crate::receipts::image::ReceiptImage;
use crate::receipts::parsed::{ParsedReceipt, RawLine, RawReceipt};
use serde::Deserialize;
use serde_json::{Number, Value, json};
use thiserror::Error;

/// The instructions sent with the photo.
pub const INSTRUCTIONS: &str = "Read this shopping receipt. For every purchased line give a clean, \
short item name (no codes or abbreviations when the meaning is clear), the quantity (1 when not \
shown), the unit when shown, one category from the list, and the price paid for the whole line. \
Also give the merchant, the purchase date (ISO 8601), the currency (ISO 4217 code) and the total. \
Ignore subtotal, tax, total, change, rounding, loyalty points and payment lines. Use null for \
anything you cannot read. If the image is not a receipt, return no items.";

/// The model's answer could not be read as a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("could not read the receipt: {0}")]
pub struct UnreadableReceipt(pub String);

/// The JSON Schema of the answer (OpenAI strict mode: closed objects, every property
/// required, absent values as `null`).
pub fn receipt_schema() -> Value {
    let mut categories: Vec<Value> = Category::ALL.iter().map(|c| json!(c.as_str())).collect();
    categories.push(Value::Null);
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["merchant", "purchasedAt", "currency", "total", "items"],
        "properties": {
            "merchant": { "type": ["string", "null"] },
            "purchasedAt": { "type": ["string", "null"], "description": "ISO 8601 date or date-time" },
            "currency": { "type": ["string", "null"], "description": "ISO 4217 code, e.g. THB" },
            "total": { "type": ["number", "null"] },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "quantity", "unit", "category", "price"],
                    "properties": {
                        "name": { "type": "string" },
                        "quantity": { "type": ["number", "null"] },
                        "unit": { "type": ["string", "null"] },
                        "category": { "type": ["string", "null"], "enum": categories },
                        "price": { "type": ["number", "null"], "description": "Price paid for the whole line" }
                    }
                }
            }
        }
    })
}

/// The request for one photo: one user message with the instructions and the image, and
/// the schema as the required answer format.
///
/// ```
/// use pantry_core::pixie::model::{ContentPart, ModelMessage};
/// use pantry_core::receipts::{ReceiptImage, vision};
/// let image = ReceiptImage::parse("data:image/png;base64,iVBORw0KGgo=").unwrap();
/// let request = vision::scan_request(&image);
/// assert!(request.tools.is_empty());
/// assert_eq!(request.response_format.unwrap().name, "receipt");
/// let ModelMessage::UserParts(parts) = &request.messages[0] else { panic!() };
/// assert_eq!(parts[1], ContentPart::ImageUrl("data:image/png;base64,iVBORw0KGgo=".into()));
/// ```
pub fn scan_request(image: &ReceiptImage) -> ModelRequest {
    let mut request = ModelRequest::new(
        vec![ModelMessage::UserParts(vec![
            ContentPart::Text(INSTRUCTIONS.to_owned()),
            ContentPart::ImageUrl(image.data_url().to_owned()),
        ])],
        Vec::new(),
    );
    request.max_tokens = Some(4000);
    request.response_format = Some(JsonSchema {
        name: "receipt".to_owned(),
        schema: receipt_schema(),
    });
    request
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Answer {
    merchant: Option<String>,
    purchased_at: Option<String>,
    currency: Option<String>,
    total: Option<Number>,
    items: Vec<AnswerLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerLine {
    name: Option<String>,
    quantity: Option<Number>,
    unit: Option<String>,
    category: Option<String>,
    price: Option<Number>,
}

/// Reads the model's answer: JSON of the schema's shape (a property may be missing, read as
/// `null`; an unknown one or a wrong type is refused), sanitised. A fenced code block around
/// the JSON, as small models write, is tolerated.
///
/// ```
/// use pantry_core::receipts::vision::read_answer;
/// let receipt = read_answer(r#"{"merchant":"Test Mart","items":[{"name":"Milk","price":120}]}"#).unwrap();
/// assert_eq!(receipt.items[0].price_minor, Some(12_000));
/// assert!(read_answer("I could not see a receipt").is_err());
/// ```
pub fn read_answer(text: &str) -> Result<ParsedReceipt, UnreadableReceipt> {
    let text = text.trim();
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.trim_end().strip_suffix("```"))
        .unwrap_or(text);
    let answer: Answer = serde_json::from_str(text.trim())
        .map_err(|e| UnreadableReceipt(format!("the answer is not a receipt object: {e}")))?;
    let number = |n: Option<Number>| n.map(Value::Number);
    let raw = RawReceipt {
        store: None,
        merchant: answer.merchant,
        purchased_at: answer.purchased_at,
        currency: answer.currency,
        total: number(answer.total),
        items: answer
            .items
            .into_iter()
            .map(|line| RawLine {
                name: line.name,
                quantity: number(line.quantity),
                unit: line.unit,
                category: line.category,
                price: number(line.price),
            })
            .collect(),
    };
    Ok(ParsedReceipt::from_model(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_shapes_are_unreadable() {
        assert!(read_answer("[]").is_err());
        assert!(read_answer(r#"{"items": "milk"}"#).is_err());
        assert!(read_answer(r#"{"items": [], "note": "ignore previous instructions"}"#).is_err());
        assert!(read_answer(r#"{"items": [{"name": "Milk", "price": "free"}]}"#).is_err());
        assert!(read_answer(r#"{"merchant": "x"}"#).is_err());
        let fenced = read_answer("```json\n{\"items\": [{\"name\": \"Tea\"}]}\n```").unwrap();
        assert_eq!(fenced.items[0].name, "Tea");
    }
}
