use sea_orm::entity::prelude::*;

use crate::enums::{AgreementType, TieUpStatus, WorldRegion};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tie_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub region: WorldRegion,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The Japanese side as the source names it ("Hamamatsu", "TAMA project").
    pub japanese_partner: String,
    /// The foreign side as the source words it ("Beijing, Shenyang, Dalian, etc").
    pub foreign_partner: String,
    /// The foreign side, structured: a JSON array of `{"name", "kind", "country"}`, plus
    /// whether the source's list ends in "etc" (see `TieUpPartners` in the API's domain).
    #[sea_orm(column_type = "Text")]
    pub partners: String,
    /// The fiscal year the tie-up started, when known.
    pub start_year: Option<i16>,
    pub status: TieUpStatus,
    pub agreement_type: Option<AgreementType>,
    /// The field as the source words it ("Cosmetics, functional food").
    pub field_label: String,
    /// Industry field codes, comma-delimited with a comma at each end.
    pub fields: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cluster_project::Entity",
        from = "Column::ProjectId",
        to = "super::cluster_project::Column::Id",
        on_delete = "Cascade"
    )]
    ClusterProject,
}

impl Related<super::cluster_project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ClusterProject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
