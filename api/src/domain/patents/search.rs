//! Full-text search over patents, in Japanese and English, on both databases.
//!
//! Japanese has no spaces, so words cannot be indexed: both databases index trigrams (every run
//! of three characters) of a patent's `search_text` (titles, abstract, published explanation).
//! PostgreSQL uses `pg_trgm`'s GIN index for `ILIKE '%term%'`; SQLite an FTS5 table with the
//! `trigram` tokenizer, asked with `MATCH`. A trigram index needs three characters: a term of one
//! or two characters (電池, "AI") falls back to a `LIKE` scan of `search_text`, which finds the
//! same rows, only without the index. Text is split at spaces into terms that must all occur.
//!
//! When searching, a listing is ordered by relevance, scored here from where the terms occur
//! (a title equal to the search, a title starting with it, terms in the titles, elsewhere),
//! shorter titles first among equals, then newest first.

use sea_orm::{
    DbBackend,
    sea_query::{Expr, SimpleExpr},
};

use crate::domain::search::MAX_SEARCH_CHARS;

/// The characters a trigram index needs to be used.
pub const INDEXED_TERM_CHARS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatentSearch {
    /// The whole text, case-folded.
    text: String,
    /// Its space-separated terms, case-folded.
    terms: Vec<String>,
}

impl PatentSearch {
    pub fn parse(value: &str) -> Result<Self, String> {
        let text = value.trim();
        if text.is_empty() {
            return Err("search text is empty".into());
        }
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(format!(
                "search text is longer than {MAX_SEARCH_CHARS} characters"
            ));
        }
        let text = text.to_lowercase();
        let terms = text.split_whitespace().map(str::to_owned).collect();
        Ok(Self { text, terms })
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The condition on `patents` that every term occurs in `search_text`.
    pub fn condition(&self, backend: DbBackend) -> Vec<SimpleExpr> {
        self.terms
            .iter()
            .map(|term| term_condition(term, backend))
            .collect()
    }

    /// How well a patent's titles fit the search: higher is better.
    pub fn score(&self, title_ja: &str, title_en: &str) -> i64 {
        let (ja, en) = (title_ja.to_lowercase(), title_en.to_lowercase());
        let mut score = 0;
        if ja == self.text || en == self.text {
            score += 1000;
        } else if ja.starts_with(&self.text) || en.starts_with(&self.text) {
            score += 500;
        } else if ja.contains(&self.text) || en.contains(&self.text) {
            score += 300;
        }
        for term in &self.terms {
            if ja.contains(term.as_str()) || en.contains(term.as_str()) {
                score += 100;
            }
        }
        // Among equals, the shorter title is the closer fit.
        let length = ja.chars().count().min(en.chars().count()).min(99) as i64;
        score * 100 + (99 - length)
    }
}

