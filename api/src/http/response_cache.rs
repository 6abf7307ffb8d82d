//! Public reads from memory. Partner websites send the same few directory queries over and over:
//! an anonymous query that ran without errors is kept, by its normalised document (white space,
//! commas and comments do not count; a persisted query's hash stands for its document), its
//! variables and its operation name, and the next anonymous caller who sends the same gets the
//! same reply without executing it (and a GET whose `If-None-Match` names it a 304).
//!
//! - Bounded: `IIN_RESPONSE_CACHE_MB` (default 64; 0 turns the cache off) of replies and keys,
//!   the least used evicted first (moka's TinyLFU); none older than `IIN_CACHE_MAX_AGE_SECS`,
//!   for answers that follow from the date (an award's expiry).
//! - Current: every committed write ends the generation of writes
//!   ([`crate::domain::events::EventBus::generation`]) on this instance at once, and on every
//!   other instance when the channel that carries subscriptions' events delivers it. A reply is
//!   served only in the generation it was computed in (read before it ran), so a reader never
//!   gets an answer older than a write whose reply it has seen, after the channel's delivery.
//! - Only anonymous callers: an authenticated caller's reply depends on who asks, and is
//!   neither read from nor written to the cache.
//!
//! Hits, misses and evictions are counted in `/metrics`.

use std::{sync::Arc, time::Duration};

use actix_web::web::Bytes;
use moka::{notification::RemovalCause, sync::Cache};
use prometheus::IntCounter;

use super::admission::Params;

/// What identifies a reply: the same key, the same answer (for an anonymous caller, in one
/// generation of writes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    /// The document's tokens one space apart, or `#` and a persisted query's hash.
    document: Vec<u8>,
    operation_name: Option<String>,
    /// The variables as canonical JSON (keys in order).
    variables: String,
}

impl Key {
    pub(super) fn of(params: &Params) -> Self {
        let document = match (&params.query, &params.persisted) {
            (Some(query), _) => normalise(query),
            (None, Some(hash)) => format!("#{hash}").into_bytes(),
            (None, None) => Vec::new(),
        };
        Self {
            document,
            operation_name: params.operation_name.clone(),
            // No variables and `{}` are the same request.
            variables: params
                .variables
                .as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| serde_json::Value::Object(v.clone()).to_string())
                .unwrap_or_default(),
        }
    }

    fn weight(&self) -> usize {
        self.document.len()
            + self.variables.len()
            + self.operation_name.as_ref().map_or(0, String::len)
    }
}

/// A reply kept: its JSON text and validator, and the generation it was computed in.
pub(in crate::http) struct Cached {
    pub text: Bytes,
    pub etag: String,
    generation: u64,
}

/// The cache's counters in `/metrics`.
#[derive(Clone)]
pub struct Counters {
    pub hits: IntCounter,
    pub misses: IntCounter,
    pub evictions: IntCounter,
}

pub struct ResponseCache {
    /// `None` when `IIN_RESPONSE_CACHE_MB` is 0.
    entries: Option<Cache<Key, Arc<Cached>>>,
    counters: Counters,
}

/// Bytes counted for an entry beyond its key and text: the map's node, the `Arc`, the tag.
const OVERHEAD: usize = 160;

impl ResponseCache {
    pub fn new(megabytes: u64, max_age: Duration, counters: Counters) -> Self {
        let entries = (megabytes > 0).then(|| {
            let evictions = counters.evictions.clone();
            Cache::builder()
                .max_capacity(megabytes.saturating_mul(1024 * 1024))
                .weigher(|key: &Key, value: &Arc<Cached>| {
                    u32::try_from(key.weight() + value.text.len() + OVERHEAD).unwrap_or(u32::MAX)
                })
                .time_to_live(max_age.max(Duration::from_secs(1)))
                .eviction_listener(move |_, _, cause| {
                    if cause == RemovalCause::Size {
                        evictions.inc();
                    }
                })
                .build()
        });
        Self { entries, counters }
    }

