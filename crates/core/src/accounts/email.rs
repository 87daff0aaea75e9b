//! Email addresses: trimmed, checked for a plausible shape, and compared case-insensitively
//! through their normalised (lower-case) form, which is what the unique index holds.

use thiserror::Error;

/// A plausible email address as the user typed it, plus its normalised form.
///
/// ```
/// use pantry_core::accounts::email::Email;
/// let e = Email::parse("  Alice@Example.COM ").unwrap();
/// assert_eq!(e.as_str(), "Alice@Example.COM");
/// assert_eq!(e.normalized(), "alice@example.com");
/// assert!(Email::parse("not-an-email").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

/// Why an address was refused; the messages are shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum EmailError {
    /// Not of the shape `local@domain.tld` (or contains spaces or control characters).
    #[error("must be a valid email address")]
    Invalid,
    /// Longer than the 255 characters the column holds.
    #[error("must be at most 255 characters")]
    TooLong,
}

impl Email {
    /// Trims `raw` and checks that it looks like an address. Deliverability is not checked:
    /// the only proof of an address is a mail that arrives.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let display = raw.trim();
        if display.chars().count() > 255 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = display.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let plausible = !local.is_empty()
            && local.len() <= 64
            && !domain.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !local.contains('@')
            && !display.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            return Err(EmailError::Invalid);
        }
        Ok(Email {
            display: display.to_owned(),
            normalized: normalize(display),
        })
    }

    /// The address as entered (trimmed).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The form used for lookups and uniqueness.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// The lookup form of any string, valid address or not (so that a login with a malformed
/// address is throttled and answered exactly like one with an unknown address).
pub fn normalize(raw: &str) -> String {
    raw.trim().to_lowercase()
}
