//! What every resolver reads from a request's context: the database, the caller, the request's
//! loaders (and the rows they load), and the one rule for fields only members of the network may
//! read.

use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;

use super::loaders::Loaders;
use crate::{auth::Caller, error::ApiError};

/// The database a request reads from: the read replica when the transport put one in the
/// request's data (decided once per request, see [`crate::db::replica`]), otherwise the
/// primary, which the schema holds.
pub(super) fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    match ctx.data_opt::<ReplicaReads>() {
        Some(replica) => Ok(&replica.0),
        None => ctx.data::<DatabaseConnection>(),
    }
}

/// In a request's data: its reads go to this replica. Only queries get one; a mutation's
/// request reads the primary throughout. A type of its own, so that what writes beside a query
/// (the persisted-query store) still finds the primary as the schema's `DatabaseConnection`.
pub struct ReplicaReads(pub DatabaseConnection);

/// Who is asking; anonymous unless the transport authenticated a token.
pub(super) fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous)
}

pub(super) fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// The guard of every field only members of the network read
/// (`#[graphql(guard = "members_only")]`), and the test look-ahead loading uses to skip them.
/// Such a field is nullable in the schema: any other caller gets `null` there, with a
/// `FORBIDDEN` error naming the field's path, and its parent object is still answered.
pub(super) fn members_only(ctx: &Context<'_>) -> Result<()> {
    caller(ctx).require_member()?;
    Ok(())
}

/// The row a reference names, through the request's loaders; a missing one is a broken invariant.
pub(super) async fn load<K, V>(ctx: &Context<'_>, key: K, what: &str) -> Result<V>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::RelationLoader:
        async_graphql::dataloader::Loader<K, Value = V, Error = std::sync::Arc<sea_orm::DbErr>>,
    V: Send + Sync + Clone + 'static,
{
    Ok(loaders(ctx)?
        .load_one(key)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::corrupt(format!("a referenced {what} is missing")))?)
}

/// The rows of a one-to-many relation, through the request's loaders (none when there are none).
pub(super) async fn load_many<K, V>(ctx: &Context<'_>, key: K) -> Result<Vec<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::RelationLoader: async_graphql::dataloader::Loader<K, Value = Vec<V>, Error = std::sync::Arc<sea_orm::DbErr>>,
    V: Send + Sync + Clone + 'static,
{
    Ok(loaders(ctx)?
        .load_one(key)
        .await
        .map_err(ApiError::from)?
        .unwrap_or_default())
}
