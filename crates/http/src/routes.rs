//! The route table: which routes exist and which scope (and therefore which limits) each
//! one sits in. Resources add their `configure` functions here.

use crate::health;
use actix_web::web;
use std::sync::Arc;

/// A function that registers routes into a scope.
pub type Routes = Arc<dyn Fn(&mut web::ServiceConfig) + Send + Sync>;

/// Routes grouped by the scope that wraps them.
#[derive(Clone)]
pub struct RouteTable {
    /// Unlimited probes at the root (`/health`, `/ready`): orchestrators call them often.
    pub probes: Routes,
    /// Routes under `/api/auth` (stricter rate limit).
    pub auth: Routes,
    /// Everything else under `/api`.
    pub api: Routes,
    /// What answers paths no route matched: the web app (`pantry-web`), composed by the
    /// binary; by default nothing, so those paths answer the JSON 404.
    pub fallback: Routes,
}

impl RouteTable {
    /// The routes the server serves.
    pub fn production() -> Self {
        Self {
            probes: Arc::new(probes),
            auth: Arc::new(crate::auth::routes::configure),
            api: Arc::new(|cfg| {
                // Before the home routes: "import" is not a home id.
                crate::homes::portability::configure(cfg);
                crate::homes::routes::configure(cfg);
                crate::homes::invites::configure(cfg);
                crate::homes::changes::configure(cfg);
                crate::items::routes::configure(cfg);
                crate::homes::activity::configure(cfg);
                crate::preferences::configure(cfg);
                crate::openapi::configure(cfg);
                crate::lists::routes::configure(cfg);
                crate::chat::routes::configure(cfg);
                crate::insights::routes::configure(cfg);
                crate::receipts::routes::configure(cfg);
                crate::notifications::routes::configure(cfg);
                crate::live::socket::configure(cfg);
            }),
            fallback: Arc::new(|_| {}),
        }
    }
}

/// Register routes as `web::resource(path).route(..)`: `ServiceConfig::route` moves the method
/// guard onto the resource, so a wrong method would answer 404 instead of 405.
fn probes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health").route(web::get().to(health::health)))
        .service(web::resource("/ready").route(web::get().to(health::ready)));
}
