use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheme_levels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scheme_id: i64,
    /// 1 for the first level, then 2, 3 …
    pub rank: i16,
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    /// An award at this level needs an active award at the level below.
    pub requires_previous: bool,
    /// Months of relevant work the holder must have done …
    pub practice_months: Option<i16>,
    /// … within this many months before the award date.
    pub practice_within_months: Option<i16>,
    /// A course the holder must have completed before the award date.
    pub required_course_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
