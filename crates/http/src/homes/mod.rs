//! `/api/homes/*` and `/api/invites/*`: homes, members, invites, home switching, and the
//! home's change and activity feeds.

pub mod activity;
pub mod changes;
pub mod invites;
pub mod portability;
pub mod routes;
