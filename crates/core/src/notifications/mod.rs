//! Notifications: the household inbox. A notice is addressed to one member or to the whole
//! household, is read or unread for each member on their own, can be muted by type, and
//! coalesces a partner's bursts ("Alice added 3 items").
//!
//! - [`notice`]: the kinds and a notice to create; [`notification`]: a notice as a member
//!   sees it, and the storage port; [`partner`]: partner activity and its coalescing;
//!   [`service`]: the inbox use cases.

pub mod notice;
pub mod notification;
pub mod partner;
pub mod service;

pub use notice::{NewNotice, NoticeKind};
pub use notification::{InboxQuery, Notification, NotificationRepository};
pub use partner::{PartnerActivity, PartnerVerb};
pub use service::{AddedToList, NotificationError, NotificationService};
