//! SMEs and their evaluations in GraphQL.

use async_graphql::Subscription;
use futures_util::{Stream, StreamExt};

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{enums, evaluation, evaluation_revision, sme};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders, members_only},
    directory::{ClusterProject, Organization},
    ids::{self, NodeType},
    inputs::{fingerprint, json_of, required},
    loaders::{
        ClusterProjectId, OrganizationId, RatedEvaluationsOfSme, RevisionsOfEvaluation, SmeId,
    },
    money::Yen,
    vocabulary::Prefecture,
};
use crate::{
    domain::{
        corporate_number::{CorporateNumber, InvoiceNumber},
        evaluation::{
            criteria::{self, IndicatorEntry, Scores, TechnologyEntry, ViewEntry},
            evaluations::{self, Action, EvaluationChanges, NewEvaluation},
            smes::{self, NewSme, SmeChanges},
        },
        events::EventBus,
        jsic::JsicCode,
        money,
        page::PageArgs,
        prefecture::PrefectureCode,
        profile,
        search::SearchText,
    },
    error::{ApiError, ApiResult},
};

/// Whether an SME leads a niche market (the source's GNT and DNT companies).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::NicheStatus")]
pub enum NicheStatus {
    /// Global niche top.
    Gnt,
    /// Domestic niche top.
    Dnt,
    /// A candidate GNT company: a potential hidden champion.
    Candidate,
    /// None of these (the default).
    None,
}

/// The source's typology of cluster policy targets.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::ClusterType")]
pub enum ClusterType {
    /// Embryos of new clusters in metropolitan areas: bio and ICT start-ups.
    Type1,
    /// Hidden champions in industrial areas: machinery, materials, metal processing.
    Type2,
}

/// Where an evaluation stands in its workflow: DRAFT → SUBMITTED → UNDER_REVIEW (→ RETURNED →
/// SUBMITTED …) → RATED → PUBLISHED, or WITHDRAWN from any of them.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::EvaluationStatus")]
pub enum EvaluationStatus {
    /// Being written by the institution's evaluators; only the institution (and network admins)
    /// reads it.
    Draft,
    /// Complete and handed in for review; no longer editable.
    Submitted,
    /// An org admin of the institution is reviewing it.
    UnderReview,
    /// Sent back to the evaluators with a reason; editable again, then submitted again.
    Returned,
    /// The rating is fixed.
    Rated,
    /// The rating is public, with the SME's consent: anyone reads it.
    Published,
    /// Withdrawn with a reason; final.
    Withdrawn,
}

/// Who besides the evaluating institution reads an evaluation (published ones: anyone).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(remote = "enums::Visibility")]
pub enum Visibility {
    /// The evaluating institution only.
    #[default]
    Private,
    /// Every member of the network, once submitted.
    Network,
}

/// The rating computed from an evaluation's overall score (40 % financial, 30 % non-financial,
/// 30 % technology). A Technology Readiness Level of 3 or less caps it at C.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "criteria::Rating")]
pub enum Rating {
    /// Overall score 4.0 or more.
    A,
    /// Overall score 3.0 to under 4.0.
    B,
    /// Overall score 2.0 to under 3.0.
    C,
    /// Overall score under 2.0.
    D,
}

/// The Local Benchmark's six financial indicators.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "criteria::FinancialIndicator")]
pub enum FinancialIndicator {
    /// Sales growth, percent.
    SalesGrowth,
    /// Operating profit margin, percent.
    OperatingMargin,
    /// Operating profit per employee, thousand yen.
    LaborProductivity,
    /// Interest-bearing debt over EBITDA, times.
    DebtToEbitda,
    /// Operating working capital turnover, months.
    WorkingCapitalTurnover,
    /// Equity ratio, percent.
    EquityRatio,
}

/// The Local Benchmark's four non-financial views.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "criteria::NonFinancialView")]
pub enum NonFinancialView {
    /// 経営者: the owner-manager, their vision and succession.
    Owner,
    /// 関係者: customers, suppliers, employees, banks.
    Stakeholders,
    /// 事業: the business and its market.
    Business,
    /// 内部管理体制: internal controls.
    InternalControls,
}

/// The four criteria a technology is judged on.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "criteria::TechnologyCriterion")]
pub enum TechnologyCriterion {
    /// How new the technology is.
    Novelty,
    /// Its edge over competing technologies.
    Competitiveness,
    /// Whether it can be made and brought to use.
    Feasibility,
    /// The market it can reach.
    Market,
}

// ---------------------------------------------------------------- objects

pub struct Sme(pub sme::Model);

