//! Batched reads for relations: one statement for any number of keys (on SQLite, one per 900).
//! The GraphQL loaders call these, so nested reads never cost one query per row.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
    sea_query::Expr,
};

/// `column` is one of `keys`, in the same statement text whatever their number: on PostgreSQL
/// `= ANY($1)` with the keys bound as one array, so that pages of 5 and of 100 share one prepared
/// statement (an `IN` list of each length would be a statement of its own, prepared again on
/// every connection). SQLite has no arrays and gets the `IN` list.
fn one_of<C: ColumnTrait>(backend: DbBackend, column: C, keys: &[i64]) -> Expr {
    match backend {
        DbBackend::Postgres => column.eq_any(keys.iter().copied()),
        _ => column.is_in(keys.iter().copied()),
    }
}

/// SQLite takes a limited number of parameters in one statement (32766 by default, 999 in older
/// builds): there, longer key lists are read in several statements.
const SQLITE_KEYS_PER_STATEMENT: usize = 900;

fn key_chunks(backend: DbBackend, keys: &[i64]) -> std::slice::Chunks<'_, i64> {
    let size = match backend {
        DbBackend::Sqlite => SQLITE_KEYS_PER_STATEMENT,
        _ => keys.len().max(1),
    };
    keys.chunks(size)
}

/// The rows whose `column` is one of `keys`, by that key (for unique columns such as ids).
#[tracing::instrument(skip_all)]
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
    let backend = db.get_database_backend();
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in key_chunks(backend, keys) {
        let rows = E::find()
            .filter(one_of(backend, column, chunk))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|row| (key_of(&row), row)));
    }
    Ok(found)
}

/// The rows whose `column` is one of `keys`, grouped by that key, each group in `order`.
#[tracing::instrument(skip_all)]
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
    grouped_within(db, E::find(), column, keys, key_of, order).await
}

/// As [`grouped_by`], among the rows `select` already narrows to (those a caller may read, say).
#[tracing::instrument(skip_all)]
pub async fn grouped_within<E, C>(
    db: &C,
    select: Select<E>,
    column: E::Column,
    keys: &[i64],
    key_of: fn(&E::Model) -> i64,
    order: E::Column,
) -> Result<HashMap<i64, Vec<E::Model>>, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut groups: HashMap<i64, Vec<E::Model>> = HashMap::new();
    // A key's rows all come in the statement of its chunk, in order.
    for chunk in key_chunks(backend, keys) {
        let rows = select
            .clone()
            .filter(one_of(backend, column, chunk))
            .order_by_asc(column)
            .order_by_asc(order)
            .all(db)
            .await?;
        for row in rows {
            groups.entry(key_of(&row)).or_default().push(row);
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use entity::award;
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::one_of;

    fn statement(backend: DbBackend, keys: &[i64]) -> sea_orm::Statement {
        award::Entity::find()
            .filter(one_of(backend, award::Column::CoordinatorId, keys))
            .build(backend)
    }

    #[test]
    fn postgres_shares_one_statement_for_any_number_of_keys() {
        let few = statement(DbBackend::Postgres, &[1, 2, 3]);
        let many = statement(DbBackend::Postgres, &(1..=300).collect::<Vec<_>>());
        assert_eq!(few.sql, many.sql);
        assert!(
            few.sql.ends_with(r#""awards"."coordinator_id" = ANY($1)"#),
            "{}",
            few.sql
        );
        // The keys travel as one array parameter.
        assert_eq!(many.values.map(|v| v.0.len()), Some(1));
    }

    #[test]
    fn sqlite_lists_the_keys() {
        let sql = statement(DbBackend::Sqlite, &[7, 8]).sql;
        assert!(
            sql.ends_with(r#""awards"."coordinator_id" IN (?, ?)"#),
            "{sql}"
        );
    }
}
