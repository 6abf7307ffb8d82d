use sea_orm::entity::prelude::*;

/// One SME of a proposal: the lead or a partner, with its processes and share.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub proposal_id: i64,
    pub sme_id: i64,
    pub lead: bool,
    /// Manufacturing processes it takes on, `,code,code,`.
    pub processes: String,
    /// Its share of the work, in percent; a proposal's shares sum to 100.
    pub share_percent: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
