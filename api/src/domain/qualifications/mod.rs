//! Qualification schemes and their awards: the rules a registrar who issues real certificates
//! works by.
//!
//! - A scheme is defined by its issuing organisation, whose registrars alone define and change it
//!   and issue, renew, suspend, reinstate and revoke its awards.
//! - Levels are ordered; a level that requires the previous one is awarded only to a holder with
//!   an active award at the level below.
//! - An award's status follows from its dates when read: past its expiry and grace period it is
//!   EXPIRED, with no job to run. Suspension and revocation are decisions, with a reason.
//! - Renewal is open from `renewal_window_months` before expiry to the end of the grace period,
//!   and needs every continuing-education requirement met by trainings recorded in its period.
//!   A renewed award runs on from its old expiry, so renewing early loses nothing.

//!
//! Files: `status` holds the pure rules (an award's status from its dates and decisions, the
//! renewal window, continuing-education progress); `schemes` defining and changing schemes;
//! `awards` issuing, renewing and deciding on awards. Reading is here.

mod awards;
mod schemes;
mod status;

pub use self::{awards::*, schemes::*, status::*};

use chrono::NaiveDate;
use entity::{
    award,
    enums::{AwardDecision, HolderKind},
    qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
    sea_query::{Expr, ExprTrait, IntoCondition},
};

use super::{
    access::Readable,
    certificate,
    dates::{self, today_in_japan},
    listing::{Listing, list},
    page::{Keyset, PageArgs, SortValue},
};
use crate::{auth::Caller, error::ApiResult};

// ---------------------------------------------------------------- reading

#[derive(Debug, Clone, Default)]
pub struct SchemeFilter {
    pub issuer_id: Option<i64>,
    pub holder_kind: Option<HolderKind>,
}

