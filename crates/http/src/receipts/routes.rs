//! Receipt routes. Handlers parse and validate; `ReceiptService` decides.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::extractors;
use crate::limits::RECEIPT_SCAN_BODY_LIMIT;
use crate::openapi::mirrors::{CategorySchema, PantryItemSchema, UnitSchema};
use crate::openapi::{
    BadRequest, ErrorResponse, IdempotencyKey, KeyReused, TooManyRequests, Unauthorized,
};
use crate::paging::{before_param, limit_param};
use crate::receipts::body::{ReceiptBody, input_error};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::change_log::Actor;
use pantry_core::items::PantryItem;
use pantry_core::receipts::{ImageError, Receipt, ReceiptError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes/{home_id}/receipts/scan")
            // A photo needs more room than any other body; only this route gets it.
            .app_data(extractors::json_config(RECEIPT_SCAN_BODY_LIMIT))
            .route(web::post().to(scan)),
    )
    .service(web::resource("/homes/{home_id}/receipts/confirm").route(web::post().to(confirm)))
    .service(web::resource("/homes/{home_id}/receipts").route(web::get().to(list)))
    .service(web::resource("/homes/{home_id}/receipts/{receipt_id}").route(web::get().to(get)));
}

/// What a client is told when scanning is not available.
pub const VISION_UNAVAILABLE: &str = "Receipt scanning needs a vision model; set OPENAI_API_KEY (and OPENAI_MODEL to a model that reads images) to enable it";

/// How a refused receipt operation is answered.
pub(crate) fn receipt_error(error: ReceiptError) -> ApiError {
    match error {
        ReceiptError::HomeNotFound => ApiError::not_found("Home not found"),
        ReceiptError::NotFound => ApiError::not_found("Receipt not found"),
        ReceiptError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        ReceiptError::VisionUnavailable => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VISION_UNAVAILABLE",
            VISION_UNAVAILABLE,
        ),
        ReceiptError::Image(ImageError::TooLarge { limit }) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The image is larger than {limit} bytes"),
        ),
        ReceiptError::Image(e) => ApiError::validation(vec![FieldError::new("image", e)]),
        ReceiptError::Invalid(e) => input_error(e),
        ReceiptError::Model(e) => {
            let mut error = ApiError::new(
                StatusCode::BAD_GATEWAY,
                "MODEL_UNAVAILABLE",
                "Could not read the receipt: the model did not answer; try again",
            );
            error.body.cause = Some(e.to_string());
            error
        }
        ReceiptError::Unreadable(e) => {
            let mut error = ApiError::new(
                StatusCode::BAD_GATEWAY,
                "RECEIPT_UNREADABLE",
                "Could not read the receipt; try a sharper photo or enter the items by hand",
            );
            error.body.cause = Some(e.to_string());
            error
        }
        ReceiptError::Repo(e) => e.into(),
    }
}

/// A receipt photo.
#[derive(Deserialize, ToSchema)]
#[schema(as = ReceiptScan)]
struct ScanBody {
    /// `data:image/(jpeg|png|webp|gif);base64,...`, at most 5 MiB once decoded (the request
    /// body may be up to 8 MiB on this route).
    #[schema(
        required = true,
        nullable = false,
        example = "data:image/jpeg;base64,/9j/4AAQ..."
    )]
    image: Option<String>,
}

/// A receipt as read by the model (or as reviewed): what the review card shows.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ParsedReceipt)]
#[allow(dead_code)]
pub(crate) struct ParsedReceiptSchema {
    #[schema(required = true, example = "Test Mart")]
    merchant: Option<String>,
    #[schema(required = true)]
    purchased_at: Option<DateTime<Utc>>,
    /// ISO 4217 code, upper case.
    #[schema(required = true, example = "THB")]
    currency: Option<String>,
    /// Major units.
    #[schema(required = true, example = 200)]
    total: Option<f64>,
    items: Vec<ParsedLineSchema>,
}

/// One line as read.
#[derive(ToSchema)]
#[schema(as = ParsedReceiptLine)]
#[allow(dead_code)]
pub(crate) struct ParsedLineSchema {
    #[schema(example = "Milk")]
    name: String,
    /// More than 0, at most three decimals.
    #[schema(example = 1)]
    quantity: f64,
    #[schema(required = true)]
    unit: Option<UnitSchema>,
    category: CategorySchema,
    /// The line total in major units.
    #[schema(required = true, example = 120)]
    price: Option<f64>,
}

/// A confirmed receipt.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Receipt)]
#[allow(dead_code)]
pub(crate) struct ReceiptSchema {
    id: Uuid,
    home_id: Uuid,
    #[schema(required = true)]
    merchant: Option<String>,
    #[schema(required = true)]
    purchased_at: Option<DateTime<Utc>>,
    #[schema(example = "THB")]
    currency: String,
    /// Major units.
    #[schema(required = true)]
    total: Option<f64>,
    /// Lines added.
    item_count: i32,
    /// Who confirmed it.
    #[schema(required = true)]
    scanned_by: Option<Uuid>,
    created_at: DateTime<Utc>,
}

