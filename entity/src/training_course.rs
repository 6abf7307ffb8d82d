use sea_orm::entity::prelude::*;

use crate::enums::{CeUnit, TrainingKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_courses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The organisation that gives the course.
    pub provider_id: i64,
    pub title_ja: String,
    pub title_en: String,
    pub unit: CeUnit,
    /// What completing the course earns, in `unit`.
    pub amount: i32,
    /// A course, or a kind of practice (consulting work) whose records earn practice points.
    pub kind: TrainingKind,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
