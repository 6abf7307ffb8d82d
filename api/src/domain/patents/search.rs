//! Full-text search over patents: what it reads of a patent (`search_text`: titles, abstract,
//! published explanation), matched as every search is (`domain::search`).
//!
//! When searching, a listing is ordered by relevance, scored here from where the terms occur
//! (a title equal to the search, a title starting with it, terms in the titles, elsewhere),
//! shorter titles first among equals, then newest first.
//!
//! A ranking reads the matches it ranks, so what it reads is bounded as a total is: the newest
//! [`CANDIDATES`] matches are ranked, and when more match, the total says it is a lower bound.
//! A common word (`燃料電池`) is in a share of every patent: at scale 10, 31,000 of 500,000, which
//! the server read and scored whole for each page. Search engines bound the same way (GitHub's
//! search API gives at most 1,000 results): a narrower search reaches older matches. For an
//! anonymous caller PostgreSQL reads the public patents' own trigram index (migration
//! `m20261205_000024_public_patents`): 6,248 entries for `燃料電池` at scale 10
//! instead of all 31,383 matches. A member's search still reads every match (BENCHMARKS.md).

use crate::domain::search::{SearchText, TextIndex};

/// What patents' search reads: the `search_text` column, and its FTS5 table on SQLite.
pub const PATENTS: TextIndex = TextIndex {
    table: "patents",
    columns: &["search_text"],
    fts_table: Some("patents_fts"),
};

/// A page of a search's matches by relevance. The cursor is `["relevance", score, id]`.
#[tracing::instrument(skip_all)]
pub async fn ranked(
    db: &sea_orm::DatabaseConnection,
    matching: sea_orm::Select<entity::patent::Entity>,
    search: &SearchText,
    args: &crate::domain::page::PageArgs,
) -> crate::error::ApiResult<crate::domain::listing::Listing<entity::patent::Entity>> {
    use entity::patent;
    use sea_orm::{
        ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
        QueryTrait, sea_query::ExprTrait,
    };

    let request = RankedRequest::parse(args)?;
    let candidates = matching
        .clone()
        .select_only()
        .columns([
            patent::Column::Id,
            patent::Column::TitleJa,
            patent::Column::TitleEn,
        ])
        // Newest first, written `id + 0` so that PostgreSQL does not walk the primary key: the
        // matches an anonymous caller reads are few among all patents (those with a published
        // explanation), and the walk read 50,000 patents to find 1,001 at scale 10, where the
        // trigram index's bitmap of every match and a top-1,001 sort took 60 % of its time
        // (pgbench, 8.6 against 13.8 statements/s).
        .order_by(
            sea_orm::sea_query::Expr::col((patent::Entity, patent::Column::Id)).add(0),
            sea_orm::Order::Desc,
        )
        .limit(CANDIDATES);
    let statement = crate::db::limits::build(candidates.as_query(), db.get_database_backend());
    let rows = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get_many_by_index::<(i64, String, String)>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut order: Vec<(i64, i64)> = rows
        .iter()
        .map(|(id, ja, en)| (search.score(&[ja, en]), *id))
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
            // Every candidate was read to rank them: up to the bound, the total is known.
            total: Some(order.len() as u64),
        },
        matching,
    })
}

/// How many matches a ranking reads at most, the newest: one more than a total counts, so that
/// past it `totalCount` is a lower bound as for every other listing.
pub const CANDIDATES: u64 = crate::domain::page::COUNT_LIMIT + 1;

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
