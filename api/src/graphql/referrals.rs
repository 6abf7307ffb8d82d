//! Financing referrals in GraphQL: the SME's consent, the referral and the bank's answers, the
//! network's statistics, and `referralChanged`.

use async_graphql::{
    Context, Enum, ID, InputObject, InputType, Object, Result, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use entity::{evaluation_revision, referral, referral_consent, referral_enums};
use futures_util::{Stream, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders},
    directory::Organization,
    ids::{self, NodeType},
    loaders::{OrganizationId, SmeId},
    money::Yen,
    qualifications::Date,
    scores::{EvaluationScores, Rating},
    smes::Sme,
};
use crate::{
    domain::{
        evaluation::criteria::Scores,
        events::EventBus,
        idempotency::Idempotency,
        profile,
        referrals::{
            self, ReferralPolicy, ReferralState, consent,
            statistics::{self, GroupBy},
            workflow::{Action, Financing, Move, NewReferral},
        },
    },
    error::{ApiError, ApiResult},
};

// ---------------------------------------------------------------- enums

/// What of an evaluation the SME consents to share with a bank.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "referral_enums::ConsentScope")]
pub enum ConsentScope {
    /// The rating of the referred revision.
    Summary,
    /// The whole referred revision: its scores and findings too.
    FullEvaluation,
}

/// How the SME's consent was obtained.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "referral_enums::ConsentMethod")]
pub enum ConsentMethod {
    /// On paper, signed.
    Written,
    /// Electronically (an e-signature or a recorded online consent).
    Electronic,
}

/// What the SME seeks financing for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "referral_enums::ReferralPurpose")]
pub enum ReferralPurpose {
    /// Working capital (運転資金).
    WorkingCapital,
    /// Equipment (設備資金).
    Equipment,
    /// Research and development.
    RAndD,
    /// Expansion abroad.
    OverseasExpansion,
    /// Business succession (事業承継).
    BusinessSuccession,
}

/// Where a referral stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReferralStatus {
    /// Sent to the bank, not yet acknowledged.
    Sent,
    /// The bank has acknowledged it.
    Acknowledged,
    /// The bank is reviewing it.
    UnderReview,
    /// The bank financed the SME.
    Financed,
    /// The bank declined.
    Declined,
    /// The referring institution withdrew it.
    Withdrawn,
    /// Left unacknowledged for `IIN_REFERRAL_EXPIRY_DAYS` (default 60): it takes no more moves.
    Expired,
}

impl From<ReferralState> for ReferralStatus {
    fn from(state: ReferralState) -> Self {
        match state {
            ReferralState::Sent => Self::Sent,
            ReferralState::Acknowledged => Self::Acknowledged,
            ReferralState::UnderReview => Self::UnderReview,
            ReferralState::Financed => Self::Financed,
            ReferralState::Declined => Self::Declined,
            ReferralState::Withdrawn => Self::Withdrawn,
            ReferralState::Expired => Self::Expired,
        }
    }
}

impl From<ReferralStatus> for ReferralState {
    fn from(status: ReferralStatus) -> Self {
        match status {
            ReferralStatus::Sent => Self::Sent,
            ReferralStatus::Acknowledged => Self::Acknowledged,
            ReferralStatus::UnderReview => Self::UnderReview,
            ReferralStatus::Financed => Self::Financed,
            ReferralStatus::Declined => Self::Declined,
            ReferralStatus::Withdrawn => Self::Withdrawn,
            ReferralStatus::Expired => Self::Expired,
        }
    }
}

/// How a bank financed a referred SME.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "referral_enums::FinancingProduct")]
pub enum FinancingProduct {
    /// A loan (プロパー融資).
    Loan,
    /// A loan guaranteed by a credit guarantee corporation (信用保証付融資).
    GuaranteedLoan,
    /// An equity investment.
    Equity,
    /// A bridge loan.
    BridgeLoan,
}

