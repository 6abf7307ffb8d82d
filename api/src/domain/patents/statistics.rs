//! Public figures for the network's report, per Japanese fiscal year (April to March) and
//! holder: patents whose explanation was published in the year, inquiries received, and
//! licences agreed.

use std::collections::BTreeMap;

use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use entity::{licensing_inquiry, patent, patent_explanation, patent_explanation_version};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    domain::dates,
    error::{ApiError, ApiResult},
};

/// One holder's figures in one fiscal year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolderFigures {
    pub holder_id: i64,
    pub patents_explained: u64,
    pub inquiries: u64,
    pub licences_agreed: u64,
}

/// The first and the day after the last day of fiscal year `year`: 1 April to 31 March.
pub fn fiscal_year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 4, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 4, 1)?,
    ))
}

/// The fiscal year a date falls in.
pub fn fiscal_year_of(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The figures of fiscal year `year`, by holder (holders with none are left out).
pub async fn for_fiscal_year<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> ApiResult<Vec<HolderFigures>> {
    let current = fiscal_year_of(dates::today_in_japan());
    if !(super::numbers::FIRST_YEAR..=current).contains(&year) {
        return Err(ApiError::bad_input(
            "fiscalYear",
            format!(
                "a fiscal year from {} to {current}",
                super::numbers::FIRST_YEAR
            ),
        ));
    }
    let (start, end) = fiscal_year_bounds(year)
        .ok_or_else(|| ApiError::bad_input("fiscalYear", "out of range"))?;
    // Days are days in Japan.
    let japan = FixedOffset::east_opt(9 * 3600).ok_or_else(|| ApiError::corrupt("UTC+9"))?;
    let instant = |day: NaiveDate| {
        japan
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| ApiError::corrupt("a day in Japan"))
    };
    let (from, until) = (instant(start)?, instant(end)?);

    let mut figures: BTreeMap<i64, HolderFigures> = BTreeMap::new();
    fn entry(figures: &mut BTreeMap<i64, HolderFigures>, holder_id: i64) -> &mut HolderFigures {
        figures.entry(holder_id).or_insert_with(|| HolderFigures {
            holder_id,
            ..Default::default()
        })
    }

    let published: Vec<i64> = patent_explanation_version::Entity::find()
        .select_only()
        .column(patent_explanation_version::Column::ExplanationId)
        .filter(patent_explanation_version::Column::Change.eq("published"))
        .filter(patent_explanation_version::Column::ChangedAt.gte(from))
        .filter(patent_explanation_version::Column::ChangedAt.lt(until))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    if !published.is_empty() {
        let patents: Vec<i64> = patent_explanation::Entity::find()
            .select_only()
            .column(patent_explanation::Column::PatentId)
            .filter(patent_explanation::Column::Id.is_in(published))
            .into_tuple()
            .all(db)
            .await?;
        let holders: Vec<i64> = patent::Entity::find()
            .select_only()
            .column(patent::Column::HolderId)
            .filter(patent::Column::Id.is_in(patents))
            .into_tuple()
            .all(db)
            .await?;
        for holder in holders {
            entry(&mut figures, holder).patents_explained += 1;
        }
    }

    let received: Vec<i64> = licensing_inquiry::Entity::find()
        .select_only()
        .column(licensing_inquiry::Column::HolderId)
        .filter(licensing_inquiry::Column::CreatedAt.gte(from))
        .filter(licensing_inquiry::Column::CreatedAt.lt(until))
        .into_tuple()
        .all(db)
        .await?;
    for holder in received {
        entry(&mut figures, holder).inquiries += 1;
    }

    let agreed: Vec<i64> = licensing_inquiry::Entity::find()
        .select_only()
        .column(licensing_inquiry::Column::HolderId)
        .filter(licensing_inquiry::Column::AgreedOn.gte(start))
        .filter(licensing_inquiry::Column::AgreedOn.lt(end))
        .filter(licensing_inquiry::Column::Status.eq(entity::enums::InquiryStatus::Agreed))
        .into_tuple()
        .all(db)
        .await?;
    for holder in agreed {
        entry(&mut figures, holder).licences_agreed += 1;
    }
    Ok(figures.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_run_april_to_march() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(fiscal_year_of(day(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year_of(day(2026, 4, 1)), 2026);
        assert_eq!(
            fiscal_year_bounds(2026),
            Some((day(2026, 4, 1), day(2027, 4, 1)))
        );
    }
}
