//! Persisted queries (Apollo's APQ protocol), kept in the database so that every instance knows
//! them, and the safelist of registered operations.

use chrono::Utc;
use entity::persisted_query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel,
};
use sha2::{Digest, Sha256};

/// The SHA-256 of a document, in lowercase hex, as APQ clients compute it.
pub fn hash(query: &str) -> String {
    Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub async fn find<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<persisted_query::Model>, DbErr> {
    persisted_query::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await
}

/// Stores a document a client sent with its hash (already checked to match); a second store of
/// the same hash changes nothing.
pub async fn store(db: &DatabaseConnection, hash: &str, query: &str) -> Result<(), DbErr> {
    let row = persisted_query::ActiveModel {
        hash: Set(hash.to_owned()),
        query: Set(query.to_owned()),
        registered: Set(false),
        created_at: Set(Utc::now()),
    };
    persisted_query::Entity::insert(row)
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

/// Puts a document on the safelist; answers its hash.
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
