use sea_orm::entity::prelude::*;

use crate::enums::{ClusterType, NicheStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "smes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub corporate_number: String,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture_code: i16,
    pub industry: Option<String>,
    pub employees: Option<i32>,
    pub capital_yen: Option<i64>,
    pub niche_status: NicheStatus,
    pub cluster_type: Option<ClusterType>,
    /// Cluster project codes, comma-delimited with a comma at each end.
    pub cluster_projects: String,
    /// The SME consents to the publication of its rating.
    pub publication_consent: bool,
    pub consent_recorded_at: Option<DateTimeUtc>,
    pub created_by_institution_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
