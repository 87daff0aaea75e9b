//! `GET /api/homes/:id/export` and `POST /api/homes/import`: a household's data, whole.

use crate::auth::AuthUser;
use crate::envelope::{self, Success};
use crate::error::{ApiError, FieldError};
use crate::homes::routes::HomeBody;
use crate::openapi::mirrors::HomeExportSchema;
use crate::openapi::{
    BadRequest, ErrorResponse, IdempotencyKey, KeyReused, TooManyRequests, Unauthorized,
};
use crate::state::AppState;
use actix_web::{HttpResponse, http::header, web};
use pantry_core::change_log::Actor;
use pantry_core::portability::{HomeExport, PortabilityError};
use uuid::Uuid;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/homes/import").route(web::post().to(import)))
        .service(web::resource("/homes/{home_id}/export").route(web::get().to(export)));
}

fn portability_error(error: PortabilityError) -> ApiError {
    match error {
        PortabilityError::HomeNotFound => ApiError::not_found("Home not found"),
        PortabilityError::Forbidden(why) => ApiError::forbidden(format!("Forbidden: {why}")),
        PortabilityError::Invalid(problems) => ApiError::validation(
            problems
                .into_iter()
                .map(|p| FieldError::new(&p.path, p.message))
                .collect(),
        ),
        PortabilityError::Repo(e) => e.into(),
    }
}

/// Export a home
///
/// The whole home as a portable document: settings, members by name, pantry, lists with their
/// entries, and chat. The document itself (no envelope), as a download. Any member may export.
#[utoipa::path(
    get,
    path = "/api/homes/{home_id}/export",
    tag = "portability",
    operation_id = "exportHome",
    security(("bearerAuth" = [])),
    params(("home_id" = Uuid, Path, description = "The home")),
    responses(
        (status = 200, description = "The document (not enveloped)", body = HomeExportSchema,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"pantry-pixie-<homeId>.json\"`"))),
        (status = 404, description = "No such home, or the caller is not a member (`NOT_FOUND`)", body = ErrorResponse),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn export(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let document = state
        .portability
        .export(&Actor::user(user.user_id), *path)
        .await
        .map_err(portability_error)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"pantry-pixie-{}.json\"", *path),
        ))
        .json(document))
}

/// Import a home
///
/// A new home from an export, owned by the caller, with new ids. All of it is created or none
/// of it: every problem is reported in `details`, each with its place in the document
/// (`items[3].name`).
#[utoipa::path(
    post,
    path = "/api/homes/import",
    tag = "portability",
    operation_id = "importHome",
    security(("bearerAuth" = [])),
    params(IdempotencyKey),
    request_body = HomeExportSchema,
    responses(
        (status = 201, description = "The new home", body = Success<HomeBody>),
        (status = 400, response = BadRequest),
        (status = 409, description = "A request with this `Idempotency-Key` is still running (`IDEMPOTENCY_IN_PROGRESS`)", body = ErrorResponse),
        (status = 422, response = KeyReused),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn import(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<HomeExport>,
) -> Result<HttpResponse, ApiError> {
    let home = state
        .portability
        .import(user.user_id, body.into_inner())
        .await
        .map_err(portability_error)?;
    Ok(envelope::created(crate::homes::routes::HomeBody::new(
        home,
        Some(pantry_core::homes::role::Role::Owner),
        Some(1),
    )))
}
