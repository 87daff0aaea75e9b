//! Pantry item routes. Handlers parse and validate; `ItemService` decides.

use crate::auth::AuthUser;
use crate::envelope::{self, Done, Success};
use crate::error::{ApiError, FieldError};
use crate::items::listing_cache::CachedListing;
use crate::openapi::mirrors::{
    CategorySchema, ItemStatsSchema, PantryItemSchema, RecurringIntervalSchema, UnitSchema,
};
use crate::openapi::{
    BadRequest, ErrorResponse, IdempotencyKey, IfMatch, KeyReused, Stale, TooManyRequests,
    Unauthorized,
};
use crate::state::AppState;
use crate::wire::{Decimal, Fields, Moment, VersionQuery, expected_version, nullable};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::items::item::{
    self, Added, ItemEdit, ItemFilter, NewItem, RecurringInterval, limits, parse_text,
};
use pantry_core::items::{Category, ItemError, Listing, Unit};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes/{home_id}/items")
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    // Before `{item_id}`: "stats" is not an id.
    .service(web::resource("/homes/{home_id}/items/stats").route(web::get().to(stats)))
    .service(
        web::resource("/homes/{home_id}/items/{item_id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/homes/{home_id}/items/{item_id}/toggle")
            .route(web::patch().to(toggle))
            .route(web::post().to(toggle_post)),
    )
    .service(
        web::resource("/homes/{home_id}/items/{item_id}/consume").route(web::post().to(consume)),
    );
}

