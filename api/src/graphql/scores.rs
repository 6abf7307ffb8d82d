//! An evaluation's scores in GraphQL: the Local Benchmark's financial indicators, the
//! non-financial views, the technology criteria, and the rating they give.

use async_graphql::{Enum, InputObject, SimpleObject};

use crate::{
    domain::{
        evaluation::criteria::{self, IndicatorEntry, Scores, TechnologyEntry, ViewEntry},
        profile,
    },
    error::{ApiError, ApiResult},
};

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

fn small(value: Option<i32>, field: String) -> ApiResult<Option<u8>> {
    value
        .map(|v| u8::try_from(v).map_err(|_| ApiError::bad_input(field, "out of range")))
        .transpose()
}

impl EvaluationScoresInput {
    pub(super) fn parse(self, prefix: &str) -> ApiResult<Scores> {
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
