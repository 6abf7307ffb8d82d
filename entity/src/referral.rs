use sea_orm::entity::prelude::*;

use crate::referral_enums::{
    ConsentScope, DeclineReason, FinancingProduct, ReferralPurpose, ReferralStatus,
};

/// A referral of an SME, from one revision of its evaluation, to a bank.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub evaluation_id: i64,
    /// The revision referred: the bank reads exactly this version.
    pub evaluation_version: i32,
    pub sme_id: i64,
    /// The referring institution (the evaluating one).
    pub institution_id: i64,
    pub bank_id: i64,
    pub consent_id: i64,
    /// What the referral shares, within the consent's scope.
    pub scope: ConsentScope,
    pub purpose: ReferralPurpose,
    pub amount_requested: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub status: ReferralStatus,
    /// 1 at creation, one more with every move.
    pub version: i32,
    /// The referred revision's rating, A–D (kept for the network's statistics).
    pub rating: Option<crate::enums::Rating>,
    pub financed_amount: Option<i64>,
    pub financing_product: Option<FinancingProduct>,
    pub decided_on: Option<Date>,
    pub decline_reason: Option<DeclineReason>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decline_note: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub withdrawal_reason: Option<String>,
    pub referred_by_subject: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