/// How a refused pantry operation is answered.
pub(crate) fn item_error(error: ItemError) -> ApiError {
    match error {
        ItemError::HomeNotFound => ApiError::not_found("Home not found"),
        ItemError::NotFound => ApiError::not_found("Item not found"),
        ItemError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        ItemError::Stale(current) => ApiError::stale(&*current),
        ItemError::Conflict(why) => ApiError::conflict(why),
        ItemError::Repo(e) => e.into(),
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only this category (any case).
    #[param(value_type = Option<CategorySchema>)]
    category: Option<String>,
    /// Only items whose name contains this text, ignoring case (`%` and `_` are ordinary
    /// characters); at most 255 characters.
    search: Option<String>,
    /// Only items kept exactly here, ignoring case.
    location: Option<String>,
    /// Only items whose best-before date is at most this many days away (0 to 3650), expired
    /// ones included.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 3650)]
    expiring_within: Option<String>,
    /// Only checked (`true`) or unchecked (`false`) items.
    checked: Option<bool>,
    /// Only items with something left (`true`) or used up (`false`).
    in_stock: Option<bool>,
}

fn parse_filter(q: ListQuery) -> Result<ItemFilter, ApiError> {
    let mut errors = Vec::new();
    let mut filter = ItemFilter {
        checked: q.checked,
        in_stock: q.in_stock,
        ..ItemFilter::default()
    };
    if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
        match Category::parse(c) {
            Some(c) => filter.category = Some(c),
            None => errors.push(FieldError::new("category", item::ItemFieldError::Category)),
        }
    }
    if let Some(s) = q.search.filter(|s| !s.trim().is_empty()) {
        if s.chars().count() > 255 {
            errors.push(FieldError::new("search", "must be at most 255 characters"));
        } else {
            filter.search = Some(s);
        }
    }
    if let Some(l) = q.location.filter(|l| !l.trim().is_empty()) {
        filter.location = Some(l);
    }
    if let Some(days) = q.expiring_within.as_deref() {
        match days.trim().parse::<u32>() {
            Ok(d) if d <= 3650 => filter.expiring_within_days = Some(d),
            _ => errors.push(FieldError::new(
                "expiringWithin",
                "must be a whole number of days from 0 to 3650",
            )),
        }
    }
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The fields of a create; unknown fields are ignored, as the earlier server did.
///
/// Only `name` is required. Unless `separate` or `id` is sent, the purchase is merged into an
/// existing item with the same name (ignoring case and spacing) and location whose unit
/// measures the same thing: its quantity is converted and added there.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewItem)]
struct CreateBody {
    /// A client-chosen id: replaying the create returns the item instead of a second one.
    /// Such a create never merges.
    #[schema(nullable = false)]
    id: Option<Uuid>,
    /// Trimmed; 1 to 255 characters.
    #[schema(required = true, nullable = false, example = "Oat milk")]
    name: Option<String>,
    /// At most 1000 characters.
    #[schema(nullable = false)]
    description: Option<String>,
    /// Any case; default `other`.
    #[schema(value_type = Option<CategorySchema>, nullable = false)]
    category: Option<String>,
    /// How much, in `unit`: 0 to 999999, at most three decimals; default 1.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Decimal>,
    /// Any case, also common spellings such as `g`, `grams`, `litre` or `pcs`; default
    /// `piece`.
    #[schema(value_type = Option<UnitSchema>, nullable = false)]
    unit: Option<String>,
    /// Where it is kept; at most 255 characters.
    #[schema(nullable = false)]
    location: Option<String>,
    /// Best before.
    #[schema(value_type = Option<Moment>, nullable = false)]
    expires_at: Option<Moment>,
    /// At most 1000 characters.
    #[schema(nullable = false)]
    notes: Option<String>,
    /// Price paid, in major units: not negative, at most two decimals.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    price: Option<Decimal>,
    /// Where it was bought; at most 255 characters.
    #[schema(nullable = false)]
    store: Option<String>,
    /// Default `false`.
    #[schema(nullable = false)]
    is_recurring: Option<bool>,
    /// Any case.
    #[schema(value_type = Option<RecurringIntervalSchema>, nullable = false)]
    recurring_interval: Option<String>,
    /// Keep this as its own row even when a matching one exists.
    #[serde(default)]
    separate: bool,
}

/// Every field is optional: absent fields keep their value, `null` clears a nullable one, and
/// unknown fields are ignored (clients may send a whole item back). The rules are those of a
/// create.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ItemEdit)]
struct UpdateBody {
    /// Trimmed; 1 to 255 characters.
    #[schema(nullable = false)]
    name: Option<String>,
    /// At most 1000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    /// Any case.
    #[schema(value_type = Option<CategorySchema>, nullable = false)]
    category: Option<String>,
    /// 0 to 999999, at most three decimals.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    quantity: Option<Decimal>,
    /// Any case, also common spellings such as `g` or `litre`.
    #[schema(value_type = Option<UnitSchema>, nullable = false)]
    unit: Option<String>,
    /// At most 255 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    location: Option<Option<String>>,
    /// Best before.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Moment>)]
    expires_at: Option<Option<Moment>>,
    /// At most 1000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
    /// Major units: not negative, at most two decimals.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Decimal>)]
    price: Option<Option<Decimal>>,
    /// At most 255 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    store: Option<Option<String>>,
    #[schema(nullable = false)]
    is_checked: Option<bool>,
    #[schema(nullable = false)]
    is_recurring: Option<bool>,
    /// Any case.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<RecurringIntervalSchema>)]
    recurring_interval: Option<Option<String>>,
    /// Change it only if this is still its `version` (`If-Match` takes precedence).
    #[schema(nullable = false)]
    version: Option<i64>,
}

/// How much was used.
#[derive(Deserialize, ToSchema)]
#[schema(as = Consumption)]
struct ConsumeBody {
    /// More than 0, in the item's unit, at most three decimals; more than is left uses it up.
    #[schema(value_type = Decimal, required = true, example = 0.25)]
    quantity: Option<Decimal>,
}

fn category(text: &str) -> Result<Category, item::ItemFieldError> {
    Category::parse(text).ok_or(item::ItemFieldError::Category)
}

fn unit(text: &str) -> Result<Unit, item::ItemFieldError> {
    Unit::parse(text).ok_or(item::ItemFieldError::Unit)
}

fn interval(text: &str) -> Result<RecurringInterval, item::ItemFieldError> {
    RecurringInterval::parse(text).ok_or(item::ItemFieldError::Interval)
}

fn moment(m: &Moment) -> Result<chrono::DateTime<chrono::Utc>, &'static str> {
    m.parse()
        .ok_or("must be a date such as 2026-12-24 or 2026-12-24T18:00:00Z")
}

