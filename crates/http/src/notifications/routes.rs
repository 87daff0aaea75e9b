//! `GET /api/homes/:id/notifications?limit=&before=&unread=`, `PATCH …/:nid/read`,
//! `POST …/read-all` and `POST …/:nid/add-to-list`.
//!
//! The inbox answers an array, newest updated first, 50 by default, as the earlier server did;
//! the next page is `?before=<id of the last notice>`.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::lists::list_error;
use crate::openapi::mirrors::{ListItemSchema, NotificationTypeSchema};
use crate::openapi::{BadRequest, ErrorResponse, TooManyRequests, Unauthorized};
use crate::state::AppState;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use pantry_core::change_log::Actor;
use pantry_core::lists::entry::ListItem;
use pantry_core::notifications::notification::{DEFAULT_PAGE, MAX_PAGE};
use pantry_core::notifications::{InboxQuery, NotificationError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/{home_id}/notifications").route(web::get().to(inbox)))
        // Before `{id}`: "read-all" is not an id.
        .service(
            web::resource("/homes/{home_id}/notifications/read-all")
                .route(web::post().to(read_all)),
        )
        .service(
            web::resource("/homes/{home_id}/notifications/{id}/read").route(web::patch().to(read)),
        )
        .service(
            web::resource("/homes/{home_id}/notifications/{id}/add-to-list")
                .route(web::post().to(add_to_list)),
        );
}

pub(crate) fn notification_error(error: NotificationError) -> ApiError {
    match error {
        NotificationError::HomeNotFound => ApiError::not_found("Home not found"),
        NotificationError::NotFound => ApiError::not_found("Notification not found"),
        NotificationError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        NotificationError::NoAction(why) => ApiError::bad_request(why),
        NotificationError::List(e) => list_error(e),
        NotificationError::Repo(e) => e.into(),
    }
}

// Mirrors `pantry_core::notifications::Notification`; tests/openapi.rs keeps the two in step.
/// A notification as the caller sees it: `read` is the caller's own read state.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Notification)]
#[allow(dead_code)]
pub(crate) struct NotificationSchema {
    id: Uuid,
    home_id: Uuid,
    /// What it is about.
    #[serde(rename = "type")]
    kind: NotificationTypeSchema,
    /// One line shown in the inbox.
    title: String,
    /// More detail.
    #[schema(required = true)]
    body: Option<String>,
    /// The item, thread or list it refers to.
    #[schema(required = true)]
    ref_id: Option<String>,
    /// What an action on it needs: `{itemName, itemId}` for `running_low`'s add to list;
    /// `{actorId, verb, itemId, itemName}` for `partner_activity`.
    #[schema(required = true, value_type = Option<Object>)]
    data: Option<serde_json::Value>,
    /// How many events it stands for ("Alice added 3 items" has 3).
    count: i32,
    /// The member it is addressed to; `null` for the whole household.
    #[schema(required = true)]
    recipient: Option<Uuid>,
    /// Whether the caller has read it (each member reads on their own).
    read: bool,
    /// When it first appeared.
    created_at: DateTime<Utc>,
    /// When it last changed (a coalesced burst moves it).
    updated_at: DateTime<Utc>,
}

// Taken as text so that a malformed value is reported against its parameter.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InboxParams {
    /// At most this many notices (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
    /// Only notices after this one: pass the last `id` of a page to get the next page.
    #[param(value_type = Option<Uuid>)]
    before: Option<String>,
    /// `true`: only notices the caller has not read.
    #[param(value_type = Option<bool>)]
    unread: Option<String>,
}