/// A small or medium-sized enterprise.
#[Object]
impl Sme {
    /// The SME's opaque global ID, for `node(id:)` and mutations.
    pub async fn id(&self) -> ID {
        NodeType::Sme.id(self.0.id)
    }
    /// The 13-digit corporate number (法人番号); null for a sole proprietor (個人事業主), who has
    /// none.
    async fn corporate_number(&self) -> Option<&str> {
        self.0.corporate_number.as_deref()
    }
    /// The qualified-invoice issuer registration number (適格請求書発行事業者登録番号), `T` and 13
    /// digits, when the SME has one. The National Tax Agency publishes these numbers.
    async fn invoice_number(&self) -> Option<&str> {
        self.0.invoice_number.as_deref()
    }
    /// The Japanese name, as registered.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// The prefecture of its seat.
    async fn prefecture(&self) -> Result<Prefecture> {
        Prefecture::of(self.0.prefecture_code)
    }
    /// The industry as a JSIC (日本標準産業分類, Revision 13) code: a major classification letter,
    /// optionally with its middle classification and a minor digit ("E", "E25", "E251").
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// The JSIC classification of `industry`, with the major classification's names.
    async fn industry_classification(&self) -> Option<IndustryClassification> {
        self.0
            .industry
            .as_deref()
            .and_then(|code| JsicCode::parse(code).ok())
            .map(IndustryClassification)
    }
    /// What was recorded as the industry before industries became JSIC codes, when it was not one.
    async fn industry_note(&self) -> Option<&str> {
        self.0.industry_note.as_deref()
    }
    /// Whether the SME Basic Act (中小企業基本法, Article 2(1)) counts this business as a small or
    /// medium-sized enterprise, from its industry, capital and regular employees; null when what
    /// is recorded cannot decide it. Members of the network only, as are the figures behind it.
    #[graphql(guard = "members_only")]
    async fn is_sme_under_basic_act(&self) -> Result<Option<bool>> {
        Ok(smes::is_sme_under_basic_act(&self.0))
    }
    /// Whether the SME leads a niche market.
    async fn niche_status(&self) -> NicheStatus {
        self.0.niche_status.into()
    }
    /// Which of the source's two kinds of cluster target the SME is; null when not classified.
    async fn cluster_type(&self) -> Option<ClusterType> {
        self.0.cluster_type.map(Into::into)
    }
    /// The cluster projects the SME takes part in.
    async fn cluster_projects(&self, ctx: &Context<'_>) -> Result<Vec<ClusterProject>> {
        let keys = smes::decode_projects(&self.0.cluster_projects)
            .into_iter()
            .map(ClusterProjectId);
        let found = loaders(ctx)?
            .load_many(keys)
            .await
            .map_err(ApiError::from)?;
        Ok(found.into_values().map(ClusterProject).collect())
    }
    /// Regular employees (常時使用する従業員); null when not recorded. Members of the network only.
    #[graphql(guard = "members_only")]
    async fn employees(&self) -> Result<Option<i32>> {
        Ok(self.0.employees)
    }
    /// Paid-in capital (資本金) in yen; null when not recorded. Members of the network only.
    #[graphql(guard = "members_only")]
    async fn capital_yen(&self) -> Result<Option<Yen>> {
        self.0
            .capital_yen
            .map(|v| {
                money::Yen::new(v).map(Yen).map_err(|e| {
                    ApiError::corrupt(format!("SME {} capital: {e}", self.0.id)).into()
                })
            })
            .transpose()
    }
    /// Whether the SME consents to the publication of its rating. Members only.
    #[graphql(guard = "members_only")]
    async fn publication_consent(&self) -> Result<Option<bool>> {
        Ok(Some(self.0.publication_consent))
    }
    /// Patents that fit the SME's industry fields (from its cluster projects), its industry's IPC
    /// classes and its latest evaluation the caller may read, best first, each with the reasons
    /// it was suggested: OPEN patents in force the caller may read. At most 50.
    async fn suggested_patents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "At most this many suggestions, 0–50.")] first: i32,
    ) -> Result<Vec<super::patents::PatentSuggestion>> {
        super::patents::suggested_for(ctx, &self.0, first).await
    }
    /// The SME's public showcase, while its consent to publication stands; null otherwise.
    async fn showcase(&self, ctx: &Context<'_>) -> Result<Option<super::matching::SmeShowcase>> {
        Ok(
            crate::domain::matching::showcase::of_sme(db(ctx)?, caller(ctx), self.0.id)
                .await?
                .map(super::matching::SmeShowcase),
        )
    }
    /// Orders the SME won through business matching (accepted proposals it was part of, with
    /// their partners, and meetings that ended in an order), newest first: only those the
    /// caller may read (the institutions that proposed, posted the need or organised the
    /// event, and network admins).
    async fn outcomes(&self, ctx: &Context<'_>) -> Result<Vec<super::matching_events::SmeOutcome>> {
        super::matching_events::outcomes_of(ctx, self.0.id).await
    }
    /// The latest rating of each institution and their mean, from the evaluations the caller may
    /// read (anonymous callers: published ones only).
    async fn rating_summary(&self, ctx: &Context<'_>) -> Result<RatingSummary> {
        let rows = loaders(ctx)?
            .load_one(RatedEvaluationsOfSme(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        let summary = evaluations::summarize(rows);
        Ok(RatingSummary {
            count: summary.latest.len(),
            mean_score: summary.mean_score,
            latest: summary.latest.into_iter().map(Evaluation).collect(),
        })
    }
}

/// An SME's ratings across the institutions that evaluated it, as far as the caller may read them.
#[derive(SimpleObject)]
pub struct RatingSummary {
    /// The latest rated evaluation of each institution.
    latest: Vec<Evaluation>,
    /// The mean of their overall scores (1–5).
    mean_score: Option<f64>,
    /// How many institutions' ratings `latest` holds; 0 when none the caller may read.
    count: usize,
}

/// One fiscal year's figure of a financial indicator.
#[derive(SimpleObject)]
pub struct FiscalYearFigure {
    /// The Japanese fiscal year, by the year it starts in (April 2024 – March 2025: 2024).
    fiscal_year: i16,
    /// The figure, in the indicator's unit (percent, thousand yen, times or months).
    value: f64,
}

/// A financial indicator: its figures and the evaluator's score.
#[derive(SimpleObject)]
pub struct IndicatorScore {
    /// Which of the six indicators.
    indicator: FinancialIndicator,
    /// Up to three fiscal years, as entered.
    figures: Vec<FiscalYearFigure>,
    /// 1 (weak) to 5 (strong), for the latest year; null while not scored.
    score: Option<u8>,
}

/// A non-financial view: the evaluator's score and comment.
#[derive(SimpleObject)]
pub struct ViewScore {
    /// Which of the four views.
    view: NonFinancialView,
    /// 1 (weak) to 5 (strong); null while not scored.
    score: Option<u8>,
    /// The evaluator's notes on the view, at most 2000 characters.
    comment: Option<String>,
}

/// A technology criterion and the evaluator's score.
#[derive(SimpleObject)]
pub struct CriterionScore {
    /// Which of the four criteria.
    criterion: TechnologyCriterion,
    /// 1 (weak) to 5 (strong); null while not scored.
    score: Option<u8>,
}

/// What the evaluator scored.
#[derive(SimpleObject)]
pub struct EvaluationScores {
    /// The Local Benchmark's financial indicators, as far as entered.
    financial: Vec<IndicatorScore>,
    /// The Local Benchmark's non-financial views, as far as entered.
    non_financial: Vec<ViewScore>,
    /// The technology criteria, as far as entered.
    technology: Vec<CriterionScore>,
    /// Technology Readiness Level, 1–9.
    trl: Option<u8>,
    /// What is still missing before submission.
    missing: Vec<String>,
}

impl From<Scores> for EvaluationScores {
    fn from(scores: Scores) -> Self {
        Self {
            missing: scores.missing(),
            financial: scores
                .financial
                .into_iter()
                .map(|e| IndicatorScore {
                    indicator: e.indicator.into(),
                    figures: e
                        .figures
                        .into_iter()
                        .map(|(fiscal_year, value)| FiscalYearFigure { fiscal_year, value })
                        .collect(),
                    score: e.score,
                })
                .collect(),
            non_financial: scores
                .non_financial
                .into_iter()
                .map(|e| ViewScore {
                    view: e.view.into(),
                    score: e.score,
                    comment: e.comment,
                })
                .collect(),
            technology: scores
                .technology
                .into_iter()
                .map(|e| CriterionScore {
                    criterion: e.criterion.into(),
                    score: e.score,
                })
                .collect(),
            trl: scores.trl,
        }
    }
}

pub(super) fn rating_of(text: &Option<String>) -> Option<Rating> {
    match text.as_deref() {
        Some("A") => Some(Rating::A),
        Some("B") => Some(Rating::B),
        Some("C") => Some(Rating::C),
        Some("D") => Some(Rating::D),
        _ => None,
    }
}

pub struct Evaluation(pub evaluation::Model);

/// An SME's evaluation by a member institution.
#[Object]
impl Evaluation {
    /// The evaluation's opaque global ID, for `node(id:)` and the workflow mutations.
    pub async fn id(&self) -> ID {
        NodeType::Evaluation.id(self.0.id)
    }
    /// The SME evaluated.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        let row = loaders(ctx)?
            .load_one(SmeId(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an evaluation's SME is missing"))?;
        Ok(Sme(row))
    }
    /// The evaluating institution.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.institution_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an evaluation's institution is missing"))?;
        Ok(Organization(row))
    }
    /// Where the evaluation stands in its workflow.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// Who besides the evaluating institution may read it.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// 1 at creation, one more with every change; edits name the version they edit, and every
    /// workflow step may name the version it expects.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Fixed when the evaluation is rated.
    async fn rating(&self) -> Option<Rating> {
        rating_of(&self.0.rating)
    }
    /// The weighted score behind the rating, 1–5.
    async fn overall_score(&self) -> Option<f64> {
        self.0.overall_score
    }
    /// When the evaluation was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed (an edit or a move through the workflow).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who opened the evaluation. Members only.
    #[graphql(guard = "members_only")]
    async fn evaluator(&self) -> Result<Option<&str>> {
        Ok(Some(&self.0.evaluator_subject))
    }
    /// The scores. Members only.
    #[graphql(guard = "members_only")]
    async fn scores(&self) -> Result<Option<EvaluationScores>> {
        Ok(Some(evaluations::scores_of(&self.0)?.into()))
    }
    /// Written findings. Members only.
    #[graphql(guard = "members_only")]
    async fn findings(&self) -> Result<Option<&str>> {
        Ok(self.0.findings.as_deref())
    }
    /// Every version, oldest first. Members only.
    #[graphql(guard = "members_only")]
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<EvaluationRevision>>> {
        let rows = loaders(ctx)?
            .load_one(RevisionsOfEvaluation(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(EvaluationRevision).collect()))
    }
    /// One past version. Members only.
    #[graphql(guard = "members_only")]
    async fn revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version to read, from 1 to the current `version`.")] version: i32,
    ) -> Result<Option<EvaluationRevision>> {
        let rows = loaders(ctx)?
            .load_one(RevisionsOfEvaluation(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .find(|r| r.version == version)
            .map(EvaluationRevision))
    }
}

pub struct EvaluationRevision(evaluation_revision::Model);

/// One version of an evaluation, as it stood after a change.
#[Object]
impl EvaluationRevision {
    /// The evaluation's version after this change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// `created`, `edited`, `submitted`, `review_started`, `returned`, `rated`, `published`,
    /// `withdrawn`.
    async fn change(&self) -> &str {
        &self.0.change
    }
    /// The fields the change touched.
    async fn changed_fields(&self) -> Vec<&str> {
        self.0
            .changed_fields
            .split(',')
            .filter(|f| !f.is_empty())
            .collect()
    }
    /// The status after the change.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// The visibility after the change.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// The rating after the change; null before the evaluation was rated.
    async fn rating(&self) -> Option<Rating> {
        rating_of(&self.0.rating)
    }
    /// The scores as they stood after the change.
    async fn scores(&self) -> Result<EvaluationScores> {
        let scores: Scores =
            serde_json::from_str(&self.0.scores).map_err(|e| ApiError::corrupt(e.to_string()))?;
        Ok(scores.into())
    }
    /// The findings as they stood after the change.
    async fn findings(&self) -> Option<&str> {
        self.0.findings.as_deref()
    }
    /// Why the evaluation was returned or withdrawn.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The token subject of who made the change.
    async fn changed_by(&self) -> &str {
        &self.0.changed_by_subject
    }
    /// The institution the change was made for, by code.
    async fn changed_by_institution(&self) -> &str {
        &self.0.changed_by_institution
    }
    /// When the change was made.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

pub struct IndustryClassification(JsicCode);

/// A JSIC (日本標準産業分類, Revision 13) classification.
#[Object]
impl IndustryClassification {
    /// The whole code, e.g. "E25".
    async fn code(&self) -> String {
        self.0.to_string()
    }
    /// The major classification's letter, A–T.
    async fn major_code(&self) -> String {
        self.0.major().to_string()
    }
    /// The two-digit middle classification, when given.
    async fn middle_code(&self) -> Option<String> {
        self.0.middle().map(|m| format!("{m:02}"))
    }
    /// The major classification's Japanese name, e.g. 製造業.
    async fn major_name_ja(&self) -> &'static str {
        self.0.major_name_ja()
    }
    /// The major classification's English name, e.g. Manufacturing.
    async fn major_name_en(&self) -> &'static str {
        self.0.major_name_en()
    }
}

