use sea_orm::entity::prelude::*;

/// A product or capability an SME offers buyers.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sme_products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sme_id: i64,
    pub name_ja: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_ja: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    /// Industry fields, `,code,code,`.
    pub fields: String,
    /// Manufacturing processes, `,code,code,`.
    pub processes: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
