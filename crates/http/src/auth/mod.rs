//! Authentication over HTTP: password hashing and token adapters, the `AuthUser` extractor,
//! and the `/api/auth/*` routes.

pub mod argon2_hasher;
pub mod extractor;
pub mod hashing_pool;
pub mod jwt;
pub mod random_tokens;
pub mod routes;

pub use extractor::AuthUser;
