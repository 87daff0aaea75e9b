//! List entry routes: add (by pantry item or by name), edit, remove, tick, buy, reorder.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::ApiError;
use crate::lists::{Fields, ReorderBody, VersionQuery, list_error};
use crate::state::AppState;
use crate::wire::{Decimal, expected_version, nullable};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::items::item::{ItemFieldError, parse_name};
use pantry_core::items::{Category, Quantity, Unit};
use pantry_core::lists::entry::{AddedEntry, EntryOutcome, ItemByName, ListItemEdit, NewListItem};
use pantry_core::lists::list::{ListFieldError, limits, parse_text};
use serde::{Deserialize, Serialize};
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
                .route(web::patch().to(update))
                .route(web::delete().to(remove)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/{entry_id}/toggle")
                .route(web::patch().to(toggle))
                .route(web::post().to(toggle)),
        )
        .service(
            web::resource("/homes/{home_id}/lists/{list_id}/items/{entry_id}/bought")
                .route(web::post().to(bought)),
        );
}

/// An entry to add: alone, or one of a new list's `items`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EntryBody {
    /// A client-chosen id: replaying the add returns the entry instead of adding again.
    id: Option<Uuid>,
    item_id: Option<Uuid>,
    quantity: Option<Decimal>,
    notes: Option<String>,
    estimated_price: Option<Decimal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ByNameBody {
    name: Option<String>,
    quantity: Option<Decimal>,
    unit: Option<String>,
    category: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    quantity: Option<Decimal>,
    #[serde(default, deserialize_with = "nullable")]
    notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    estimated_price: Option<Option<Decimal>>,
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

/// The entry row, as the earlier server answered.
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

/// `{listItem, item}`.
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

/// Ticks the entry off and adds its quantity to the pantry: `{listItem, item}`.
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

/// The list's entries in their new order.
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
