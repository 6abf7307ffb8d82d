//! Whether a business is a small or medium-sized enterprise under the Small and Medium-sized
//! Enterprise Basic Act (中小企業基本法, Act No. 154 of 1963), Article 2(1): a company whose stated
//! capital (or total contribution) is at most the limit of its industry, or a company or an
//! individual whose regular employees are at most the limit:
//!
//! | industry | capital | employees |
//! | --- | ---: | ---: |
//! | manufacturing and all others | ¥300,000,000 | 300 |
//! | wholesale | ¥100,000,000 | 100 |
//! | services | ¥50,000,000 | 100 |
//! | retail | ¥50,000,000 | 50 |
//!
//! The industry follows the JSIC as the SME Agency applies it (中小企業庁, 「中小企業・小規模企業者の
//! 定義」, its FAQ table by JSIC Revision 13): wholesale is I50–55; retail is I56–61 and the eating
//! and drinking places M76–77; services are G38, G39, G411, G412, G415, G416, K693, K70, all of L,
//! M75, N except the travel agencies N791, and all of O, P, Q and R; everything else is
//! "manufacturing and others". The higher limits that government ordinances set for some other
//! laws (rubber products, software, hotels) are not the Basic Act's and are not applied here.

use super::jsic::JsicCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasicActIndustry {
    ManufacturingAndOthers,
    Wholesale,
    Retail,
    Services,
}

impl BasicActIndustry {
    /// The category of an industry, or `None` when the code is too coarse to tell (a major
    /// classification that spans categories, or G41, K69, N79 without their minor digit).
    pub fn of(code: JsicCode) -> Option<Self> {
        use BasicActIndustry::*;
        let Some(middle) = code.middle() else {
            return match code.major() {
                'L' | 'O' | 'P' | 'Q' | 'R' => Some(Services),
                'G' | 'I' | 'K' | 'M' | 'N' => None,
                _ => Some(ManufacturingAndOthers),
            };
        };
        Some(match (code.major(), middle) {
            ('I', 50..=55) => Wholesale,
            ('I', 56..=61) | ('M', 76..=77) => Retail,
            ('G', 38 | 39) | ('K', 70) | ('M', 75) => Services,
            ('L' | 'O' | 'P' | 'Q' | 'R', _) => Services,
            ('G', 41) => match code.minor()? {
                411 | 412 | 415 | 416 => Services,
                _ => ManufacturingAndOthers,
            },
            ('K', 69) => match code.minor()? {
                693 => Services,
                _ => ManufacturingAndOthers,
            },
            ('N', 79) => match code.minor()? {
                791 => ManufacturingAndOthers,
                _ => Services,
            },
            ('N', _) => Services,
            _ => ManufacturingAndOthers,
        })
    }

    /// The Act's limits: capital in yen, regular employees.
    pub fn limits(self) -> (i64, i32) {
        match self {
            Self::ManufacturingAndOthers => (300_000_000, 300),
            Self::Wholesale => (100_000_000, 100),
            Self::Services => (50_000_000, 100),
            Self::Retail => (50_000_000, 50),
        }
    }
}

/// What decides the answer: the industry, and what is known of the business.
#[derive(Debug, Clone, Copy)]
pub struct Business {
    pub industry: Option<JsicCode>,
    /// A company (it has a corporate number); otherwise an individual, for whom capital does not count.
    pub company: bool,
    pub capital_yen: Option<i64>,
    pub employees: Option<i32>,
}