// ---------------------------------------------------------------- inputs

/// A new SME.
#[derive(InputObject)]
pub struct CreateSmeInput {
    /// 13 digits, checked by the check digit; omitted for a sole proprietor (個人事業主).
    pub corporate_number: Option<String>,
    /// `T` and 13 digits, checked; a company's is `T` and its corporate number.
    pub invoice_number: Option<String>,
    /// The registered Japanese name, at most 200 characters.
    pub name_ja: String,
    /// The English name, at most 200 characters.
    pub name_en: String,
    /// JIS X 0401 code, 1–47, of its seat.
    pub prefecture_code: i32,
    /// A JSIC code: "E", "E25" or "E251".
    pub industry: Option<String>,
    /// Regular employees, 0 or more.
    pub employees: Option<i32>,
    /// Paid-in capital (資本金) in whole yen, 0 to 2^53 − 1.
    pub capital_yen: Option<Yen>,
    /// `NONE` unless given.
    #[graphql(default_with = "NicheStatus::None")]
    pub niche_status: NicheStatus,
    /// The source's cluster typology, when it applies.
    pub cluster_type: Option<ClusterType>,
    /// Global IDs of the cluster projects it takes part in; none unless given.
    #[graphql(default)]
    pub cluster_project_ids: Vec<ID>,
}

