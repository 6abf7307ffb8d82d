use sea_orm::entity::prelude::*;

use crate::matching_enums::MatchingEventKind;

/// A business-matching fair or an overseas mission.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matching_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The organising member institution.
    pub organiser_id: i64,
    pub kind: MatchingEventKind,
    pub name_ja: String,
    pub name_en: String,
    pub place: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The length of a meeting slot in minutes; slots start on its multiples from midnight in
    /// Japan.
    pub slot_minutes: i32,
    pub created_by_subject: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
