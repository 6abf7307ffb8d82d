use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "training_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub coordinator_id: i64,
    pub course_id: i64,
    pub completed_on: Date,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::training_course::Entity",
        from = "Column::CourseId",
        to = "super::training_course::Column::Id"
    )]
    TrainingCourse,
}

impl Related<super::training_course::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TrainingCourse.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
