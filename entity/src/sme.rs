use sea_orm::entity::prelude::*;

use crate::enums::{ClusterType, NicheStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "smes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The 13-digit corporate number (法人番号); none for a sole proprietor (個人事業主).
    #[sea_orm(unique)]
    pub corporate_number: Option<String>,
    /// The qualified-invoice issuer registration number (適格請求書発行事業者登録番号), `T` and
    /// 13 digits, when the SME has one.
    #[sea_orm(unique)]
    pub invoice_number: Option<String>,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture_code: i16,
    /// The JSIC (日本標準産業分類) classification: a major letter with an optional middle
    /// classification ("E", "E25").
    pub industry: Option<String>,
    /// What was recorded as the industry before it became a JSIC code, when it was not one.
    pub industry_note: Option<String>,
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
