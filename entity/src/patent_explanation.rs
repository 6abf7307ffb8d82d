use sea_orm::entity::prelude::*;

use crate::enums::ExplanationStatus;

/// A patent's plain-language explanation for SMEs, as it currently stands; every version is also
/// kept in `patent_explanation_versions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patent_explanations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub patent_id: i64,
    /// The institution whose person wrote it.
    pub author_institution_id: i64,
    pub author_subject: String,
    pub status: ExplanationStatus,
    pub version: i32,
    /// The latest published version, if any.
    pub published_version: Option<i32>,
    /// What the invention does.
    #[sea_orm(column_type = "Text")]
    pub summary_ja: String,
    #[sea_orm(column_type = "Text")]
    pub summary_en: String,
    /// What an SME could make with it.
    #[sea_orm(column_type = "Text")]
    pub applications_ja: String,
    #[sea_orm(column_type = "Text")]
    pub applications_en: String,
    /// What it needs: equipment, skills.
    #[sea_orm(column_type = "Text")]
    pub requirements_ja: String,
    #[sea_orm(column_type = "Text")]
    pub requirements_en: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
