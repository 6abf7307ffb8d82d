use sea_orm::entity::prelude::*;

use crate::matching_enums::ProposalStatus;

/// A member institution's answer to a need, on behalf of one SME or a consortium.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub need_id: i64,
    /// The need's posting institution (copied, for the readable condition).
    pub need_institution_id: i64,
    /// The proposing institution.
    pub institution_id: i64,
    pub lead_sme_id: i64,
    /// More than one SME: a joint order.
    pub joint: bool,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub price: Option<i64>,
    pub status: ProposalStatus,
    pub version: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub submitted_by_subject: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
