//! Batched reads for relations: one statement for any number of keys. The GraphQL loaders call
//! these, so nested reads never cost one query per row.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The rows whose `column` is one of `keys`, by that key (for unique columns such as ids).
pub async fn by_key<E, C>(
    db: &C,
    column: E::Column,
    keys: &[i64],
    key_of: fn(&E::Model) -> i64,
) -> Result<HashMap<i64, E::Model>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows = E::find()
        .filter(column.is_in(keys.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (key_of(&row), row)).collect())
}

/// The rows whose `column` is one of `keys`, grouped by that key, each group in `order`.
pub async fn grouped_by<E, C>(
    db: &C,
    column: E::Column,
    keys: &[i64],
    key_of: fn(&E::Model) -> i64,
    order: E::Column,
) -> Result<HashMap<i64, Vec<E::Model>>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows = E::find()
        .filter(column.is_in(keys.iter().copied()))
        .order_by_asc(column)
        .order_by_asc(order)
        .all(db)
        .await?;
    let mut groups: HashMap<i64, Vec<E::Model>> = HashMap::new();
    for row in rows {
        groups.entry(key_of(&row)).or_default().push(row);
    }
    Ok(groups)
}
