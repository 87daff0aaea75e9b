//! `GET /api/homes/:id/export` and `POST /api/homes/import`: a household's data, whole.

use crate::auth::AuthUser;
use crate::envelope;
use crate::error::{ApiError, FieldError};
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

/// The document itself (no envelope), as a download.
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

/// A new home from an export; 201 with the home.
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
