//! The shape of our function middleware (mounted with `actix_web::middleware::from_fn`).

use actix_web::dev::ServiceResponse;
use std::future::Future;
use std::pin::Pin;

/// What a function middleware returns for one request.
pub type MiddlewareFuture<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<B>, actix_web::Error>>>>;
