//! Lists of every area, a page at a time: the page read in keyset order (see [`super::page`]) and
//! the filtered query behind it, from which a total is counted only when asked.

use sea_orm::{ConnectionTrait, EntityTrait, Select};

use super::page::{self, Keyset, Page, PageArgs, PageRequest};
use crate::error::ApiResult;

/// One page of a listing, and the filtered query behind it (for a total count, asked lazily).
pub struct Listing<E: sea_orm::EntityTrait> {
    pub page: Page<E::Model>,
    /// The filtered query behind the page, from which a total is counted.
    pub matching: Select<E>,
}

impl<E: sea_orm::EntityTrait> Listing<E> {
    /// The page's rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = &E::Model> {
        self.page.edges.iter().map(|(_, row)| row)
    }
}

/// A list's order: a field of the list's own order enum, either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordering<F> {
    pub field: F,
    pub descending: bool,
}

/// One page of `matching` in `keyset`'s order, as `args` ask: every area's lists page this way.
pub(crate) async fn list<E, C>(
    db: &C,
    matching: Select<E>,
    keyset: Keyset<E>,
    args: &PageArgs,
) -> ApiResult<Listing<E>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let request = PageRequest::parse(args, &keyset)?;
    paged(db, matching, keyset, request).await
}

/// [`list`], its total counting the listing's first rows in its order ([`page::counted`]): for
/// the lists whose rows an update makes readable or matching, which therefore gather at the end
/// of their table.
pub(crate) async fn list_counted_in_order<E, C>(
    db: &C,
    matching: Select<E>,
    keyset: Keyset<E>,
    args: &PageArgs,
) -> ApiResult<Listing<E>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let request = PageRequest::parse(args, &keyset)?.counting_in_order();
    paged(db, matching, keyset, request).await
}

async fn paged<E, C>(
    db: &C,
    matching: Select<E>,
    keyset: Keyset<E>,
    request: PageRequest,
) -> ApiResult<Listing<E>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let page = page::fetch(db, matching.clone(), &keyset, &request).await?;
    let matching = request.counted(matching, &keyset);
    Ok(Listing { page, matching })
}
