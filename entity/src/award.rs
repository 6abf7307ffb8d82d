use sea_orm::entity::prelude::*;

use crate::enums::AwardDecision;

/// A scheme's level awarded to a person (a coordinator) or an organisation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub scheme_id: i64,
    pub level_id: i64,
    /// Exactly one of the two holders is set.
    pub coordinator_id: Option<i64>,
    pub holder_organization_id: Option<i64>,
    #[sea_orm(unique)]
    pub certificate_number: String,
    pub awarded_on: Date,
    /// The last day the award is valid (before any grace period); null if it does not expire.
    pub expires_on: Option<Date>,
    /// The first day of the current validity period (the award date, then the day after the
    /// expiry a renewal ran on from); null on rows from before it was kept: the award date.
    pub period_from: Option<Date>,
    pub decision: AwardDecision,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// 1 at issue, one more with every change (renewal, decision, pause, resumption).
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::qualification_scheme::Entity",
        from = "Column::SchemeId",
        to = "super::qualification_scheme::Column::Id"
    )]
    QualificationScheme,
}

impl Related<super::qualification_scheme::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::QualificationScheme.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
