//! What an evaluation scores, on which scales, and how a rating follows. Defined here once; the
//! GraphQL schema, validation and the rating all read from this module.
//!
//! - **Financial** (METI's Local Benchmark): six indicators, each with figures for up to three
//!   fiscal years and a score of 1–5 for the latest.
//! - **Non-financial** (the Local Benchmark's four views): owner, stakeholders, business, internal
//!   controls; a score of 1–5 and a comment each.
//! - **Technology**: novelty, competitiveness, feasibility, market; a score of 1–5 each, and the
//!   Technology Readiness Level, 1–9.
//!
//! METI's Local Benchmark (ローカルベンチマーク, 2016) defines the six indicators and four views
//! as a framework for dialogue; it defines no rating. The scales, the technology part, the weights,
//! the grades and the TRL cap below are the network's own rule.
//!
//! **Rating rule.** Each part's score is the mean of its scores; the overall score is
//! 0.4 × financial + 0.3 × non-financial + 0.3 × technology, on 1–5. A is 4.0 and above, B 3.0,
//! C 2.0, D below. A technology still at TRL 3 or lower (proof of concept at most) rates no
//! better than C, whatever its scores.

use serde::{Deserialize, Serialize};

pub const MIN_SCORE: u8 = 1;
pub const MAX_SCORE: u8 = 5;
pub const MAX_FISCAL_YEARS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinancialIndicator {
    /// 売上高増加率: sales growth, percent.
    SalesGrowth,
    /// 営業利益率: operating profit margin, percent.
    OperatingMargin,
    /// 労働生産性: operating profit per employee, thousand yen.
    LaborProductivity,
    /// EBITDA有利子負債倍率: interest-bearing debt over EBITDA, times.
    DebtToEbitda,
    /// 営業運転資本回転期間: operating working capital turnover, months.
    WorkingCapitalTurnover,
    /// 自己資本比率: equity ratio, percent.
    EquityRatio,
}

impl FinancialIndicator {
    pub const ALL: [Self; 6] = [
        Self::SalesGrowth,
        Self::OperatingMargin,
        Self::LaborProductivity,
        Self::DebtToEbitda,
        Self::WorkingCapitalTurnover,
        Self::EquityRatio,
    ];

