//! Grocery list routes: read with entries, create, edit, complete, reset, reorder, delete.

use crate::auth::AuthUser;
use crate::envelope::{self, Done, Success};
use crate::error::ApiError;
use crate::lists::entries::{EntryBody, parse_entry};
use crate::lists::{ReorderBody, list_error};
use crate::openapi::mirrors::{
    GroceryListSchema, GroceryListWithItemsSchema, ListScheduleSchema, ListStatsSchema,
};
use crate::openapi::{
    BadRequest, ErrorResponse, IdempotencyKey, IfMatch, KeyReused, Stale, TooManyRequests,
    Unauthorized,
};
use crate::state::AppState;
use crate::wire::{Decimal, expected_version, nullable};
use crate::wire::{Fields, VersionQuery};
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::lists::list::{
    self, ListEdit, ListFieldError, NewList, limits, parse_day_of_month, parse_day_of_week,
    parse_text,
};
use pantry_core::lists::schedule::ListSchedule;
use pantry_core::lists::service::Created;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/homes/{home_id}/lists")
            .route(web::get().to(lists))
            .route(web::post().to(create)),
    )
    // Before `{list_id}`: "default" and "reorder" are not ids.
    .service(web::resource("/homes/{home_id}/lists/default").route(web::get().to(default_list)))
    .service(web::resource("/homes/{home_id}/lists/reorder").route(web::post().to(reorder)))
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}")
            .route(web::get().to(get))
            .route(web::put().to(update))
            .route(web::patch().to(patch))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/homes/{home_id}/lists/{list_id}/stats").route(web::get().to(stats)))
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/complete")
            .route(web::patch().to(complete))
            .route(web::post().to(complete_post)),
    )
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/uncomplete")
            .route(web::patch().to(uncomplete))
            .route(web::post().to(uncomplete_post)),
    )
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/reset")
            .route(web::patch().to(reset))
            .route(web::post().to(reset_post)),
    );
    crate::lists::entries::configure(cfg);
}

/// The fields of a create; unknown fields are ignored, as the earlier server did.
///
/// Only `name` is required. Entries naming the same pantry item become one entry.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = NewList)]
struct CreateBody {
    /// A client-chosen id: replaying the create returns the list instead of a second one.
    #[schema(nullable = false)]
    id: Option<Uuid>,
    /// Trimmed; 1 to 255 characters.
    #[schema(required = true, nullable = false, example = "Weekly shop")]
    name: Option<String>,
    /// At most 1000 characters.
    #[schema(nullable = false)]
    description: Option<String>,
    /// Major units: not negative, at most two decimals.
    #[schema(value_type = Option<Decimal>, nullable = false)]
    total_budget: Option<Decimal>,
    /// Any case; `null` for none.
    #[schema(value_type = Option<ListScheduleSchema>)]
    recurring_schedule: Option<String>,
    /// Weekday of weekly and biweekly resets, 0 = Sunday to 6 (default Sunday).
    #[schema(value_type = Option<u8>, minimum = 0, maximum = 6)]
    schedule_day_of_week: Option<serde_json::Number>,
    /// Day of monthly resets, 1 to 31 (default 1).
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 31)]
    schedule_day_of_month: Option<serde_json::Number>,
    /// Entries to start with (at most 500). Their `id`s are ignored: new entries get server
    /// ids.
    #[schema(nullable = false, max_items = 500)]
    items: Option<Vec<EntryBody>>,
}

/// Every field is optional: absent fields keep their value, `null` clears a nullable one, and
/// unknown fields are ignored. Changing the schedule or one of its days recomputes
/// `nextResetAt`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ListEdit)]
struct UpdateBody {
    /// Trimmed; 1 to 255 characters.
    #[schema(nullable = false)]
    name: Option<String>,
    /// At most 1000 characters.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    /// Major units: not negative, at most two decimals.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Decimal>)]
    total_budget: Option<Option<Decimal>>,
    /// Any case.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ListScheduleSchema>)]
    recurring_schedule: Option<Option<String>>,
    /// 0 = Sunday to 6.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u8>, minimum = 0, maximum = 6)]
    schedule_day_of_week: Option<Option<serde_json::Number>>,
    /// 1 to 31.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 31)]
    schedule_day_of_month: Option<Option<serde_json::Number>>,
    /// Change it only if this is still its `version` (`If-Match` takes precedence).
    #[schema(nullable = false)]
    version: Option<i64>,
}

