//! The embedded files and what the server needs to know about each.

use actix_web::web::Bytes;
use rust_embed::Embed;
use std::borrow::Cow;

#[derive(Embed)]
#[folder = "assets/"]
struct Files;

/// One file of the app.
pub struct Asset {
    path: String,
    data: Cow<'static, [u8]>,
    hash: [u8; 32],
    mime: String,
}

impl Asset {
    /// The file at a request path (`/js/app.js`); `/` is `index.html`. Paths with `..` or
    /// empty segments match nothing.
    pub fn find(path: &str) -> Option<Asset> {
        let relative = path.strip_prefix('/')?;
        let relative = if relative.is_empty() {
            "index.html"
        } else {
            relative
        };
        if relative
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return None;
        }
        let file = Files::get(relative)?;
        Some(Asset {
            path: relative.to_owned(),
            hash: file.metadata.sha256_hash(),
            mime: file.metadata.mimetype().to_owned(),
            data: file.data,
        })
    }

    /// Every file's path, for tests and the service worker's list.
    pub fn paths() -> impl Iterator<Item = Cow<'static, str>> {
        Files::iter()
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's bytes as a body: the embedded ones themselves in release builds (no copy),
    /// the bytes read from disk in debug builds.
    pub fn bytes(&self) -> Bytes {
        match &self.data {
            Cow::Borrowed(data) => Bytes::from_static(data),
            Cow::Owned(data) => Bytes::from(data.clone()),
        }
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// The first 16 bytes of the SHA-256, in hex: enough to tell versions apart.
    pub fn hash_hex(&self) -> String {
        self.hash[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn content_type(&self) -> String {
        let mime = match self.path.rsplit('.').next() {
            Some("webmanifest") => "application/manifest+json",
            Some("js" | "mjs") => "text/javascript",
            _ => self.mime.as_str(),
        };
        if mime.starts_with("text/") || mime.ends_with("json") || mime == "image/svg+xml" {
            format!("{mime}; charset=utf-8")
        } else {
            mime.to_owned()
        }
    }

    /// Text worth gzipping; images other than SVG are compressed already.
    pub fn compressible(&self) -> bool {
        let mime = self.content_type();
        self.data.len() > 512
            && (mime.starts_with("text/") || mime.contains("json") || mime.contains("svg"))
    }

    pub fn is_service_worker(&self) -> bool {
        self.path == "sw.js"
    }
}
