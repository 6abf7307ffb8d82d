//! Who is asking (`me`) and what was done (`auditLog`).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::audit_entry;

use super::{
    connection::{Conn, connection},
    context::{caller, db},
    coordinators::Coordinator,
    directory::Organization,
    ids::NodeType,
};
use crate::{
    auth,
    domain::{audit, coordinators, directory},
    error::ApiError,
};

/// A role at an institution.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "auth::Role")]
pub enum Role {
    /// Reads network-internal fields (contacts, awards, evaluations shared with the network).
    /// Token claim value `member`.
    Member,
    /// Writes the institution's evaluation drafts and submits them; reads all of its evaluations.
    /// Token claim value `evaluator`.
    Evaluator,
    /// Edits the institution's profile and coordinators; approves, returns and withdraws its
    /// evaluations. Token claim value `org_admin`.
    OrgAdmin,
    /// Issues, renews, suspends and revokes the qualifications the institution issues. Token
    /// claim value `registrar`.
    Registrar,
    /// Records the institution's patents, reviews their explanations for SMEs and answers
    /// licensing inquiries. Token claim value `licensing`.
    Licensing,
    /// At a bank: reads the referrals addressed to it and answers them. Token claim value
    /// `loan_officer`.
    LoanOfficer,
    /// Manages organisations and membership, reads everything and the audit log; held only at
    /// the network itself. Token claim value `network_admin`.
    NetworkAdmin,
}

pub struct Viewer(auth::Principal);

/// The authenticated caller.
#[Object]
impl Viewer {
    /// The token's subject.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The institution the caller acts for in this request: the token's only one, or the one
    /// the `IIN-Institution` header (graphql-ws: `connectionParams`) names.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = directory::organization_by_id(db(ctx)?, self.0.institution_id)
            .await?
            .ok_or_else(|| ApiError::corrupt("the caller's institution is missing"))?;
        Ok(Organization::from(row))
    }
    /// The caller's roles at that institution, as the token grants them: the only roles this
    /// request acts with.
    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().copied().map(Into::into).collect()
    }
    /// Every institution the person holds roles at, the acting one among them, in the token's
    /// order.
    async fn affiliations(&self) -> Vec<Affiliation> {
        self.0
            .affiliations
            .iter()
            .map(|a| Affiliation {
                affiliation: a.clone(),
                acting: a.institution_code == self.0.institution_code,
            })
            .collect()
    }
    /// The coordinator record linked to the person (their token's `sub`): their awards, training
    /// and credits, and the profile they edit with `updateOwnCoordinatorProfile`. Null when no
    /// record is linked to them.
    async fn coordinator(&self, ctx: &Context<'_>) -> Result<Option<Coordinator>> {
        let row = coordinators::of_person(db(ctx)?, &self.0.subject).await?;
        Ok(row.map(Coordinator))
    }
}

pub struct Affiliation {
    affiliation: auth::Affiliation,
    acting: bool,
}

/// A person's roles at one institution, as their token grants them.
#[Object]
impl Affiliation {
    /// The institution's directory code (`aist`).
    async fn institution_code(&self) -> &str {
        &self.affiliation.institution_code
    }
    /// The institution; null when the directory has no institution of that code.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let row =
            directory::organization_by_code(db(ctx)?, &self.affiliation.institution_code).await?;
        Ok(row.map(Organization::from))
    }
    /// The roles the token grants there (names this API does not know are left out).
    async fn roles(&self) -> Vec<Role> {
        self.affiliation
            .roles
            .iter()
            .copied()
            .map(Into::into)
            .collect()
    }
    /// Whether this request acts for this institution.
    async fn acting(&self) -> bool {
        self.acting
    }
}

pub struct AuditEntry(pub audit_entry::Model);

/// One mutation attempt, allowed or refused. Network admins only.
#[Object]
impl AuditEntry {
    /// The entry's global ID; entries are written in the order of their numbers.
    pub async fn id(&self) -> ID {
        NodeType::AuditEntry.id(self.0.id)
    }
    /// When the attempt was made.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The caller's subject; null when anonymous.
    async fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }
    /// The code of the institution the caller acted for (`aist`); null when anonymous.
    async fn institution_code(&self) -> Option<&str> {
        self.0.institution_code.as_deref()
    }
    /// The caller's roles at that institution as token claim values (`org_admin`); empty when
    /// anonymous.
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

/// Narrows the audit log; the conditions given must all hold. Text is matched exactly.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Attempts at this mutation, e.g. `issueAward`.
    pub operation: Option<String>,
    /// `SUCCEEDED`, `FORBIDDEN`, `UNAUTHENTICATED`, `BAD_USER_INPUT`, …
    pub outcome: Option<String>,
    /// Attempts by callers acting for this institution, by its code (`aist`).
    pub institution_code: Option<String>,
    /// Attempts by this token subject.
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
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only entries that match; all of them unless given.")] filter: Option<
            AuditLogFilter,
        >,
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
        let page = super::connection::page_args(ctx, first, after, last, before);
        let db = db(ctx)?;
        let listing = audit::entries(db, caller(ctx), &filter, &page).await?;
        Ok(connection(db, listing, AuditEntry))
    }
}
