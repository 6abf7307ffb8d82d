use sea_orm::entity::prelude::*;

use crate::matching_enums::MeetingOutcome;

/// A meeting booked at an event, in one slot, between a need's buyer and an SME.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "matching_meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub need_id: i64,
    /// The need's buyer (copied: one meeting per buyer and slot).
    pub buyer_id: i64,
    /// The need's posting institution (copied, for the readable condition).
    pub need_institution_id: i64,
    /// The event's organiser (copied, for the readable condition).
    pub organiser_id: i64,
    pub sme_id: i64,
    pub slot_start: DateTimeUtc,
    pub outcome: Option<MeetingOutcome>,
    /// With an `order` outcome.
    pub order_amount: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub outcome_note: Option<String>,
    pub version: i32,
    pub booked_by_subject: String,
    pub created_at: DateTimeUtc,
    pub outcome_recorded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
