//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the wire types' `ToSchema` derives, and the routes that serve it:
//!
//! - `GET /api/openapi.json`: the document itself (not enveloped), built once per process;
//! - `GET /api/docs`: a reference page that renders it. The page and its script and stylesheet
//!   are compiled into the binary and served from our own origin, so they work under the strict
//!   `script-src 'self'` CSP. (The earlier server's page loaded Scalar from a CDN and was
//!   blocked by its own CSP.)
//!
//! To document a new route: annotate its handler with `#[utoipa::path(...)]`, derive
//! `ToSchema` on its bodies and add the handler to `paths(...)` below. `tests/openapi.rs`
//! fails until the route table and the document agree, and until `docs/openapi.json` is
//! regenerated.

use crate::edge::ErrorEnvelope;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use std::sync::LazyLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse, ToSchema};

pub(crate) mod mirrors;
mod tidy;
use tidy::Tidy;

/// The schema of every error body: `{success:false, error, code, requestId, details?,
/// retryAfter?}`.
pub(crate) type ErrorResponse = ErrorEnvelope<'static>;

// Reusable responses. They only describe bodies, so nothing constructs them.

/// Missing, malformed, expired or revoked bearer token (`UNAUTHORIZED`).
#[derive(ToResponse)]
#[allow(dead_code)]
pub(crate) struct Unauthorized(ErrorResponse);

/// Malformed JSON or query (`BAD_REQUEST`), or invalid fields (`VALIDATION_ERROR`, with one
/// `details` entry per field).
#[derive(ToResponse)]
#[allow(dead_code)]
pub(crate) struct BadRequest(ErrorResponse);

/// Too many requests from this client (`RATE_LIMIT`); retry after `Retry-After` seconds.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds to wait")))]
#[allow(dead_code)]
pub(crate) struct TooManyRequests(ErrorResponse);

/// The same `Idempotency-Key` was already used for a different request
/// (`IDEMPOTENCY_KEY_REUSED`); nothing ran. Pick a fresh key per intended change.
#[derive(ToResponse)]
#[allow(dead_code)]
pub(crate) struct KeyReused(ErrorResponse);

/// 409 `STALE_VERSION`: the request named a version that is no longer current, so nothing was
/// written. `current` is the row as it is now: show or merge it, then retry with its `version`.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct Stale<T> {
    /// Always `false`.
    #[schema(example = false)]
    success: bool,
    #[schema(example = "This was changed by someone else; here is the current version")]
    error: String,
    /// Always `STALE_VERSION`.
    #[schema(example = "STALE_VERSION")]
    code: String,
    /// Equals the `X-Request-Id` header and the id in the server log.
    #[schema(format = Uuid)]
    request_id: String,
    /// The row as it is now.
    current: T,
}

/// The header of a versioned write.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub(crate) struct IfMatch {
    /// Change it only if its `version` is still this one: `"3"` (also `3` or `W/"3"`; `*`
    /// matches any). Takes the place of `version` in the body or query. A stale version
    /// answers 409 `STALE_VERSION` with the row as it is now; without a version the last write
    /// wins.
    #[param(rename = "If-Match", nullable = false, example = "\"3\"")]
    if_match: Option<String>,
}

/// The header that makes a retry safe.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub(crate) struct IdempotencyKey {
    /// A fresh key (1 to 255 visible ASCII characters, e.g. a UUID) per intended change; send
    /// the same request with the same key on every retry. A retry after a 2xx answers the
    /// stored status and body with `Idempotent-Replayed: true` and does not run again; while
    /// the first request still runs it answers 409 `IDEMPOTENCY_IN_PROGRESS` with
    /// `Retry-After`. Keys last `IDEMPOTENCY_TTL` (24 hours by default).
    #[param(
        rename = "Idempotency-Key",
        nullable = false,
        example = "0193a0c4-5f7e-7c1a-9a4e-2f0c8d6b1e33"
    )]
    idempotency_key: Option<String>,
}