/// `%`, `_` and `\` match themselves (escape `\`).
fn contains_pattern(term: &str) -> String {
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

/// An FTS5 string: one phrase, in which the trigram tokenizer finds the term as a substring.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// Each backend's placeholder is spelled its own way in custom SQL (`$1` or `?`).
fn term_condition(term: &str, backend: DbBackend) -> SimpleExpr {
    let indexed = term.chars().count() >= INDEXED_TERM_CHARS;
    match backend {
        // The GIN trigram index serves ILIKE for three characters or more; shorter terms scan.
        DbBackend::Postgres => Expr::cust_with_values(
            r#""patents"."search_text" ILIKE $1 ESCAPE '\'"#,
            [contains_pattern(term)],
        ),
        _ if indexed => Expr::cust_with_values(
            r#""patents"."id" IN (SELECT rowid FROM patents_fts WHERE patents_fts MATCH ?)"#,
            [fts_phrase(term)],
        ),
        // SQLite's lower() folds ASCII only, as does its LIKE: enough for English terms.
        _ => Expr::cust_with_values(
            r#"lower("patents"."search_text") LIKE ? ESCAPE '\'"#,
            [contains_pattern(term)],
        ),
    }
}

/// What search reads of a patent: its titles, abstract and published explanation.
pub fn search_text(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_split_and_folded() {
        let search = PatentSearch::parse("  Fuel  CELL 燃料電池 ").unwrap();
        assert_eq!(search.terms(), ["fuel", "cell", "燃料電池"]);
        assert!(PatentSearch::parse("  ").is_err());
        assert!(PatentSearch::parse(&"電".repeat(MAX_SEARCH_CHARS + 1)).is_err());
    }

    #[test]
    fn short_terms_fall_back_to_like_on_sqlite() {
        let sql = |term: &str| {
            let expr = term_condition(term, DbBackend::Sqlite);
            sea_orm::sea_query::Query::select()
                .expr(expr)
                .to_string(sea_orm::sea_query::SqliteQueryBuilder)
        };
        assert!(
            sql("燃料電池").contains("MATCH '\"燃料電池\"'"),
            "{}",
            sql("燃料電池")
        );
        assert!(sql("電池").contains("LIKE '%電池%'"), "{}", sql("電池"));
        assert!(sql("a\"b").contains("MATCH '\"a\"\"b\"'"));
        assert_eq!(contains_pattern("1_%\\"), "%1\\_\\%\\\\%");
    }

    #[test]
    fn relevance_prefers_title_matches() {
        let search = PatentSearch::parse("燃料電池").unwrap();
        let exact = search.score("燃料電池", "Fuel cell");
        let prefix = search.score("燃料電池の製造方法", "Method");
        let inside = search.score("固体酸化物形燃料電池の製造方法", "Method");
        let elsewhere = search.score("電極材料", "Electrode");
        assert!(exact > prefix && prefix > inside && inside > elsewhere);
    }
}

/// A page of a search's matches by relevance. The cursor is `["relevance", score, id]`.
pub async fn ranked(
    db: &sea_orm::DatabaseConnection,
    matching: sea_orm::Select<entity::patent::Entity>,
    search: &PatentSearch,
    args: &crate::domain::page::PageArgs,
) -> crate::error::ApiResult<crate::domain::listing::Listing<entity::patent::Entity>> {
    use entity::patent;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

    let request = RankedRequest::parse(args)?;
    let rows: Vec<(i64, String, String)> = matching
        .clone()
        .select_only()
        .columns([
            patent::Column::Id,
            patent::Column::TitleJa,
            patent::Column::TitleEn,
        ])
        .into_tuple()
        .all(db)
        .await?;
    let mut order: Vec<(i64, i64)> = rows
        .iter()
        .map(|(id, ja, en)| (search.score(ja, en), *id))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let (slice, has_previous_page, has_next_page) = request.window(&order);
    let ids: Vec<i64> = slice.iter().map(|(_, id)| *id).collect();
    let mut models = patent::Entity::find()
        .filter(patent::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    models.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
    let edges = slice
        .iter()
        .zip(models)
        .map(|((score, id), model)| (encode_cursor(*score, *id), model))
        .collect();
    Ok(crate::domain::listing::Listing {
        page: crate::domain::page::Page {
            edges,
            has_previous_page,
            has_next_page,
        },
        matching,
    })
}

const RELEVANCE: &str = "relevance";

fn encode_cursor(score: i64, id: i64) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(serde_json::json!([RELEVANCE, score, id]).to_string())
}

fn decode_cursor(text: &str, argument: &str) -> crate::error::ApiResult<(i64, i64)> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let refuse = || {
        crate::error::ApiError::bad_input(
            argument,
            format!("`{argument}` is not a cursor of this listing and order"),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| refuse())?;
    let (name, score, id): (String, i64, i64) =
        serde_json::from_slice(&bytes).map_err(|_| refuse())?;
    if name == RELEVANCE {
        Ok((score, id))
    } else {
        Err(refuse())
    }
}

/// Relay's arguments over a ranked list held in memory.
struct RankedRequest {
    limit: usize,
    backward: bool,
    after: Option<(i64, i64)>,
    before: Option<(i64, i64)>,
}

impl RankedRequest {
    fn parse(args: &crate::domain::page::PageArgs) -> crate::error::ApiResult<Self> {
        use crate::{
            domain::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE},
            error::ApiError,
        };
        let size = |value: i32, argument: &str| {
            u64::try_from(value)
                .ok()
                .filter(|n| *n <= MAX_PAGE_SIZE)
                .map(|n| n as usize)
                .ok_or_else(|| {
                    ApiError::bad_input(
                        argument,
                        format!("`{argument}` must be between 0 and {MAX_PAGE_SIZE}, not {value}"),
                    )
                })
        };
        let (limit, backward) = match (args.first, args.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "last",
                    "give `first` or `last`, not both",
                ));
            }
            (Some(first), None) => (size(first, "first")?, false),
            (None, Some(last)) => (size(last, "last")?, true),
            (None, None) => (DEFAULT_PAGE_SIZE as usize, false),
        };
        Ok(Self {
            limit,
            backward,
            after: args
                .after
                .as_deref()
                .map(|c| decode_cursor(c, "after"))
                .transpose()?,
            before: args
                .before
                .as_deref()
                .map(|c| decode_cursor(c, "before"))
                .transpose()?,
        })
    }

    /// The page of `order` (best first), and whether there are rows before and after it.
    fn window<'a>(&self, order: &'a [(i64, i64)]) -> (&'a [(i64, i64)], bool, bool) {
        // Later in the listing is smaller in (score, id).
        let start = self
            .after
            .map_or(0, |c| order.partition_point(|row| *row >= c));
        let end = self
            .before
            .map_or(order.len(), |c| order.partition_point(|row| *row > c))
            .max(start);
        let within = &order[start..end];
        if self.limit == 0 {
            return (&within[..0], false, false);
        }
        if self.backward {
            let from = within.len().saturating_sub(self.limit);
            (&within[from..], from > 0, self.before.is_some())
        } else {
            let to = within.len().min(self.limit);
            (&within[..to], self.after.is_some(), to < within.len())
        }
    }
}

