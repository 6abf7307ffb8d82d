//! What a request may cost before it runs. Each check is cheap next to the work it prevents: the
//! token count reads the text once without parsing it; the alias count walks the parsed document;
//! depth and complexity are async-graphql's own checks (connections cost `first`/`last` times
//! their selection, see the schema); execution runs under a timeout.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Counts GraphQL tokens (names, numbers, strings, punctuators), stopping past `max`. Comments,
/// white space and commas are not tokens.
pub fn tokens_within(query: &str, max: usize) -> bool {
    Tokens::new(query).take(max.saturating_add(1)).count() <= max
}

/// A document's lexical tokens as they are written (names, numbers, strings, punctuators),
/// without reading more of them than asked for: comments, white space, commas and a byte-order
/// mark are not tokens. Not a validating lexer: text that is not GraphQL still comes apart into
/// tokens, and the parser refuses it later.
pub struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(query: &'a str) -> Self {
        Self {
            bytes: query.as_bytes(),
            at: 0,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let bytes = self.bytes;
        let mut i = self.at;
        loop {
            match bytes.get(i)? {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
                0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        let start = i;
        match bytes[i] {
            b'"' => {
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        let end = i.min(bytes.len());
        self.at = end;
        Some(&bytes[start..end])
    }
}

/// The aliases a document uses, in operations and fragments alike.
pub fn aliases(doc: &ExecutableDocument) -> usize {
    fn in_set(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set.node))
        .sum::<usize>()
        + doc
            .fragments
            .values()
            .map(|f| in_set(&f.node.selection_set.node))
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_as_graphql_reads_them() {
        assert!(tokens_within("{ a }", 3));
        assert!(!tokens_within("{ a }", 2));
        // Comments, commas and white space are free; a string is one token, escapes and all.
        assert!(tokens_within(
            "# a b c d e\n{ a(x: \"b c \\\" d\", y: 1.5e3), b }",
            12
        ));
        assert!(!tokens_within("{ a(x: \"b c \\\" d\", y: 1.5e3), b }", 11));
        assert!(tokens_within("query { ...F } fragment F on Q { a }", 12));
        assert!(tokens_within(
            "{ a(x: \"\"\"block \"quoted\" string\"\"\") }",
            8
        ));
        assert!(!tokens_within(&"{ a ".repeat(1000), 1000));
    }

    #[test]
    fn aliases_are_counted_everywhere() {
        let doc = async_graphql::parser::parse_query(
            "query { a: x { b: y } ... on Q { c: z } ...F } fragment F on Q { d: w e }",
        )
        .unwrap();
        assert_eq!(aliases(&doc), 4);
    }
}
