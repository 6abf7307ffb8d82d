use sea_orm::entity::prelude::*;

use crate::enums::HolderKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "qualification_schemes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    /// The organisation that defines the scheme and issues its awards.
    pub issuer_id: i64,
    pub name_ja: String,
    pub name_en: String,
    pub holder_kind: HolderKind,
    /// How long an award is valid; null for awards that do not expire.
    pub validity_months: Option<i16>,
    /// How many months before expiry renewal opens.
    pub renewal_window_months: i16,
    /// How many months after expiry an award still counts, and may still be renewed.
    pub grace_months: i16,
    /// How long a renewal extends an award, from its old expiry; null: `validity_months`.
    pub renewal_validity_months: Option<i16>,
    /// How many months after expiry renewal stays possible although the award no longer counts
    /// (0: renewal closes with the grace period).
    pub late_renewal_months: i16,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
