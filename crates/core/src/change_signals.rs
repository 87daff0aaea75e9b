//! Hints that a home's change log moved: the fan-out port behind live updates.
//!
//! The change log ([`crate::change_log`]) is the truth. A signal only says "home H reached
//! seq N" (or "something may have been missed, look again"); whoever delivers events reads
//! them from the log after the last seq it delivered. Lost, duplicated, early or late hints
//! therefore cost at most a read: they can never cause a gap or a duplicate.
//!
//! Adapters: in-process for a single instance (SQLite), PostgreSQL `LISTEN/NOTIFY` for
//! several replicas on one database.

use async_trait::async_trait;
use uuid::Uuid;

/// One hint about the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeHint {
    /// The home's log reached at least `seq`. Depending on the adapter the hint may arrive
    /// shortly before the change is visible to readers (it is sent inside the writing
    /// transaction) or only after it committed; a hint for a change that was rolled back
    /// may arrive too. Readers that find less than `seq` try again shortly.
    Appended {
        /// The home whose log grew.
        home_id: Uuid,
        /// Its seq after the append.
        seq: i64,
    },
    /// The home was deleted with everything in it, its log included.
    HomeDeleted {
        /// The home that is gone.
        home_id: Uuid,
    },
    /// Hints may have been lost (a listener reconnected, a receiver fell behind): every home
    /// of interest must be read again from the last seq delivered.
    Resync,
}

impl ChangeHint {
    /// The wire form adapters use to carry a hint as text (PostgreSQL `NOTIFY` payloads):
    /// `<home id>:<seq>` or `<home id>:deleted`. [`ChangeHint::Resync`] has none: it is
    /// never sent, only concluded.
    ///
    /// ```
    /// use pantry_core::change_signals::ChangeHint;
    /// let home_id = uuid::Uuid::nil();
    /// let hint = ChangeHint::Appended { home_id, seq: 7 };
    /// let text = hint.to_text().unwrap();
    /// assert_eq!(text, "00000000-0000-0000-0000-000000000000:7");
    /// assert_eq!(ChangeHint::parse(&text), Some(hint));
    /// assert_eq!(ChangeHint::parse("nonsense"), None);
    /// ```
    pub fn to_text(&self) -> Option<String> {
        match self {
            ChangeHint::Appended { home_id, seq } => Some(format!("{home_id}:{seq}")),
            ChangeHint::HomeDeleted { home_id } => Some(format!("{home_id}:deleted")),
            ChangeHint::Resync => None,
        }
    }

    /// Reads the text form written by [`ChangeHint::to_text`]; `None` for anything else.
    pub fn parse(text: &str) -> Option<ChangeHint> {
        let (home, what) = text.split_once(':')?;
        let home_id = Uuid::parse_str(home).ok()?;
        if what == "deleted" {
            return Some(ChangeHint::HomeDeleted { home_id });
        }
        let seq = what.parse::<i64>().ok().filter(|seq| *seq > 0)?;
        Some(ChangeHint::Appended { home_id, seq })
    }
}

/// A source of [`ChangeHint`]s for the whole instance.
pub trait ChangeSignals: Send + Sync {
    /// A new receiver of hints sent from now on. Every receiver sees every hint (or a
    /// [`ChangeHint::Resync`] in place of hints it missed).
    fn subscribe(&self) -> Box<dyn ChangeHints>;
}

/// One receiver of hints.
#[async_trait]
pub trait ChangeHints: Send {
    /// The next hint; `None` once the source is gone for good.
    async fn next(&mut self) -> Option<ChangeHint>;
}
