//! Free-text search, in Japanese and English, on both databases: the one rule for every area
//! that searches (organisations, SMEs, patents).
//!
//! Japanese has no spaces, so words cannot be indexed: both databases index trigrams (every run
//! of three characters) of the searched columns. PostgreSQL uses `pg_trgm`'s GIN indexes for
//! `ILIKE '%term%'`; SQLite an FTS5 table with the `trigram` tokenizer per searched table, asked
//! with `MATCH`. A trigram index needs three characters: a term of one or two characters (電池,
//! "AI") falls back to a `LIKE` scan, which finds the same rows, only without the index.
//!
//! The text is trimmed, bounded, case-folded and split at spaces into terms that must all occur,
//! each in any of the searched columns.

use sea_orm::{
    Condition, DbBackend,
    sea_query::{
        BinOper, Expr, ExprTrait, IntoColumnRef, SimpleExpr, extension::postgres::PgBinOper,
    },
};

pub const MAX_SEARCH_CHARS: usize = 100;

/// The characters a trigram index needs to be used.
pub const INDEXED_TERM_CHARS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// The whole text, case-folded.
    text: String,
    /// Its space-separated terms, case-folded.
    terms: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InvalidSearchText {
    #[error("search text is empty")]
    Empty,
    #[error("search text is longer than {MAX_SEARCH_CHARS} characters")]
    TooLong,
}

/// A table's searchable text: its columns, and (on SQLite) the FTS5 table that indexes them,
/// kept in step with the table by triggers (see the migrations that create them); a small table
/// without one is searched with `LIKE` alone.
#[derive(Debug, Clone, Copy)]
pub struct TextIndex {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub fts_table: Option<&'static str>,
}

impl SearchText {
    pub fn parse(value: &str) -> Result<Self, InvalidSearchText> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(InvalidSearchText::Empty);
        }
        if trimmed.chars().count() > MAX_SEARCH_CHARS {
            return Err(InvalidSearchText::TooLong);
        }
        let text = trimmed.to_lowercase();
        let terms = text.split_whitespace().map(str::to_owned).collect();
        Ok(Self { text, terms })
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The condition on `index.table` that every term occurs in one of its columns.
    pub fn condition(&self, backend: DbBackend, index: &TextIndex) -> Condition {
        self.terms.iter().fold(Condition::all(), |all, term| {
            all.add(term_condition(term, backend, index))
        })
    }

    /// How well a row's names (titles) fit the search: higher is better. Whole text equal to a
    /// name, then a name starting with it, then containing it; each term found in a name adds;
    /// among equals, the shorter name is the closer fit.
    pub fn score(&self, names: &[&str]) -> i64 {
        let names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        let any = |test: &dyn Fn(&str) -> bool| names.iter().any(|n| test(n));
        let mut score = 0;
        if any(&|n| n == self.text) {
            score += 1000;
        } else if any(&|n| n.starts_with(&self.text)) {
            score += 500;
        } else if any(&|n| n.contains(&self.text)) {
            score += 300;
        }
        for term in &self.terms {
            if any(&|n| n.contains(term.as_str())) {
                score += 100;
            }
        }
        let length = names
            .iter()
            .map(|n| n.chars().count())
            .min()
            .unwrap_or(0)
            .min(99) as i64;
        score * 100 + (99 - length)
    }
}

