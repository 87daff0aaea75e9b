//! Pantry item routes. Handlers parse and validate; `ItemService` decides.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
use crate::items::listing_cache::CachedListing;
use crate::state::AppState;
use crate::wire::{Decimal, Moment, expected_version, nullable};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::items::item::{
    self, Added, ItemEdit, ItemFilter, NewItem, RecurringInterval, limits, parse_text,
};
use pantry_core::items::{Category, ItemError, Listing, Unit};
use serde::Deserialize;
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
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(
        web::resource("/homes/{home_id}/items/{item_id}/toggle")
            .route(web::patch().to(toggle))
            .route(web::post().to(toggle)),
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    category: Option<String>,
    search: Option<String>,
    location: Option<String>,
    /// Days.
    expiring_within: Option<String>,
    checked: Option<bool>,
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
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    /// A client-chosen id: replaying the create returns the item instead of a second one.
    id: Option<Uuid>,
    name: Option<String>,
    description: Option<String>,
    category: Option<String>,
    quantity: Option<Decimal>,
    unit: Option<String>,
    location: Option<String>,
    expires_at: Option<Moment>,
    notes: Option<String>,
    price: Option<Decimal>,
    store: Option<String>,
    is_recurring: Option<bool>,
    recurring_interval: Option<String>,
    /// Keep this as its own row even when a matching one exists.
    #[serde(default)]
    separate: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    category: Option<String>,
    quantity: Option<Decimal>,
    unit: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    location: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    expires_at: Option<Option<Moment>>,
    #[serde(default, deserialize_with = "nullable")]
    notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    price: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    store: Option<Option<String>>,
    is_checked: Option<bool>,
    is_recurring: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    recurring_interval: Option<Option<String>>,
    version: Option<i64>,
}

#[derive(Deserialize)]
struct ConsumeBody {
    quantity: Option<Decimal>,
}

#[derive(Deserialize)]
struct VersionQuery {
    version: Option<i64>,
}

/// Collects every invalid field before answering, so a form shows all its errors at once.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn check<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result
            .map_err(|e| self.0.push(FieldError::new(field, e)))
            .ok()
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self.0))
        }
    }
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

/// 201 with the item, whether it was created or merged into an existing row (the header
/// `Pixie-Merged: true` tells which); 200 when a client id shows it is a replay.
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
