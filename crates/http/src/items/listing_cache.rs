//! The pantry list as last sent, per home and filter, labelled with the home's change-log
//! `seq` it was read at. A request whose home is still at that `seq` is answered with the same
//! bytes: one small membership-and-seq read instead of reading, decoding and serialising every
//! item. The `seq` comes from the database, so a change made through another instance is seen
//! at once; nothing here has to be told about writes.

use actix_web::web::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use uuid::Uuid;

/// Memory the cache may hold, in bytes of JSON: a few hundred busy pantries.
pub const DEFAULT_BUDGET_BYTES: u64 = 4 * 1024 * 1024;

/// A home and the filter of the request, in a canonical text form.
pub type ListingKey = (Uuid, String);

/// The `data` of a listing, serialised, and the `seq` it was read at.
#[derive(Clone)]
pub struct CachedListing {
    pub seq: i64,
    pub data: Bytes,
}

#[derive(Clone)]
struct ByLength;

impl Weighter<ListingKey, CachedListing> for ByLength {
    fn weight(&self, key: &ListingKey, value: &CachedListing) -> u64 {
        (key.1.len() + value.data.len() + 64) as u64
    }
}

/// Bounded by bytes; the least useful entries go first when it is full.
pub struct ListingCache {
    entries: Cache<ListingKey, CachedListing, ByLength>,
}

impl ListingCache {
    /// A cache holding at most about `budget_bytes` of listings.
    pub fn new(budget_bytes: u64) -> ListingCache {
        // quick_cache sizes its tables from an item estimate: pantries of ~20 KiB.
        let estimated_items = (budget_bytes / 20_000).max(16) as usize;
        ListingCache {
            entries: Cache::with_weighter(estimated_items, budget_bytes, ByLength),
        }
    }

    pub fn get(&self, key: &ListingKey) -> Option<CachedListing> {
        self.entries.get(key)
    }

    pub fn put(&self, key: ListingKey, listing: CachedListing) {
        self.entries.insert(key, listing);
    }
}

impl Default for ListingCache {
    fn default() -> Self {
        ListingCache::new(DEFAULT_BUDGET_BYTES)
    }
}