/// A searched column's text made of several parts (titles, names, descriptions): each trimmed, the
/// empty ones left out, a line each.
pub fn text_of(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `%…%` pattern in which `%`, `_` and `\` match themselves (escape `\`).
pub fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `column LIKE 'pattern' ESCAPE '\'`, the pattern written into the statement as a literal
/// (quoted by the query builder of the backend at hand), not bound.
///
/// sqlx prepares each statement once per connection, and after five runs PostgreSQL may plan it
/// once for any values. For a pattern, such a generic plan is blind: it cannot tell a field that
/// half the SMEs list from one that three do, nor a search term found in three names from one
/// found in thousands, and picks a plan that reads a whole table (an SME search at scale 10:
/// 45 ms generic, 1 ms planned for its term). A literal pattern is planned for itself, and every
/// other statement keeps its one plan. Patterns are few (codes, ids, a user's search terms) and
/// their statements take their turn in sqlx's per-connection statement cache.
pub fn like(column: impl IntoColumnRef, pattern: String) -> SimpleExpr {
    Expr::col(column).binary(
        BinOper::Like,
        Expr::Constant(pattern.into()).binary(BinOper::Escape, Expr::Constant('\\'.into())),
    )
}

/// `column = 'value'`, the value written into the statement as a literal (see [`like`]), for a
/// filter over a few values of very different frequencies: each value gets a plan of its own.
/// Bound, the evaluations' rating (A is 883 of 1,000,000 evaluations at scale 10) got PostgreSQL's
/// generic plan after five runs, which reads the table from the start until it has counted 1,001
/// matches: 643 ms, against 2.8 ms planned for `'A'` (an index).
pub fn literal_eq(column: impl IntoColumnRef, value: impl Into<sea_orm::Value>) -> SimpleExpr {
    Expr::col(column).eq(Expr::Constant(value.into()))
}

/// An FTS5 string: one phrase, in which the trigram tokenizer finds the term as a substring.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// One term in any of the index's columns. Each backend spells its placeholder its own way in
/// custom SQL (`$1` or `?`). Table and column names are compile-time constants, never input.
fn term_condition(term: &str, backend: DbBackend, index: &TextIndex) -> Condition {
    let TextIndex {
        table,
        columns,
        fts_table,
    } = *index;
    let indexed = term.chars().count() >= INDEXED_TERM_CHARS;
    let each = |sql: &dyn Fn(&str) -> String| {
        columns.iter().fold(Condition::any(), |any, column| {
            any.add(Expr::cust_with_values(
                sql(column),
                [contains_pattern(term)],
            ))
        })
    };
    match (backend, fts_table) {
        // The GIN trigram indexes serve ILIKE for three characters or more; shorter terms scan.
        // The pattern is a literal, planned for itself (see [`like`]); PostgreSQL's LIKE escapes
        // with `\` unless told otherwise.
        (DbBackend::Postgres, _) => columns.iter().fold(Condition::any(), |any, column| {
            any.add(Expr::col((table, *column)).binary(
                PgBinOper::ILike,
                Expr::Constant(contains_pattern(term).into()),
            ))
        }),
        (_, Some(fts_table)) if indexed => {
            Condition::all().add::<SimpleExpr>(Expr::cust_with_values(
                format!(
                    r#""{table}"."id" IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH ?)"#
                ),
                [fts_phrase(term)],
            ))
        }
        // SQLite's lower() folds ASCII only, as does its LIKE: enough for English terms.
        _ => each(&|column| format!(r#"lower("{table}"."{column}") LIKE ? ESCAPE '\'"#)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: TextIndex = TextIndex {
        table: "patents",
        columns: &["search_text"],
        fts_table: Some("patents_fts"),
    };

    fn sql(search: &str, backend: DbBackend) -> String {
        let condition = SearchText::parse(search)
            .unwrap()
            .condition(backend, &INDEX);
        let query = sea_orm::sea_query::Query::select()
            .cond_where(condition)
            .to_owned();
        match backend {
            DbBackend::Postgres => query.to_string(sea_orm::sea_query::PostgresQueryBuilder),
            _ => query.to_string(sea_orm::sea_query::SqliteQueryBuilder),
        }
    }

    #[test]
    fn terms_are_split_and_folded() {
        let search = SearchText::parse("  Fuel  CELL 燃料電池 ").unwrap();
        assert_eq!(search.terms(), ["fuel", "cell", "燃料電池"]);
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

    #[test]
    fn an_equality_planned_for_its_value_writes_the_value() {
        let (sql, values) = sea_orm::sea_query::Query::select()
            .column(sea_orm::sea_query::Asterisk)
            .from(sea_orm::sea_query::Alias::new("evaluations"))
            .and_where(literal_eq(sea_orm::sea_query::Alias::new("rating"), "A"))
            .build(sea_orm::sea_query::PostgresQueryBuilder);
        assert!(sql.ends_with(r#"WHERE "rating" = 'A'"#), "{sql}");
        assert!(values.0.is_empty(), "{values:?}");
    }

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(contains_pattern("100%_ok\\"), "%100\\%\\_ok\\\\%");
        assert!(sql("a\"b", DbBackend::Sqlite).contains("MATCH '\"a\"\"b\"'"));
    }

    #[test]
    fn short_terms_fall_back_to_like_on_sqlite() {
        let long = sql("燃料電池", DbBackend::Sqlite);
        assert!(long.contains("MATCH '\"燃料電池\"'"), "{long}");
        let short = sql("電池", DbBackend::Sqlite);
        assert!(short.contains("LIKE '%電池%'"), "{short}");
        assert!(!short.contains("MATCH"), "{short}");
    }

    #[test]
    fn every_term_must_occur_in_some_column() {
        let index = TextIndex {
            table: "smes",
            columns: &["name_ja", "name_en"],
            fts_table: Some("smes_fts"),
        };
        let condition = SearchText::parse("tokai 精密")
            .unwrap()
            .condition(DbBackend::Postgres, &index);
        let text = sea_orm::sea_query::Query::select()
            .cond_where(condition)
            .to_owned()
            .to_string(sea_orm::sea_query::PostgresQueryBuilder);
        assert_eq!(text.matches(" AND ").count(), 1, "{text}");
        assert_eq!(text.matches(" OR ").count(), 2, "{text}");
        assert!(
            text.contains(r#""smes"."name_ja" ILIKE '%精密%'"#),
            "{text}"
        );
    }

    #[test]
    fn terms_are_literals_on_postgresql_and_bound_on_sqlite() {
        use sea_orm::{EntityTrait, QueryFilter, QueryTrait};
        let search = SearchText::parse("燃料電池 ab it's 100%\\").unwrap();
        let index = TextIndex {
            table: "smes",
            columns: &["name_ja", "name_en"],
            fts_table: Some("smes_fts"),
        };
        // PostgreSQL: each term written into the statement, quoted and escaped, once per column.
        let postgres = entity::sme::Entity::find()
            .filter(search.condition(DbBackend::Postgres, &index))
            .build(DbBackend::Postgres);
        assert!(
            postgres.values.is_none_or(|v| v.0.is_empty()),
            "{}",
            postgres.sql
        );
        for literal in [
            r#""smes"."name_en" ILIKE '%燃料電池%'"#,
            r#""smes"."name_ja" ILIKE '%ab%'"#,
            r#""smes"."name_ja" ILIKE E'%it\'s%'"#,
            r#""smes"."name_en" ILIKE E'%100\\%\\\\%'"#,
        ] {
            assert!(
                postgres.sql.contains(literal),
                "{literal} in {}",
                postgres.sql
            );
        }
        // SQLite: one MATCH for each long term, a LIKE per column for each short one, all bound.
        let sqlite = entity::sme::Entity::find()
            .filter(search.condition(DbBackend::Sqlite, &index))
            .build(DbBackend::Sqlite);
        assert_eq!(
            sqlite.values.map(|v| v.0.len()),
            Some(1 + 2 + 1 + 1),
            "{}",
            sqlite.sql
        );
    }

    #[test]
    fn list_patterns_are_literals() {
        let condition = like(
            (entity::patent::Entity, entity::patent::Column::Fields),
            "%,health\\_and\\_welfare,%".to_owned(),
        );
        let query = sea_orm::sea_query::Query::select()
            .and_where(condition)
            .to_owned();
        assert_eq!(
            query.to_string(sea_orm::sea_query::PostgresQueryBuilder),
            r#"SELECT  WHERE "patents"."fields" LIKE E'%,health\\_and\\_welfare,%' ESCAPE E'\\'"#
        );
        assert_eq!(
            query.to_string(sea_orm::sea_query::SqliteQueryBuilder),
            r#"SELECT  WHERE "patents"."fields" LIKE '%,health\_and\_welfare,%' ESCAPE '\'"#
        );
    }

    #[test]
    fn relevance_prefers_name_matches() {
        let search = SearchText::parse("燃料電池").unwrap();
        let exact = search.score(&["燃料電池", "Fuel cell"]);
        let prefix = search.score(&["燃料電池の製造方法", "Method"]);
        let inside = search.score(&["固体酸化物形燃料電池の製造方法", "Method"]);
        let elsewhere = search.score(&["電極材料", "Electrode"]);
        assert!(exact > prefix && prefix > inside && inside > elsewhere);
    }
}
