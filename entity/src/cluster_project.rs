use sea_orm::entity::prelude::*;

use crate::enums::{ClusterProgram, MetiBureau};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cluster_projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub program: ClusterProgram,
    pub bureau: MetiBureau,
    /// Industry field codes, comma-delimited with a comma at each end (",food,it,").
    pub fields: String,
    pub term_start_fiscal_year: i16,
    pub term_end_fiscal_year: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cluster_participation::Entity")]
    ClusterParticipation,
    #[sea_orm(has_many = "super::tie_up::Entity")]
    TieUp,
}

impl Related<super::cluster_participation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ClusterParticipation.def()
    }
}

impl Related<super::tie_up::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TieUp.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