fn schedule(text: &str) -> Result<ListSchedule, ListFieldError> {
    ListSchedule::parse(text).ok_or(ListFieldError::Schedule)
}

fn day_of_week(n: &serde_json::Number) -> Result<u8, ListFieldError> {
    n.as_i64()
        .ok_or(ListFieldError::DayOfWeek)
        .and_then(parse_day_of_week)
}

fn day_of_month(n: &serde_json::Number) -> Result<u8, ListFieldError> {
    n.as_i64()
        .ok_or(ListFieldError::DayOfMonth)
        .and_then(parse_day_of_month)
}

fn parse_new(body: CreateBody) -> Result<NewList, ApiError> {
    let mut f = Fields::default();
    let name = f.check(
        "name",
        list::parse_name(body.name.as_deref().unwrap_or_default()),
    );
    let mut new = NewList::named(name.unwrap_or_default());
    if let Some(id) = body.id {
        new.id = id;
        new.client_chosen_id = true;
    }
    new.description = f
        .check(
            "description",
            parse_text(body.description.as_deref(), limits::DESCRIPTION),
        )
        .flatten();
    new.total_budget_minor = body
        .total_budget
        .as_ref()
        .and_then(|b| f.check("totalBudget", b.minor()));
    new.recurring_schedule = body
        .recurring_schedule
        .as_deref()
        .and_then(|s| f.check("recurringSchedule", schedule(s)));
    new.schedule_day_of_week = body
        .schedule_day_of_week
        .as_ref()
        .and_then(|d| f.check("scheduleDayOfWeek", day_of_week(d)));
    new.schedule_day_of_month = body
        .schedule_day_of_month
        .as_ref()
        .and_then(|d| f.check("scheduleDayOfMonth", day_of_month(d)));
    let entries = body.items.unwrap_or_default();
    if entries.len() > limits::ITEMS_PER_REQUEST {
        f.check::<(), _>(
            "items",
            Err(ListFieldError::TooMany(limits::ITEMS_PER_REQUEST)),
        );
    } else {
        for (index, entry) in entries.into_iter().enumerate() {
            let prefix = format!("items.{index}");
            // Entries of a new list get server ids; a replay is recognised by the list's id.
            if let Some(mut parsed) = parse_entry(entry, &prefix, &mut f) {
                parsed.id = pantry_core::ids::new_id();
                parsed.client_chosen_id = false;
                new.items.push(parsed);
            }
        }
    }
    f.finish()?;
    Ok(new)
}

fn parse_edit(body: &UpdateBody) -> Result<ListEdit, ApiError> {
    let mut f = Fields::default();
    let edit = ListEdit {
        name: body
            .name
            .as_deref()
            .and_then(|n| f.check("name", list::parse_name(n))),
        description: body
            .description
            .as_ref()
            .and_then(|d| f.check("description", parse_text(d.as_deref(), limits::DESCRIPTION))),
        total_budget_minor: body.total_budget.as_ref().and_then(|b| match b {
            None => Some(None),
            Some(d) => f.check("totalBudget", d.minor()).map(Some),
        }),
        recurring_schedule: body.recurring_schedule.as_ref().and_then(|s| match s {
            None => Some(None),
            Some(s) => f.check("recurringSchedule", schedule(s)).map(Some),
        }),
        schedule_day_of_week: body.schedule_day_of_week.as_ref().and_then(|d| match d {
            None => Some(None),
            Some(d) => f.check("scheduleDayOfWeek", day_of_week(d)).map(Some),
        }),
        schedule_day_of_month: body.schedule_day_of_month.as_ref().and_then(|d| match d {
            None => Some(None),
            Some(d) => f.check("scheduleDayOfMonth", day_of_month(d)).map(Some),
        }),
    };
    f.finish()?;
    Ok(edit)
}