/// Why a bank declined a referral.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "referral_enums::DeclineReason")]
pub enum ReferralDeclineReason {
    /// The SME's cash flow does not support the repayment.
    InsufficientRepaymentCapacity,
    /// Not enough collateral or guarantee.
    InsufficientCollateral,
    /// Outside the bank's lending policy (sector, area, size).
    OutsideLendingPolicy,
    /// The information given is not enough to decide.
    IncompleteInformation,
    /// The SME no longer seeks the financing.
    SmeWithdrew,
    /// Another reason, given in the note.
    Other,
}

/// How `referralStatistics` groups referrals.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReferralGrouping {
    /// By the bank addressed.
    Bank,
    /// By the METI regional bureau covering the bank's prefecture.
    Bureau,
    /// By the rating of the referred revision.
    Rating,
}

impl From<ReferralGrouping> for GroupBy {
    fn from(grouping: ReferralGrouping) -> Self {
        match grouping {
            ReferralGrouping::Bank => Self::Bank,
            ReferralGrouping::Bureau => Self::Bureau,
            ReferralGrouping::Rating => Self::Rating,
        }
    }
}

// ---------------------------------------------------------------- objects

fn organization_loaded(
    row: Option<std::sync::Arc<entity::organization::Model>>,
    what: &str,
) -> ApiResult<Organization> {
    row.map(Organization::from)
        .ok_or_else(|| ApiError::corrupt(format!("a referral's {what} is missing")))
}

fn yen(value: i64, what: &str) -> ApiResult<Yen> {
    crate::domain::money::Yen::new(value)
        .map(Yen)
        .map_err(|e| ApiError::corrupt(format!("{what}: {e}")))
}

pub struct ReferralConsent(pub referral_consent::Model);

/// The SME's consent to an institution sharing its evaluation with one bank.
#[Object]
impl ReferralConsent {
    /// The consent's global ID.
    pub async fn id(&self) -> ID {
        NodeType::ReferralConsent.id(self.0.id)
    }
    /// The SME that consents.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        let row = loaders(ctx)?
            .load_one(SmeId(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("a consent's SME is missing"))?;
        Ok(Sme::from(row))
    }
    /// The bank the SME consents to share with.
    async fn bank(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.bank_id))
            .await
            .map_err(ApiError::from)?;
        Ok(organization_loaded(row, "bank")?)
    }
    /// The institution that obtained the consent and refers under it.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.institution_id))
            .await
            .map_err(ApiError::from)?;
        Ok(organization_loaded(row, "institution")?)
    }
    /// What may be shared.
    async fn scope(&self) -> ConsentScope {
        self.0.scope.into()
    }
    /// The day the SME gave its consent.
    async fn obtained_on(&self) -> Date {
        Date(self.0.obtained_on)
    }
    /// How it was given.
    async fn method(&self) -> ConsentMethod {
        self.0.method.into()
    }
    /// Where the signed form or the electronic record is kept.
    async fn document_reference(&self) -> &str {
        &self.0.document_reference
    }
    /// When it was recorded here.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    /// When it was revoked; null while it is live.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether it is live (not revoked).
    async fn live(&self) -> bool {
        self.0.revoked_at.is_none()
    }
}

pub struct ReferredEvaluation {
    revision: evaluation_revision::Model,
    /// Scores and findings are shared (the referral's scope, or the reader is the referrer).
    full: bool,
}

/// The revision of an evaluation a referral carries: exactly the version referred, whatever
/// became of the evaluation since.
#[Object]
impl ReferredEvaluation {
    /// The evaluation's global ID (the evaluation itself is read as its own rules say).
    async fn evaluation_id(&self) -> ID {
        NodeType::Evaluation.id(self.revision.evaluation_id)
    }
    /// The version referred.
    async fn version(&self) -> i32 {
        self.revision.version
    }
    /// The rating at that version.
    async fn rating(&self) -> Option<Rating> {
        self.revision.rating.map(Into::into)
    }
    /// The scores at that version; null when only the summary is shared.
    async fn scores(&self) -> Result<Option<EvaluationScores>> {
        if !self.full {
            return Ok(None);
        }
        let scores: Scores = serde_json::from_str(&self.revision.scores)
            .map_err(|e| ApiError::corrupt(e.to_string()))?;
        Ok(Some(scores.into()))
    }
    /// The findings at that version; null when only the summary is shared.
    async fn findings(&self) -> Option<&str> {
        self.full
            .then_some(self.revision.findings.as_deref())
            .flatten()
    }
    /// When that version was made.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.revision.changed_at
    }
}

