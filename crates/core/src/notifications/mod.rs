//! Notifications: the household inbox. A notice is addressed to one member or to the whole
//! household, is read or unread for each member on their own, can be muted by type, and
//! coalesces a partner's bursts ("Alice added 3 items").

pub mod notice;

pub use notice::{NewNotice, NoticeKind};
