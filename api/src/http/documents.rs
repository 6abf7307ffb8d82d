//! Parsed documents, kept by their text. Clients send the same few documents over and over, and
//! parsing one with async-graphql's grammar was 5.5 % of the directory page's CPU in the profile
//! (BENCHMARKS.md). A document that parsed and passed the token limit is kept; the next request
//! with the same text starts from a copy of its syntax tree, and every later step (the limits,
//! the input checks, validation, execution) runs on it as on a fresh parse.
//!
//! Bounded by the text kept ([`CAPACITY_BYTES`]; a tree is a few times its text), the least used
//! evicted first (moka's TinyLFU, which also keeps one-off documents from pushing out the
//! frequent ones); long documents are not kept.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use moka::sync::Cache;

/// Bytes of document text kept at most.
const CAPACITY_BYTES: u64 = 2 << 20;

/// Documents longer than this are parsed for each request.
const MAX_DOCUMENT_BYTES: usize = 8 << 10;

pub struct Documents(Cache<Arc<str>, Arc<ExecutableDocument>>);

impl Default for Documents {
    fn default() -> Self {
        Self(
            Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|text: &Arc<str>, _| u32::try_from(text.len()).unwrap_or(u32::MAX))
                .build(),
        )
    }
}

impl Documents {
    /// A copy of the tree of this text, if it was kept.
    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        self.0.get(text).map(|document| (*document).clone())
    }

    /// Keeps the tree of an admitted text.
    pub fn keep(&self, text: &str, document: &ExecutableDocument) {
        if text.len() <= MAX_DOCUMENT_BYTES {
            self.0.insert(Arc::from(text), Arc::new(document.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_document_comes_back_as_parsed_and_a_long_one_is_not_kept() {
        let documents = Documents::default();
        let text = "query Page { organizations(first: 2) { nodes { code } } }";
        assert!(documents.get(text).is_none());
        let parsed = async_graphql::parser::parse_query(text).unwrap();
        documents.keep(text, &parsed);
        let kept = documents.get(text).expect("kept");
        assert_eq!(format!("{kept:?}"), format!("{parsed:?}"));
        assert!(
            documents
                .get("query Other { organizations { nodes { code } } }")
                .is_none()
        );

        let long = format!("{{ {} }}", "__typename ".repeat(MAX_DOCUMENT_BYTES / 10));
        documents.keep(&long, &async_graphql::parser::parse_query(&long).unwrap());
        assert!(documents.get(&long).is_none());
    }
}