/// Changes to an SME. An omitted field stays as it is; `null` clears an optional one. The
/// corporate number never changes.
#[derive(InputObject, Default)]
pub struct UpdateSmeInput {
    /// The registered Japanese name, at most 200 characters.
    pub name_ja: Option<String>,
    /// The English name, at most 200 characters.
    pub name_en: Option<String>,
    /// JIS X 0401 code, 1–47, of its seat.
    pub prefecture_code: Option<i32>,
    /// A JSIC code: "E", "E25" or "E251"; null clears it.
    pub industry: MaybeUndefined<String>,
    /// `T` and 13 digits; null clears it.
    pub invoice_number: MaybeUndefined<String>,
    /// Regular employees, 0 or more.
    pub employees: MaybeUndefined<i32>,
    /// Paid-in capital (資本金) in whole yen, 0 to 2^53 − 1; null clears it.
    pub capital_yen: MaybeUndefined<Yen>,
    /// Whether the SME leads a niche market.
    pub niche_status: Option<NicheStatus>,
    /// The source's cluster typology; null when it does not apply.
    pub cluster_type: MaybeUndefined<ClusterType>,
    /// Replaces the cluster projects it takes part in (global IDs).
    pub cluster_project_ids: Option<Vec<ID>>,
}

/// One fiscal year's figure of a financial indicator.
#[derive(InputObject)]
pub struct FiscalYearFigureInput {
    /// The Japanese fiscal year by the year it starts in, 1950–2100; each year once.
    pub fiscal_year: i32,
    /// The figure in the indicator's unit, within a plausible range (a sales growth of −100 % to
    /// 1000 %, for example).
    pub value: f64,
}