#[cfg(test)]
mod ranked_tests {
    use super::*;
    use crate::domain::page::PageArgs;

    #[test]
    fn pages_forward_and_back_over_a_ranking() {
        let order = [(9, 4), (9, 2), (5, 7), (1, 1)];
        let forward = |first, after: Option<(i64, i64)>| {
            let request = RankedRequest::parse(&PageArgs {
                first: Some(first),
                after: after.map(|(s, i)| encode_cursor(s, i)),
                ..Default::default()
            })
            .unwrap();
            let (rows, previous, next) = request.window(&order);
            (rows.to_vec(), previous, next)
        };
        assert_eq!(forward(2, None), (vec![(9, 4), (9, 2)], false, true));
        assert_eq!(
            forward(2, Some((9, 2))),
            (vec![(5, 7), (1, 1)], true, false)
        );
        let request = RankedRequest::parse(&PageArgs {
            last: Some(2),
            before: Some(encode_cursor(1, 1)),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(request.window(&order), (&order[1..3], true, true));
        assert!(decode_cursor("eyJhIjoxfQ", "after").is_err());
    }
}
#[cfg(test)]
mod bound {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    #[test]
    fn every_term_is_a_bound_value_on_both_databases() {
        let search = super::PatentSearch::parse("燃料電池 ab").unwrap();
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let mut query = entity::patent::Entity::find();
            for condition in search.condition(backend) {
                query = query.filter(condition);
            }
            let statement = query.build(backend);
            assert_eq!(
                statement.values.map(|v| v.0.len()),
                Some(2),
                "{}",
                statement.sql
            );
        }
    }
}