/// `Some(true)` or `Some(false)` when the Act decides it from what is known; `None` when the
/// industry or the figures that would decide it are unknown.
pub fn is_sme(business: Business) -> Option<bool> {
    let (capital_limit, employee_limit) = BasicActIndustry::of(business.industry?)?.limits();
    let by_capital = business
        .capital_yen
        .filter(|_| business.company)
        .map(|capital| capital <= capital_limit);
    let by_employees = business
        .employees
        .map(|employees| employees <= employee_limit);
    match (by_capital, by_employees) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        // Both tests fail; an individual has only the employee test.
        (Some(false), Some(false)) => Some(false),
        (None, Some(false)) if !business.company => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{BasicActIndustry::*, *};

    fn code(text: &str) -> JsicCode {
        JsicCode::parse(text).unwrap()
    }

    fn company(industry: &str, capital: Option<i64>, employees: Option<i32>) -> Option<bool> {
        is_sme(Business {
            industry: Some(code(industry)),
            company: true,
            capital_yen: capital,
            employees,
        })
    }

    #[test]
    fn each_category_is_decided_at_its_limits() {
        for (industry, capital, employees) in [
            ("E25", 300_000_000, 300),
            ("I52", 100_000_000, 100),
            ("L71", 50_000_000, 100),
            ("I58", 50_000_000, 50),
        ] {
            // At the limit: either test alone makes an SME.
            assert_eq!(
                company(industry, Some(capital), Some(employees + 1)),
                Some(true)
            );
            assert_eq!(
                company(industry, Some(capital + 1), Some(employees)),
                Some(true)
            );
            // One over both limits: not an SME.
            assert_eq!(
                company(industry, Some(capital + 1), Some(employees + 1)),
                Some(false),
                "{industry}"
            );
            // One test over and the other unknown: the Act cannot say.
            assert_eq!(company(industry, Some(capital + 1), None), None);
            assert_eq!(company(industry, None, Some(employees + 1)), None);
        }
    }

    #[test]
    fn an_individual_is_judged_by_employees_alone() {
        let individual = |capital, employees| {
            is_sme(Business {
                industry: Some(code("E25")),
                company: false,
                capital_yen: capital,
                employees,
            })
        };
        assert_eq!(individual(Some(1), Some(301)), Some(false));
        assert_eq!(individual(Some(10_000_000_000), Some(300)), Some(true));
        assert_eq!(individual(None, None), None);
    }

    #[test]
    fn the_sme_agency_table_sorts_industries() {
        assert_eq!(BasicActIndustry::of(code("I55")), Some(Wholesale));
        assert_eq!(BasicActIndustry::of(code("I56")), Some(Retail));
        assert_eq!(BasicActIndustry::of(code("M76")), Some(Retail));
        assert_eq!(BasicActIndustry::of(code("M75")), Some(Services));
        assert_eq!(BasicActIndustry::of(code("G39")), Some(Services));
        assert_eq!(
            BasicActIndustry::of(code("G37")),
            Some(ManufacturingAndOthers)
        );
        assert_eq!(BasicActIndustry::of(code("G411")), Some(Services));
        assert_eq!(
            BasicActIndustry::of(code("G414")),
            Some(ManufacturingAndOthers)
        );
        assert_eq!(BasicActIndustry::of(code("G41")), None);
        assert_eq!(BasicActIndustry::of(code("K693")), Some(Services));
        assert_eq!(
            BasicActIndustry::of(code("K68")),
            Some(ManufacturingAndOthers)
        );
        assert_eq!(
            BasicActIndustry::of(code("N791")),
            Some(ManufacturingAndOthers)
        );
        assert_eq!(BasicActIndustry::of(code("N78")), Some(Services));
        assert_eq!(
            BasicActIndustry::of(code("H44")),
            Some(ManufacturingAndOthers)
        );
        assert_eq!(BasicActIndustry::of(code("I")), None);
        assert_eq!(BasicActIndustry::of(code("P")), Some(Services));
        assert_eq!(
            BasicActIndustry::of(code("E")),
            Some(ManufacturingAndOthers)
        );
        // Without an industry the Act cannot be applied.
        assert_eq!(
            is_sme(Business {
                industry: None,
                company: true,
                capital_yen: Some(1),
                employees: Some(1)
            }),
            None
        );
    }
}