fn parse_query(params: &InboxParams) -> Result<InboxQuery, ApiError> {
    let mut errors = Vec::new();
    let mut query = InboxQuery::default();
    if let Some(text) = params.limit.as_deref().map(str::trim) {
        match text.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => query.limit = n,
            _ => errors.push(FieldError::new(
                "limit",
                format!("must be a whole number from 1 to {MAX_PAGE}"),
            )),
        }
    } else {
        query.limit = DEFAULT_PAGE;
    }
    if let Some(text) = params.before.as_deref().map(str::trim) {
        match Uuid::parse_str(text) {
            Ok(id) => query.before = Some(id),
            Err(_) => errors.push(FieldError::new("before", "must be a notification id")),
        }
    }
    match params.unread.as_deref().map(str::trim) {
        None | Some("false") => {}
        Some("true") => query.unread_only = true,
        Some(_) => errors.push(FieldError::new("unread", "must be true or false")),
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// The caller's notifications
///
/// Notices addressed to the caller or to the whole household, minus the kinds the caller
/// muted, newest updated first. Any member may read, viewers included. An empty page means
/// there is nothing older.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/notifications",
    tag = "notifications",
    operation_id = "listNotifications",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), InboxParams),
    responses(
        (status = 200, description = "A page of notices, newest updated first", body = Success<Vec<NotificationSchema>>),
        (status = 400, response = BadRequest),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn inbox(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
    params: web::Query<InboxParams>,
) -> Result<HttpResponse, ApiError> {
    let query = parse_query(&params)?;
    let notices = state
        .notifications
        .inbox(&Actor::user(user.user_id), *path, query)
        .await
        .map_err(notification_error)?;
    Ok(envelope::ok(notices))
}

/// Mark a notification read
///
/// For the caller only: a household notice stays unread for the other members. Marking a
/// read notice again changes nothing. Viewers may.
#[utoipa::path(
    patch,
    path = "/api/homes/{home_id}/notifications/{id}/read",
    tag = "notifications",
    operation_id = "markNotificationRead",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("id" = Uuid, Path, description = "The notification")),
    responses(
        (status = 200, description = "The notice as the caller now sees it (`read: true`)", body = Success<NotificationSchema>),
        (status = 404, description = "No such home or notice, the notice is addressed to another member, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn read(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, id) = path.into_inner();
    let notice = state
        .notifications
        .mark_read(&Actor::user(user.user_id), home_id, id)
        .await
        .map_err(notification_error)?;
    Ok(envelope::ok(notice))
}

/// `{marked}` of read-all.
#[derive(Serialize, ToSchema)]
#[schema(as = NotificationsMarked)]
struct MarkedBody {
    /// How many notices were unread for the caller and are read now.
    marked: u64,
}

/// Mark every notification read
///
/// Every notice of the caller's inbox, for the caller only. Viewers may.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/notifications/read-all",
    tag = "notifications",
    operation_id = "markAllNotificationsRead",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "How many were marked", body = Success<MarkedBody>),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn read_all(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let marked = state
        .notifications
        .mark_all_read(&Actor::user(user.user_id), *path)
        .await
        .map_err(notification_error)?;
    Ok(envelope::ok(MarkedBody { marked }))
}

/// `{id, name}` of the item put on the list.
#[derive(Serialize, ToSchema)]
#[schema(as = NotificationItemRef)]
struct ItemRef {
    id: Uuid,
    name: String,
}

/// What add-to-list answers: `{listId, item: {id, name}, listItem}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = AddedFromNotification)]
struct AddedBody<'a> {
    /// The home's default list.
    list_id: Uuid,
    /// The pantry item the entry names.
    item: ItemRef,
    /// The entry: new, or the unticked one already there.
    #[schema(value_type = ListItemSchema)]
    list_item: &'a ListItem,
}

/// Put a running-low notice's item on the default list (members)
///
/// The item named by the notice's `data` goes on the home's default list, once: when it is
/// already there unticked, that entry is answered (200) and nothing changes.
#[utoipa::path(
    post,
    path = "/api/homes/{home_id}/notifications/{id}/add-to-list",
    tag = "notifications",
    operation_id = "addNotificationItemToList",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home"), ("id" = Uuid, Path, description = "The notification")),
    responses(
        (status = 201, description = "A new entry on the default list", body = Success<AddedBody>),
        (status = 200, description = "It was already on the default list, unticked", body = Success<AddedBody>),
        (status = 400, description = "`This notification has no add-to-list action` (not `running_low`) or `Couldn't determine the item` (`BAD_REQUEST`)", body = ErrorResponse),
        (status = 403, description = "Viewers may only read (`FORBIDDEN`)", body = ErrorResponse),
        (status = 404, description = "No such home or notice, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn add_to_list(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (home_id, id) = path.into_inner();
    let added = state
        .notifications
        .add_to_list(&Actor::user(user.user_id), home_id, id)
        .await
        .map_err(notification_error)?;
    let body = AddedBody {
        list_id: added.list_id,
        item: ItemRef {
            id: added.item.id,
            name: added.item.name.clone(),
        },
        list_item: &added.entry,
    };
    Ok(if added.created {
        envelope::created(body)
    } else {
        envelope::ok(body)
    })
}