/// What the bank financed.
#[derive(SimpleObject)]
pub struct ReferralFinancing {
    /// The amount financed.
    amount: Yen,
    /// How.
    product: FinancingProduct,
    /// The day the bank decided.
    decided_on: Date,
}

/// Why the bank declined.
#[derive(SimpleObject)]
pub struct ReferralDecline {
    /// The reason, as a code.
    reason: ReferralDeclineReason,
    /// The bank's words.
    note: Option<String>,
    /// The day the bank declined.
    decided_on: Option<Date>,
}

pub struct Referral(pub referral::Model);

/// An SME referred from an evaluation to a bank for financing. Readable by the referring
/// institution, the addressed bank's loan officers and network admins only.
#[Object]
impl Referral {
    /// The referral's global ID.
    pub async fn id(&self) -> ID {
        NodeType::Referral.id(self.0.id)
    }
    /// The SME referred.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        let row = loaders(ctx)?
            .load_one(SmeId(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("a referral's SME is missing"))?;
        Ok(Sme::from(row))
    }
    /// The referring institution: the one that evaluated the SME.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.institution_id))
            .await
            .map_err(ApiError::from)?;
        Ok(organization_loaded(row, "institution")?)
    }
    /// The bank addressed.
    async fn bank(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.bank_id))
            .await
            .map_err(ApiError::from)?;
        Ok(organization_loaded(row, "bank")?)
    }
    /// What the SME seeks financing for.
    async fn purpose(&self) -> ReferralPurpose {
        self.0.purpose.into()
    }
    /// The amount the SME seeks.
    async fn amount_requested(&self) -> Result<Yen> {
        Ok(yen(self.0.amount_requested, "amount requested")?)
    }
    /// The referrer's note to the bank.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Where it stands; `EXPIRED` once unacknowledged past `IIN_REFERRAL_EXPIRY_DAYS`.
    async fn status(&self, ctx: &Context<'_>) -> Result<ReferralStatus> {
        Ok(policy(ctx)?.state_of(&self.0, Utc::now()).into())
    }
    /// 1 at creation, one more with every move; every move names the version it moves.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What the referral shares, within the consent.
    async fn scope(&self) -> ConsentScope {
        self.0.scope.into()
    }
    /// The version of the evaluation referred.
    async fn evaluation_version(&self) -> i32 {
        self.0.evaluation_version
    }
    /// The referred revision of the evaluation. Null for the bank once the SME revoked its
    /// consent (the referral's existence and status stay); scores and findings only when the
    /// referral shares the full evaluation.
    async fn evaluation(&self, ctx: &Context<'_>) -> Result<Option<ReferredEvaluation>> {
        let db = db(ctx)?;
        let as_bank = referrals::reads_as_bank(caller(ctx), &self.0);
        if as_bank {
            let consent = referral_consent::Entity::find_by_id(self.0.consent_id)
                .one(db)
                .await
                .map_err(ApiError::from)?
                .ok_or_else(|| ApiError::corrupt("a referral's consent is missing"))?;
            if consent.revoked_at.is_some() {
                return Ok(None);
            }
        }
        let revision = evaluation_revision::Entity::find()
            .filter(evaluation_revision::Column::EvaluationId.eq(self.0.evaluation_id))
            .filter(evaluation_revision::Column::Version.eq(self.0.evaluation_version))
            .one(db)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("a referral's revision is missing"))?;
        let full = !as_bank || self.0.scope == referral_enums::ConsentScope::FullEvaluation;
        Ok(Some(ReferredEvaluation { revision, full }))
    }
    /// The consent the referral rests on.
    async fn consent(&self, ctx: &Context<'_>) -> Result<ReferralConsent> {
        let row = referral_consent::Entity::find_by_id(self.0.consent_id)
            .one(db(ctx)?)
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("a referral's consent is missing"))?;
        Ok(ReferralConsent(row))
    }
    /// What the bank financed, once `FINANCED`.
    async fn financing(&self) -> Result<Option<ReferralFinancing>> {
        match (
            self.0.financed_amount,
            self.0.financing_product,
            self.0.decided_on,
        ) {
            (Some(amount), Some(product), Some(decided_on)) => Ok(Some(ReferralFinancing {
                amount: yen(amount, "amount financed")?,
                product: product.into(),
                decided_on: Date(decided_on),
            })),
            _ => Ok(None),
        }
    }
    /// Why the bank declined, once `DECLINED`.
    async fn decline(&self) -> Option<ReferralDecline> {
        self.0.decline_reason.map(|reason| ReferralDecline {
            reason: reason.into(),
            note: self.0.decline_note.clone(),
            decided_on: self.0.decided_on.map(Date),
        })
    }
    /// Why the referrer withdrew it.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawal_reason.as_deref()
    }
    /// Who referred (the token's subject).
    async fn referred_by(&self) -> &str {
        &self.0.referred_by_subject
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last moved.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When the bank acknowledged it.
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }
    /// When the bank decided (financed or declined).
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// When an unacknowledged referral expires; null once acknowledged or closed.
    async fn expires_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        let expiry = policy(ctx)?.expiry();
        Ok((self.0.status == referral_enums::ReferralStatus::Sent)
            .then(|| self.0.created_at + expiry))
    }
}