// Mirrors `pantry_core::homes::role::Role`, which cannot derive `ToSchema` (the core names no
// wire library); tests/openapi.rs keeps the two in step.
/// A member's role in a home: `owner` > `admin` > `member` > `viewer`.
#[derive(ToSchema)]
#[schema(as = Role, rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum RoleSchema {
    Viewer,
    Member,
    Admin,
    Owner,
}

// Mirrors `pantry_core::change_log::ActorKind`; tests/openapi.rs keeps the two in step.
/// Who made a change: a person, Pixie (for a person), or a scheduled job.
#[derive(ToSchema)]
#[schema(as = ActorKind, rename_all = "lowercase")]
#[allow(dead_code)]
pub(crate) enum ActorKindSchema {
    User,
    Pixie,
    System,
}

/// The HTTP API. Paths are sorted by the generator, so the document is stable.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pantry Pixie API",
        description = "Self-hosted household pantry, grocery lists and chat.\n\n\
Success bodies are `{success: true, data, timestamp}`; error bodies are `ErrorResponse`. \
Besides the statuses listed per operation, any route may answer 408 (`REQUEST_TIMEOUT`), \
413 (`PAYLOAD_TOO_LARGE`), 415 (`UNSUPPORTED_MEDIA_TYPE`), 500 (`INTERNAL_ERROR`) or 503 \
(`SERVICE_UNAVAILABLE`), always with an `ErrorResponse` body.",
    ),
    paths(
        crate::health::health,
        crate::health::ready,
        crate::auth::routes::register,
        crate::auth::routes::login,
        crate::auth::routes::refresh,
        crate::auth::routes::logout,
        crate::auth::routes::logout_all,
        crate::auth::routes::change_password,
        crate::auth::routes::me,
        crate::homes::routes::list,
        crate::homes::routes::create,
        crate::homes::routes::get,
        crate::homes::routes::update,
        crate::homes::routes::patch,
        crate::homes::routes::delete,
        crate::homes::routes::members,
        crate::homes::routes::set_role,
        crate::homes::routes::remove_member,
        crate::homes::routes::leave,
        crate::homes::routes::transfer,
        crate::homes::routes::activate,
        crate::homes::invites::create,
        crate::homes::invites::list,
        crate::homes::invites::revoke,
        crate::homes::invites::preview,
        crate::homes::invites::accept,
        crate::homes::changes::changes,
        crate::items::routes::list,
        crate::items::routes::create,
        crate::items::routes::stats,
        crate::items::routes::get,
        crate::items::routes::update,
        crate::items::routes::patch,
        crate::items::routes::delete,
        crate::items::routes::toggle,
        crate::items::routes::toggle_post,
        crate::items::routes::consume,
        crate::lists::routes::lists,
        crate::lists::routes::create,
        crate::lists::routes::default_list,
        crate::lists::routes::reorder,
        crate::lists::routes::get,
        crate::lists::routes::update,
        crate::lists::routes::patch,
        crate::lists::routes::delete,
        crate::lists::routes::stats,
        crate::lists::routes::complete,
        crate::lists::routes::complete_post,
        crate::lists::routes::uncomplete,
        crate::lists::routes::uncomplete_post,
        crate::lists::routes::reset,
        crate::lists::routes::reset_post,
        crate::lists::entries::add,
        crate::lists::entries::add_by_name,
        crate::lists::entries::reorder,
        crate::lists::entries::update,
        crate::lists::entries::patch,
        crate::lists::entries::remove,
        crate::lists::entries::toggle,
        crate::lists::entries::toggle_post,
        crate::lists::entries::bought,
        crate::homes::activity::activity,
        crate::homes::portability::export,
        crate::homes::portability::import,
        crate::chat::routes::threads,
        crate::chat::routes::create_thread,
        crate::chat::routes::get_thread,
        crate::chat::routes::rename_thread,
        crate::chat::routes::delete_thread,
        crate::chat::routes::messages,
        crate::chat::routes::send,
        crate::chat::routes::usage,
        crate::insights::routes::budget,
        crate::insights::routes::predictions,
        crate::receipts::routes::scan,
        crate::receipts::routes::confirm,
        crate::receipts::routes::list,
        crate::receipts::routes::get,
        crate::notifications::routes::inbox,
        crate::notifications::routes::read,
        crate::notifications::routes::read_all,
        crate::notifications::routes::add_to_list,
        crate::preferences::get,
        crate::preferences::update,
        openapi_json,
        docs,
    ),
    components(responses(Unauthorized, BadRequest, TooManyRequests, KeyReused)),
    modifiers(&BearerAuth, &Tidy),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "homes", description = "Homes: the households that share a pantry"),
        (name = "members", description = "Who belongs to a home, with which role"),
        (name = "invites", description = "Joining a home by code"),
        (name = "changes", description = "A home's change log, for resume and sync"),
        (name = "items", description = "The pantry: what the household has, how much, where, until when"),
        (name = "lists", description = "Grocery lists: what the household means to buy"),
        (name = "list-items", description = "The entries of a grocery list: a pantry item to buy, how much"),
        (name = "chat", description = "Chat threads and Pixie, the assistant that reads and changes the pantry and lists"),
        (name = "insights", description = "What the household spent and what it will soon need to restock"),
        (name = "receipts", description = "Receipts: read a photo with a vision model, review it, add it to the pantry at once"),
        (name = "activity", description = "A home's recent changes, for people to read"),
        (name = "notifications", description = "Each member's inbox: household and personal notices, read state, actions"),
        (name = "preferences", description = "The caller's preferences and those their home shares"),
        (name = "portability", description = "A whole home as a document: export and import"),
        (name = "probes", description = "Liveness and readiness (not under /api, not rate limited)"),
        (name = "meta", description = "This document and its reference page"),
    ),
)]
pub struct ApiDoc;