    /// The plausible range of a figure, to catch slips (a margin of 4000 %).
    pub fn range(self) -> (f64, f64) {
        match self {
            Self::SalesGrowth => (-100.0, 1000.0),
            Self::OperatingMargin => (-1000.0, 100.0),
            Self::LaborProductivity => (-1.0e6, 1.0e6),
            Self::DebtToEbitda => (-1000.0, 1000.0),
            Self::WorkingCapitalTurnover => (-120.0, 120.0),
            Self::EquityRatio => (-1000.0, 100.0),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonFinancialView {
    /// 経営者: the owner-manager.
    Owner,
    /// 関係者: customers, suppliers, employees, banks.
    Stakeholders,
    /// 事業: the business and its market.
    Business,
    /// 内部管理体制: internal controls.
    InternalControls,
}

impl NonFinancialView {
    pub const ALL: [Self; 4] = [
        Self::Owner,
        Self::Stakeholders,
        Self::Business,
        Self::InternalControls,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechnologyCriterion {
    Novelty,
    Competitiveness,
    Feasibility,
    Market,
}

impl TechnologyCriterion {
    pub const ALL: [Self; 4] = [
        Self::Novelty,
        Self::Competitiveness,
        Self::Feasibility,
        Self::Market,
    ];
}

/// The rating, stored as its letter (an `ActiveEnum` like every other vocabulary).
pub use entity::enums::Rating;

/// One indicator's figures and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorEntry {
    pub indicator: FinancialIndicator,
    /// (fiscal year, figure), at most three, distinct years.
    pub figures: Vec<(i16, f64)>,
    pub score: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewEntry {
    pub view: NonFinancialView,
    pub score: Option<u8>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TechnologyEntry {
    pub criterion: TechnologyCriterion,
    pub score: Option<u8>,
}

/// Everything an evaluator scores. A draft may be incomplete; submission needs it complete.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Scores {
    pub financial: Vec<IndicatorEntry>,
    pub non_financial: Vec<ViewEntry>,
    pub technology: Vec<TechnologyEntry>,
    pub trl: Option<u8>,
}

/// Why scores are refused: the field (relative to the scores input) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreError {
    pub field: String,
    pub message: String,
}

fn refuse(field: String, message: impl Into<String>) -> ScoreError {
    ScoreError {
        field,
        message: message.into(),
    }
}

fn check_score(score: Option<u8>, field: String) -> Result<(), ScoreError> {
    match score {
        Some(s) if !(MIN_SCORE..=MAX_SCORE).contains(&s) => {
            Err(refuse(field, format!("a score is {MIN_SCORE}–{MAX_SCORE}")))
        }
        _ => Ok(()),
    }
}

impl Scores {
    /// Checks every value against its scale; each criterion appears at most once.
    pub fn validate(&self) -> Result<(), ScoreError> {
        for (i, entry) in self.financial.iter().enumerate() {
            let field = |name: &str| format!("financial.{i}.{name}");
            if self.financial[..i]
                .iter()
                .any(|e| e.indicator == entry.indicator)
            {
                return Err(refuse(field("indicator"), "each indicator once"));
            }
            if entry.figures.len() > MAX_FISCAL_YEARS {
                return Err(refuse(
                    field("figures"),
                    format!("at most {MAX_FISCAL_YEARS} fiscal years"),
                ));
            }
            let (low, high) = entry.indicator.range();
            for (j, (year, value)) in entry.figures.iter().enumerate() {
                if !(1950..=2100).contains(year)
                    || entry.figures[..j].iter().any(|(y, _)| y == year)
                {
                    return Err(refuse(
                        format!("financial.{i}.figures.{j}.fiscalYear"),
                        "distinct fiscal years, 1950–2100",
                    ));
                }
                if !value.is_finite() || *value < low || *value > high {
                    return Err(refuse(
                        format!("financial.{i}.figures.{j}.value"),
                        format!("between {low} and {high}"),
                    ));
                }
            }
            check_score(entry.score, field("score"))?;
        }
        for (i, entry) in self.non_financial.iter().enumerate() {
            if self.non_financial[..i].iter().any(|e| e.view == entry.view) {
                return Err(refuse(format!("nonFinancial.{i}.view"), "each view once"));
            }
            check_score(entry.score, format!("nonFinancial.{i}.score"))?;
            if entry
                .comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > 2000)
            {
                return Err(refuse(
                    format!("nonFinancial.{i}.comment"),
                    "at most 2000 characters",
                ));
            }
        }
        for (i, entry) in self.technology.iter().enumerate() {
            if self.technology[..i]
                .iter()
                .any(|e| e.criterion == entry.criterion)
            {
                return Err(refuse(
                    format!("technology.{i}.criterion"),
                    "each criterion once",
                ));
            }
            check_score(entry.score, format!("technology.{i}.score"))?;
        }
        if let Some(trl) = self.trl
            && !(1..=9).contains(&trl)
        {
            return Err(refuse("trl".into(), "a Technology Readiness Level is 1–9"));
        }
        Ok(())
    }

    /// What is still missing before the evaluation can be submitted, as field names.
    pub fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for indicator in FinancialIndicator::ALL {
            if !self
                .financial
                .iter()
                .any(|e| e.indicator == indicator && e.score.is_some())
            {
                missing.push(format!("financial.{indicator:?}"));
            }
        }
        for view in NonFinancialView::ALL {
            if !self
                .non_financial
                .iter()
                .any(|e| e.view == view && e.score.is_some())
            {
                missing.push(format!("nonFinancial.{view:?}"));
            }
        }
        for criterion in TechnologyCriterion::ALL {
            if !self
                .technology
                .iter()
                .any(|e| e.criterion == criterion && e.score.is_some())
            {
                missing.push(format!("technology.{criterion:?}"));
            }
        }
        if self.trl.is_none() {
            missing.push("trl".into());
        }
        missing
    }

    /// The overall score (1–5) and rating, once every score is given.
    pub fn rating(&self) -> Option<(f64, Rating)> {
        if !self.missing().is_empty() {
            return None;
        }
        let mean = |scores: Vec<u8>| {
            scores.iter().map(|s| f64::from(*s)).sum::<f64>() / scores.len() as f64
        };
        let financial = mean(self.financial.iter().filter_map(|e| e.score).collect());
        let non_financial = mean(self.non_financial.iter().filter_map(|e| e.score).collect());
        let technology = mean(self.technology.iter().filter_map(|e| e.score).collect());
        let overall = 0.4 * financial + 0.3 * non_financial + 0.3 * technology;
        let mut rating = match overall {
            s if s >= 4.0 => Rating::A,
            s if s >= 3.0 => Rating::B,
            s if s >= 2.0 => Rating::C,
            _ => Rating::D,
        };
        if self.trl.is_some_and(|trl| trl <= 3) && rating < Rating::C {
            rating = Rating::C;
        }
        Some(((overall * 100.0).round() / 100.0, rating))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn complete(financial: u8, non_financial: u8, technology: u8, trl: u8) -> Scores {
        Scores {
            financial: FinancialIndicator::ALL
                .iter()
                .map(|i| IndicatorEntry {
                    indicator: *i,
                    figures: vec![(2025, 1.0)],
                    score: Some(financial),
                })
                .collect(),
            non_financial: NonFinancialView::ALL
                .iter()
                .map(|v| ViewEntry {
                    view: *v,
                    score: Some(non_financial),
                    comment: None,
                })
                .collect(),
            technology: TechnologyCriterion::ALL
                .iter()
                .map(|c| TechnologyEntry {
                    criterion: *c,
                    score: Some(technology),
                })
                .collect(),
            trl: Some(trl),
        }
    }

    #[test]
    fn the_rating_follows_the_documented_rule() {
        assert_eq!(complete(5, 5, 5, 9).rating(), Some((5.0, Rating::A)));
        assert_eq!(
            complete(4, 4, 4, 7).rating(),
            Some((4.0, Rating::A)),
            "4.0 is an A"
        );
        assert_eq!(complete(4, 3, 3, 7).rating(), Some((3.4, Rating::B)));
        assert_eq!(complete(3, 2, 2, 7).rating(), Some((2.4, Rating::C)));
        assert_eq!(complete(1, 2, 2, 7).rating(), Some((1.6, Rating::D)));
        assert_eq!(
            complete(5, 5, 5, 3).rating(),
            Some((5.0, Rating::C)),
            "TRL 3 caps at C"
        );
        assert_eq!(
            complete(1, 1, 1, 2).rating(),
            Some((1.0, Rating::D)),
            "the cap never raises"
        );
    }

    #[test]
    fn incomplete_scores_have_no_rating_and_say_what_is_missing() {
        let mut scores = complete(3, 3, 3, 5);
        scores.trl = None;
        scores.technology.pop();
        assert_eq!(scores.rating(), None);
        assert_eq!(scores.missing(), ["technology.Market", "trl"]);
        assert_eq!(Scores::default().missing().len(), 15);
    }

    #[test]
    fn every_value_is_checked_against_its_scale() {
        let mut scores = complete(3, 3, 3, 5);
        scores.financial[1].score = Some(6);
        assert_eq!(scores.validate().unwrap_err().field, "financial.1.score");
        let mut scores = complete(3, 3, 3, 5);
        scores.trl = Some(10);
        assert_eq!(scores.validate().unwrap_err().field, "trl");
        let mut scores = complete(3, 3, 3, 5);
        scores.financial[0].figures = vec![(2023, 1.0), (2024, 2.0), (2025, 3.0), (2026, 4.0)];
        assert_eq!(scores.validate().unwrap_err().field, "financial.0.figures");
        let mut scores = complete(3, 3, 3, 5);
        scores.financial[5].figures = vec![(2025, 4000.0)];
        assert_eq!(
            scores.validate().unwrap_err().field,
            "financial.5.figures.0.value"
        );
        let mut scores = complete(3, 3, 3, 5);
        scores.non_financial[2].view = NonFinancialView::Owner;
        assert_eq!(scores.validate().unwrap_err().field, "nonFinancial.2.view");
        assert!(complete(1, 5, 3, 9).validate().is_ok());
    }
}