/// One group of `referralStatistics`.
#[derive(SimpleObject)]
pub struct ReferralStatisticsGroup {
    /// The bank's code, the bureau (`kanto`), the rating (`A`, or `unrated`); `other` for the
    /// small groups folded together for callers outside the network.
    key: String,
    /// The bank's English name, the bureau or the rating; `Other` for the folded group.
    label: String,
    /// The bank, when grouped by bank (null for `other`).
    bank_id: Option<ID>,
    /// Referrals sent in the fiscal year.
    referrals: u64,
    /// Of them, those the bank acknowledged.
    acknowledged: u64,
    /// Of them, those financed.
    financed: u64,
    /// Of them, those declined.
    declined: u64,
    /// The sum financed.
    total_financed: Yen,
    /// The median number of days from referral to the bank's decision.
    median_days_to_decision: Option<f64>,
}

/// The network's referral figures for a fiscal year.
#[derive(SimpleObject)]
pub struct ReferralStatistics {
    /// The fiscal year: April of this year to March of the next.
    fiscal_year: i32,
    /// How the referrals are grouped.
    group_by: ReferralGrouping,
    /// The groups; for callers outside the network only those of at least 3 referrals, the
    /// rest folded into `other`.
    groups: Vec<ReferralStatisticsGroup>,
}

// ---------------------------------------------------------------- inputs

/// The SME's consent to sharing its evaluation with one bank.
#[derive(InputObject)]
pub struct RecordReferralConsentInput {
    /// The SME that consents.
    pub sme_id: ID,
    /// The bank: an organisation of kind `FINANCIAL_INSTITUTION`.
    pub bank_id: ID,
    /// What may be shared.
    pub scope: ConsentScope,
    /// The day the SME consented; not in the future.
    pub obtained_on: Date,
    /// How it consented.
    pub method: ConsentMethod,
    /// Where the form or record is kept (a file number); 1–200 characters.
    pub document_reference: String,
}

/// A referral of the SME of a rated evaluation to a bank.
#[derive(InputObject)]
pub struct ReferSmeInput {
    /// A `RATED` or `PUBLISHED` evaluation of the caller's institution.
    pub evaluation_id: ID,
    /// The bank: an organisation of kind `FINANCIAL_INSTITUTION`.
    pub bank_id: ID,
    /// What the SME seeks financing for.
    pub purpose: ReferralPurpose,
    /// The amount the SME seeks.
    pub amount_requested: Yen,
    /// A note to the bank, up to 2000 characters.
    pub note: Option<String>,
    /// What is shared with the bank; the SME's live consent must cover it.
    #[graphql(default_with = "ConsentScope::FullEvaluation")]
    pub scope: ConsentScope,
}

