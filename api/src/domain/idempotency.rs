//! Retry-safe mutations. A client sends an idempotency key with a create or a transition; the key
//! is claimed in the database, in the same transaction as the change, so that:
//!
//! - the same key with the same input returns the first result, with no second effect;
//! - the same key with other input is a `CONFLICT` naming `idempotencyKey`;
//! - two concurrent requests with one key produce one effect: the second waits on the key's unique
//!   index until the first commits, then replays its result;
//! - several API instances share the keys (they live in the database, scoped to the caller's
//!   institution).
//!
//! A request that fails claims nothing (its transaction rolls back), so it may be retried as is.

use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, SqlErr,
};
use sha2::{Digest, Sha256};

use super::audit::audited;
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
};

/// A key as the client sent it, with the fingerprint of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    key: String,
    request_hash: String,
}

impl Idempotency {
    /// `input` is the request's canonical JSON; `field` names the argument in errors.
    pub fn parse(key: &str, operation: &str, input: &serde_json::Value) -> ApiResult<Self> {
        let key = key.trim();
        if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::bad_input(
                "idempotencyKey",
                "an idempotency key is 1–100 visible ASCII characters (a UUID is ideal)",
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(operation.as_bytes());
        hasher.update([0]);
        hasher.update(input.to_string().as_bytes());
        let request_hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self {
            key: key.to_owned(),
            request_hash,
        })
    }
}

async fn stored<C: ConnectionTrait>(
    db: &C,
    institution_id: i64,
    key: &str,
) -> ApiResult<Option<idempotency_key::Model>> {
    Ok(idempotency_key::Entity::find()
        .filter(idempotency_key::Column::InstitutionId.eq(institution_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// The first result's id, when `stored` was claimed by this same request.
fn replayable(
    stored: &idempotency_key::Model,
    operation: &str,
    key: &Idempotency,
) -> ApiResult<i64> {
    if stored.operation != operation || stored.request_hash != key.request_hash {
        return Err(ApiError::Conflict {
            field: "idempotencyKey".into(),
            message: "this idempotency key was used with another request".into(),
        });
    }
    stored.result_id.ok_or_else(|| ApiError::Conflict {
        field: "idempotencyKey".into(),
        message: "a request with this idempotency key is still running: retry shortly".into(),
    })
}

/// Runs an audited `change` at most once per key. `change` answers its value and the id of the
/// object it produced; `replay` loads that object again for a retry.
pub async fn once<T>(
    db: &DatabaseConnection,
    caller: &Caller,
    operation: &'static str,
    target: Option<String>,
    key: Option<ApiResult<Idempotency>>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<(T, i64)>,
    replay: impl AsyncFnOnce(i64) -> ApiResult<T>,
) -> ApiResult<T> {
    let key = key.transpose()?;
    let institution = caller.principal().map(|p| p.institution_id);
    if let (Some(key), Some(institution)) = (&key, institution)
        && let Some(found) = stored(db, institution, &key.key).await?
    {
        return replay(replayable(&found, operation, key)?).await;
    }
    let outcome = audited(db, caller, operation, target, async |txn| {
        let claim = match (&key, institution) {
            (Some(key), Some(institution)) => Some(
                idempotency_key::ActiveModel {
                    institution_id: Set(institution),
                    key: Set(key.key.clone()),
                    operation: Set(operation.to_owned()),
                    request_hash: Set(key.request_hash.clone()),
                    result_id: Set(None),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .map_err(|err| match err.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Contention,
                    _ => err.into(),
                })?,
            ),
            _ => None,
        };
        let (value, id) = change(txn).await?;
        if let Some(claim) = claim {
            let mut claim = claim.into_active_model();
            claim.result_id = Set(Some(id));
            claim.update(txn).await?;
        }
        Ok(value)
    })
    .await;
    match (outcome, &key, institution) {
        // Another request claimed the key meanwhile and has committed: replay its result.
        (Err(ApiError::Contention), Some(key), Some(institution)) => {
            match stored(db, institution, &key.key).await? {
                Some(found) => replay(replayable(&found, operation, key)?).await,
                None => Err(ApiError::Contention),
            }
        }
        (outcome, _, _) => outcome,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_fingerprint_covers_operation_and_input() {
        let a = Idempotency::parse("k-1", "createSme", &json!({ "x": 1 })).unwrap();
        assert_eq!(
            a,
            Idempotency::parse(" k-1 ", "createSme", &json!({ "x": 1 })).unwrap()
        );
        assert_ne!(
            a,
            Idempotency::parse("k-1", "createSme", &json!({ "x": 2 })).unwrap()
        );
        assert_ne!(
            a,
            Idempotency::parse("k-1", "createEvaluation", &json!({ "x": 1 })).unwrap()
        );
        assert_eq!(a.request_hash.len(), 64);
        for bad in ["", "   ", "with space", "鍵", &"k".repeat(101)] {
            assert!(
                Idempotency::parse(bad, "op", &json!({})).is_err(),
                "{bad:?}"
            );
        }
    }
}
