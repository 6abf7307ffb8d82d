//! An award's status, its renewal window and continuing-education progress: pure rules over
//! an award, its scheme and dates, with no database.

use chrono::NaiveDate;
use entity::{
    award, ce_requirement,
    enums::{AwardDecision, CeUnit, TrainingKind},
    qualification_scheme, training_course, training_record,
};

use crate::domain::dates;

// ---------------------------------------------------------------- status and renewal

/// What an award is worth today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardStatus {
    Active,
    Expired,
    Suspended,
    Revoked,
    /// Paused at the holder's request (休止); resumed on request.
    Paused,
}

pub(super) fn months(value: i16) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

/// The last day an award counts, grace included; `None` when it does not expire.
pub fn counts_until(
    award: &award::Model,
    scheme: &qualification_scheme::Model,
) -> Option<NaiveDate> {
    award
        .expires_on
        .and_then(|expires_on| dates::grace_end(expires_on, months(scheme.grace_months)))
}

pub fn status(
    award: &award::Model,
    scheme: &qualification_scheme::Model,
    today: NaiveDate,
) -> AwardStatus {
    match award.decision {
        AwardDecision::Revoked => AwardStatus::Revoked,
        AwardDecision::Suspended => AwardStatus::Suspended,
        AwardDecision::Paused => AwardStatus::Paused,
        AwardDecision::Active => match (award.expires_on, counts_until(award, scheme)) {
            (None, _) => AwardStatus::Active,
            (Some(_), Some(last)) if today <= last => AwardStatus::Active,
            _ => AwardStatus::Expired,
        },
    }
}

/// When an award may be renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewalWindow {
    pub opens_on: NaiveDate,
    /// The award's expiry: renew by then to stay continuous.
    pub due_on: NaiveDate,
    /// The last day renewal is possible: the end of the grace period, or of the late-renewal
    /// period when that is longer.
    pub closes_on: NaiveDate,
}

impl RenewalWindow {
    /// Whether an award may be renewed on `day`.
    pub fn is_open(&self, day: NaiveDate) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

pub fn renewal_window(
    award: &award::Model,
    scheme: &qualification_scheme::Model,
) -> Option<RenewalWindow> {
    let due_on = award.expires_on?;
    let late = dates::grace_end(due_on, months(scheme.late_renewal_months))?;
    Some(RenewalWindow {
        opens_on: dates::period_start(due_on, months(scheme.renewal_window_months))?,
        due_on,
        closes_on: counts_until(award, scheme)?.max(late),
    })
}

/// The first day of an award's current validity period: trainings count from then.
pub fn period_from(award: &award::Model) -> NaiveDate {
    award.period_from.unwrap_or(award.awarded_on)
}

/// How far a holder is with one continuing-education requirement, counted over the award's
/// current validity period (`counted_from` to `counted_until`, its expiry) up to today. A
/// training belongs to one period only: one done after the expiry counts for the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeProgress {
    pub unit: CeUnit,
    pub kind: TrainingKind,
    pub required: i64,
    pub earned: i64,
    pub counted_from: NaiveDate,
    pub counted_until: NaiveDate,
}

impl CeProgress {
    pub fn missing(&self) -> i64 {
        (self.required - self.earned).max(0)
    }
}

/// One completed training or practice: when, of which kind, in which unit, how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    pub on: NaiveDate,
    pub kind: TrainingKind,
    pub unit: CeUnit,
    pub amount: i32,
}

impl Completion {
    /// What a record of a course (or practice activity) earns.
    pub fn of(record: &training_record::Model, course: &training_course::Model) -> Self {
        Self {
            on: record.completed_on,
            kind: course.kind,
            unit: course.unit,
            amount: course.amount,
        }
    }
}

/// Progress of each requirement over the period from `from` to `until` (the award's expiry),
/// counting records up to `today`. Only records of the requirement's kind and unit count.
pub fn ce_progress(
    requirements: &[ce_requirement::Model],
    completions: &[Completion],
    from: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
) -> Vec<CeProgress> {
    let last = until.min(today);
    requirements
        .iter()
        .map(|requirement| {
            let earned = completions
                .iter()
                .filter(|c| {
                    c.unit == requirement.unit
                        && c.kind == requirement.kind
                        && c.on >= from
                        && c.on <= last
                })
                .map(|c| i64::from(c.amount))
                .sum();
            CeProgress {
                unit: requirement.unit,
                kind: requirement.kind,
                required: requirement.amount.into(),
                earned,
                counted_from: from,
                counted_until: until,
            }
        })
        .collect()
}