/// A financial indicator's figures and score.
#[derive(InputObject)]
pub struct IndicatorScoreInput {
    /// Which indicator; each at most once.
    pub indicator: FinancialIndicator,
    /// Up to three fiscal years.
    #[graphql(default)]
    pub figures: Vec<FiscalYearFigureInput>,
    /// 1–5, for the latest year.
    pub score: Option<i32>,
}

/// A non-financial view's score and comment.
#[derive(InputObject)]
pub struct ViewScoreInput {
    /// Which view; each at most once.
    pub view: NonFinancialView,
    /// 1–5.
    pub score: Option<i32>,
    /// Notes on the view, at most 2000 characters.
    pub comment: Option<String>,
}

/// A technology criterion's score.
#[derive(InputObject)]
pub struct CriterionScoreInput {
    /// Which criterion; each at most once.
    pub criterion: TechnologyCriterion,
    /// 1–5.
    pub score: Option<i32>,
}

/// The scores; a draft may leave some out, submission needs them all.
#[derive(InputObject, Default)]
pub struct EvaluationScoresInput {
    /// The six financial indicators; submission needs a score for each.
    #[graphql(default)]
    pub financial: Vec<IndicatorScoreInput>,
    /// The four non-financial views; submission needs a score for each.
    #[graphql(default)]
    pub non_financial: Vec<ViewScoreInput>,
    /// The four technology criteria; submission needs a score for each.
    #[graphql(default)]
    pub technology: Vec<CriterionScoreInput>,
    /// Technology Readiness Level, 1–9.
    pub trl: Option<i32>,
}

/// A new evaluation, opened as a DRAFT.
#[derive(InputObject)]
pub struct CreateEvaluationInput {
    /// The SME to evaluate (its global ID).
    pub sme_id: ID,
    /// `PRIVATE` unless given.
    #[graphql(default)]
    pub visibility: Visibility,
    /// The scores so far; a draft may leave any out.
    #[graphql(default)]
    pub scores: EvaluationScoresInput,
    /// Written findings, at most 10000 characters.
    pub findings: Option<String>,
}

/// Changes to an evaluation. An omitted field stays as it is.
#[derive(InputObject, Default)]
pub struct UpdateEvaluationInput {
    /// Replaces the scores.
    pub scores: Option<EvaluationScoresInput>,
    /// Written findings, at most 10000 characters; null clears them.
    pub findings: MaybeUndefined<String>,
    /// Who besides the institution may read it.
    pub visibility: Option<Visibility>,
}

fn small(value: Option<i32>, field: String) -> ApiResult<Option<u8>> {
    value
        .map(|v| u8::try_from(v).map_err(|_| ApiError::bad_input(field, "out of range")))
        .transpose()
}

impl EvaluationScoresInput {
    fn parse(self, prefix: &str) -> ApiResult<Scores> {
        let field = |rest: String| format!("{prefix}.{rest}");
        let mut scores = Scores::default();
        for (i, entry) in self.financial.into_iter().enumerate() {
            let mut figures = Vec::with_capacity(entry.figures.len());
            for (j, figure) in entry.figures.into_iter().enumerate() {
                let year = i16::try_from(figure.fiscal_year).map_err(|_| {
                    ApiError::bad_input(
                        field(format!("financial.{i}.figures.{j}.fiscalYear")),
                        "out of range",
                    )
                })?;
                figures.push((year, figure.value));
            }
            scores.financial.push(IndicatorEntry {
                indicator: entry.indicator.into(),
                figures,
                score: small(entry.score, field(format!("financial.{i}.score")))?,
            });
        }
        for (i, entry) in self.non_financial.into_iter().enumerate() {
            scores.non_financial.push(ViewEntry {
                view: entry.view.into(),
                score: small(entry.score, field(format!("nonFinancial.{i}.score")))?,
                comment: entry
                    .comment
                    .map(|c| profile::text(&c, 2000))
                    .transpose()
                    .map_err(|m| {
                        ApiError::bad_input(field(format!("nonFinancial.{i}.comment")), m)
                    })?
                    .flatten(),
            });
        }
        for (i, entry) in self.technology.into_iter().enumerate() {
            scores.technology.push(TechnologyEntry {
                criterion: entry.criterion.into(),
                score: small(entry.score, field(format!("technology.{i}.score")))?,
            });
        }
        scores.trl = small(self.trl, field("trl".into()))?;
        scores
            .validate()
            .map_err(|e| ApiError::bad_input(field(e.field), e.message))?;
        Ok(scores)
    }
}

