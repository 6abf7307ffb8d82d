use sea_orm::entity::prelude::*;

use crate::enums::PatentLicensing;

/// A patent (or application) that its holder may license to SMEs.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The holding organisation.
    pub holder_id: i64,
    /// `YYYY-NNNNNN`.
    #[sea_orm(unique)]
    pub application_number: String,
    /// Seven digits, once registered.
    pub registration_number: Option<String>,
    pub title_ja: String,
    pub title_en: String,
    /// The original abstract, as filed.
    #[sea_orm(column_type = "Text", nullable)]
    pub abstract_text: Option<String>,
    /// IPC symbols as `,H01M 8/12,H01M 8/10,`.
    pub ipc_classes: String,
    /// Industry fields as `,energy,environment,`.
    pub fields: String,
    pub trl: Option<i16>,
    pub filed_on: Date,
    pub expires_on: Date,
    pub licensing: PatentLicensing,
    /// The licence forms offered, as `,non_exclusive,option,`.
    pub licence_forms: String,
    /// What full-text search reads: titles, abstract and the published explanation.
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    /// Whether an explanation of it has been published: a copy of what its explanation says,
    /// kept by the domain, so that what anyone may read is one indexed condition on this table.
    pub explanation_published: bool,
    /// 1 at creation, one more with every change.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
