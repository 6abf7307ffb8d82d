use sea_orm::entity::prelude::*;

use crate::enums::AssignmentRole;

/// A coordinator arranged to a cluster project or to a member institution, with a role and a
/// period. Exactly one of `project_id` and `organization_id` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coordinator_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub coordinator_id: i64,
    pub role: AssignmentRole,
    pub project_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub starts_on: Date,
    /// The last day; open-ended when `None`.
    pub ends_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::coordinator::Entity",
        from = "Column::CoordinatorId",
        to = "super::coordinator::Column::Id"
    )]
    Coordinator,
}

impl Related<super::coordinator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Coordinator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