fn non_negative<T: PartialOrd + Default>(value: Option<T>, field: &str) -> ApiResult<Option<T>> {
    match value {
        Some(v) if v < T::default() => Err(ApiError::bad_input(field, "must not be negative")),
        other => Ok(other),
    }
}

fn industry(code: &str) -> ApiResult<JsicCode> {
    JsicCode::parse(code).map_err(|e| ApiError::bad_input("input.industry", e.to_string()))
}

fn project_ids(ids: &[ID], field: &str) -> ApiResult<Vec<i64>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| ids::decode_as(id, NodeType::ClusterProject, &format!("{field}.{i}")))
        .collect()
}

impl CreateSmeInput {
    fn parse(self) -> ApiResult<NewSme> {
        let corporate_number = self
            .corporate_number
            .as_deref()
            .map(CorporateNumber::parse)
            .transpose()
            .map_err(|e| ApiError::bad_input("input.corporateNumber", e.to_string()))?;
        Ok(NewSme {
            invoice_number: self
                .invoice_number
                .as_deref()
                .map(|n| InvoiceNumber::parse(n, corporate_number.as_ref()))
                .transpose()
                .map_err(|e| ApiError::bad_input("input.invoiceNumber", e.to_string()))?,
            corporate_number,
            name_ja: required(&self.name_ja, "input.nameJa", 200)?,
            name_en: required(&self.name_en, "input.nameEn", 200)?,
            prefecture: PrefectureCode::parse(self.prefecture_code.into())
                .map_err(|e| ApiError::bad_input("input.prefectureCode", e.to_string()))?,
            industry: self.industry.as_deref().map(industry).transpose()?,
            employees: non_negative(self.employees, "input.employees")?,
            capital_yen: self.capital_yen.map(|v| v.0.get()),
            niche_status: self.niche_status.into(),
            cluster_type: self.cluster_type.map(Into::into),
            cluster_projects: project_ids(&self.cluster_project_ids, "input.clusterProjectIds")?,
        })
    }
}

fn maybe<T, U>(
    value: MaybeUndefined<T>,
    convert: impl FnOnce(T) -> ApiResult<U>,
) -> ApiResult<Option<Option<U>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(Some(convert(v)?))),
    }
}

impl UpdateSmeInput {
    fn parse(self) -> ApiResult<SmeChanges> {
        Ok(SmeChanges {
            name_ja: self
                .name_ja
                .map(|n| required(&n, "input.nameJa", 200))
                .transpose()?,
            name_en: self
                .name_en
                .map(|n| required(&n, "input.nameEn", 200))
                .transpose()?,
            prefecture: self
                .prefecture_code
                .map(|c| {
                    PrefectureCode::parse(c.into())
                        .map_err(|e| ApiError::bad_input("input.prefectureCode", e.to_string()))
                })
                .transpose()?,
            industry: maybe(self.industry, |i| industry(&i))?,
            invoice_number: maybe(self.invoice_number, |n| {
                InvoiceNumber::parse(&n, None)
                    .map_err(|e| ApiError::bad_input("input.invoiceNumber", e.to_string()))
            })?,
            employees: maybe(self.employees, |v| {
                Ok(non_negative(Some(v), "input.employees")?.unwrap_or_default())
            })?,
            capital_yen: maybe(self.capital_yen, |v| Ok(v.0.get()))?,
            niche_status: self.niche_status.map(Into::into),
            cluster_type: maybe(self.cluster_type, |t| Ok(t.into()))?,
            cluster_projects: self
                .cluster_project_ids
                .map(|ids| project_ids(&ids, "input.clusterProjectIds"))
                .transpose()?,
        })
    }
}

fn findings(text: Option<String>) -> ApiResult<Option<String>> {
    text.map(|f| profile::text(&f, 10_000))
        .transpose()
        .map_err(|m| ApiError::bad_input("input.findings", m))
        .map(Option::flatten)
}

/// Narrows a listing of SMEs; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "SmeFilter")]
pub struct SmeFilterInput {
    /// JIS X 0401 code, 1–47, of the SME's seat.
    pub prefecture_code: Option<i32>,
    /// SMEs with this niche status.
    pub niche_status: Option<NicheStatus>,
    /// SMEs of this cluster type.
    pub cluster_type: Option<ClusterType>,
    /// Words in the Japanese or English name (case-insensitive, at most 100 characters).
    pub search: Option<String>,
}