fn parse_new(body: CreateBody) -> Result<(NewItem, bool), ApiError> {
    let mut f = Fields::default();
    let name = f.check(
        "name",
        item::parse_name(body.name.as_deref().unwrap_or_default()),
    );
    let mut new = NewItem::named(name.clone().unwrap_or_default());
    if let Some(id) = body.id {
        new.id = id;
        new.client_chosen_id = true;
    }
    new.description = f
        .check(
            "description",
            parse_text(body.description.as_deref(), limits::LONG_TEXT),
        )
        .flatten();
    if let Some(c) = body.category.as_deref() {
        new.category = f.check("category", category(c)).unwrap_or(new.category);
    }
    if let Some(q) = &body.quantity {
        new.quantity = f.check("quantity", q.quantity()).unwrap_or(new.quantity);
    }
    if let Some(u) = body.unit.as_deref() {
        new.unit = f.check("unit", unit(u)).unwrap_or(new.unit);
    }
    new.location = f
        .check(
            "location",
            parse_text(body.location.as_deref(), limits::SHORT_TEXT),
        )
        .flatten();
    new.expires_at = body
        .expires_at
        .as_ref()
        .and_then(|m| f.check("expiresAt", moment(m)));
    new.notes = f
        .check(
            "notes",
            parse_text(body.notes.as_deref(), limits::LONG_TEXT),
        )
        .flatten();
    new.price_minor = body
        .price
        .as_ref()
        .and_then(|p| f.check("price", p.minor()));
    new.store = f
        .check(
            "store",
            parse_text(body.store.as_deref(), limits::SHORT_TEXT),
        )
        .flatten();
    new.is_recurring = body.is_recurring.unwrap_or(false);
    new.recurring_interval = body
        .recurring_interval
        .as_deref()
        .and_then(|r| f.check("recurringInterval", interval(r)));
    f.finish()?;
    Ok((new, body.separate))
}

fn parse_edit(body: &UpdateBody) -> Result<ItemEdit, ApiError> {
    let mut f = Fields::default();
    let text = |v: &Option<Option<String>>, max| -> Option<Result<Option<String>, _>> {
        v.as_ref().map(|v| parse_text(v.as_deref(), max))
    };
    let edit = ItemEdit {
        name: body
            .name
            .as_deref()
            .and_then(|n| f.check("name", item::parse_name(n))),
        description: text(&body.description, limits::LONG_TEXT)
            .and_then(|r| f.check("description", r)),
        category: body
            .category
            .as_deref()
            .and_then(|c| f.check("category", category(c))),
        quantity: body
            .quantity
            .as_ref()
            .and_then(|q| f.check("quantity", q.quantity())),
        unit: body.unit.as_deref().and_then(|u| f.check("unit", unit(u))),
        location: text(&body.location, limits::SHORT_TEXT).and_then(|r| f.check("location", r)),
        expires_at: body.expires_at.as_ref().and_then(|e| match e {
            None => Some(None),
            Some(m) => f.check("expiresAt", moment(m)).map(Some),
        }),
        notes: text(&body.notes, limits::LONG_TEXT).and_then(|r| f.check("notes", r)),
        price_minor: body.price.as_ref().and_then(|p| match p {
            None => Some(None),
            Some(d) => f.check("price", d.minor()).map(Some),
        }),
        store: text(&body.store, limits::SHORT_TEXT).and_then(|r| f.check("store", r)),
        is_checked: body.is_checked,
        is_recurring: body.is_recurring,
        recurring_interval: body.recurring_interval.as_ref().and_then(|r| match r {
            None => Some(None),
            Some(t) => f.check("recurringInterval", interval(t)).map(Some),
        }),
    };
    f.finish()?;
    Ok(edit)
}

