//! `/api/homes/:homeId/items/*`: the pantry.

pub mod listing_cache;
pub mod routes;
