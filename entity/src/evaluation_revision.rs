use sea_orm::entity::prelude::*;

use crate::enums::{EvaluationStatus, Visibility};

/// One version of an evaluation, as it stood after a change. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub evaluation_id: i64,
    pub version: i32,
    /// `created`, `edited`, `submitted`, `review_started`, `returned`, `rated`, `published`,
    /// `withdrawn`.
    pub change: String,
    /// The fields this change touched, comma-separated.
    pub changed_fields: String,
    pub status: EvaluationStatus,
    pub visibility: Visibility,
    #[sea_orm(column_type = "Text")]
    pub scores: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    pub rating: Option<crate::enums::Rating>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub changed_by_subject: String,
    pub changed_by_institution: String,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
