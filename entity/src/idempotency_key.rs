use sea_orm::entity::prelude::*;

/// A key a client sent with a mutation, so that a retry replays the first result.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Keys are scoped to the caller's institution and subject.
    pub institution_id: i64,
    /// The token's `sub`; empty for keys made before keys were scoped to subjects.
    pub subject: String,
    pub key: String,
    pub operation: String,
    /// SHA-256 of the operation and its input, hex.
    pub request_hash: String,
    /// The object the first request produced.
    pub result_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