    pub(super) fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The reply kept under `key`, if it was computed in `generation`; counts a hit or a miss.
    pub(super) fn get(&self, key: &Key, generation: u64) -> Option<Arc<Cached>> {
        let entries = self.entries.as_ref()?;
        match entries.get(key) {
            Some(cached) if cached.generation == generation => {
                self.counters.hits.inc();
                Some(cached)
            }
            stale => {
                if stale.is_some() {
                    entries.invalidate(key);
                }
                self.counters.misses.inc();
                None
            }
        }
    }

    /// Keeps a reply computed in `generation` (read before it ran).
    pub(super) fn put(&self, key: Key, text: String, generation: u64) -> Arc<Cached> {
        let etag = super::graphql::etag(text.as_bytes());
        let cached = Arc::new(Cached {
            text: Bytes::from(text),
            etag,
            generation,
        });
        if let Some(entries) = &self.entries {
            entries.insert(key, cached.clone());
        }
        cached
    }
}

/// The document's tokens, one space apart: white space, commas (insignificant in GraphQL) and
/// comments do not count; strings are kept as written. Bytes, not text: a document that is not
/// GraphQL may split a character, and must still not meet another one's key.
pub(super) fn normalise(query: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(query.len());
    for token in super::limits::Tokens::new(query) {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(token);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evictions_keep_the_cache_within_its_bound_and_are_counted() {
        let counters = fresh_counters();
        let cache = ResponseCache::new(1, Duration::from_secs(60), counters.clone());
        let text = "x".repeat(100_000);
        let key = |i: usize| Key {
            document: format!("{{ q{i} }}").into_bytes(),
            operation_name: None,
            variables: String::new(),
        };
        for i in 0..30 {
            cache.put(key(i), text.clone(), 0);
        }
        let entries = cache.entries.as_ref().expect("on");
        entries.run_pending_tasks();
        assert!(counters.evictions.get() > 0);
        assert!(entries.weighted_size() <= 1024 * 1024);
    }

    fn fresh_counters() -> Counters {
        let counter = |name: &str| IntCounter::new(name, name).expect("a counter");
        Counters {
            hits: counter("hits"),
            misses: counter("misses"),
            evictions: counter("evictions"),
        }
    }

    #[test]
    fn an_entry_serves_only_the_generation_it_was_computed_in() {
        let counters = fresh_counters();
        let cache = ResponseCache::new(1, Duration::from_secs(60), counters.clone());
        let key = |i: usize| Key {
            document: format!("{{ q{i} }}").into_bytes(),
            operation_name: None,
            variables: String::new(),
        };
        cache.put(key(99), "{}".to_owned(), 1);
        assert!(cache.get(&key(99), 2).is_none());
        assert!(cache.get(&key(99), 1).is_none(), "forgotten once stale");
        cache.put(key(99), "{}".to_owned(), 2);
        assert!(cache.get(&key(99), 2).is_some());
        assert_eq!((counters.hits.get(), counters.misses.get()), (1, 2));
    }

    #[test]
    fn white_space_commas_and_comments_do_not_count_but_strings_do() {
        let a = normalise("{ organization(code: \"aist\") { nameEn } }");
        let b = normalise("# the AIST\n{organization(code:\"aist\"),{\n\tnameEn # English\n}}");
        assert_eq!(a, b);
        assert_ne!(a, normalise("{ organization(code: \"aist \") { nameEn } }"));
        assert_eq!(
            normalise("query Q($a: Int = 1) { x(s: \"\"\"a # b\"\"\") ...F }"),
            b"query Q ( $ a : Int = 1 ) { x ( s : \"\"\"a # b\"\"\" ) ... F }"
        );
        // Text that is not GraphQL comes apart without a panic, even inside a character.
        assert!(!normalise("{ 電池 \"x\\").is_empty());
    }
}
