use sea_orm::entity::prelude::*;

use crate::enums::CeUnit;

/// A continuing-education requirement of a scheme: `amount` units within `period_months`
/// before a renewal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ce_requirements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scheme_id: i64,
    pub unit: CeUnit,
    pub amount: i32,
    pub period_months: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
