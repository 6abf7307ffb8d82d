use sea_orm::entity::prelude::*;

use crate::enums::ContactPreference;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coordinators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name_ja: String,
    pub name_en: String,
    pub prefecture_code: i16,
    /// Industry field codes, comma-delimited with a comma at each end.
    pub expertise: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub profile_en: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// The person this record describes (their tokens' `sub`), when linked; one record a person.
    #[sea_orm(unique)]
    pub person_subject: Option<String>,
    /// The person's choice: whether callers outside the network see the profile at all.
    pub public_profile: bool,
    /// How the person prefers to be reached; members read it.
    pub contact_preference: Option<ContactPreference>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
