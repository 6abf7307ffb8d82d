//! Public figures for the network's report, per Japanese fiscal year (April to March) and
//! holder: patents whose explanation was published in the year, inquiries received, and
//! licences agreed.

use std::collections::BTreeMap;

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

/// The figures of fiscal year `year`, by holder (holders with none are left out).
#[tracing::instrument(skip_all)]
pub async fn for_fiscal_year<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> ApiResult<Vec<HolderFigures>> {
    let current = dates::fiscal_year_of(dates::today_in_japan());
    if !(super::numbers::FIRST_YEAR..=current).contains(&year) {
        return Err(ApiError::bad_input(
            "fiscalYear",
            format!(
                "a fiscal year from {} to {current}",
                super::numbers::FIRST_YEAR
            ),
        ));
    }
    let out_of_range = || ApiError::bad_input("fiscalYear", "out of range");
    let (start, end) = dates::fiscal_year_bounds(year).ok_or_else(out_of_range)?;
    // Days are days in Japan.
    let (from, until) = dates::fiscal_year_span(year).ok_or_else(out_of_range)?;

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
