//! Persisted queries (Apollo's APQ protocol), kept in the database so that every instance knows
//! them, and the safelist of registered operations.

use chrono::Utc;
use entity::persisted_query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};

/// The SHA-256 of a document, in lowercase hex, as APQ clients compute it.
pub fn hash(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tracing::instrument(skip_all)]
pub async fn find<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<persisted_query::Model>, DbErr> {
    persisted_query::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await
}

/// How large the store of automatic persisted queries may grow; safelisted documents do not
/// count and are never evicted.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_entries: usize,
    pub max_bytes: usize,
}

/// Stores a document a client sent with its hash (already checked to match, and the document
/// admitted), then evicts the oldest unregistered documents beyond `bounds`. A second store of
/// the same hash changes nothing.
#[tracing::instrument(skip_all)]
pub async fn store(
    db: &DatabaseConnection,
    hash: &str,
    query: &str,
    bounds: Bounds,
) -> Result<Usage, DbErr> {
    let row = persisted_query::ActiveModel {
        hash: Set(hash.to_owned()),
        query: Set(query.to_owned()),
        registered: Set(false),
        created_at: Set(Utc::now()),
    };
    persisted_query::Entity::insert(row)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    evict(db, bounds).await
}

/// The size of one stored document, in bytes, as each database counts it.
fn bytes(db: &DatabaseConnection) -> Expr {
    match db.get_database_backend() {
        DbBackend::Postgres => Expr::cust("CAST(OCTET_LENGTH(query) AS BIGINT)"),
        _ => Expr::cust("LENGTH(CAST(query AS BLOB))"),
    }
}

/// The store after a [`store`]: what it holds (safelisted documents aside) and what was evicted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub entries: u64,
    pub bytes: u64,
    pub evicted: u64,
}

/// Keeps the newest unregistered documents within `bounds`, deleting the rest.
async fn evict(db: &DatabaseConnection, bounds: Bounds) -> Result<Usage, DbErr> {
    use persisted_query::Column;
    let rows: Vec<(String, i64)> = persisted_query::Entity::find()
        .select_only()
        .column(Column::Hash)
        .column_as(bytes(db), "bytes")
        .filter(Column::Registered.eq(false))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Hash)
        .into_tuple()
        .all(db)
        .await?;
    let mut usage = Usage::default();
    let mut evicted = Vec::new();
    for (hash, size) in rows {
        let size = u64::try_from(size).unwrap_or(0);
        let fits = usage.entries < bounds.max_entries as u64
            && usage.bytes.saturating_add(size) <= bounds.max_bytes as u64;
        // Once one document does not fit, every older one goes too: the store keeps the newest.
        if fits && evicted.is_empty() {
            usage.entries += 1;
            usage.bytes += size;
        } else {
            evicted.push(hash);
        }
    }
    let mut deleted = 0;
    for chunk in evicted.chunks(500) {
        deleted += persisted_query::Entity::delete_many()
            .filter(Column::Registered.eq(false))
            .filter(Column::Hash.is_in(chunk.iter().cloned()))
            .exec(db)
            .await?
            .rows_affected;
    }
    usage.evicted = deleted;
    Ok(usage)
}

/// Puts a document on the safelist; answers its hash.
#[tracing::instrument(skip_all)]
pub async fn register(db: &DatabaseConnection, query: &str) -> Result<String, DbErr> {
    let hash = hash(query);
    match find(db, &hash).await? {
        Some(row) if row.registered => {}
        Some(row) => {
            let mut row = row.into_active_model();
            row.registered = Set(true);
            row.update(db).await?;
        }
        None => {
            persisted_query::ActiveModel {
                hash: Set(hash.clone()),
                query: Set(query.to_owned()),
                registered: Set(true),
                created_at: Set(Utc::now()),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_apollo_compatible() {
        // The digest of "{ __typename }" as `sha256sum` computes it: what an APQ client sends.
        assert_eq!(
            super::hash("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
    }
}