/// The home's lists
///
/// Every list of the home with its entries (creating the default list and applying due
/// scheduled resets first, as the earlier server did): the default list first, then active
/// lists, then completed ones; by `position`, newest first among equals. Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/lists",
    tag = "lists",
    operation_id = "listLists",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "Every list with its entries", body = Success<Vec<GroceryListWithItemsSchema>>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn lists(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let lists = state
        .lists
        .lists(&Actor::user(user.user_id), *path)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(lists))
}

/// The default list
///
/// The home's "Quick Items" list, without its entries; created on first use (concurrent first
/// calls create one). Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/lists/default",
    tag = "lists",
    operation_id = "getDefaultList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The default list", body = Success<GroceryListSchema>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn default_list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .lists
        .default_list(&Actor::user(user.user_id), *path)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// A list
///
/// The list with its entries (due scheduled resets applied first). Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/lists/{list_id}",
    tag = "lists",
    operation_id = "getList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The list with its entries", body = Success<GroceryListWithItemsSchema>),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let list = state
        .lists
        .get(&Actor::user(user.user_id), home_id, list_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// A list's figures
///
/// Entries, completed entries, completion and estimated cost. Any member may read.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/lists/{list_id}/stats",
    tag = "lists",
    operation_id = "getListStats",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The figures", body = Success<ListStatsSchema>),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn stats(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let stats = state
        .lists
        .stats(&Actor::user(user.user_id), home_id, list_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(stats))
}

