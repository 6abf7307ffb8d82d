use sea_orm::entity::prelude::*;

use crate::enums::ExplanationStatus;

/// One version of a patent's explanation, as it stood after a change. Append-only.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patent_explanation_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub explanation_id: i64,
    pub version: i32,
    /// `created`, `edited`, `submitted`, `returned`, `published`.
    pub change: String,
    pub status: ExplanationStatus,
    #[sea_orm(column_type = "Text")]
    pub summary_ja: String,
    #[sea_orm(column_type = "Text")]
    pub summary_en: String,
    #[sea_orm(column_type = "Text")]
    pub applications_ja: String,
    #[sea_orm(column_type = "Text")]
    pub applications_en: String,
    #[sea_orm(column_type = "Text")]
    pub requirements_ja: String,
    #[sea_orm(column_type = "Text")]
    pub requirements_en: String,
    /// Why it was sent back to DRAFT.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub changed_by_subject: String,
    pub changed_by_institution: String,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
