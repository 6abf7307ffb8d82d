//! Who is asking (`me`) and what was done (`auditLog`).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_entry;

use super::{
    connection::{Conn, connection},
    directory::{Organization, caller, db},
    ids::NodeType,
};
use crate::{
    auth,
    domain::{audit, directory, page::PageArgs},
    error::ApiError,
};

/// A role at the caller's institution.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "auth::Role")]
pub enum Role {
    Member,
    Evaluator,
    OrgAdmin,
    Registrar,
    /// At a bank: the referrals addressed to it, and their answers.
    LoanOfficer,
    NetworkAdmin,
}

/// The authenticated caller.
pub struct Viewer(auth::Principal);

#[Object]
impl Viewer {
    /// The token's subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The institution the caller acts for.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = directory::organization_by_id(db(ctx)?, self.0.institution_id)
            .await?
            .ok_or_else(|| ApiError::corrupt("the caller's institution is missing"))?;
        Ok(Organization(row))
    }
    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().copied().map(Into::into).collect()
    }
}

/// One mutation attempt, allowed or refused. Network admins only.
pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    /// The entry's global ID; entries are written in the order of their numbers.
    pub async fn id(&self) -> ID {
        NodeType::AuditEntry.id(self.0.id)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The caller's subject; null when anonymous.
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    async fn institution_code(&self) -> Option<&str> {
        self.0.institution_code.as_deref()
    }
    async fn roles(&self) -> Vec<&str> {
        self.0.roles.split(',').filter(|r| !r.is_empty()).collect()
    }
    /// The mutation, e.g. `updateOrganization`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// What the caller named as the target: an ID or a code.
    async fn target(&self) -> Option<&str> {
        self.0.target.as_deref()
    }
    /// `SUCCEEDED`, or the error code the caller received.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
}

#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    pub operation: Option<String>,
    /// `SUCCEEDED`, `FORBIDDEN`, `UNAUTHENTICATED`, `BAD_USER_INPUT`, …
    pub outcome: Option<String>,
    pub institution_code: Option<String>,
    pub subject: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The caller, when a token was sent; null for anonymous callers.
    async fn me(&self, ctx: &Context<'_>) -> Option<Viewer> {
        caller(ctx).principal().cloned().map(Viewer)
    }

    /// Every mutation attempt, newest first: network admins only.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuditLogFilter>,
    ) -> Result<Conn<AuditEntry>> {
        let filter = filter.unwrap_or_default();
        let filter = audit::AuditFilter {
            operation: filter.operation,
            outcome: filter.outcome,
            institution_code: filter.institution_code,
            subject: filter.subject,
            since: filter.since,
            until: filter.until,
        };
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let db = db(ctx)?;
        let listing = audit::entries(db, caller(ctx), &filter, &page).await?;
        Ok(connection(db, listing, AuditEntry))
    }
}
