//! Roles within a home, ordered by power.

use serde::{Deserialize, Serialize};

/// A member's role. Ordering follows power: `Viewer < Member < Admin < Owner`.
///
/// ```
/// use pantry_core::homes::role::Role;
/// assert!(Role::Owner > Role::Admin && Role::Member > Role::Viewer);
/// assert!(Role::Member.can_write() && !Role::Viewer.can_write());
/// assert_eq!(Role::parse("admin"), Some(Role::Admin));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads only.
    Viewer,
    /// Reads and changes the pantry, lists and chat.
    Member,
    /// Also edits the home and manages members and invites.
    Admin,
    /// Also deletes the home and hands it over.
    Owner,
}

impl Role {
    /// The stored and wire spelling (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    /// The role spelled `s` (as [`Role::as_str`] writes it), if any.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    /// May change the pantry, lists and chat.
    pub fn can_write(self) -> bool {
        self >= Role::Member
    }

    /// May edit the home and manage members and invites.
    pub fn can_manage(self) -> bool {
        self >= Role::Admin
    }
}
