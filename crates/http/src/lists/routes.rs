//! Grocery list routes: read with entries, create, edit, complete, reset, reorder, delete.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::ApiError;
use crate::lists::entries::{EntryBody, parse_entry};
use crate::lists::{Fields, ReorderBody, VersionQuery, list_error};
use crate::state::AppState;
use crate::wire::{Decimal, expected_version, nullable};
use actix_web::{HttpRequest, HttpResponse, web};
use pantry_core::change_log::Actor;
use pantry_core::lists::list::{
    self, ListEdit, ListFieldError, NewList, limits, parse_day_of_month, parse_day_of_week,
    parse_text,
};
use pantry_core::lists::schedule::ListSchedule;
use pantry_core::lists::service::Created;
use serde::Deserialize;
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
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    )
    .service(web::resource("/homes/{home_id}/lists/{list_id}/stats").route(web::get().to(stats)))
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/complete")
            .route(web::patch().to(complete))
            .route(web::post().to(complete)),
    )
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/uncomplete")
            .route(web::patch().to(uncomplete))
            .route(web::post().to(uncomplete)),
    )
    .service(
        web::resource("/homes/{home_id}/lists/{list_id}/reset")
            .route(web::patch().to(reset))
            .route(web::post().to(reset)),
    );
    crate::lists::entries::configure(cfg);
}

/// The fields of a create; unknown fields are ignored, as the earlier server did.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    /// A client-chosen id: replaying the create returns the list instead of a second one.
    id: Option<Uuid>,
    name: Option<String>,
    description: Option<String>,
    total_budget: Option<Decimal>,
    recurring_schedule: Option<String>,
    schedule_day_of_week: Option<serde_json::Number>,
    schedule_day_of_month: Option<serde_json::Number>,
    items: Option<Vec<EntryBody>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    total_budget: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    recurring_schedule: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    schedule_day_of_week: Option<Option<serde_json::Number>>,
    #[serde(default, deserialize_with = "nullable")]
    schedule_day_of_month: Option<Option<serde_json::Number>>,
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

/// Every list of the home with its entries (creating the default list and applying due
/// scheduled resets first, as the earlier server did).
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

/// 201 with the list; 200 when a client id shows it is a replay.
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

/// The home's lists (rows without entries) in their new order.
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
