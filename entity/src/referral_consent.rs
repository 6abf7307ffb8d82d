use sea_orm::entity::prelude::*;

use crate::referral_enums::{ConsentMethod, ConsentScope};

/// An SME's consent to one institution sharing its evaluations with one bank. Live until revoked.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referral_consents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sme_id: i64,
    pub bank_id: i64,
    /// The institution that obtained the consent, and refers under it.
    pub institution_id: i64,
    pub scope: ConsentScope,
    pub obtained_on: Date,
    pub method: ConsentMethod,
    pub document_reference: String,
    pub recorded_by_subject: String,
    pub recorded_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by_subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