/// An award's continuing-education progress towards its next renewal: nothing for awards that
/// do not expire or are held by organisations.
pub fn award_ce_progress(
    award: &award::Model,
    requirements: &[ce_requirement::Model],
    completions: &[Completion],
    today: NaiveDate,
) -> Vec<CeProgress> {
    match (award.expires_on, award.coordinator_id) {
        (Some(until), Some(_)) => {
            ce_progress(requirements, completions, period_from(award), until, today)
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entity::enums::HolderKind;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn scheme(validity: Option<i16>, window: i16, grace: i16) -> qualification_scheme::Model {
        qualification_scheme::Model {
            id: 1,
            code: "s".into(),
            issuer_id: 1,
            name_ja: "s".into(),
            name_en: "s".into(),
            holder_kind: HolderKind::Person,
            validity_months: validity,
            renewal_window_months: window,
            grace_months: grace,
            renewal_validity_months: None,
            late_renewal_months: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn award(expires_on: Option<NaiveDate>, decision: AwardDecision) -> award::Model {
        award::Model {
            id: 1,
            scheme_id: 1,
            level_id: 1,
            coordinator_id: Some(1),
            holder_organization_id: None,
            certificate_number: "IIN-0000-0000-0000".into(),
            awarded_on: d(2020, 1, 1),
            expires_on,
            period_from: None,
            decision,
            decision_reason: None,
            decided_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn an_award_counts_through_its_expiry_day_and_grace_then_expires() {
        let with_grace = scheme(Some(60), 6, 3);
        let a = award(Some(d(2029, 3, 31)), AwardDecision::Active);
        assert_eq!(
            status(&a, &with_grace, d(2029, 3, 31)),
            AwardStatus::Active,
            "the expiry day itself"
        );
        assert_eq!(
            status(&a, &with_grace, d(2029, 6, 30)),
            AwardStatus::Active,
            "the last day of grace"
        );
        assert_eq!(status(&a, &with_grace, d(2029, 7, 1)), AwardStatus::Expired);
        let no_grace = scheme(Some(60), 6, 0);
        assert_eq!(status(&a, &no_grace, d(2029, 4, 1)), AwardStatus::Expired);
        let leap = award(Some(d(2028, 2, 29)), AwardDecision::Active);
        assert_eq!(
            status(&leap, &no_grace, d(2028, 2, 29)),
            AwardStatus::Active,
            "29 February"
        );
        assert_eq!(
            status(&leap, &no_grace, d(2028, 3, 1)),
            AwardStatus::Expired
        );
    }

    #[test]
    fn decisions_outrank_dates_and_open_ended_awards_never_expire() {
        let s = scheme(Some(12), 1, 0);
        assert_eq!(
            status(
                &award(Some(d(2020, 1, 1)), AwardDecision::Suspended),
                &s,
                d(2026, 1, 1)
            ),
            AwardStatus::Suspended
        );
        assert_eq!(
            status(&award(None, AwardDecision::Revoked), &s, d(2026, 1, 1)),
            AwardStatus::Revoked
        );
        assert_eq!(
            status(&award(None, AwardDecision::Active), &s, d(2099, 1, 1)),
            AwardStatus::Active
        );
    }

    #[test]
    fn the_renewal_window_opens_before_expiry_and_closes_with_grace() {
        let s = scheme(Some(60), 12, 3);
        let window =
            renewal_window(&award(Some(d(2029, 3, 31)), AwardDecision::Active), &s).unwrap();
        assert_eq!(window.opens_on, d(2028, 4, 1));
        assert_eq!(window.due_on, d(2029, 3, 31));
        assert_eq!(window.closes_on, d(2029, 6, 30));
        assert_eq!(
            renewal_window(&award(None, AwardDecision::Active), &s),
            None
        );
    }

    #[test]
    fn late_renewal_stays_open_after_the_award_stops_counting() {
        // ESCA's labels: no grace, renewable up to a year after expiry.
        let mut label = scheme(Some(24), 3, 0);
        label.late_renewal_months = 12;
        let a = award(Some(d(2027, 5, 31)), AwardDecision::Active);
        let window = renewal_window(&a, &label).unwrap();
        assert_eq!(window.closes_on, d(2028, 5, 31));
        assert_eq!(status(&a, &label, d(2027, 6, 1)), AwardStatus::Expired);
        let paused = award(Some(d(2027, 5, 31)), AwardDecision::Paused);
        assert_eq!(status(&paused, &label, d(2026, 1, 1)), AwardStatus::Paused);
    }

    fn requirement(unit: CeUnit, kind: TrainingKind, amount: i32) -> ce_requirement::Model {
        ce_requirement::Model {
            id: 1,
            scheme_id: 1,
            unit,
            amount,
            period_months: 60,
            kind,
        }
    }

    fn done(on: NaiveDate, kind: TrainingKind, unit: CeUnit, amount: i32) -> Completion {
        Completion {
            on,
            kind,
            unit,
            amount,
        }
    }

    #[test]
    fn continuing_education_counts_the_awards_own_period_and_the_right_kind() {
        use TrainingKind::{Course, Practice};
        let requirements = [
            requirement(CeUnit::Credits, Course, 5),
            requirement(CeUnit::Points, Practice, 30),
        ];
        let completions = [
            done(d(2021, 4, 1), Course, CeUnit::Credits, 1), // the period's first day: counts
            done(d(2021, 3, 31), Course, CeUnit::Credits, 9), // the day before: does not
            done(d(2024, 1, 10), Course, CeUnit::Credits, 2),
            done(d(2025, 6, 1), Practice, CeUnit::Points, 25),
            done(d(2025, 7, 1), Course, CeUnit::Points, 5), // points from a course: never
            done(d(2026, 4, 1), Course, CeUnit::Credits, 5), // after the expiry: the next period
        ];
        let progress = ce_progress(
            &requirements,
            &completions,
            d(2021, 4, 1),
            d(2026, 3, 31),
            d(2026, 5, 1),
        );
        assert_eq!(progress[0].counted_from, d(2021, 4, 1));
        assert_eq!(progress[0].counted_until, d(2026, 3, 31));
        assert_eq!((progress[0].earned, progress[0].missing()), (3, 2));
        assert_eq!((progress[1].earned, progress[1].missing()), (25, 5));

        // Renewed on 2026-04-01: the old period's credits no longer count, the late one does.
        let mut renewed = award(Some(d(2031, 3, 31)), AwardDecision::Active);
        renewed.period_from = Some(d(2026, 4, 1));
        let next = award_ce_progress(&renewed, &requirements, &completions, d(2026, 5, 1));
        assert_eq!(next[0].counted_from, d(2026, 4, 1));
        assert_eq!(next[0].earned, 5);
        assert_eq!(next[1].earned, 0);
    }
}
