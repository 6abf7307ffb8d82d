//! The closed vocabularies of sales promotion and business matching, stored as short text codes.

use sea_orm::entity::prelude::*;

/// What an SME can do to make a part: a controlled vocabulary, kept (like industry fields) as a
/// `,code,code,` list in a text column, so this enum has no column of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum ManufacturingProcess {
    #[sea_orm(string_value = "machining")]
    Machining,
    #[sea_orm(string_value = "casting")]
    Casting,
    #[sea_orm(string_value = "forging")]
    Forging,
    #[sea_orm(string_value = "pressing")]
    Pressing,
    #[sea_orm(string_value = "sheet_metal")]
    SheetMetal,
    #[sea_orm(string_value = "moulding")]
    Moulding,
    #[sea_orm(string_value = "surface_treatment")]
    SurfaceTreatment,
    #[sea_orm(string_value = "heat_treatment")]
    HeatTreatment,
    #[sea_orm(string_value = "welding")]
    Welding,
    #[sea_orm(string_value = "composites")]
    Composites,
    #[sea_orm(string_value = "additive_manufacturing")]
    AdditiveManufacturing,
    #[sea_orm(string_value = "assembly")]
    Assembly,
    #[sea_orm(string_value = "electronics_assembly")]
    ElectronicsAssembly,
    #[sea_orm(string_value = "inspection")]
    Inspection,
    #[sea_orm(string_value = "software")]
    Software,
}

/// What a buyer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum NeedKind {
    #[sea_orm(string_value = "order")]
    Order,
    #[sea_orm(string_value = "joint_development")]
    JointDevelopment,
    #[sea_orm(string_value = "discontinued_goods")]
    DiscontinuedGoods,
}

/// Who may read a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum NeedVisibility {
    #[sea_orm(string_value = "public")]
    Public,
    #[sea_orm(string_value = "network")]
    Network,
    #[sea_orm(string_value = "invited")]
    Invited,
}

/// A need's stored state. `CLOSED` is also read for an `open` need past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum NeedStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "closed")]
    Closed,
    #[sea_orm(string_value = "awarded")]
    Awarded,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// A proposal's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ProposalStatus {
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "shortlisted")]
    Shortlisted,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "declined")]
    Declined,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// A matching event's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum MatchingEventKind {
    /// A business-matching fair (商談会).
    #[sea_orm(string_value = "fair")]
    Fair,
    /// A mission abroad (an international air show, a trade fair).
    #[sea_orm(string_value = "overseas_mission")]
    OverseasMission,
}

/// What came of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum MeetingOutcome {
    #[sea_orm(string_value = "nda")]
    Nda,
    #[sea_orm(string_value = "quotation")]
    Quotation,
    #[sea_orm(string_value = "order")]
    Order,
    #[sea_orm(string_value = "none")]
    None,
}
