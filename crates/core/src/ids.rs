//! Identifiers. Every entity id is a UUIDv7: globally unique without coordination between
//! replicas, and ordered by creation time, which keeps B-tree indexes compact.

use uuid::Uuid;

/// A new time-ordered identifier.
///
/// ```
/// let a = pantry_core::ids::new_id();
/// let b = pantry_core::ids::new_id();
/// assert!(a < b);
/// assert_eq!(a.get_version_num(), 7);
/// ```
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