/// Narrows the evaluations the caller may read; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "EvaluationFilter")]
pub struct EvaluationFilterInput {
    /// Evaluations of this SME (its global ID).
    pub sme_id: Option<ID>,
    /// The evaluating institution.
    pub institution_id: Option<ID>,
    /// Evaluations in this status.
    pub status: Option<EvaluationStatus>,
    /// Evaluations with this rating.
    pub rating: Option<Rating>,
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct EvaluationQuery;

#[Object]
impl EvaluationQuery {
    /// SMEs, by English name.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn smes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only SMEs that match; all of them unless given.")] filter: Option<
            SmeFilterInput,
        >,
    ) -> Result<Conn<Sme>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = smes::SmeFilter {
            prefecture: filter
                .prefecture_code
                .map(|c| {
                    PrefectureCode::parse(c.into())
                        .map_err(|e| ApiError::bad_input("filter.prefectureCode", e.to_string()))
                })
                .transpose()?,
            niche_status: filter.niche_status.map(Into::into),
            cluster_type: filter.cluster_type.map(Into::into),
            search: filter
                .search
                .map(|s| {
                    SearchText::parse(&s)
                        .map_err(|e| ApiError::bad_input("filter.search", e.to_string()))
                })
                .transpose()?,
        };
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let listing = smes::smes(db, caller(ctx), &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Sme))
    }

    /// One SME, by `id` or `corporateNumber`; null when there is none.
    async fn sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] id: Option<ID>,
        #[graphql(desc = "The SME's 13-digit corporate number (法人番号).")]
        corporate_number: Option<String>,
    ) -> Result<Option<Sme>> {
        let db = db(ctx)?;
        let row = match (id, corporate_number) {
            (Some(id), None) => {
                let key = ids::decode_as(&id, NodeType::Sme, "id")?;
                smes::sme_by_id(db, caller(ctx), key).await?
            }
            (None, Some(number)) => {
                let number = CorporateNumber::parse(&number)
                    .map_err(|e| ApiError::bad_input("corporateNumber", e.to_string()))?;
                smes::sme_by_corporate_number(db, caller(ctx), &number).await?
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "corporateNumber",
                    "give `id` or `corporateNumber`, not both",
                )
                .into());
            }
            (None, None) => {
                return Err(ApiError::bad_input("id", "give `id` or `corporateNumber`").into());
            }
        };
        super::prefetch::field(ctx, &row).await?;
        Ok(row.map(Sme))
    }

    /// The evaluations the caller may read, newest first: anonymous callers see published ones.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn evaluations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only evaluations that match; all the caller may read unless given.")]
        filter: Option<EvaluationFilterInput>,
    ) -> Result<Conn<Evaluation>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = evaluations::EvaluationFilter {
            sme_id: filter
                .sme_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Sme, "filter.smeId"))
                .transpose()?,
            institution_id: filter
                .institution_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Organization, "filter.institutionId"))
                .transpose()?,
            status: filter.status.map(Into::into),
            rating: filter.rating.map(Into::into),
        };
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        let listing = evaluations::evaluations(db, caller(ctx), &domain_filter, &page).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Evaluation))
    }

    /// One evaluation the caller may read; null otherwise (another institution's private
    /// evaluation does not exist for you).
    async fn evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
    ) -> Result<Option<Evaluation>> {
        let key = ids::decode_as(&id, NodeType::Evaluation, "id")?;
        Ok(evaluations::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(Evaluation))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct EvaluationMutation;

#[Object]
impl EvaluationMutation {
    /// Registers an SME: evaluators and org admins of member institutions. Retry-safe with
    /// `idempotencyKey`.
    async fn create_sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new SME; its corporate number must not be registered yet.")]
        input: CreateSmeInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Sme> {
        let fingerprint = fingerprint(&idempotency_key, "createSme", json_of(&input));
        // The audit names the SME by its corporate number, or by name when it has none.
        let target = input
            .corporate_number
            .clone()
            .unwrap_or_else(|| input.name_en.clone());
        let row =
            smes::create_sme(db(ctx)?, caller(ctx), target, input.parse(), fingerprint).await?;
        Ok(Sme(row))
    }

    /// Edits an SME: the institution that registered it, or network admins.
    async fn update_sme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] id: ID,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateSmeInput,
    ) -> Result<Sme> {
        let key = ids::decode_as(&id, NodeType::Sme, "id");
        Ok(Sme(smes::update_sme(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            input.parse(),
        )
        .await?))
    }

    /// Records whether the SME consents to the publication of its rating: org admins of the
    /// institution that registered the SME, or network admins (evaluating it gives no say).
    async fn record_publication_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME's global ID.")] sme_id: ID,
        #[graphql(
            desc = "True when the SME consents to the publication of its rating; false when it does not, or no longer does."
        )]
        consent: bool,
    ) -> Result<Sme> {
        let key = ids::decode_as(&sme_id, NodeType::Sme, "smeId");
        Ok(Sme(smes::record_consent(
            db(ctx)?,
            caller(ctx),
            sme_id.to_string(),
            key,
            consent,
        )
        .await?))
    }

    /// Opens an evaluation for the caller's institution, as a DRAFT: its evaluators.
    async fn create_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME, visibility and whatever scores are ready.")]
        input: CreateEvaluationInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Evaluation> {
        let fingerprint = fingerprint(&idempotency_key, "createEvaluation", json_of(&input));
        let parsed = (|| {
            Ok(NewEvaluation {
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                visibility: input.visibility.into(),
                scores: input.scores.parse("input.scores")?,
                findings: findings(input.findings)?,
            })
        })();
        Ok(Evaluation(
            evaluations::create(db(ctx)?, events(ctx)?, caller(ctx), parsed, fingerprint).await?,
        ))
    }

    /// Edits a DRAFT or RETURNED evaluation: its institution's evaluators. `version` is the one
    /// being edited; a stale version is a CONFLICT.
    async fn update_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "The `version` being edited; CONFLICT if the evaluation has changed since."
        )]
        version: i32,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateEvaluationInput,
    ) -> Result<Evaluation> {
        let key = ids::decode_as(&id, NodeType::Evaluation, "id");
        let parsed = (|| {
            Ok(EvaluationChanges {
                scores: input.scores.map(|s| s.parse("input.scores")).transpose()?,
                findings: match input.findings {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(text) => Some(findings(Some(text))?),
                },
                visibility: input.visibility.map(Into::into),
            })
        })();
        Ok(Evaluation(
            evaluations::update(
                db(ctx)?,
                events(ctx)?,
                caller(ctx),
                id.to_string(),
                key,
                version,
                parsed,
            )
            .await?,
        ))
    }

    /// DRAFT or RETURNED → SUBMITTED, once every score is given: evaluators. Every workflow step
    /// is retry-safe with `idempotencyKey`, and takes the `version` it expects: when given, a
    /// stale one is a CONFLICT naming `version`.
    async fn submit_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Submit, id, version, None, idempotency_key).await
    }

    /// SUBMITTED → UNDER_REVIEW: org admins.
    async fn start_evaluation_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::StartReview, id, version, None, idempotency_key).await
    }

    /// UNDER_REVIEW → RETURNED, back to editing, with a reason: org admins.
    async fn return_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2000 characters; kept in the evaluation's `history`.")]
        reason: String,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(
            ctx,
            Action::Return,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }

    /// UNDER_REVIEW → RATED, fixing the computed rating: org admins.
    async fn rate_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Rate, id, version, None, idempotency_key).await
    }

    /// RATED → PUBLISHED, only with the SME's recorded consent: org admins.
    async fn publish_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Publish, id, version, None, idempotency_key).await
    }

    /// Any state but WITHDRAWN → WITHDRAWN, with a reason: org admins.
    async fn withdraw_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2000 characters; kept in the evaluation's `history`.")]
        reason: String,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(
            ctx,
            Action::Withdraw,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }
}

