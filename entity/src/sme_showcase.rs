use sea_orm::entity::prelude::*;

/// An SME's public showcase, published with its consent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sme_showcases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub sme_id: i64,
    /// The SME's prefecture, kept equal to it (the list filters on it through an index).
    pub sme_prefecture_code: i16,
    /// The SME's niche standing, kept equal to it.
    pub sme_niche_status: crate::enums::NicheStatus,
    /// What a search reads: the SME's names and its products' names and descriptions, kept
    /// equal to them.
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    /// The day the SME consented to the showcase's publication.
    pub consented_on: Date,
    pub headline_ja: Option<String>,
    pub headline_en: Option<String>,
    /// Set when the showcase is taken down (consent withdrawn): it is then no longer public.
    pub withdrawn_at: Option<DateTimeUtc>,
    pub recorded_by_subject: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