/// What the bank financed.
#[derive(InputObject)]
pub struct RecordFinancingInput {
    /// The amount financed.
    pub amount: Yen,
    /// How.
    pub product: FinancingProduct,
    /// The day of the decision; not in the future.
    pub decided_on: Date,
}

/// Narrows `referrals`.
#[derive(InputObject, Default)]
#[graphql(name = "ReferralFilter")]
pub struct ReferralFilterInput {
    /// The SME referred.
    pub sme_id: Option<ID>,
    /// The referring institution.
    pub institution_id: Option<ID>,
    /// The bank addressed.
    pub bank_id: Option<ID>,
    /// Where the referrals stand (`EXPIRED` included).
    pub status: Option<ReferralStatus>,
    /// What financing is sought for.
    pub purpose: Option<ReferralPurpose>,
}

fn policy<'a>(ctx: &Context<'a>) -> Result<&'a ReferralPolicy> {
    ctx.data::<ReferralPolicy>()
}

fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus> {
    ctx.data::<EventBus>()
}

fn fingerprint<T: InputType>(
    key: &str,
    operation: &str,
    input: &T,
) -> Option<ApiResult<Idempotency>> {
    let request = input.to_value().into_json().unwrap_or_default();
    Some(Idempotency::parse(key, operation, &request))
}

