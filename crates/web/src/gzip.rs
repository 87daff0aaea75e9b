//! Gzipped copies of the text files, made once per file version and kept for the process.

use crate::assets::Asset;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

type Cache = Mutex<HashMap<String, ([u8; 32], Arc<[u8]>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The gzipped bytes of `asset`, or `None` when gzip would not make it smaller. Keyed by the
/// file's hash, so a debug build that reads edited files from disk never serves a stale copy.
pub fn compressed(asset: &Asset) -> Option<Vec<u8>> {
    if let Ok(cache) = cache().lock()
        && let Some((hash, bytes)) = cache.get(asset.path())
        && *hash == asset.hash()
    {
        return (bytes.len() < asset.data().len()).then(|| bytes.to_vec());
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(asset.data()).ok()?;
    let bytes: Arc<[u8]> = encoder.finish().ok()?.into();
    if let Ok(mut cache) = cache().lock() {
        cache.insert(asset.path().to_owned(), (asset.hash(), bytes.clone()));
    }
    (bytes.len() < asset.data().len()).then(|| bytes.to_vec())
}
