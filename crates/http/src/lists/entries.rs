//! List entry routes: add (by pantry item or by name), edit, remove, tick, buy, reorder.

use crate::auth::AuthUser;
use crate::envelope::{self, Done, Success};
use crate::error::ApiError;
use crate::lists::{ReorderBody, list_error};
use crate::openapi::mirrors::{CategorySchema, ListItemAndItemSchema, ListItemSchema, UnitSchema};
use crate::openapi::{
    BadRequest, ErrorResponse, IdempotencyKey, IfMatch, KeyReused, Stale, TooManyRequests,
    Unauthorized,
};
use crate::state::AppState;
use crate::wire::{Decimal, expected_version, nullable};
use crate::wire::{Fields, VersionQuery};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::items::item::{ItemFieldError, parse_name};
use pantry_core::items::{Category, Quantity, Unit};
use pantry_core::lists::entry::{AddedEntry, EntryOutcome, ItemByName, ListItemEdit, NewListItem};
use pantry_core::lists::list::{ListFieldError, limits, parse_text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/lists/{list_id}/items").route(web::post().to(add)))
        // Before `{entry_id}`: "by-name" and "reorder" are not ids.
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/by-name")
                .route(web::post().to(add_by_name)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/reorder")
                .route(web::post().to(reorder)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/{entry_id}")
                .route(web::put().to(update))
                .route(web::patch().to(patch))
                .route(web::delete().to(remove)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/{entry_id}/toggle")
                .route(web::patch().to(toggle))
                .route(web::post().to(toggle_post)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/{entry_id}/bought")
                .route(web::post().to(bought)),
        );
}

/// An entry to add: alone, or one of a new list's `items`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewListItem)]
pub(crate) struct EntryBody {
    /// A client-chosen id: replaying the add returns the entry instead of adding again. Such
    /// an add never merges.
    #[schema(nullable = false)]
    id: Option<Uuid>,
    /// A pantry item of the same home.
    #[schema(required = true, nullable = false)]
    item_id: Option<Uuid>,
    /// More than 0, in the pantry item's unit, at most three decimals; default 1.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Decimal>,
    /// At most 500 characters.
    #[schema(nullable = false)]
    notes: Option<String>,
    /// Per unit, in major units: not negative, at most two decimals.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    estimated_price: Option<Decimal>,
}

/// Some of a pantry item, named: the item with that exact name (ignoring case and spacing) is
/// used, converting `quantity` from `unit` into its unit; when there is none (or none whose
/// unit converts), one is created with quantity 0: on the list, not in stock.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListItemByName)]
struct ByNameBody {
    /// Trimmed; 1 to 255 characters.
    #[schema(required = true, nullable = false, example = "Eggs")]
    name: Option<String>,
    /// More than 0, in `unit`, at most three decimals; default 1.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Decimal>,
    /// The unit of `quantity` (any case, also spellings such as `g`); default the found item's,
    /// or `piece` for a new one.
    #[schema(value_type = Option<UnitSchema>, nullable = false)]
    unit: Option<String>,
    /// The category of an item that has to be created (any case); default `other`.
    #[schema(value_type = Option<CategorySchema>, nullable = false)]
    category: Option<String>,
}

/// Every field is optional: absent fields keep their value, `null` clears `notes` and
/// `estimatedPrice`; unknown fields are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListItemEdit)]
struct UpdateBody {
    /// More than 0, in the pantry item's unit, at most three decimals.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Decimal>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
    /// Per unit, in major units: not negative, at most two decimals.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Decimal>)]
    estimated_price: Option<Option<Decimal>>,
    /// Change it only if this is still its `version` (`If-Match` takes precedence).
    #[schema(nullable = false)]
    version: Option<i64>,
}

/// `{listItem, item}`: an entry with the pantry item it names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryAndItem<'a> {
    list_item: &'a pantry_core::lists::ListItem,
    item: &'a pantry_core::items::PantryItem,
}

/// An amount to buy: more than zero.
fn positive(q: &Decimal) -> Result<Quantity, String> {
    match q.quantity() {
        Ok(q) if q.is_zero() => Err(ListFieldError::Quantity.to_string()),
        Ok(q) => Ok(q),
        Err(e) => Err(e.to_string()),
    }
}

/// Validates an entry, reporting its fields under `prefix` (`items.3.quantity`); `None` when
/// one is invalid.
pub(crate) fn parse_entry(body: EntryBody, prefix: &str, f: &mut Fields) -> Option<NewListItem> {
    let field = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    let item_id = f.check(&field("itemId"), body.item_id.ok_or("is required"));
    let quantity = match &body.quantity {
        Some(q) => f.check(&field("quantity"), positive(q)),
        None => Some(Quantity::ONE),
    };
    let notes = f.check(
        &field("notes"),
        parse_text(body.notes.as_deref(), limits::NOTES),
    );
    let price = match &body.estimated_price {
        Some(p) => f.check(&field("estimatedPrice"), p.minor()).map(Some),
        None => Some(None),
    };
    let mut entry = NewListItem::of(item_id?);
    if let Some(id) = body.id {
        entry.id = id;
        entry.client_chosen_id = true;
    }
    entry.quantity = quantity?;
    entry.notes = notes?;
    entry.estimated_price_minor = price?;
    Some(entry)
}

fn parse_by_name(body: ByNameBody) -> Result<ItemByName, ApiError> {
    let mut f = Fields::default();
    let name = f.check("name", parse_name(body.name.as_deref().unwrap_or_default()));
    let quantity = match &body.quantity {
        Some(q) => f.check("quantity", positive(q)),
        None => Some(Quantity::ONE),
    };
    let unit = body
        .unit
        .as_deref()
        .and_then(|u| f.check("unit", Unit::parse(u).ok_or(ItemFieldError::Unit)));
    let category = body.category.as_deref().and_then(|c| {
        f.check(
            "category",
            Category::parse(c).ok_or(ItemFieldError::Category),
        )
    });
    f.finish()?;
    Ok(ItemByName {
        name: name.unwrap_or_default(),
        quantity: quantity.unwrap_or(Quantity::ONE),
        unit,
        category,
    })
}

fn parse_edit(body: &UpdateBody) -> Result<ListItemEdit, ApiError> {
    let mut f = Fields::default();
    let edit = ListItemEdit {
        quantity: body
            .quantity
            .as_ref()
            .and_then(|q| f.check("quantity", positive(q))),
        notes: body
            .notes
            .as_ref()
            .and_then(|n| f.check("notes", parse_text(n.as_deref(), limits::NOTES))),
        estimated_price_minor: body.estimated_price.as_ref().and_then(|p| match p {
            None => Some(None),
            Some(d) => f.check("estimatedPrice", d.minor()).map(Some),
        }),
    };
    f.finish()?;
    Ok(edit)
}

/// 201 for a new entry or one merged into the open entry of the same item (the header
/// `Pixie-Merged: true` tells which), 200 for a replay of a client id.
fn added_response<T: Serialize>(added: &AddedEntry, body: T) -> HttpResponse {
    let mut response = match added.outcome {
        EntryOutcome::Replayed => envelope::ok(body),
        EntryOutcome::Created | EntryOutcome::Merged => envelope::created(body),
    };
    if added.outcome == EntryOutcome::Merged {
        response.headers_mut().insert(
            HeaderName::from_static("pixie-merged"),
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// Put a pantry item on a list (members)
///
/// 201 with the entry row. If the same pantry item is already on the list unticked, the
/// quantity is added to that entry (header `Pixie-Merged: true`) instead of a second row; with
/// a client-chosen `id`, a replay answers 200 and changes nothing.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/items",
    tag = "list-items",
    operation_id = "addListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IdempotencyKey),
    request_body = EntryBody,
    responses(
        (status = 201, description = "Added, or merged into the open entry of the same item", body = Success<ListItemSchema>, headers(("Pixie-Merged" = String, description = "`true` when the quantity went into the open entry of the same pantry item (absent otherwise)"))),
        (status = 200, description = "A replay: an entry with this client-chosen `id` was already added; nothing changed", body = Success<ListItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member; or `itemId` is not one of the home's pantry items (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The client-chosen `id` is taken elsewhere (`CONFLICT`), or a request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn add(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<EntryBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let mut f = Fields::default();
    let entry = parse_entry(body.into_inner(), "", &mut f);
    f.finish()?;
    let Some(entry) = entry else {
        return Err(ApiError::bad_request("Invalid list item"));
    };
    let added = state
        .lists
        .add_entry(&Actor::user(user.user_id), home_id, list_id, entry)
        .await
        .map_err(list_error)?
        .into_inner();
    Ok(added_response(&added, &added.entry))
}

/// Put something on a list by name (members)
///
/// `{listItem, item}`: the entry and the pantry item it names, found or created (with
/// nothing in stock). Merges like an add by item (header `Pixie-Merged: true`).
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/items/by-name",
    tag = "list-items",
    operation_id = "addListItemByName",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IdempotencyKey),
    request_body = ByNameBody,
    responses(
        (status = 201, description = "The entry and its pantry item", body = Success<ListItemAndItemSchema>, headers(("Pixie-Merged" = String, description = "`true` when the quantity went into the open entry of the same pantry item (absent otherwise)"))),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn add_by_name(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ByNameBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let wanted = parse_by_name(body.into_inner())?;
    let added = state
        .lists
        .add_by_name(&Actor::user(user.user_id), home_id, list_id, wanted)
        .await
        .map_err(list_error)?
        .into_inner();
    let body = EntryAndItem {
        list_item: &added.entry,
        item: &added.item,
    };
    Ok(added_response(&added, body))
}

/// Edit a list item (members)
///
/// Any subset of `quantity`, `notes` and `estimatedPrice`. With `If-Match` (or `version`),
/// only if nobody changed it since.
#[utoipa::path(
    put,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}",
    tag = "list-items",
    operation_id = "updateListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated entry (`version` + 1)", body = Success<ListItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the entry as it is now", body = Stale<ListItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id, entry_id) = path.into_inner();
    let edit = parse_edit(&body)?;
    let expected = expected_version(&req, body.version)?;
    let entry = state
        .lists
        .update_entry(
            &Actor::user(user.user_id),
            home_id,
            list_id,
            entry_id,
            edit,
            expected,
        )
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(entry))
}

/// Take an item off a list (members)
///
/// With `If-Match` (or `?version=`), only if nobody changed it since. The pantry item stays.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}",
    tag = "list-items",
    operation_id = "removeListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), VersionQuery, IfMatch),
    responses(
        (status = 200, description = "Removed", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the entry as it is now", body = Stale<ListItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id, entry_id) = path.into_inner();
    let expected = expected_version(&req, query.version)?;
    state
        .lists
        .remove_entry(
            &Actor::user(user.user_id),
            home_id,
            list_id,
            entry_id,
            expected,
        )
        .await
        .map_err(list_error)?;
    Ok(envelope::done())
}

/// Tick or untick a list item (members)
///
/// Flips `isCompleted`; `completedAt` is set or cleared. The pantry does not change (see
/// `bought`).
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}/toggle",
    tag = "list-items",
    operation_id = "toggleListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), IdempotencyKey),
    responses(
        (status = 200, description = "The entry with `isCompleted` flipped", body = Success<ListItemSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn toggle(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id, entry_id) = path.into_inner();
    let entry = state
        .lists
        .toggle_entry(&Actor::user(user.user_id), home_id, list_id, entry_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(entry))
}

/// Buy a list item (members)
///
/// Ticks the entry off and adds its quantity to the pantry: `{listItem, item}`, in one
/// transaction.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}/bought",
    tag = "list-items",
    operation_id = "buyListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), IdempotencyKey),
    responses(
        (status = 200, description = "The entry, ticked off, and its pantry item, restocked", body = Success<ListItemAndItemSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The entry is already ticked off (`CONFLICT`), or a request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn bought(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id, entry_id) = path.into_inner();
    let bought = state
        .lists
        .buy_entry(&Actor::user(user.user_id), home_id, list_id, entry_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(bought))
}

/// Order a list's items (members)
///
/// The list's entries in their new order: `ids` first in that order, the others after them as
/// they were. Positions are presentation: no `version` changes.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/items/reorder",
    tag = "list-items",
    operation_id = "reorderListItems",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    request_body = ReorderBody,
    responses(
        (status = 200, description = "The list's entries in display order", body = Success<Vec<ListItemSchema>>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member; or an id is not an entry of the list (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn reorder(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ReorderBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let ids = body.into_inner().ids()?;
    let entries = state
        .lists
        .reorder_entries(&Actor::user(user.user_id), home_id, list_id, &ids)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(entries))
}

/// Edit a list item (members; PATCH alias of PUT)
///
/// The same partial update as PUT: the earlier clients used both.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}",
    tag = "list-items",
    operation_id = "patchListItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated entry (`version` + 1)", body = Success<ListItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the entry as it is now", body = Stale<ListItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn patch(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    update(state, user, req, path, body).await
}

/// Tick or untick a list item (members; POST alias of PATCH)
///
/// The same as `PATCH .../toggle`: the earlier clients used both.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/items/{entry_id}/toggle",
    tag = "list-items",
    operation_id = "toggleListItemPost",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), ("entry_id" = Uuid, Path, description = "The list item (entry)"), IdempotencyKey),
    responses(
        (status = 200, description = "The entry with `isCompleted` flipped", body = Success<ListItemSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, list or list item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn toggle_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    toggle(state, user, path).await
}