/// Adds the `bearerAuth` scheme that authenticated operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description =
            Some("The access token from register, login, refresh or activate".to_owned());
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// The document as served: pretty-printed JSON, generated on first use.
pub fn document_json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        // Serializing a tree of plain maps and strings cannot fail; answer an empty document
        // rather than panic if it ever did.
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned())
    });
    &JSON
}

/// Registers the document and its reference page (under `/api`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/openapi.json").route(web::get().to(openapi_json)))
        .service(web::resource("/docs").route(web::get().to(docs)))
        .service(web::resource("/docs/docs.js").route(web::get().to(docs_script)))
        .service(web::resource("/docs/docs.css").route(web::get().to(docs_style)));
}

/// This document
///
/// The OpenAPI 3.1 document of this API, as JSON (not enveloped).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses(
        (status = 200, description = "The OpenAPI document", body = serde_json::Value),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(document_json())
}

const DOCS_HTML: &str = include_str!("openapi/docs.html");
const DOCS_JS: &str = include_str!("openapi/docs.js");
const DOCS_CSS: &str = include_str!("openapi/docs.css");

/// Reference page
///
/// A page that renders this document for people. Its script and stylesheet are served from
/// the same origin, so it works under the server's CSP.
#[utoipa::path(
    get,
    path = "/api/docs",
    tag = "meta",
    operation_id = "docs",
    responses(
        (status = 200, description = "The HTML page", content_type = "text/html", body = String),
        (status = 429, response = TooManyRequests),
    ),
)]
async fn docs() -> HttpResponse {
    asset("text/html; charset=utf-8", DOCS_HTML)
}

async fn docs_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", DOCS_JS)
}

async fn docs_style() -> HttpResponse {
    asset("text/css; charset=utf-8", DOCS_CSS)
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        // The assets change with the binary; revalidating keeps an upgraded server's page fresh.
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body)
}