fn text(value: Option<String>, field: &str, max: usize) -> ApiResult<Option<String>> {
    value
        .map(|v| profile::text(&v, max))
        .transpose()
        .map_err(|m| ApiError::bad_input(field, m))
        .map(Option::flatten)
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct ReferralQuery;

#[Object]
impl ReferralQuery {
    /// The referrals the caller may read, newest first: its institution's, as referrer or (loan
    /// officers) as the bank addressed; everything for network admins; nothing for anyone else.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n referrals.")] first: Option<i32>,
        #[graphql(desc = "Returns the referrals after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n referrals.")] last: Option<i32>,
        #[graphql(desc = "Returns the referrals before this cursor.")] before: Option<String>,
        #[graphql(desc = "Narrows the list; never widens it.")] filter: Option<ReferralFilterInput>,
    ) -> Result<Conn<Referral>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let decode = |id: &Option<ID>, node, field| {
            id.as_ref()
                .map(|id| ids::decode_as(id, node, field))
                .transpose()
        };
        let domain_filter = referrals::ReferralFilter {
            sme_id: decode(&filter.sme_id, NodeType::Sme, "filter.smeId")?,
            institution_id: decode(
                &filter.institution_id,
                NodeType::Organization,
                "filter.institutionId",
            )?,
            bank_id: decode(&filter.bank_id, NodeType::Organization, "filter.bankId")?,
            state: filter.status.map(Into::into),
            purpose: filter.purpose.map(Into::into),
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing =
            referrals::referrals(db, policy(ctx)?, caller(ctx), &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Referral))
    }

    /// One referral the caller may read; null otherwise (another bank's referral does not exist
    /// for you).
    async fn referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
    ) -> Result<Option<Referral>> {
        let key = ids::decode_as(&id, NodeType::Referral, "id")?;
        Ok(referrals::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(Referral))
    }

    /// The network's referral figures for a fiscal year, grouped. Members of the network see
    /// every group; other callers only groups of at least 3 referrals, the rest folded into
    /// `other`.
    async fn referral_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiscal year: April of this year to March of the next.")]
        fiscal_year: i32,
        #[graphql(desc = "How to group the referrals.")] group_by: ReferralGrouping,
    ) -> Result<ReferralStatistics> {
        let groups =
            statistics::statistics(db(ctx)?, caller(ctx), fiscal_year, group_by.into()).await?;
        let groups = groups
            .into_iter()
            .map(|g| {
                Ok(ReferralStatisticsGroup {
                    key: g.key,
                    label: g.label,
                    bank_id: g.bank_id.map(|id| NodeType::Organization.id(id)),
                    referrals: g.referrals,
                    acknowledged: g.acknowledged,
                    financed: g.financed,
                    declined: g.declined,
                    total_financed: yen(
                        g.total_financed.min(crate::domain::money::Yen::MAX),
                        "total financed",
                    )?,
                    median_days_to_decision: g.median_days_to_decision,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(ReferralStatistics {
            fiscal_year,
            group_by,
            groups,
        })
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct ReferralMutation;

#[Object]
impl ReferralMutation {
    /// Records the SME's consent to the caller's institution sharing its evaluation with a
    /// bank: evaluators and org admins of an institution that evaluated or registered the SME.
    /// Retry-safe with `idempotencyKey`.
    async fn record_referral_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent.")] input: RecordReferralConsentInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<ReferralConsent> {
        let key = fingerprint(&idempotency_key, "recordReferralConsent", &input);
        let target = Some(format!(
            "{}→{}",
            input.sme_id.as_str(),
            input.bank_id.as_str()
        ));
        let parsed = (|| {
            Ok(consent::NewConsent {
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                bank_id: ids::decode_as(&input.bank_id, NodeType::Organization, "input.bankId")?,
                scope: input.scope.into(),
                obtained_on: input.obtained_on.0,
                method: input.method.into(),
                document_reference: text(
                    Some(input.document_reference.clone()),
                    "input.documentReference",
                    200,
                )?
                .ok_or_else(|| ApiError::bad_input("input.documentReference", "required"))?,
            })
        })();
        let row = consent::record(db(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(ReferralConsent(row))
    }

    /// Revokes a consent, at once: the bank keeps its referrals' existence and status but no
    /// longer reads the evaluation. The recording institution's evaluators and org admins, or
    /// network admins.
    async fn revoke_referral_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent's global ID.")] id: ID,
    ) -> Result<ReferralConsent> {
        let key = ids::decode_as(&id, NodeType::ReferralConsent, "id");
        let row = consent::revoke(db(ctx)?, events(ctx)?, caller(ctx), id.to_string(), key).await?;
        Ok(ReferralConsent(row))
    }

    /// Refers the SME of a `RATED` or `PUBLISHED` evaluation, at its current version, to a
    /// bank: the evaluating institution's evaluators and org admins, with the SME's live
    /// consent to that bank. Retry-safe with `idempotencyKey`.
    async fn refer_sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral.")] input: ReferSmeInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        let key = fingerprint(&idempotency_key, "referSme", &input);
        let target = Some(input.evaluation_id.to_string());
        let parsed = (|| {
            Ok(NewReferral {
                evaluation_id: ids::decode_as(
                    &input.evaluation_id,
                    NodeType::Evaluation,
                    "input.evaluationId",
                )?,
                bank_id: ids::decode_as(&input.bank_id, NodeType::Organization, "input.bankId")?,
                purpose: input.purpose.into(),
                amount_requested: input.amount_requested.0,
                note: text(input.note.clone(), "input.note", 2000)?,
                scope: input.scope.into(),
            })
        })();
        let row =
            referrals::workflow::refer(db(ctx)?, events(ctx)?, caller(ctx), target, parsed, key)
                .await?;
        Ok(Referral(row))
    }

    /// SENT → ACKNOWLEDGED: the bank's loan officers.
    async fn acknowledge_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        act(
            ctx,
            Ok(Action::Acknowledge),
            "acknowledgeReferral",
            id,
            version,
            idempotency_key,
            serde_json::Value::Null,
        )
        .await
    }

    /// ACKNOWLEDGED → UNDER_REVIEW: the bank's loan officers.
    async fn start_referral_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        act(
            ctx,
            Ok(Action::StartReview),
            "startReferralReview",
            id,
            version,
            idempotency_key,
            serde_json::Value::Null,
        )
        .await
    }

    /// UNDER_REVIEW → FINANCED, with what was financed: the bank's loan officers.
    async fn record_financing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "What was financed.")] input: RecordFinancingInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        let request = input.to_value().into_json().unwrap_or_default();
        let action = Ok(Action::Finance(Financing {
            amount: input.amount.0,
            product: input.product.into(),
            decided_on: input.decided_on.0,
        }));
        act(
            ctx,
            action,
            "recordFinancing",
            id,
            version,
            idempotency_key,
            request,
        )
        .await
    }

    /// ACKNOWLEDGED or UNDER_REVIEW → DECLINED, with a reason: the bank's loan officers.
    async fn decline_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "Why, as a code.")] reason: ReferralDeclineReason,
        #[graphql(desc = "The bank's words, up to 2000 characters.")] note: Option<String>,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        let request = serde_json::json!({ "reason": reason.to_value().into_json().unwrap_or_default(), "note": note });
        let action = text(note, "note", 2000).map(|note| Action::Decline {
            reason: reason.into(),
            note,
        });
        act(
            ctx,
            action,
            "declineReferral",
            id,
            version,
            idempotency_key,
            request,
        )
        .await
    }

    /// SENT, ACKNOWLEDGED or UNDER_REVIEW → WITHDRAWN: the referring institution's evaluators
    /// and org admins.
    async fn withdraw_referral(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The referral's global ID.")] id: ID,
        #[graphql(desc = "The version being moved; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "Why, up to 2000 characters.")] reason: Option<String>,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<Referral> {
        let request = serde_json::json!({ "reason": reason });
        let action = text(reason, "reason", 2000).map(|reason| Action::Withdraw { reason });
        act(
            ctx,
            action,
            "withdrawReferral",
            id,
            version,
            idempotency_key,
            request,
        )
        .await
    }
}

