//! The receipt photo as a client sends it: a `data:image/...;base64,...` URL. It is checked
//! before it goes anywhere: an allowed type, valid base64, a bounded size, and bytes that
//! really start like that type of image. Remote URLs are refused, so the model is never
//! asked to fetch an address a user chose.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

/// The largest decoded image accepted: 5 MiB.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Why an image was refused; the messages are shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageError {
    /// Not a base64 data URL.
    #[error("image must be a data URL such as data:image/jpeg;base64,...")]
    NotDataUrl,
    /// A data URL of another type.
    #[error("image must be a JPEG, PNG, WebP or GIF")]
    UnsupportedType,
    /// The payload is not base64, or empty.
    #[error("image is not valid base64")]
    BadBase64,
    /// The bytes are not an image of the declared type.
    #[error("image data does not match its type")]
    NotThatType,
    /// Larger than [`MAX_IMAGE_BYTES`] once decoded.
    #[error("image is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

/// A checked receipt photo.
///
/// ```
/// use pantry_core::receipts::image::{ImageError, ReceiptImage};
/// // The 8-byte PNG signature is enough to pass the type check.
/// let png = "data:image/png;base64,iVBORw0KGgo=";
/// assert_eq!(ReceiptImage::parse(png).unwrap().media_type(), "image/png");
/// assert_eq!(ReceiptImage::parse("https://example.com/r.jpg"), Err(ImageError::NotDataUrl));
/// assert_eq!(ReceiptImage::parse("data:image/svg+xml;base64,PHN2Zz4="), Err(ImageError::UnsupportedType));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptImage {
    data_url: String,
    media_type: &'static str,
    bytes: usize,
}

const TYPES: [(&str, &str); 4] = [
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("webp", "image/webp"),
    ("gif", "image/gif"),
];

fn has_magic(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => false,
    }
}

impl ReceiptImage {
    /// Checks `data_url` with the default size limit.
    pub fn parse(data_url: &str) -> Result<ReceiptImage, ImageError> {
        Self::parse_limited(data_url, MAX_IMAGE_BYTES)
    }

    /// Checks `data_url`, refusing images over `limit` bytes (before decoding anything when
    /// the text alone is too long).
    pub fn parse_limited(data_url: &str, limit: usize) -> Result<ReceiptImage, ImageError> {
        let rest = data_url
            .trim()
            .strip_prefix("data:")
            .ok_or(ImageError::NotDataUrl)?;
        let (header, payload) = rest.split_once(',').ok_or(ImageError::NotDataUrl)?;
        let subtype = header
            .strip_suffix(";base64")
            .ok_or(ImageError::NotDataUrl)?
            .strip_prefix("image/")
            .ok_or(ImageError::UnsupportedType)?;
        let subtype = if subtype.eq_ignore_ascii_case("jpg") {
            "jpeg"
        } else {
            subtype
        };
        let media_type = TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(subtype))
            .map(|(_, media)| *media)
            .ok_or(ImageError::UnsupportedType)?;
        // Four base64 characters carry three bytes: refuse what cannot fit before decoding.
        if payload.len() / 4 * 3 > limit + 3 {
            return Err(ImageError::TooLarge { limit });
        }
        let bytes = STANDARD
            .decode(payload)
            .map_err(|_| ImageError::BadBase64)?;
        if bytes.is_empty() {
            return Err(ImageError::BadBase64);
        }
        if bytes.len() > limit {
            return Err(ImageError::TooLarge { limit });
        }
        if !has_magic(media_type, &bytes) {
            return Err(ImageError::NotThatType);
        }
        Ok(ReceiptImage {
            data_url: format!("data:{media_type};base64,{payload}"),
            media_type,
            bytes: bytes.len(),
        })
    }

    /// The data URL to hand to the model (with the canonical media type).
    pub fn data_url(&self) -> &str {
        &self.data_url
    }

    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// The decoded size in bytes.
    pub fn len(&self) -> usize {
        self.bytes
    }

    /// Never true for a checked image (empty ones are refused); here for completeness.
    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_refuses_its_case() {
        let jpeg = STANDARD.encode([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        assert!(ReceiptImage::parse(&format!("data:image/jpeg;base64,{jpeg}")).is_ok());
        assert!(ReceiptImage::parse(&format!("data:image/jpg;base64,{jpeg}")).is_ok());
        assert_eq!(
            ReceiptImage::parse(&format!("data:image/png;base64,{jpeg}")),
            Err(ImageError::NotThatType)
        );
        assert_eq!(
            ReceiptImage::parse("data:image/jpeg;base64,%%%"),
            Err(ImageError::BadBase64)
        );
        assert_eq!(
            ReceiptImage::parse("data:image/jpeg;base64,"),
            Err(ImageError::BadBase64)
        );
        assert_eq!(
            ReceiptImage::parse("data:image/jpeg,rawbytes"),
            Err(ImageError::NotDataUrl)
        );
        assert_eq!(
            ReceiptImage::parse("data:text/plain;base64,aGk="),
            Err(ImageError::UnsupportedType)
        );
        let big = STANDARD.encode(vec![0xFFu8; 40]);
        assert_eq!(
            ReceiptImage::parse_limited(&format!("data:image/jpeg;base64,{big}"), 30),
            Err(ImageError::TooLarge { limit: 30 })
        );
    }
}
