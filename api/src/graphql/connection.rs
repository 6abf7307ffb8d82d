//! Relay connections. Every listing is `Connection<String, Node, TotalCount>`: edges with opaque
//! cursors, `pageInfo`, `nodes`, and a `totalCount` that is counted only when asked for, up to
//! [`page::COUNT_LIMIT`] rows (past it, `totalCountIsExact` is false), so that a page costs the
//! same however many rows match.

use std::sync::Arc;

use async_graphql::{Context, Object, OutputType, connection::Connection, connection::Edge};
use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

use crate::{
    domain::{listing::Listing, page},
    error::ApiError,
};

pub type Conn<N> = Connection<String, N, TotalCount>;

/// The complexity of a connection field: its page size (`first` or `last`, else the default
/// page; never more than the largest page, which the resolver refuses with a clearer error)
/// times the cost of what it selects for each node.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let page = first.or(last).map_or(page::DEFAULT_PAGE_SIZE, |n| {
        u64::try_from(n).unwrap_or(0).min(page::MAX_PAGE_SIZE)
    }) as usize;
    page.saturating_mul(child_complexity).saturating_add(1)
}

type Counter = dyn Fn() -> BoxFuture<'static, Result<u64, DbErr>> + Send + Sync;

pub struct TotalCount {
    counter: Arc<Counter>,
    /// Counted once, for both fields.
    counted: tokio::sync::OnceCell<u64>,
}

impl TotalCount {
    async fn counted(&self) -> async_graphql::Result<u64> {
        Ok(*self
            .counted
            .get_or_try_init(|| (self.counter)())
            .await
            .map_err(ApiError::from)?)
    }
}

#[Object]
impl TotalCount {
    /// How many nodes match the filter, across all pages, counted up to 1,000: when more match,
    /// it is 1,000 and `totalCountIsExact` is false.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        Ok(self.counted().await?.min(page::COUNT_LIMIT))
    }

    /// Whether `totalCount` is the exact number of matching nodes; false when more than 1,000
    /// match and `totalCount` is a lower bound.
    async fn total_count_is_exact(&self) -> async_graphql::Result<bool> {
        Ok(self.counted().await? <= page::COUNT_LIMIT)
    }
}

/// A list field's paging arguments, and whether its selection asks for the total (which is then
/// counted in the page's own statement rather than in one of its own).
pub fn page_args(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> page::PageArgs {
    let selection = ctx.look_ahead();
    page::PageArgs {
        first,
        after,
        last,
        before,
        total: selection.field("totalCount").exists()
            || selection.field("totalCountIsExact").exists(),
    }
}

/// Turns a page of rows into a connection of `N`.
pub fn connection<E, N>(
    db: &DatabaseConnection,
    listing: Listing<E>,
    node: impl Fn(E::Model) -> N,
) -> Conn<N>
where
    E: EntityTrait,
    E::Model: Sync,
    N: OutputType,
{
    let Listing { page, matching } = listing;
    let db = db.clone();
    let counter: Arc<Counter> = Arc::new(move || {
        let db = db.clone();
        let matching = matching.clone();
        Box::pin(async move { page::count_up_to_limit(&db, matching).await })
    });
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        TotalCount {
            counter,
            counted: tokio::sync::OnceCell::new_with(page.total),
        },
    );
    connection.edges = page
        .edges
        .into_iter()
        .map(|(cursor, row)| Edge::new(cursor, node(row)))
        .collect();
    connection
}
