use sea_orm::entity::prelude::*;

use crate::enums::{Membership, MembershipBasis, OrganizationKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub code: String,
    pub name_ja: String,
    pub name_en: String,
    pub abbreviation: Option<String>,
    pub kind: OrganizationKind,
    pub membership: Membership,
    /// Where `membership` comes from.
    pub membership_basis: MembershipBasis,
    /// JIS X 0401 prefecture code, 1–47; none for a body abroad, or whose seat is not recorded.
    pub prefecture_code: Option<i16>,
    /// ISO 3166-1 alpha-2 code of the country of its seat.
    pub country_code: String,
    pub website_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_ja: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description_en: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cluster_participation::Entity")]
    ClusterParticipation,
}

impl Related<super::cluster_participation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ClusterParticipation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