async fn act(
    ctx: &Context<'_>,
    action: ApiResult<Action>,
    operation: &'static str,
    id: ID,
    version: i32,
    idempotency_key: String,
    request: serde_json::Value,
) -> Result<Referral> {
    let key = Some(Idempotency::parse(
        &idempotency_key,
        operation,
        &serde_json::json!({ "id": id.as_str(), "version": version, "request": request }),
    ));
    let request = Move {
        action,
        operation,
        target: id.to_string(),
        id: ids::decode_as(&id, NodeType::Referral, "id"),
        version,
        key,
    };
    let row =
        referrals::workflow::transition(db(ctx)?, events(ctx)?, policy(ctx)?, caller(ctx), request)
            .await?;
    Ok(Referral(row))
}

// ---------------------------------------------------------------- subscriptions

/// A change to a referral of the caller's institution, as referrer or as the bank addressed.
#[derive(SimpleObject)]
pub struct ReferralChange {
    /// The referral's global ID.
    referral_id: ID,
    /// Where it stands after the change.
    status: ReferralStatus,
    /// The referral's version after the change: a subscriber may ignore a version it has seen.
    version: i32,
    /// `referred`, `acknowledged`, `review_started`, `financed`, `declined`, `withdrawn`, or
    /// `consent_revoked`.
    change: String,
}

#[derive(Default)]
pub struct ReferralSubscription;

#[Subscription]
impl ReferralSubscription {
    /// The referrals of the caller's institution as they change, made through any API
    /// instance: the referrer hears every move, the bank's loan officers hear of the referrals
    /// addressed to it (and of a revoked consent).
    async fn referral_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ReferralChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_authenticated()?;
        let db = db(ctx)?.clone();
        let policy = *policy(ctx)?;
        let receiver = events(ctx)?.subscribe_referrals();
        let changes = crate::domain::events::received(receiver);
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                match referrals::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears a referral event");
                        return None;
                    }
                }
                let row = referrals::readable(&db, &caller, event.referral_id)
                    .await
                    .ok()
                    .flatten()?;
                let mut status: ReferralStatus = policy.state_of(&row, Utc::now()).into();
                // The event's own state (a later move may already have committed).
                if let Ok(stored) =
                    <referral_enums::ReferralStatus as sea_orm::ActiveEnum>::try_from_value(
                        &event.status,
                    )
                {
                    let mut at_event = row.clone();
                    at_event.status = stored;
                    status = policy.state_of(&at_event, Utc::now()).into();
                }
                Some(ReferralChange {
                    referral_id: NodeType::Referral.id(event.referral_id),
                    status,
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }
}
