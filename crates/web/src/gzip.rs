//! Gzipped copies of the text files, made once per file version and kept for the process.

use crate::assets::Asset;
use actix_web::web::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

type Cache = Mutex<HashMap<String, ([u8; 32], Bytes)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The gzipped bytes of `asset` (shared, not copied, per request), or `None` when gzip would not make it smaller. Keyed by the
/// file's hash, so a debug build that reads edited files from disk never serves a stale copy.
pub fn compressed(asset: &Asset) -> Option<Bytes> {
    if let Ok(cache) = cache().lock()
        && let Some((hash, bytes)) = cache.get(asset.path())
        && *hash == asset.hash()
    {
        return (bytes.len() < asset.data().len()).then(|| bytes.clone());
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(asset.data()).ok()?;
    let bytes = Bytes::from(encoder.finish().ok()?);
    if let Ok(mut cache) = cache().lock() {
        cache.insert(asset.path().to_owned(), (asset.hash(), bytes.clone()));
    }
    (bytes.len() < asset.data().len()).then_some(bytes)
}