#[tracing::instrument(skip_all)]
pub async fn schemes(
    db: &DatabaseConnection,
    filter: &SchemeFilter,
    args: &PageArgs,
) -> ApiResult<Listing<qualification_scheme::Entity>> {
    use qualification_scheme::Column;
    let mut condition = Condition::all();
    if let Some(issuer) = filter.issuer_id {
        condition = condition.add(Column::IssuerId.eq(issuer));
    }
    if let Some(kind) = filter.holder_kind {
        condition = condition.add(Column::HolderKind.eq(kind));
    }
    let keyset = Keyset {
        name: "code",
        column: Column::Code,
        id: Column::Id,
        descending: false,
        value_of: |m: &qualification_scheme::Model| SortValue::Text(m.code.clone()),
        id_of: |m: &qualification_scheme::Model| m.id,
    };
    list(
        db,
        qualification_scheme::Entity::find().filter(condition),
        keyset,
        args,
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn scheme_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<Option<qualification_scheme::Model>> {
    Ok(qualification_scheme::Entity::find()
        .filter(qualification_scheme::Column::Code.eq(code))
        .one(db)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn scheme_by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> ApiResult<Option<qualification_scheme::Model>> {
    Ok(qualification_scheme::Entity::find_by_id(id).one(db).await?)
}

/// The awards `caller` may read: members of the network read every award; anyone else is asked
/// to sign in. Lists and look-ups of awards start here.
pub fn readable_by(caller: &Caller) -> ApiResult<Readable<award::Entity>> {
    caller.require_member()?;
    Ok(Readable::everything())
}

/// An award the caller may read, by id.
#[tracing::instrument(skip_all)]
pub async fn award_by_id<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<award::Model>> {
    Ok(readable_by(caller)?
        .narrow(award::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

#[tracing::instrument(skip_all)]
pub async fn level_by_code<C: ConnectionTrait>(
    db: &C,
    scheme_id: i64,
    code: &str,
) -> ApiResult<Option<scheme_level::Model>> {
    Ok(scheme_level::Entity::find()
        .filter(scheme_level::Column::SchemeId.eq(scheme_id))
        .filter(scheme_level::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// "The award is of this scheme", with the scheme's id written into the SQL as a number rather
/// than bound, for the coordinator lists filtered by an award's holders.
///
/// What the holders' statements test is written into them, not bound: the scheme's id here, the
/// decision and each scheme's cutoff date in [`active_today`], the level's rank in
/// [`ranked_at_least`]. Bound, these values left PostgreSQL to choose between planning each run for
/// its values and one generic plan costed for average ones, and for these statements it judged the
/// generic plan dearer (for the active holders at scale 1: 646 against 262) and planned again on
/// every request: `findCoordinators` by scheme answered 1,105 requests/s against 1,415 with its
/// plan kept (BENCHMARKS.md). Written, the values are part of the statement, whose plan is made
/// once per connection. They are few: a handful of schemes, ranks and one decision, and cutoffs
/// that change once a day, so the statements are a handful of prepared statements a day.
pub fn of_scheme(scheme_id: i64) -> Expr {
    Expr::col((award::Entity, award::Column::SchemeId)).eq(Expr::cust(scheme_id.to_string()))
}

/// "The level's rank is `min_rank` or above", on the scheme levels joined to the awards, with the
/// rank written into the SQL as a number ([`of_scheme`]), for `coordinators(holdsActiveAward)`.
pub fn ranked_at_least(min_rank: i16) -> Expr {
    Expr::col((scheme_level::Entity, scheme_level::Column::Rank))
        .gte(Expr::cust(min_rank.to_string()))
}

/// A date written into the SQL as a literal (see [`of_scheme`]): `YYYY-MM-DD`, which both
/// databases compare with a date column as they compare a bound date.
fn written_date(date: NaiveDate) -> Expr {
    Expr::cust(format!("'{}'", date.format("%Y-%m-%d")))
}

/// The awards of the schemes in `scheme_ids` that count today (status ACTIVE), as a condition on
/// the awards table. Each scheme's grace period moves its cutoff. Its values are written into the
/// SQL ([`of_scheme`]).
pub fn active_today(schemes: &[qualification_scheme::Model], today: NaiveDate) -> Condition {
    let mut by_scheme = Condition::any();
    for scheme in schemes {
        let cutoff = dates::earliest_expiry_counting(today, months(scheme.grace_months));
        by_scheme = by_scheme.add(
            Condition::all().add(of_scheme(scheme.id)).add(
                Condition::any()
                    .add(award::Column::ExpiresOn.is_null())
                    .add(
                        Expr::col((award::Entity, award::Column::ExpiresOn))
                            .gte(written_date(cutoff)),
                    ),
            ),
        );
    }
    let active = format!("'{}'", AwardDecision::Active.to_value());
    Condition::all()
        .add(Expr::col((award::Entity, award::Column::Decision)).eq(Expr::cust(active)))
        .add(by_scheme)
}

/// The coordinators holding an award of `schemes` that counts today ([`active_today`]), as a
/// subquery of coordinator ids: the same rule, for `findCoordinators`.
pub fn active_holders(
    schemes: &[qualification_scheme::Model],
    today: NaiveDate,
) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(award::Column::CoordinatorId)
        .from(award::Entity)
        .cond_where(active_today(schemes, today))
        .and_where(award::Column::CoordinatorId.is_not_null())
        .to_owned()
}

#[derive(Debug, Clone, Default)]
pub struct AwardFilter {
    pub scheme_id: Option<i64>,
    pub status: Option<AwardStatus>,
    pub coordinator_id: Option<i64>,
    pub organization_id: Option<i64>,
}

/// Awards, for members of the network.
#[tracing::instrument(skip_all)]
pub async fn awards(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &AwardFilter,
    args: &PageArgs,
) -> ApiResult<Listing<award::Entity>> {
    use award::Column;
    let readable = readable_by(caller)?;
    let status = match filter.status {
        None => None,
        Some(AwardStatus::Revoked) => {
            Some(Column::Decision.eq(AwardDecision::Revoked).into_condition())
        }
        Some(AwardStatus::Suspended) => Some(
            Column::Decision
                .eq(AwardDecision::Suspended)
                .into_condition(),
        ),
        Some(AwardStatus::Paused) => {
            Some(Column::Decision.eq(AwardDecision::Paused).into_condition())
        }
        Some(status @ (AwardStatus::Active | AwardStatus::Expired)) => {
            let schemes = qualification_scheme::Entity::find().all(db).await?;
            let active = active_today(&schemes, today_in_japan());
            Some(if status == AwardStatus::Active {
                active
            } else {
                Condition::all()
                    .add(Column::Decision.eq(AwardDecision::Active))
                    .add(active.not())
            })
        }
    };
    let matching = readable
        .narrow_if(filter.scheme_id.map(|scheme| Column::SchemeId.eq(scheme)))
        .narrow_if(filter.coordinator_id.map(|c| Column::CoordinatorId.eq(c)))
        .narrow_if(
            filter
                .organization_id
                .map(|o| Column::HolderOrganizationId.eq(o)),
        )
        .narrow_if(status);
    let keyset = Keyset {
        name: "id",
        column: Column::Id,
        id: Column::Id,
        descending: false,
        value_of: |m: &award::Model| SortValue::Int(m.id),
        id_of: |m: &award::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

/// Anyone may check a certificate by its number; `None` for a number that is not one of ours.
#[tracing::instrument(skip_all)]
pub async fn certificate(
    db: &DatabaseConnection,
    number: &str,
) -> ApiResult<Option<(award::Model, qualification_scheme::Model)>> {
    let Some(number) = certificate::normalize(number) else {
        return Ok(None);
    };
    let found = award::Entity::find()
        .filter(award::Column::CertificateNumber.eq(number))
        .find_also_related(qualification_scheme::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(award, scheme)| scheme.map(|scheme| (award, scheme))))
}

/// A coordinator's completed trainings and practice, with what each earns.
#[tracing::instrument(skip_all)]
pub async fn completions<C: ConnectionTrait>(
    db: &C,
    coordinator_id: i64,
) -> ApiResult<Vec<Completion>> {
    let rows = training_record::Entity::find()
        .filter(training_record::Column::CoordinatorId.eq(coordinator_id))
        .find_also_related(training_course::Entity)
        .all(db)
        .await?;
    let (records, courses): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    let courses: Vec<_> = courses.into_iter().flatten().collect();
    Ok(completions_of(&records, |id| {
        courses.iter().find(|course| course.id == id)
    }))
}

/// What each training record earns, with its course found by `course` (a record whose course
/// cannot be found earns nothing). The resolvers, which load courses in batches, use it too.
pub fn completions_of<'a>(
    records: &[training_record::Model],
    course: impl Fn(i64) -> Option<&'a training_course::Model>,
) -> Vec<Completion> {
    records
        .iter()
        .filter_map(|record| course(record.course_id).map(|c| Completion::of(record, c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use sea_orm::{
        DbBackend,
        sea_query::{PostgresQueryBuilder, SqliteQueryBuilder},
    };

    use super::*;

    fn scheme(id: i64, grace_months: i16) -> qualification_scheme::Model {
        let now = chrono::Utc::now();
        qualification_scheme::Model {
            id,
            code: format!("scheme-{id}"),
            issuer_id: 1,
            name_ja: "制度".into(),
            name_en: "Scheme".into(),
            holder_kind: HolderKind::Person,
            validity_months: Some(36),
            renewal_window_months: 6,
            grace_months,
            renewal_validity_months: None,
            late_renewal_months: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// Everything the holders' statement tests is written into it, each scheme's own cutoff (its
    /// grace period moves it) and the decision, and nothing is bound, on both databases.
    #[test]
    fn the_holders_of_a_scheme_are_asked_with_every_value_written() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let holders = active_holders(&[scheme(2, 3), scheme(41, 0)], today);
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let (sql, values) = match backend {
                DbBackend::Postgres => holders.build(PostgresQueryBuilder),
                _ => holders.build(SqliteQueryBuilder),
            };
            assert!(sql.contains(r#""awards"."scheme_id" = (2) AND"#), "{sql}");
            assert!(sql.contains(r#""awards"."scheme_id" = (41) AND"#), "{sql}");
            for (scheme, grace) in [(2, 3), (41, 0)] {
                let cutoff = dates::earliest_expiry_counting(today, months(grace));
                let written = format!(
                    r#""awards"."scheme_id" = ({scheme}) AND ("awards"."expires_on" IS NULL OR "awards"."expires_on" >= ('{cutoff}'))"#
                );
                assert!(sql.contains(&written), "{written} in {sql}");
            }
            assert!(sql.contains(r#""awards"."decision" = ('active')"#), "{sql}");
            assert_eq!(values.iter().count(), 0, "{sql}");
        }
    }
}
