//! `/api/homes/*` and `/api/invites/*`: homes, members, invites and home switching.

pub mod changes;
pub mod invites;
pub mod portability;
pub mod routes;
