//! `/api/homes/*`: homes, members and home switching.

pub mod routes;