/// One line of a stored receipt (a purchase-ledger row).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReceiptLine)]
#[allow(dead_code)]
pub(crate) struct RecordedLineSchema {
    /// The pantry item it went into; `null` once that item is deleted.
    #[schema(required = true)]
    item_id: Option<Uuid>,
    name: String,
    /// How much was added, in the item's unit.
    #[schema(required = true)]
    quantity: Option<f64>,
    /// `null` once the item is deleted.
    #[schema(required = true)]
    unit: Option<UnitSchema>,
    #[schema(required = true)]
    category: Option<CategorySchema>,
    /// The line total in major units.
    #[schema(required = true)]
    price: Option<f64>,
}

/// A receipt with its lines.
#[derive(ToSchema)]
#[schema(as = ReceiptDetail)]
#[allow(dead_code)]
pub(crate) struct ReceiptDetailSchema {
    receipt: ReceiptSchema,
    lines: Vec<RecordedLineSchema>,
}

/// What confirming did (the earlier server's `{added, items, receiptId}`, plus the receipt).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ReceiptConfirmed)]
struct ConfirmedBody {
    /// Lines added.
    added: usize,
    /// Each line's pantry item after the addition (an existing item when it merged).
    #[schema(value_type = Vec<PantryItemSchema>)]
    items: Vec<PantryItem>,
    receipt_id: Uuid,
    #[schema(value_type = ReceiptSchema)]
    receipt: Receipt,
}

// Taken as text so that a malformed value is reported against its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// At most this many receipts (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 50)]
    limit: Option<String>,
    /// Only receipts older than this one: pass the last id of a page to get the next.
    #[param(value_type = Option<Uuid>)]
    before: Option<String>,
}

/// Read a receipt photo (members)
///
/// The vision model reads the photo; the answer is checked against its schema and sanitised
/// (quantities above 0, known categories, prices not negative, exact minor units, the home's
/// currency when none is shown). Nothing is stored: the member reviews it and confirms.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/receipts/scan",
    tag = "receipts",
    operation_id = "scanReceipt",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    request_body = ScanBody,
    responses(
        (status = 200, description = "The receipt as read", body = Success<ParsedReceiptSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 413, description = "The body is over 8 MiB or the image over 5 MiB (`PAYLOAD_TOO_LARGE`)", body = ErrorResponse),
        (status = 422, description = "No vision model is configured (`VISION_UNAVAILABLE`)", body = ErrorResponse),
        (status = 502, description = "The model failed (`MODEL_UNAVAILABLE`) or answered something that is not a receipt (`RECEIPT_UNREADABLE`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn scan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<ScanBody>,
) -> Result<HttpResponse, ApiError> {
    let Some(image) = body.into_inner().image else {
        return Err(ApiError::validation(vec![FieldError::new(
            "image",
            "is required",
        )]));
    };
    let receipt = state
        .receipts
        .scan(&Actor::user(user.user_id), *path, &image)
        .await
        .map_err(receipt_error)?;
    Ok(envelope::ok(receipt))
}

/// Add a reviewed receipt to the pantry (members)
///
/// Stores the receipt and adds every line in ONE transaction (all or nothing): each line
/// merges into an existing item of the same name like a normal add, with its price, the
/// merchant as store and the receipt's id, and counts as spent at `purchasedAt` (else now).
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/receipts/confirm",
    tag = "receipts",
    operation_id = "confirmReceipt",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IdempotencyKey),
    request_body = ReceiptBody,
    responses(
        (status = 201, description = "Added", body = Success<ConfirmedBody>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn confirm(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<ReceiptBody>,
) -> Result<HttpResponse, ApiError> {
    let receipt = body.into_inner().into_parsed()?;
    let confirmed = state
        .receipts
        .confirm(&Actor::user(user.user_id), *path, receipt)
        .await
        .map_err(receipt_error)?;
    Ok(envelope::created(ConfirmedBody {
        added: confirmed.items.len(),
        items: confirmed.items.iter().map(|a| a.item().clone()).collect(),
        receipt_id: confirmed.receipt.id,
        receipt: confirmed.receipt,
    }))
}

fn parse_list(query: &ListQuery) -> Result<(i64, Option<Uuid>), ApiError> {
    let mut errors = Vec::new();
    let limit = limit_param(query.limit.as_deref(), 50, 100).unwrap_or_else(|e| {
        errors.push(e);
        50
    });
    let before = before_param(query.before.as_deref(), "a receipt id").unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if errors.is_empty() {
        Ok((limit, before))
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The home's receipts
///
/// Newest first. Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/receipts",
    tag = "receipts",
    operation_id = "listReceipts",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ListQuery),
    responses(
        (status = 200, description = "A page of receipts, newest first", body = Success<Vec<ReceiptSchema>>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, before) = parse_list(&query)?;
    let receipts = state
        .receipts
        .list(&Actor::user(user.user_id), *path, before, limit)
        .await
        .map_err(receipt_error)?;
    Ok(envelope::ok(receipts))
}

/// A receipt and its lines
///
/// The lines are the purchases the receipt added (items merge by name, so one item can hold
/// several receipts' purchases). Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/receipts/{receipt_id}",
    tag = "receipts",
    operation_id = "getReceipt",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("receipt_id" = Uuid, Path, description = "The receipt")),
    responses(
        (status = 200, description = "The receipt with its lines", body = Success<ReceiptDetailSchema>),
        (status = 404, description = "No such home or receipt, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, receipt_id) = path.into_inner();
    let detail = state
        .receipts
        .get(&Actor::user(user.user_id), home_id, receipt_id)
        .await
        .map_err(receipt_error)?;
    Ok(envelope::ok(detail))
}
