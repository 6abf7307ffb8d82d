use sea_orm::entity::prelude::*;

use crate::matching_enums::{NeedKind, NeedStatus, NeedVisibility};

/// A buyer's need, posted by a member institution on the buyer's behalf.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "business_needs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The posting member institution: it alone decides on proposals.
    pub institution_id: i64,
    /// The buyer, recorded as an organisation.
    pub buyer_id: i64,
    pub kind: NeedKind,
    /// For a joint development on a patent.
    pub patent_id: Option<i64>,
    pub title_ja: String,
    pub title_en: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Industry fields, `,code,code,`.
    pub fields: String,
    /// Required manufacturing processes, `,code,code,`.
    pub processes: String,
    pub quantity: Option<i32>,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub deadline: DateTimeUtc,
    pub delivery_place: Option<String>,
    pub visibility: NeedVisibility,
    /// For `invited`: the invited institutions' ids, `,id,id,`.
    pub invited: String,
    pub status: NeedStatus,
    pub version: i32,
    pub posted_by_subject: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