/// The pantry
///
/// The home's items matching every filter given, by category, then oldest first. Any member
/// may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/items",
    tag = "items",
    operation_id = "listItems",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ListQuery),
    responses(
        (status = 200, description = "The matching items", body = Success<Vec<PantryItemSchema>>),
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
    let filter = parse_filter(query.into_inner())?;
    let home_id = *path;
    // A filter that depends on the time is read afresh every time.
    let key = filter
        .expiring_within_days
        .is_none()
        .then(|| (home_id, format!("{filter:?}")));
    let cached = key.as_ref().and_then(|k| state.item_listings.get(k));
    let listing = state
        .items
        .list_unless_unchanged(
            user.user_id,
            home_id,
            &filter,
            cached.as_ref().map(|c| c.seq),
        )
        .await
        .map_err(item_error)?;
    match (listing, cached) {
        (Listing::Unchanged { .. }, Some(cached)) => Ok(envelope::ok_serialized(&cached.data)),
        (Listing::Unchanged { .. }, None) => Err(ApiError::internal(
            "the listing was unchanged but nothing was cached",
        )),
        (Listing::Items { seq, items }, _) => {
            let data = serde_json::to_vec(&items)
                .map_err(|e| ApiError::internal(format!("serialising items: {e}")))?;
            let response = envelope::ok_serialized(&data);
            if let Some(key) = key {
                let data = Bytes::from(data);
                state.item_listings.put(key, CachedListing { seq, data });
            }
            Ok(response)
        }
    }
}

/// Pantry counts
///
/// Totals, checked and unchecked items, counts per category, expired items, items expiring in
/// the next three days and used-up items. Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/items/stats",
    tag = "items",
    operation_id = "getItemStats",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The counts", body = Success<ItemStatsSchema>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn stats(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let stats = state
        .items
        .stats(&Actor::user(user.user_id), *path)
        .await
        .map_err(item_error)?;
    Ok(envelope::ok(stats))
}

/// An item
///
/// Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/items/{item_id}",
    tag = "items",
    operation_id = "getItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item")),
    responses(
        (status = 200, description = "The item", body = Success<PantryItemSchema>),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, item_id) = path.into_inner();
    let item = state
        .items
        .get(&Actor::user(user.user_id), home_id, item_id)
        .await
        .map_err(item_error)?;
    Ok(envelope::ok(item))
}

