//! The closed vocabularies of financing referrals, stored as short text codes.

use sea_orm::entity::prelude::*;

/// What of an evaluation the SME consents to share with a bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ConsentScope {
    /// The rating and overall score.
    #[sea_orm(string_value = "summary")]
    Summary,
    /// The whole evaluation: scores and findings too.
    #[sea_orm(string_value = "full_evaluation")]
    FullEvaluation,
}

/// How the consent was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ConsentMethod {
    #[sea_orm(string_value = "written")]
    Written,
    #[sea_orm(string_value = "electronic")]
    Electronic,
}

/// What the SME seeks financing for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(30))")]
pub enum ReferralPurpose {
    #[sea_orm(string_value = "working_capital")]
    WorkingCapital,
    #[sea_orm(string_value = "equipment")]
    Equipment,
    #[sea_orm(string_value = "r_and_d")]
    RAndD,
    #[sea_orm(string_value = "overseas_expansion")]
    OverseasExpansion,
    #[sea_orm(string_value = "business_succession")]
    BusinessSuccession,
}

/// A referral's stored state. `EXPIRED` is not stored: a `sent` referral left unanswered past
/// the expiry reads as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ReferralStatus {
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "acknowledged")]
    Acknowledged,
    #[sea_orm(string_value = "under_review")]
    UnderReview,
    #[sea_orm(string_value = "financed")]
    Financed,
    #[sea_orm(string_value = "declined")]
    Declined,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// How a bank financed a referred SME.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum FinancingProduct {
    #[sea_orm(string_value = "loan")]
    Loan,
    /// A loan guaranteed by a credit guarantee corporation (信用保証協会).
    #[sea_orm(string_value = "guaranteed_loan")]
    GuaranteedLoan,
    #[sea_orm(string_value = "equity")]
    Equity,
    #[sea_orm(string_value = "bridge_loan")]
    BridgeLoan,
}

/// Why a bank declined a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum DeclineReason {
    #[sea_orm(string_value = "insufficient_repayment_capacity")]
    InsufficientRepaymentCapacity,
    #[sea_orm(string_value = "insufficient_collateral")]
    InsufficientCollateral,
    #[sea_orm(string_value = "outside_lending_policy")]
    OutsideLendingPolicy,
    #[sea_orm(string_value = "incomplete_information")]
    IncompleteInformation,
    #[sea_orm(string_value = "sme_withdrew")]
    SmeWithdrew,
    #[sea_orm(string_value = "other")]
    Other,
}
