//! `/api/homes/:homeId/items/*`: the pantry.

pub mod routes;