async fn act(
    ctx: &Context<'_>,
    action: Action,
    id: ID,
    version: Option<i32>,
    reason: Option<String>,
    idempotency_key: String,
) -> Result<Evaluation> {
    let operation = format!("{action:?}");
    let fingerprint = fingerprint(
        &idempotency_key,
        &operation,
        serde_json::json!({ "id": id.as_str(), "version": version, "reason": reason }),
    );
    let key_id = ids::decode_as(&id, NodeType::Evaluation, "id");
    let reason = reason
        .map(|r| profile::text(&r, 2000).map_err(|m| ApiError::bad_input("reason", m)))
        .transpose()
        .map(Option::flatten);
    let request = evaluations::Move {
        action,
        target: id.to_string(),
        id: key_id,
        version,
        reason,
        key: fingerprint,
    };
    let row = evaluations::transition(db(ctx)?, events(ctx)?, caller(ctx), request).await?;
    Ok(Evaluation(row))
}

fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus> {
    ctx.data::<EventBus>()
}

// ---------------------------------------------------------------- subscriptions

/// A change to one of the caller's institution's evaluations.
#[derive(SimpleObject)]
pub struct EvaluationChange {
    /// The evaluation's global ID; read it with `evaluation(id:)` or `node(id:)`.
    evaluation_id: ID,
    /// Its status after the change.
    status: EvaluationStatus,
    /// The evaluation's version after the change: a subscriber may ignore a version it has seen.
    version: i32,
    /// `created`, `edited`, `submitted`, `review_started`, `returned`, `rated`, `published`,
    /// `withdrawn`.
    change: String,
}

#[derive(Default)]
pub struct EvaluationSubscription;

#[Subscription]
impl EvaluationSubscription {
    /// The caller's institution's evaluations as they change: created, edited, and every move
    /// through the workflow, made through any API instance. Members of the network.
    async fn evaluation_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = EvaluationChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_member()?;
        let db = db(ctx)?.clone();
        let receiver = events(ctx)?.subscribe();
        let changes = crate::domain::events::received(receiver);
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                let status = event.status()?;
                // The same rule as every read: a change the caller may not read is never heard.
                match evaluations::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears an evaluation event");
                        return None;
                    }
                }
                Some(EvaluationChange {
                    evaluation_id: NodeType::Evaluation.id(event.evaluation_id),
                    status: status.into(),
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }
}
