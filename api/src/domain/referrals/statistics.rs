//! What the network learns from referrals: per bank, bureau or rating, in a fiscal year (April to
//! March, by the day in Japan a referral was sent). Members of the network see every group; other
//! callers (the network's public report) see only groups of at least [`PUBLIC_MINIMUM`]
//! referrals, the smaller ones folded into one group, `other`.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::{organization, referral, referral_enums::ReferralStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::Caller,
    domain::{dates, prefecture::PrefectureCode},
    error::{ApiError, ApiResult},
};

/// The fewest referrals a group shown to callers outside the network holds.
pub const PUBLIC_MINIMUM: u64 = 3;

/// The key of the group smaller groups are folded into.
pub const OTHER: &str = "other";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Bank,
    Bureau,
    Rating,
}

/// A group of the network's published figures, which the small-group rule may fold into
/// [`OTHER`]: the rule of every area that publishes figures (referrals here, business matching in
/// `domain::matching::statistics`).
pub trait Figures {
    /// What the group counts against [`PUBLIC_MINIMUM`].
    fn size(&self) -> u64;
    /// Adds another group's figures to this one.
    fn merge(&mut self, other: Self);
    /// Computes what is derived from the figures (medians, …) once they are all in.
    fn finish(self) -> Self;
}

/// The small-group rule: members of the network see every group; other callers only groups of
/// at least [`PUBLIC_MINIMUM`], the smaller ones folded into `other` (shown when it holds any).
pub fn shown<G: Figures>(
    caller: &Caller,
    groups: impl IntoIterator<Item = G>,
    mut other: G,
) -> Vec<G> {
    let member = caller.require_member().is_ok();
    let mut shown = Vec::new();
    for group in groups {
        if member || group.size() >= PUBLIC_MINIMUM {
            shown.push(group.finish());
        } else {
            other.merge(group);
        }
    }
    if other.size() > 0 {
        shown.push(other.finish());
    }
    shown
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    /// The bank's code, the bureau (`kanto`), the rating (`A`), `unrated`, or [`OTHER`].
    pub key: String,
    /// The bank's English name, the bureau's or the rating; `Other` for the folded group.
    pub label: String,
    /// The bank, when grouped by bank.
    pub bank_id: Option<i64>,
    pub referrals: u64,
    /// Referrals the bank acknowledged (whatever became of them after).
    pub acknowledged: u64,
    pub financed: u64,
    pub declined: u64,
    /// The sum of the amounts financed, in yen.
    pub total_financed: i64,
    /// Median days from the referral to the bank's decision (financed or declined).
    pub median_days_to_decision: Option<f64>,
    days: Vec<f64>,
}

impl Group {
    fn add(&mut self, row: &referral::Model) {
        self.referrals += 1;
        if row.acknowledged_at.is_some() {
            self.acknowledged += 1;
        }
        match row.status {
            ReferralStatus::Financed => {
                self.financed += 1;
                self.total_financed = self
                    .total_financed
                    .saturating_add(row.financed_amount.unwrap_or(0));
            }
            ReferralStatus::Declined => self.declined += 1,
            _ => {}
        }
        if let Some(decided) = row.decided_at {
            self.days
                .push((decided - row.created_at).num_seconds() as f64 / 86_400.0);
        }
    }
}

impl Figures for Group {
    fn size(&self) -> u64 {
        self.referrals
    }

    fn merge(&mut self, other: Group) {
        self.referrals += other.referrals;
        self.acknowledged += other.acknowledged;
        self.financed += other.financed;
        self.declined += other.declined;
        self.total_financed = self.total_financed.saturating_add(other.total_financed);
        self.days.extend(other.days);
    }

    fn finish(mut self) -> Self {
        self.days.sort_by(f64::total_cmp);
        let n = self.days.len();
        self.median_days_to_decision = (n > 0).then(|| {
            let median = if n % 2 == 1 {
                self.days[n / 2]
            } else {
                (self.days[n / 2 - 1] + self.days[n / 2]) / 2.0
            };
            (median * 10.0).round() / 10.0
        });
        self
    }
}

/// The instants a fiscal year spans, in Japan ([`dates::fiscal_year_span`]), for a year the
/// network's report covers.
pub fn fiscal_year_span(
    fiscal_year: i32,
) -> ApiResult<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    if !(2000..=2100).contains(&fiscal_year) {
        return Err(ApiError::bad_input(
            "fiscalYear",
            "a fiscal year from 2000 to 2100",
        ));
    }
    dates::fiscal_year_span(fiscal_year)
        .ok_or_else(|| ApiError::bad_input("fiscalYear", "out of range"))
}

/// The figures of `fiscal_year`, grouped, as `caller` may see them.
#[tracing::instrument(skip_all)]
pub async fn statistics(
    db: &DatabaseConnection,
    caller: &Caller,
    fiscal_year: i32,
    group_by: GroupBy,
) -> ApiResult<Vec<Group>> {
    let (start, end) = fiscal_year_span(fiscal_year)?;
    let rows = referral::Entity::find()
        .filter(referral::Column::CreatedAt.gte(start))
        .filter(referral::Column::CreatedAt.lt(end))
        .all(db)
        .await?;
    let banks: BTreeMap<i64, organization::Model> = if rows.is_empty() {
        BTreeMap::new()
    } else {
        let mut ids: Vec<i64> = rows.iter().map(|r| r.bank_id).collect();
        ids.sort_unstable();
        ids.dedup();
        organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect()
    };
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for row in &rows {
        let bank = banks
            .get(&row.bank_id)
            .ok_or_else(|| ApiError::corrupt("a referral's bank is missing"))?;
        let (key, label, bank_id) = match group_by {
            GroupBy::Bank => (bank.code.clone(), bank.name_en.clone(), Some(bank.id)),
            GroupBy::Bureau => match bank
                .prefecture_code
                .and_then(|code| PrefectureCode::parse(code.into()).ok())
            {
                Some(code) => {
                    let bureau = code.prefecture().bureau;
                    let key: String = sea_orm::ActiveEnum::to_value(&bureau);
                    (key.clone(), key, None)
                }
                None => ("unknown".to_owned(), "unknown".to_owned(), None),
            },
            GroupBy::Rating => {
                let rating = row.rating.map_or_else(
                    || "unrated".to_owned(),
                    |rating| sea_orm::ActiveEnum::to_value(&rating),
                );
                (rating.clone(), rating, None)
            }
        };
        groups
            .entry(key.clone())
            .or_insert_with(|| Group {
                key,
                label,
                bank_id,
                ..Default::default()
            })
            .add(row);
    }
    let other = Group {
        key: OTHER.to_owned(),
        label: "Other".to_owned(),
        ..Default::default()
    };
    Ok(shown(caller, groups.into_values(), other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fiscal_year_runs_april_to_march_in_japan() {
        let (start, end) = fiscal_year_span(2026).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-03-31T15:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2027-03-31T15:00:00+00:00");
        assert!(fiscal_year_span(1999).is_err());
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let group = Group {
            days: vec![4.0, 1.0, 10.0, 2.0],
            ..Default::default()
        }
        .finish();
        assert_eq!(group.median_days_to_decision, Some(3.0));
        let none = Group::default().finish();
        assert_eq!(none.median_days_to_decision, None);
    }
}
