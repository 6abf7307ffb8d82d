use sea_orm::entity::prelude::*;

use crate::enums::{EvaluationStatus, Visibility};

/// An evaluation's current version; every version is also kept in `evaluation_revisions`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sme_id: i64,
    /// The evaluating institution.
    pub institution_id: i64,
    /// Who created it (the token's subject).
    pub evaluator_subject: String,
    pub status: EvaluationStatus,
    pub visibility: Visibility,
    /// 1 at creation, one more with every change.
    pub version: i32,
    /// The scores, as JSON (see the API's `domain::evaluation::criteria::Scores`).
    #[sea_orm(column_type = "Text")]
    pub scores: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub findings: Option<String>,
    /// A–D, fixed when the evaluation is rated.
    pub rating: Option<crate::enums::Rating>,
    pub overall_score: Option<f64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