/// Add an item (members)
///
/// 201 with the item, whether it was created or merged into an existing row (the header
/// `Pixie-Merged: true` tells which); 200 when a client id shows it is a replay.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/items",
    tag = "items",
    operation_id = "createItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IdempotencyKey),
    request_body = CreateBody,
    responses(
        (status = 201, description = "Created, or merged into an existing item", body = Success<PantryItemSchema>,
            headers(("Pixie-Merged" = String, description = "`true` when the purchase was merged into an existing item (absent otherwise)"))),
        (status = 200, description = "A replay: an item with this client-chosen `id` was already created; nothing changed", body = Success<PantryItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The client-chosen `id` is taken by another home's item (`CONFLICT`), or a request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<CreateBody>,
) -> Result<HttpResponse, ApiError> {
    let (new, separate) = parse_new(body.into_inner())?;
    let added = state
        .items
        .add(&Actor::user(user.user_id), *path, new, separate)
        .await
        .map_err(item_error)?;
    let mut response = match &added {
        Added::Replayed(item) => envelope::ok(item),
        Added::Created(item) | Added::Merged(item) => envelope::created(item),
    };
    if matches!(added, Added::Merged(_)) {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("pixie-merged"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// Edit an item (members)
///
/// Any subset of the fields; 400 lists every invalid field at once. With `If-Match` (or
/// `version`), only if nobody changed it since.
#[utoipa::path(
    put,
    path = "/api/homes/{home_id}/items/{item_id}",
    tag = "items",
    operation_id = "updateItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated item (`version` + 1)", body = Success<PantryItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the item as it is now", body = Stale<PantryItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, item_id) = path.into_inner();
    let edit = parse_edit(&body)?;
    let expected = expected_version(&req, body.version)?;
    let item = state
        .items
        .update(&Actor::user(user.user_id), home_id, item_id, edit, expected)
        .await
        .map_err(item_error)?;
    Ok(envelope::ok(item))
}

/// Check or uncheck an item (members)
///
/// Flips `isChecked`.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/items/{item_id}/toggle",
    tag = "items",
    operation_id = "toggleItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), IdempotencyKey),
    responses(
        (status = 200, description = "The item with `isChecked` flipped", body = Success<PantryItemSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn toggle(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, item_id) = path.into_inner();
    let item = state
        .items
        .toggle(&Actor::user(user.user_id), home_id, item_id)
        .await
        .map_err(item_error)?;
    Ok(envelope::ok(item))
}

/// Use some of an item (members)
///
/// Takes `quantity` off what is left. At zero the item stays, used up, as the household's
/// catalogue (lists still refer to it; the next purchase refills it).
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/items/{item_id}/consume",
    tag = "items",
    operation_id = "consumeItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), IdempotencyKey),
    request_body = ConsumeBody,
    responses(
        (status = 200, description = "The item with what is left", body = Success<PantryItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Nothing left to consume (`CONFLICT`), or a request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn consume(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ConsumeBody>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, item_id) = path.into_inner();
    let amount = match &body.quantity {
        None => Err("is required".to_owned()),
        Some(q) => match q.quantity() {
            Ok(a) if a.is_zero() => Err("must be more than 0".to_owned()),
            Ok(a) => Ok(a),
            Err(e) => Err(e.to_string()),
        },
    }
    .map_err(|msg| ApiError::validation(vec![FieldError::new("quantity", msg)]))?;
    let item = state
        .items
        .consume(&Actor::user(user.user_id), home_id, item_id, amount)
        .await
        .map_err(item_error)?;
    Ok(envelope::ok(item))
}

/// Delete an item (members)
///
/// With `If-Match` (or `?version=`), only if nobody changed it since.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/items/{item_id}",
    tag = "items",
    operation_id = "deleteItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), VersionQuery, IfMatch),
    responses(
        (status = 200, description = "Deleted", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the item as it is now", body = Stale<PantryItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn delete(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, item_id) = path.into_inner();
    let expected = expected_version(&req, query.version)?;
    state
        .items
        .delete(&Actor::user(user.user_id), home_id, item_id, expected)
        .await
        .map_err(item_error)?;
    Ok(envelope::done())
}

/// Edit an item (members; PATCH alias of PUT)
///
/// The same partial update as PUT: the earlier clients used both.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/items/{item_id}",
    tag = "items",
    operation_id = "patchItem",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated item (`version` + 1)", body = Success<PantryItemSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the item as it is now", body = Stale<PantryItemSchema>),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn patch(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<UpdateBody>,
) -> Result<HttpResponse, ApiError> {
    update(state, user, req, path, body).await
}

/// Check or uncheck an item (members; POST alias of PATCH)
///
/// The same as `PATCH .../toggle`: the earlier clients used both.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/items/{item_id}/toggle",
    tag = "items",
    operation_id = "toggleItemPost",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("item_id" = Uuid, Path, description = "The item"), IdempotencyKey),
    responses(
        (status = 200, description = "The item with `isChecked` flipped", body = Success<PantryItemSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or item, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn toggle_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    toggle(state, user, path).await
}
