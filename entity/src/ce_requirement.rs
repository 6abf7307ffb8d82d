use sea_orm::entity::prelude::*;

use crate::enums::{CeUnit, TrainingKind};

/// A continuing-education requirement of a scheme: `amount` units of records of one kind,
/// counted over the award's own validity period. `period_months` is the period the issuer states
/// the requirement over; counting never uses it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ce_requirements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scheme_id: i64,
    pub unit: CeUnit,
    pub amount: i32,
    pub period_months: i16,
    /// Which records count: courses, or practice.
    pub kind: TrainingKind,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
