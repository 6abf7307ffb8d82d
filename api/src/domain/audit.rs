//! The audit log: every mutation, allowed or refused, with who, what, when and the outcome. A
//! change and its entry commit in one transaction; a refused or failed attempt is recorded on its
//! own, after the change rolled back. Entries are never altered (the database refuses UPDATE and
//! DELETE on the table). A change that commits also tells every instance that a write happened
//! ([`super::events::write_in`]), so that their response caches forget what it may have changed.

use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

use super::{
    listing::{Listing, list},
    page::{Keyset, PageArgs, SortValue},
};
use crate::{
    auth::Caller,
    error::{ApiError, ApiResult},
};

/// Runs `change` in a transaction and records the attempt in the audit log.
#[tracing::instrument(skip_all)]
pub async fn audited<T>(
    db: &DatabaseConnection,
    caller: &Caller,
    operation: &'static str,
    target: Option<String>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<T> {
    audited_as(db, caller, operation, target, "SUCCEEDED", change).await
}

/// Like [`audited`], recording `succeeded` as the outcome of an attempt that succeeds (an
/// idempotent replay is `REPLAYED`).
#[tracing::instrument(skip_all)]
pub async fn audited_as<T>(
    db: &DatabaseConnection,
    caller: &Caller,
    operation: &'static str,
    target: Option<String>,
    succeeded: &str,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<T> {
    // On SQLite a change starts IMMEDIATE, taking the write lock first: a transaction that read
    // and then wants to write while another writer holds the lock fails at once with "database
    // is locked", whatever the busy timeout. PostgreSQL ignores the mode.
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let txn = db.begin_with_options(options).await?;
    match change(&txn).await {
        Ok(value) => {
            record(&txn, caller, operation, target, succeeded).await?;
            // Every instance's response cache hears of the write when it commits, whatever
            // area it changed: no area has to remember to say so.
            super::events::write_in(&txn).await?;
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            txn.rollback().await?;
            record(db, caller, operation, target, err.code().as_str()).await?;
            Err(err)
        }
    }
}

/// Records an attempt refused before it reached the domain (its input was refused on arrival),
/// with the refusal's code as its outcome.
#[tracing::instrument(skip_all)]
pub async fn refused(
    db: &DatabaseConnection,
    caller: &Caller,
    operation: &str,
    outcome: &str,
) -> ApiResult<()> {
    record(db, caller, operation, None, outcome).await
}

async fn record<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    operation: &str,
    target: Option<String>,
    outcome: &str,
) -> ApiResult<()> {
    let principal = caller.principal();
    let roles = principal
        .map(|p| {
            p.roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    audit_entry::ActiveModel {
        occurred_at: Set(Utc::now()),
        subject: Set(principal.map(|p| p.subject.clone())),
        institution_code: Set(principal.map(|p| p.institution_code.clone())),
        roles: Set(roles),
        operation: Set(operation.to_owned()),
        target: Set(target),
        outcome: Set(outcome.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub operation: Option<String>,
    pub outcome: Option<String>,
    pub institution_code: Option<String>,
    pub subject: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// One entry, for a network admin; `None` for anyone else, as for an entry that does not exist.
#[tracing::instrument(skip_all)]
pub async fn entry_by_id(
    db: &DatabaseConnection,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<audit_entry::Model>> {
    if caller.require_network_admin().is_err() {
        return Ok(None);
    }
    Ok(audit_entry::Entity::find_by_id(id).one(db).await?)
}

/// The log, newest first; network admins only.
#[tracing::instrument(skip_all)]
pub async fn entries(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &AuditFilter,
    args: &PageArgs,
) -> ApiResult<Listing<audit_entry::Entity>> {
    use audit_entry::Column;
    caller.require_network_admin()?;
    if let (Some(since), Some(until)) = (filter.since, filter.until)
        && since > until
    {
        return Err(ApiError::bad_input(
            "filter.until",
            "`until` is before `since`",
        ));
    }
    let mut condition = Condition::all();
    for (column, value) in [
        (Column::Operation, &filter.operation),
        (Column::Outcome, &filter.outcome),
        (Column::InstitutionCode, &filter.institution_code),
        (Column::Subject, &filter.subject),
    ] {
        if let Some(value) = value {
            condition = condition.add(column.eq(value.as_str()));
        }
    }
    if let Some(since) = filter.since {
        condition = condition.add(Column::OccurredAt.gte(since));
    }
    if let Some(until) = filter.until {
        condition = condition.add(Column::OccurredAt.lt(until));
    }
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &audit_entry::Model| SortValue::Int(m.id),
        id_of: |m: &audit_entry::Model| m.id,
    };
    list(
        db,
        audit_entry::Entity::find().filter(condition),
        keyset,
        args,
    )
    .await
}
