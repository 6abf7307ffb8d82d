//! Retry-safe mutations. A client sends an idempotency key with a create or a transition; the key
//! is claimed in the database, in the same transaction as the change, so that:
//!
//! - the same key with the same input returns the first result, with no second effect;
//! - the same key with other input is a `CONFLICT` naming `idempotencyKey`;
//! - two concurrent requests with one key produce one effect: the second waits on the key's unique
//!   index until the first commits, then replays its result;
//! - several API instances share the keys (they live in the database);
//! - a key is scoped to the institution and the subject (`sub`) that made it: another caller's
//!   key of the same name is a different key, never their answer;
//! - a replay checks the caller's rights again, as the change would (a caller who lost a role is
//!   refused), and is audited (`REPLAYED`, or the refusal) before the stored answer returns.
//!
//! A request that fails claims nothing (its transaction rolls back), so it may be retried as is.

use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, SqlErr,
};
use sha2::{Digest, Sha256};

use super::audit::{audited, audited_as};
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

/// Whose keys: an institution's subject.
type Owner<'a> = (i64, &'a str);

async fn stored<C: ConnectionTrait>(
    db: &C,
    (institution_id, subject): Owner<'_>,
    key: &str,
) -> ApiResult<Option<idempotency_key::Model>> {
    Ok(idempotency_key::Entity::find()
        .filter(idempotency_key::Column::InstitutionId.eq(institution_id))
        .filter(idempotency_key::Column::Subject.eq(subject))
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
/// object it produced; `replay` checks that the caller may still make the change (as `change`
/// does) and loads that object again for a retry.
#[tracing::instrument(skip_all)]
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
    let owner = caller
        .principal()
        .map(|p| (p.institution_id, p.subject.as_str()));
    if let (Some(key), Some(owner)) = (&key, owner)
        && let Some(found) = stored(db, owner, &key.key).await?
    {
        return replayed(db, caller, operation, target, &found, key, replay).await;
    }
    let outcome = audited(db, caller, operation, target.clone(), async |txn| {
        let claim = match (&key, owner) {
            (Some(key), Some((institution, subject))) => Some(
                idempotency_key::ActiveModel {
                    institution_id: Set(institution),
                    subject: Set(subject.to_owned()),
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
    match (outcome, &key, owner) {
        // Another request claimed the key meanwhile and has committed: replay its result.
        (Err(ApiError::Contention), Some(key), Some(owner)) => {
            match stored(db, owner, &key.key).await? {
                Some(found) => replayed(db, caller, operation, target, &found, key, replay).await,
                None => Err(ApiError::Contention),
            }
        }
        (outcome, _, _) => outcome,
    }
}

/// A retry: the caller's rights are checked by `replay` and the attempt is audited before the
/// stored answer returns.
async fn replayed<T>(
    db: &DatabaseConnection,
    caller: &Caller,
    operation: &'static str,
    target: Option<String>,
    found: &idempotency_key::Model,
    key: &Idempotency,
    replay: impl AsyncFnOnce(i64) -> ApiResult<T>,
) -> ApiResult<T> {
    audited_as(db, caller, operation, target, "REPLAYED", async |_| {
        replay(replayable(found, operation, key)?).await
    })
    .await
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
