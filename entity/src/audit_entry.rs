use sea_orm::entity::prelude::*;

/// One mutation attempt, allowed or refused. The table is append-only (database triggers).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// The token's subject; null for an anonymous caller.
    pub subject: Option<String>,
    pub institution_code: Option<String>,
    /// The caller's roles, comma-separated.
    pub roles: String,
    /// The GraphQL mutation, e.g. `updateOrganization`.
    pub operation: String,
    /// What the caller named as the target: a global ID or a code.
    pub target: Option<String>,
    /// `SUCCEEDED`, or the error code the caller received.
    pub outcome: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
