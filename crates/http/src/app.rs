//! Assembly of the actix `App`: middleware order, extractor limits, scopes and routes.
//!
//! Order, from the outside in: the edge (request id, error envelope, security headers, access
//! log) → CORS (so that even a 429 carries CORS headers and the browser can read it) → the
//! declared-length body limit → routes. Under `/api`: penalty box → governor → timeout →
//! idempotent retries; and `/api/auth` adds its own stricter penalty box and governor.

use crate::config::HttpConfig;
use crate::edge::{self, EdgeSettings};
use crate::rate_limit::Limiter;
use crate::routes::RouteTable;
use crate::security_headers::SecurityHeaders;
use crate::state::AppState;
use crate::{cors, extractors, idempotency, limits};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, web};

/// The parts of the pipeline that must be shared by every worker: built once per process.
#[derive(Clone)]
pub struct Pipeline {
    pub config: HttpConfig,
    api_limiter: Limiter,
    auth_limiter: Limiter,
    edge: web::Data<EdgeSettings>,
}

impl Pipeline {
    pub fn new(config: HttpConfig, log: slog::Logger) -> Self {
        Self {
            api_limiter: Limiter::new(&config.rate_limit),
            auth_limiter: Limiter::new(&config.auth_rate_limit),
            edge: web::Data::new(EdgeSettings {
                security_headers: SecurityHeaders::new(config.production),
                trusted_proxies: config.trusted_proxies.clone(),
                log,
            }),
            config,
        }
    }
}

/// The whole application, as served and as tested. Call once per worker with the same
/// [`Pipeline`].
pub fn build_app(
    state: AppState,
    pipeline: Pipeline,
    routes: RouteTable,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let config = &pipeline.config;
    let auth_routes = routes.auth.clone();
    let api_routes = routes.api.clone();
    let probe_routes = routes.probes.clone();
    let fallback = routes.fallback.clone();

    App::new()
        .app_data(web::Data::new(state))
        .app_data(pipeline.edge.clone())
        .app_data(extractors::json_config(config.body_limit))
        .app_data(extractors::payload_config(config.body_limit))
        .app_data(extractors::query_config())
        .app_data(extractors::path_config())
        .configure(move |cfg| probe_routes(cfg))
        // The earlier clients' socket path, beside `/api/ws`, behind the same rate limit.
        .service(
            web::scope("/ws")
                .service(web::resource("").route(web::get().to(crate::live::socket::upgrade)))
                .wrap(pipeline.api_limiter.governor())
                .wrap(from_fn(pipeline.api_limiter.penalty_box())),
        )
        .service(
            web::scope("/api")
                .service(
                    web::scope("/auth")
                        .configure(move |cfg| auth_routes(cfg))
                        .wrap(pipeline.auth_limiter.governor())
                        .wrap(from_fn(pipeline.auth_limiter.penalty_box())),
                )
                .configure(move |cfg| api_routes(cfg))
                .wrap(from_fn(idempotency::idempotent_retries(config.body_limit)))
                .wrap(from_fn(limits::request_timeout(config.request_timeout)))
                .wrap(pipeline.api_limiter.governor())
                .wrap(from_fn(pipeline.api_limiter.penalty_box())),
        )
        .configure(move |cfg| fallback(cfg))
        .wrap(from_fn(limits::declared_body_limit(config.body_limit)))
        .wrap(cors::cors(
            config.allowed_origins.clone(),
            config.production,
        ))
        .wrap(from_fn(edge::edge))
}
