use sea_orm::entity::prelude::*;

use crate::enums::{InquiryStatus, LicenceForm};

/// An inquiry from a member institution, on behalf of an SME, to a patent's holder.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "licensing_inquiries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub patent_id: i64,
    pub sme_id: i64,
    /// The member institution that sent it.
    pub sender_institution_id: i64,
    /// The patent's holder when it was sent.
    pub holder_id: i64,
    pub sender_subject: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub status: InquiryStatus,
    /// 1 at creation, one more with every move.
    pub version: i32,
    /// The licence agreed.
    pub licence_form: Option<LicenceForm>,
    pub agreed_on: Option<Date>,
    /// The last answer's note (why it was declined or withdrawn).
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
