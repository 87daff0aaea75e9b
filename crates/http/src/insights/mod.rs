//! What the household spent and what it will soon need: `GET /api/homes/{id}/budget` and
//! `GET /api/homes/{id}/predictions`, over `pantry_core::insights`.

pub mod routes;
pub(crate) mod schemas;