/// Create a list (members)
///
/// 201 with the list row; 200 when a client id shows it is a replay. Nothing is created when
/// an entry names an item that is not one of the home's.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists",
    tag = "lists",
    operation_id = "createList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), IdempotencyKey),
    request_body = CreateBody,
    responses(
        (status = 201, description = "The new list (without entries)", body = Success<GroceryListSchema>),
        (status = 200, description = "A replay: a list with this client-chosen `id` was already created; nothing changed", body = Success<GroceryListSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member; or an `itemId` is not one of the home's pantry items (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "The client-chosen `id` is taken by another home's list (`CONFLICT`), or a request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
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
    let new = parse_new(body.into_inner())?;
    let created = state
        .lists
        .create(&Actor::user(user.user_id), *path, new)
        .await
        .map_err(list_error)?;
    Ok(match created {
        Created::New(list) => envelope::created(list),
        Created::Existing(list) => envelope::ok(list),
    })
}

/// Edit a list (members)
///
/// Any create field but `items` and `id`; 400 lists every invalid field at once. With
/// `If-Match` (or `version`), only if nobody changed it since.
#[utoipa::path(
    put,
    path = "/api/homes/{home_id}/lists/{list_id}",
    tag = "lists",
    operation_id = "updateList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated list row (`version` + 1)", body = Success<GroceryListSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the list as it is now", body = Stale<GroceryListSchema>),
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
    let (home_id, list_id) = path.into_inner();
    let edit = parse_edit(&body)?;
    let expected = expected_version(&req, body.version)?;
    let list = state
        .lists
        .update(&Actor::user(user.user_id), home_id, list_id, edit, expected)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// Delete a list (admins)
///
/// Its entries go with it; the default list cannot be deleted. With `If-Match` (or
/// `?version=`), only if nobody changed it since.
#[utoipa::path(
    delete,
    path = "/api/homes/{home_id}/lists/{list_id}",
    tag = "lists",
    operation_id = "deleteList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), VersionQuery, IfMatch),
    responses(
        (status = 200, description = "Deleted", body = Done),
        (status = 400, response = BadRequest),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`, with `current`: the list as it is now), or the default list (`CONFLICT`)", body = ErrorResponse),
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
    let (home_id, list_id) = path.into_inner();
    let expected = expected_version(&req, query.version)?;
    state
        .lists
        .delete(&Actor::user(user.user_id), home_id, list_id, expected)
        .await
        .map_err(list_error)?;
    Ok(envelope::done())
}

/// Complete a list (members)
///
/// `isActive` becomes false and `completedAt` now; a completed list is answered unchanged.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}/complete",
    tag = "lists",
    operation_id = "completeList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The list row with `isActive: false`", body = Success<GroceryListSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn complete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let list = state
        .lists
        .complete(&Actor::user(user.user_id), home_id, list_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// Reopen a list (members)
///
/// `isActive` becomes true and `completedAt` null; an active list is answered unchanged.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}/uncomplete",
    tag = "lists",
    operation_id = "uncompleteList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The list row, active again", body = Success<GroceryListSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn uncomplete(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let list = state
        .lists
        .uncomplete(&Actor::user(user.user_id), home_id, list_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// Start a new round of a list (admins)
///
/// Every entry unticked, `roundNumber` + 1, `lastResetAt` now, `nextResetAt` recomputed
/// (null without a schedule), the list active again.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}/reset",
    tag = "lists",
    operation_id = "resetList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IdempotencyKey),
    responses(
        (status = 200, description = "The list row after the new round", body = Success<GroceryListSchema>),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn reset(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, list_id) = path.into_inner();
    let list = state
        .lists
        .reset(&Actor::user(user.user_id), home_id, list_id)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(list))
}

/// Order the lists (members)
///
/// The home's lists (rows without entries) in their new order: `ids` first in that order, the
/// others after them as they were. Positions are presentation: no `version` changes.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/reorder",
    tag = "lists",
    operation_id = "reorderLists",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    request_body = ReorderBody,
    responses(
        (status = 200, description = "The home's list rows in display order", body = Success<Vec<GroceryListSchema>>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home, or the caller is not a member; or an id is not a list of the home (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn reorder(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    body: web::Json<ReorderBody>,
) -> Result<HttpResponse, ApiError> {
    let ids = body.into_inner().ids()?;
    let lists = state
        .lists
        .reorder(&Actor::user(user.user_id), *path, &ids)
        .await
        .map_err(list_error)?;
    Ok(envelope::ok(lists))
}

/// Edit a list (members; PATCH alias of PUT)
///
/// The same partial update as PUT: the earlier clients used both.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/lists/{list_id}",
    tag = "lists",
    operation_id = "patchList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IfMatch),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated list row (`version` + 1)", body = Success<GroceryListSchema>),
        (status = 400, response = BadRequest),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "Stale version (`STALE_VERSION`); `current` is the list as it is now", body = Stale<GroceryListSchema>),
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

/// Complete a list (members; POST alias of PATCH)
///
/// The same as `PATCH .../complete`: the earlier clients used both.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/complete",
    tag = "lists",
    operation_id = "completeListPost",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The list row with `isActive: false`", body = Success<GroceryListSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn complete_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    complete(state, user, path).await
}

/// Reopen a list (members; POST alias of PATCH)
///
/// The same as `PATCH .../uncomplete`.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/uncomplete",
    tag = "lists",
    operation_id = "uncompleteListPost",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list")),
    responses(
        (status = 200, description = "The list row, active again", body = Success<GroceryListSchema>),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn uncomplete_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    uncomplete(state, user, path).await
}

/// Start a new round of a list (admins; POST alias of PATCH)
///
/// The same as `PATCH .../reset`.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/lists/{list_id}/reset",
    tag = "lists",
    operation_id = "resetListPost",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("list_id" = Uuid, Path, description = "The list"), IdempotencyKey),
    responses(
        (status = 200, description = "The list row after the new round", body = Success<GroceryListSchema>),
        (status = 403, description = "Admin or owner role required (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or list, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn reset_post(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    reset(state, user, path).await
}
