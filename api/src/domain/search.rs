//! Free-text search input, parsed once: trimmed, bounded, and escaped for `LIKE`.

pub const MAX_SEARCH_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

#[derive(Debug, thiserror::Error)]
pub enum InvalidSearchText {
    #[error("search text is empty")]
    Empty,
    #[error("search text is longer than {MAX_SEARCH_CHARS} characters")]
    TooLong,
}

impl SearchText {
    pub fn parse(value: &str) -> Result<Self, InvalidSearchText> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            Err(InvalidSearchText::Empty)
        } else if trimmed.chars().count() > MAX_SEARCH_CHARS {
            Err(InvalidSearchText::TooLong)
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    /// A case-folded `%…%` pattern in which `%`, `_` and `\` match themselves (escape `\`).
    pub fn contains_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_escaped() {
        let text = SearchText::parse("  100%_Ok\\ ").unwrap();
        assert_eq!(text.contains_pattern(), "%100\\%\\_ok\\\\%");
    }

    #[test]
    fn bounds() {
        assert!(matches!(
            SearchText::parse("   "),
            Err(InvalidSearchText::Empty)
        ));
        assert!(SearchText::parse(&"研".repeat(MAX_SEARCH_CHARS)).is_ok());
        assert!(matches!(
            SearchText::parse(&"研".repeat(MAX_SEARCH_CHARS + 1)),
            Err(InvalidSearchText::TooLong)
        ));
    }
}
