//! Dates of qualifications, counted as Japanese law counts periods (Civil Code art. 143): a period
//! of N months starting on a day ends on the day before the corresponding day N months later, or,
//! when that month has no corresponding day, on its last day. An award of 1 April for five years
//! is valid through 31 March five years on; one of 29 February 2024 for a year, through
//! 28 February 2025. Every day is a day in Japan (UTC+9).

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, TimeZone, Utc};

fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// Today's date in Japan.
pub fn today_in_japan() -> NaiveDate {
    Utc::now().with_timezone(&japan()).date_naive()
}

/// The Japanese fiscal year (年度) a date falls in: it runs from April to March and is named
/// after the year it starts in.
pub fn fiscal_year_of(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The first day of fiscal year `year` and the first day of the next: 1 April to 1 April.
/// `None` outside the dates chrono can hold.
pub fn fiscal_year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 4, 1)?,
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 4, 1)?,
    ))
}

/// The instants fiscal year `year` spans: from 1 April 00:00 in Japan to the next 1 April,
/// exclusive.
pub fn fiscal_year_span(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (start, end) = fiscal_year_bounds(year)?;
    let instant = |day: NaiveDate| {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        Some(
            japan()
                .from_local_datetime(&midnight)
                .single()?
                .with_timezone(&Utc),
        )
    };
    Some((instant(start)?, instant(end)?))
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// The last day of a period of `months` months that starts on `start`. `None` past year 9999.
pub fn period_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    let first = start.with_day(1)?.checked_add_months(Months::new(months))?;
    let last = last_day_of_month(first.year(), first.month());
    if start.day() > last {
        first.with_day(last)
    } else {
        first.with_day(start.day())?.pred_opt()
    }
}

/// The last day an award expiring on `expires_on` still counts, with `grace_months` of grace.
pub fn grace_end(expires_on: NaiveDate, grace_months: u32) -> Option<NaiveDate> {
    if grace_months == 0 {
        Some(expires_on)
    } else {
        period_end(expires_on.succ_opt()?, grace_months)
    }
}

/// The first day of the last `months` months up to and including `end`.
pub fn period_start(end: NaiveDate, months: u32) -> Option<NaiveDate> {
    end.succ_opt()?.checked_sub_months(Months::new(months))
}

/// The earliest expiry date whose grace still covers `today`: an award counts today exactly when
/// it expires on or after this day (grace ends move monotonically with expiry dates).
pub fn earliest_expiry_counting(today: NaiveDate, grace_months: u32) -> NaiveDate {
    let counts =
        |expires_on: NaiveDate| grace_end(expires_on, grace_months).is_some_and(|end| end >= today);
    let mut candidate = period_start(today, grace_months)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    while !counts(candidate) {
        candidate = candidate.succ_opt().unwrap_or(candidate);
    }
    while let Some(earlier) = candidate.pred_opt().filter(|d| counts(*d)) {
        candidate = earlier;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_end_the_day_before_the_corresponding_day() {
        assert_eq!(period_end(d(2024, 4, 1), 60), Some(d(2029, 3, 31)));
        assert_eq!(period_end(d(2026, 11, 24), 24), Some(d(2028, 11, 23)));
        assert_eq!(period_end(d(2026, 1, 1), 12), Some(d(2026, 12, 31)));
    }

    #[test]
    fn a_missing_corresponding_day_ends_the_period_at_month_end() {
        assert_eq!(period_end(d(2024, 2, 29), 12), Some(d(2025, 2, 28)));
        assert_eq!(
            period_end(d(2024, 2, 29), 48),
            Some(d(2028, 2, 28)),
            "29 Feb 2028 exists: the day before"
        );
        assert_eq!(period_end(d(2026, 1, 31), 1), Some(d(2026, 2, 28)));
        assert_eq!(period_end(d(2027, 1, 31), 13), Some(d(2028, 2, 29)));
        assert_eq!(period_end(d(2026, 3, 31), 1), Some(d(2026, 4, 30)));
    }

    #[test]
    fn grace_runs_from_the_day_after_expiry() {
        assert_eq!(grace_end(d(2029, 3, 31), 0), Some(d(2029, 3, 31)));
        assert_eq!(grace_end(d(2029, 3, 31), 3), Some(d(2029, 6, 30)));
        assert_eq!(grace_end(d(2028, 2, 28), 1), Some(d(2028, 3, 28)));
        assert_eq!(grace_end(d(2028, 2, 29), 12), Some(d(2029, 2, 28)));
    }

    #[test]
    fn the_counting_cutoff_agrees_with_grace_ends_day_by_day() {
        let mut today = d(2027, 12, 1);
        while today < d(2028, 12, 31) {
            for grace in [0, 1, 3, 6, 12] {
                let cutoff = earliest_expiry_counting(today, grace);
                assert!(
                    grace_end(cutoff, grace).unwrap() >= today,
                    "{today} {grace}"
                );
                assert!(
                    grace_end(cutoff.pred_opt().unwrap(), grace).unwrap() < today,
                    "{today} {grace}"
                );
            }
            today = today.succ_opt().unwrap();
        }
    }

    #[test]
    fn period_starts() {
        assert_eq!(period_start(d(2029, 3, 31), 12), Some(d(2028, 4, 1)));
        assert_eq!(
            period_start(d(2028, 2, 28), 12),
            Some(d(2027, 2, 28)),
            "clamped at month end"
        );
    }

    #[test]
    fn fiscal_years_run_april_to_march_in_japan() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(fiscal_year_of(day(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(day(2026, 4, 1)), 2026);
        assert_eq!(
            fiscal_year_bounds(2026),
            Some((day(2026, 4, 1), day(2027, 4, 1)))
        );
        let (start, end) = fiscal_year_span(2026).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-03-31T15:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2027-03-31T15:00:00+00:00");
    }
}
