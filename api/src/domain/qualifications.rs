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

use chrono::{NaiveDate, Utc};
use entity::{
    award, ce_requirement, coordinator,
    enums::{AwardDecision, CeUnit, HolderKind, TrainingKind},
    organization, qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    SqlErr, sea_query::IntoCondition,
};

use super::{
    access::Readable,
    audit::audited,
    certificate,
    change::Change,
    dates::{self, today_in_japan},
    idempotency::{self, Idempotency},
    listing::{Listing, list},
    page::{Keyset, PageArgs, SortValue},
    profile::Code,
};
use crate::{
    auth::{Caller, Role},
    error::{ApiError, ApiResult},
};

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

fn months(value: i16) -> u32 {
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

/// A coordinator's completed trainings and practice, with what each earns.
pub async fn completions<C: ConnectionTrait>(
    db: &C,
    coordinator_id: i64,
) -> ApiResult<Vec<Completion>> {
    let rows = training_record::Entity::find()
        .filter(training_record::Column::CoordinatorId.eq(coordinator_id))
        .find_also_related(training_course::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(record, course)| course.map(|course| Completion::of(&record, &course)))
        .collect())
}

// ---------------------------------------------------------------- reading

#[derive(Debug, Clone, Default)]
pub struct SchemeFilter {
    pub issuer_id: Option<i64>,
    pub holder_kind: Option<HolderKind>,
}

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

pub async fn scheme_by_code<C: ConnectionTrait>(
    db: &C,
    code: &str,
) -> ApiResult<Option<qualification_scheme::Model>> {
    Ok(qualification_scheme::Entity::find()
        .filter(qualification_scheme::Column::Code.eq(code))
        .one(db)
        .await?)
}

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

/// The awards of the schemes in `scheme_ids` that count today (status ACTIVE), as a condition on
/// the awards table. Each scheme's grace period moves its cutoff.
pub fn active_today(schemes: &[qualification_scheme::Model], today: NaiveDate) -> Condition {
    let mut by_scheme = Condition::any();
    for scheme in schemes {
        let cutoff = dates::earliest_expiry_counting(today, months(scheme.grace_months));
        by_scheme = by_scheme.add(
            Condition::all()
                .add(award::Column::SchemeId.eq(scheme.id))
                .add(
                    Condition::any()
                        .add(award::Column::ExpiresOn.is_null())
                        .add(award::Column::ExpiresOn.gte(cutoff)),
                ),
        );
    }
    Condition::all()
        .add(award::Column::Decision.eq(AwardDecision::Active))
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

// ---------------------------------------------------------------- schemes: define and change

/// A level's prerequisite of practice: `months` of relevant work within the `within` months
/// before the award date (e.g. 認定URA: three years within the last five).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PracticeRule {
    pub months: i16,
    pub within: i16,
}

#[derive(Debug, Clone)]
pub struct LevelInput {
    pub code: Code,
    pub name_ja: String,
    pub name_en: String,
    pub requires_previous: bool,
    pub practice: Option<PracticeRule>,
    /// A course the holder must have completed by the award date.
    pub required_course_id: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
pub struct RequirementInput {
    pub unit: CeUnit,
    pub kind: TrainingKind,
    pub amount: i32,
    pub period_months: i16,
}

#[derive(Debug, Clone)]
pub struct NewScheme {
    pub code: Code,
    pub name_ja: String,
    pub name_en: String,
    pub holder_kind: HolderKind,
    pub validity_months: Option<i16>,
    pub renewal_window_months: i16,
    pub grace_months: i16,
    pub renewal_validity_months: Option<i16>,
    pub late_renewal_months: i16,
    pub levels: Vec<LevelInput>,
    pub requirements: Vec<RequirementInput>,
}

#[derive(Debug, Clone, Default)]
pub struct SchemeChanges {
    pub name_ja: Option<String>,
    pub name_en: Option<String>,
    pub validity_months: Change<i16>,
    pub renewal_window_months: Option<i16>,
    pub grace_months: Option<i16>,
    pub renewal_validity_months: Change<i16>,
    pub late_renewal_months: Option<i16>,
    /// Replaces the continuing-education requirements when given.
    pub requirements: Option<Vec<RequirementInput>>,
    /// Appended above the existing levels.
    pub add_levels: Vec<LevelInput>,
}

async fn insert_levels(
    txn: &DatabaseTransaction,
    scheme_id: i64,
    first_rank: i16,
    levels: Vec<LevelInput>,
    field: &str,
) -> ApiResult<()> {
    for (rank, level) in (first_rank..).zip(levels) {
        if let Some(course) = level.required_course_id {
            training_course::Entity::find_by_id(course)
                .one(txn)
                .await?
                .ok_or_else(|| {
                    ApiError::bad_input(
                        format!("{field}.{}.requiredCourseId", rank - first_rank),
                        "no such course",
                    )
                })?;
        }
        scheme_level::ActiveModel {
            scheme_id: Set(scheme_id),
            rank: Set(rank),
            code: Set(level.code.into_inner()),
            name_ja: Set(level.name_ja),
            name_en: Set(level.name_en),
            requires_previous: Set(level.requires_previous),
            practice_months: Set(level.practice.map(|p| p.months)),
            practice_within_months: Set(level.practice.map(|p| p.within)),
            required_course_id: Set(level.required_course_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

async fn insert_requirements(
    txn: &DatabaseTransaction,
    scheme_id: i64,
    requirements: &[RequirementInput],
) -> ApiResult<()> {
    for requirement in requirements {
        ce_requirement::ActiveModel {
            scheme_id: Set(scheme_id),
            unit: Set(requirement.unit),
            kind: Set(requirement.kind),
            amount: Set(requirement.amount),
            period_months: Set(requirement.period_months),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// A registrar defines a scheme; its issuer is the registrar's own institution.
pub async fn create_scheme(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    input: ApiResult<NewScheme>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<qualification_scheme::Model> {
    idempotency::once(
        db,
        caller,
        "createQualificationScheme",
        Some(target),
        key,
        async |txn| {
            let principal = caller.require_authenticated()?;
            caller.require_for(principal.institution_id, Role::Registrar)?;
            let input = input?;
            let code = input.code.into_inner();
            if scheme_by_code(txn, &code).await?.is_some() {
                return Err(ApiError::Conflict {
                    field: "input.code".into(),
                    message: format!("a scheme with the code {code:?} exists"),
                });
            }
            let now = Utc::now();
            let scheme = qualification_scheme::ActiveModel {
                code: Set(code),
                issuer_id: Set(principal.institution_id),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                holder_kind: Set(input.holder_kind),
                validity_months: Set(input.validity_months),
                renewal_window_months: Set(input.renewal_window_months),
                grace_months: Set(input.grace_months),
                renewal_validity_months: Set(input.renewal_validity_months),
                late_renewal_months: Set(input.late_renewal_months),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            insert_levels(txn, scheme.id, 1, input.levels, "input.levels").await?;
            insert_requirements(txn, scheme.id, &input.requirements).await?;
            let id = scheme.id;
            Ok((scheme, id))
        },
        async |id| {
            let principal = caller.require_authenticated()?;
            caller.require_for(principal.institution_id, Role::Registrar)?;
            scheme_by_id(db, id)
                .await?
                .ok_or(ApiError::NotFound("qualification scheme"))
        },
    )
    .await
}

async fn scheme_for_registrar<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
) -> ApiResult<qualification_scheme::Model> {
    caller.require_authenticated()?;
    let scheme = scheme_by_id(db, id?)
        .await?
        .ok_or(ApiError::NotFound("qualification scheme"))?;
    caller.require_for(scheme.issuer_id, Role::Registrar)?;
    Ok(scheme)
}

/// The issuer's registrars change a scheme. New validity applies to awards issued or renewed
/// from then on; awards already issued keep their dates.
pub async fn update_scheme(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    changes: ApiResult<SchemeChanges>,
) -> ApiResult<qualification_scheme::Model> {
    audited(
        db,
        caller,
        "updateQualificationScheme",
        Some(target),
        async |txn| {
            let scheme = scheme_for_registrar(txn, caller, id).await?;
            let changes = changes?;
            let scheme_id = scheme.id;
            let mut active = scheme.into_active_model();
            if let Some(name) = changes.name_ja {
                active.name_ja = Set(name);
            }
            if let Some(name) = changes.name_en {
                active.name_en = Set(name);
            }
            match changes.validity_months {
                Change::Keep => {}
                Change::Clear => active.validity_months = Set(None),
                Change::Set(value) => active.validity_months = Set(Some(value)),
            }
            if let Some(window) = changes.renewal_window_months {
                active.renewal_window_months = Set(window);
            }
            if let Some(grace) = changes.grace_months {
                active.grace_months = Set(grace);
            }
            match changes.renewal_validity_months {
                Change::Keep => {}
                Change::Clear => active.renewal_validity_months = Set(None),
                Change::Set(value) => active.renewal_validity_months = Set(Some(value)),
            }
            if let Some(late) = changes.late_renewal_months {
                active.late_renewal_months = Set(late);
            }
            active.updated_at = Set(Utc::now());
            let scheme = active.update(txn).await?;
            if let Some(requirements) = changes.requirements {
                ce_requirement::Entity::delete_many()
                    .filter(ce_requirement::Column::SchemeId.eq(scheme_id))
                    .exec(txn)
                    .await?;
                insert_requirements(txn, scheme_id, &requirements).await?;
            }
            if !changes.add_levels.is_empty() {
                let existing = scheme_level::Entity::find()
                    .filter(scheme_level::Column::SchemeId.eq(scheme_id))
                    .all(txn)
                    .await?;
                for (i, level) in changes.add_levels.iter().enumerate() {
                    if existing.iter().any(|l| l.code == level.code.as_str()) {
                        return Err(ApiError::Conflict {
                            field: format!("input.addLevels.{i}.code"),
                            message: format!(
                                "the scheme already has a level {:?}",
                                level.code.as_str()
                            ),
                        });
                    }
                }
                if existing.len() + changes.add_levels.len() > 10 {
                    return Err(ApiError::bad_input(
                        "input.addLevels",
                        "a scheme has at most 10 levels",
                    ));
                }
                let next = existing.iter().map(|l| l.rank).max().unwrap_or(0) + 1;
                insert_levels(txn, scheme_id, next, changes.add_levels, "input.addLevels").await?;
            }
            Ok(scheme)
        },
    )
    .await
}

// ---------------------------------------------------------------- awards: issue and decide

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Coordinator(i64),
    Organization(i64),
}

#[derive(Debug, Clone)]
pub struct NewAward {
    pub scheme_id: i64,
    pub level: String,
    pub holder: Holder,
    pub awarded_on: NaiveDate,
    /// Months of relevant work within the level's practice window before the award date, as
    /// attested to the issuer; needed by levels with a practice prerequisite.
    pub practice_months: Option<i16>,
}

/// A level's own prerequisites: practice within a window, and a completed course.
async fn check_level_prerequisites<C: ConnectionTrait>(
    db: &C,
    level: &scheme_level::Model,
    input: &NewAward,
) -> ApiResult<()> {
    if let (Some(required), Some(within)) = (level.practice_months, level.practice_within_months) {
        let Some(done) = input.practice_months else {
            return Err(ApiError::bad_input(
                "input.practiceMonths",
                format!(
                    "level {} needs {required} months of practice within the last {within}: give practiceMonths",
                    level.code
                ),
            ));
        };
        if done < 0 || done > within {
            return Err(ApiError::bad_input(
                "input.practiceMonths",
                format!("between 0 and {within} (the months counted)"),
            ));
        }
        if done < required {
            return Err(ApiError::Conflict {
                field: "input.practiceMonths".into(),
                message: format!(
                    "level {} needs {required} months of practice within the last {within}; {done} given",
                    level.code
                ),
            });
        }
    }
    if let Some(course_id) = level.required_course_id {
        let done = match input.holder {
            Holder::Coordinator(id) => training_record::Entity::find()
                .filter(training_record::Column::CoordinatorId.eq(id))
                .filter(training_record::Column::CourseId.eq(course_id))
                .filter(training_record::Column::CompletedOn.lte(input.awarded_on))
                .one(db)
                .await?
                .is_some(),
            Holder::Organization(_) => false,
        };
        if !done {
            let title = training_course::Entity::find_by_id(course_id)
                .one(db)
                .await?
                .map_or_else(|| "a course".to_owned(), |c| format!("{:?}", c.title_en));
            return Err(ApiError::Conflict {
                field: "input.level".into(),
                message: format!(
                    "level {} needs {title} completed by the award date",
                    level.code
                ),
            });
        }
    }
    Ok(())
}

async fn holder_awards<C: ConnectionTrait>(
    db: &C,
    scheme_id: i64,
    holder: Holder,
) -> ApiResult<Vec<award::Model>> {
    let by_holder = match holder {
        Holder::Coordinator(id) => award::Column::CoordinatorId.eq(id),
        Holder::Organization(id) => award::Column::HolderOrganizationId.eq(id),
    };
    Ok(award::Entity::find()
        .filter(award::Column::SchemeId.eq(scheme_id))
        .filter(by_holder)
        .order_by_asc(award::Column::Id)
        .all(db)
        .await?)
}

/// The issuer's registrars award a level of a scheme, enforcing its prerequisite.
pub async fn issue_award(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    scheme_id: ApiResult<i64>,
    input: ApiResult<NewAward>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<award::Model> {
    let issue = async |txn: &DatabaseTransaction| {
        let scheme = scheme_for_registrar(txn, caller, scheme_id).await?;
        let input = input?;
        let today = today_in_japan();
        let level = level_by_code(txn, scheme.id, &input.level)
            .await?
            .ok_or_else(|| {
                ApiError::bad_input(
                    "input.level",
                    format!("{} has no level {:?}", scheme.code, input.level),
                )
            })?;
        match (scheme.holder_kind, input.holder) {
            (HolderKind::Person, Holder::Coordinator(id)) => {
                coordinator::Entity::find_by_id(id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        ApiError::bad_input("input.coordinatorId", "no such coordinator")
                    })?;
                refuse_own_award(txn, caller, Some(id)).await?;
            }
            (HolderKind::Organization, Holder::Organization(id)) => {
                organization::Entity::find_by_id(id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        ApiError::bad_input("input.organizationId", "no such organisation")
                    })?;
            }
            (HolderKind::Person, Holder::Organization(_)) => {
                return Err(ApiError::bad_input(
                    "input.organizationId",
                    "this scheme is held by persons: give a coordinatorId",
                ));
            }
            (HolderKind::Organization, Holder::Coordinator(_)) => {
                return Err(ApiError::bad_input(
                    "input.coordinatorId",
                    "this scheme is held by organisations: give an organizationId",
                ));
            }
        }
        if input.awarded_on > today {
            return Err(ApiError::bad_input(
                "input.awardedOn",
                "an award cannot be dated in the future",
            ));
        }

        let held = holder_awards(txn, scheme.id, input.holder).await?;
        let levels = scheme_level::Entity::find()
            .filter(scheme_level::Column::SchemeId.eq(scheme.id))
            .all(txn)
            .await?;
        let rank_of = |level_id: i64| levels.iter().find(|l| l.id == level_id).map(|l| l.rank);
        let holds_active = |rank: i16| {
            held.iter().any(|a| {
                rank_of(a.level_id) == Some(rank)
                    && status(a, &scheme, today) == AwardStatus::Active
            })
        };
        if held.iter().any(|a| {
            a.level_id == level.id
                && matches!(
                    status(a, &scheme, today),
                    AwardStatus::Active | AwardStatus::Suspended | AwardStatus::Paused
                )
        }) {
            return Err(ApiError::Conflict {
                field: "input.level".into(),
                message: format!(
                    "the holder already holds {} at level {}",
                    scheme.code, level.code
                ),
            });
        }
        if level.requires_previous && !holds_active(level.rank - 1) {
            let previous = levels
                .iter()
                .find(|l| l.rank == level.rank - 1)
                .map_or("the level below", |l| l.code.as_str());
            return Err(ApiError::Conflict {
                field: "input.level".into(),
                message: format!(
                    "level {} needs an active award at level {previous}",
                    level.code
                ),
            });
        }

        check_level_prerequisites(txn, &level, &input).await?;

        let expires_on = match scheme.validity_months {
            Some(validity) => Some(
                dates::period_end(input.awarded_on, months(validity))
                    .ok_or_else(|| ApiError::bad_input("input.awardedOn", "out of range"))?,
            ),
            None => None,
        };
        let now = Utc::now();
        // Numbers are random; on the rare collision, draw again.
        for _ in 0..3 {
            let (coordinator_id, holder_organization_id) = match input.holder {
                Holder::Coordinator(id) => (Some(id), None),
                Holder::Organization(id) => (None, Some(id)),
            };
            let inserted = award::ActiveModel {
                scheme_id: Set(scheme.id),
                level_id: Set(level.id),
                coordinator_id: Set(coordinator_id),
                holder_organization_id: Set(holder_organization_id),
                certificate_number: Set(certificate::new_number()),
                awarded_on: Set(input.awarded_on),
                expires_on: Set(expires_on),
                period_from: Set(Some(input.awarded_on)),
                version: Set(1),
                decision: Set(AwardDecision::Active),
                decision_reason: Set(None),
                decided_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await;
            match inserted {
                Ok(award) => {
                    let id = award.id;
                    return Ok((award, id));
                }
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    continue;
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(ApiError::corrupt(
            "could not draw an unused certificate number",
        ))
    };
    let replay = async |id| Ok(award_for_registrar(db, caller, Ok(id)).await?.0);
    idempotency::once(db, caller, "issueAward", Some(target), key, issue, replay).await
}

/// A person never changes an award they hold: not by signing in as its coordinator, and not as a
/// registrar of its issuer either (`OWN_AWARD`, before any role is asked for).
async fn refuse_own_award<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    coordinator_id: Option<i64>,
) -> ApiResult<()> {
    let (Some(principal), Some(coordinator_id)) = (caller.principal(), coordinator_id) else {
        return Ok(());
    };
    let own = coordinator::Entity::find_by_id(coordinator_id)
        .filter(coordinator::Column::PersonSubject.eq(principal.subject.as_str()))
        .one(db)
        .await?;
    match own {
        Some(_) => Err(ApiError::OwnAward),
        None => Ok(()),
    }
}

async fn award_for_registrar<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
) -> ApiResult<(award::Model, qualification_scheme::Model)> {
    caller.require_authenticated()?;
    let award = award::Entity::find_by_id(id?)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("award"))?;
    refuse_own_award(db, caller, award.coordinator_id).await?;
    let scheme = scheme_by_id(db, award.scheme_id)
        .await?
        .ok_or_else(|| ApiError::corrupt("an award's scheme is missing"))?;
    caller.require_for(scheme.issuer_id, Role::Registrar)?;
    Ok((award, scheme))
}

/// A step that names the version it expects is refused on any other (CONFLICT naming `version`).
fn expect_version(award: &award::Model, version: Option<i32>) -> ApiResult<()> {
    match version {
        Some(expected) if expected != award.version => Err(ApiError::Conflict {
            field: "version".into(),
            message: format!(
                "the award is at version {}, not {expected}: reload it",
                award.version
            ),
        }),
        _ => Ok(()),
    }
}

fn refuse_in(status: AwardStatus, action: &str) -> ApiError {
    let state = match status {
        AwardStatus::Active => "ACTIVE",
        AwardStatus::Expired => "EXPIRED",
        AwardStatus::Suspended => "SUSPENDED",
        AwardStatus::Revoked => "REVOKED",
        AwardStatus::Paused => "PAUSED",
    };
    ApiError::Conflict {
        field: "id".into(),
        message: format!("the award is {state}: it cannot be {action}"),
    }
}

/// Renews an award inside its window, when its continuing education is complete.
pub async fn renew_award(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: Option<i32>,
) -> ApiResult<award::Model> {
    audited(db, caller, "renewAward", Some(target), async |txn| {
        let (award, scheme) = award_for_registrar(txn, caller, id).await?;
        expect_version(&award, version)?;
        let today = today_in_japan();
        let current = status(&award, &scheme, today);
        if matches!(
            current,
            AwardStatus::Suspended | AwardStatus::Revoked | AwardStatus::Paused
        ) {
            return Err(refuse_in(current, "renewed"));
        }
        let (Some(window), Some(validity)) = (
            renewal_window(&award, &scheme),
            scheme.renewal_validity_months.or(scheme.validity_months),
        ) else {
            return Err(ApiError::Conflict {
                field: "id".into(),
                message: "the award does not expire: there is nothing to renew".into(),
            });
        };
        if today < window.opens_on {
            return Err(ApiError::Conflict {
                field: "id".into(),
                message: format!("renewal opens on {}", window.opens_on),
            });
        }
        if today > window.closes_on {
            return Err(ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "renewal closed on {}: issue the award anew",
                    window.closes_on
                ),
            });
        }
        if let Some(coordinator_id) = award.coordinator_id {
            let requirements = ce_requirement::Entity::find()
                .filter(ce_requirement::Column::SchemeId.eq(scheme.id))
                .all(txn)
                .await?;
            let progress = award_ce_progress(
                &award,
                &requirements,
                &completions(txn, coordinator_id).await?,
                today,
            );
            let missing: Vec<String> = progress
                .iter()
                .filter(|p| p.missing() > 0)
                .map(|p| {
                    format!(
                        "{} {:?} of {:?} from {} to {}",
                        p.missing(),
                        p.unit,
                        p.kind,
                        p.counted_from,
                        p.counted_until
                    )
                    .to_lowercase()
                })
                .collect();
            if !missing.is_empty() {
                return Err(ApiError::Conflict {
                    field: "id".into(),
                    message: format!(
                        "continuing education is incomplete: {} missing",
                        missing.join(", ")
                    ),
                });
            }
        }
        let start = window
            .due_on
            .succ_opt()
            .ok_or_else(|| ApiError::corrupt("a renewed expiry is out of range"))?;
        let expires_on = dates::period_end(start, months(validity))
            .ok_or_else(|| ApiError::corrupt("a renewed expiry is out of range"))?;
        let version = award.version + 1;
        let mut active = award.into_active_model();
        active.expires_on = Set(Some(expires_on));
        active.period_from = Set(Some(start));
        active.version = Set(version);
        active.updated_at = Set(Utc::now());
        Ok(active.update(txn).await?)
    })
    .await
}

/// A decision on an award: suspend, reinstate or revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Suspend,
    Reinstate,
    Revoke,
}

impl Decision {
    fn operation(self) -> &'static str {
        match self {
            Self::Suspend => "suspendAward",
            Self::Reinstate => "reinstateAward",
            Self::Revoke => "revokeAward",
        }
    }
}

/// Suspends an active award, reinstates a suspended one, or revokes either for good; the reason
/// is kept with the decision.
pub async fn decide(
    db: &DatabaseConnection,
    caller: &Caller,
    decision: Decision,
    target: String,
    id: ApiResult<i64>,
    version: Option<i32>,
    reason: ApiResult<String>,
) -> ApiResult<award::Model> {
    audited(
        db,
        caller,
        decision.operation(),
        Some(target),
        async |txn| {
            let (award, scheme) = award_for_registrar(txn, caller, id).await?;
            let reason = reason?;
            expect_version(&award, version)?;
            let current = status(&award, &scheme, today_in_japan());
            let next = match (decision, award.decision) {
                (Decision::Suspend, AwardDecision::Active) if current == AwardStatus::Active => {
                    AwardDecision::Suspended
                }
                (Decision::Reinstate, AwardDecision::Suspended) => AwardDecision::Active,
                (
                    Decision::Revoke,
                    AwardDecision::Active | AwardDecision::Suspended | AwardDecision::Paused,
                ) => AwardDecision::Revoked,
                (Decision::Suspend, _) => return Err(refuse_in(current, "suspended")),
                (Decision::Reinstate, _) => return Err(refuse_in(current, "reinstated")),
                (Decision::Revoke, _) => return Err(refuse_in(current, "revoked")),
            };
            record_decision(txn, award, next, reason).await
        },
    )
    .await
}

async fn record_decision(
    txn: &DatabaseTransaction,
    award: award::Model,
    next: AwardDecision,
    reason: String,
) -> ApiResult<award::Model> {
    let now = Utc::now();
    let version = award.version + 1;
    let mut active = award.into_active_model();
    active.decision = Set(next);
    active.decision_reason = Set(Some(reason));
    active.decided_at = Set(Some(now));
    active.version = Set(version);
    active.updated_at = Set(now);
    Ok(active.update(txn).await?)
}

/// Pausing (休止) or resuming a registration, at the holder's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderRequest {
    Pause,
    Resume,
}

/// Who may act on the holder's request: the issuer's registrars, who record the request of a
/// person (coordinators sign in with no token of their own, so a person's request reaches the
/// API through the registrar, with its reason); and, for an award held by an organisation, that
/// organisation's own admins.
fn require_holder_or_registrar<'a>(
    caller: &'a Caller,
    award: &award::Model,
    scheme: &qualification_scheme::Model,
) -> ApiResult<&'a crate::auth::Principal> {
    let principal = caller.require_authenticated()?;
    let holder_admin = award
        .holder_organization_id
        .is_some_and(|holder| principal.acts_for(holder, Role::OrgAdmin));
    if holder_admin || principal.acts_for(scheme.issuer_id, Role::Registrar) {
        Ok(principal)
    } else {
        Err(ApiError::Forbidden(
            "this needs the registrar role at the issuer, or org_admin at the holding organisation"
                .into(),
        ))
    }
}

/// Pauses an active award at its holder's request, or resumes a paused one. A pause is not a
/// suspension: it is the holder's choice, and only the holder's request ends it. `version`, when
/// given, must be the award's current version.
pub async fn holder_request(
    db: &DatabaseConnection,
    caller: &Caller,
    request: HolderRequest,
    target: String,
    id: ApiResult<i64>,
    version: Option<i32>,
    reason: ApiResult<String>,
) -> ApiResult<award::Model> {
    let operation = match request {
        HolderRequest::Pause => "pauseAward",
        HolderRequest::Resume => "resumeAward",
    };
    audited(db, caller, operation, Some(target), async |txn| {
        caller.require_authenticated()?;
        let award = award::Entity::find_by_id(id?)
            .one(txn)
            .await?
            .ok_or(ApiError::NotFound("award"))?;
        refuse_own_award(txn, caller, award.coordinator_id).await?;
        let scheme = scheme_by_id(txn, award.scheme_id)
            .await?
            .ok_or_else(|| ApiError::corrupt("an award's scheme is missing"))?;
        require_holder_or_registrar(caller, &award, &scheme)?;
        let reason = reason?;
        expect_version(&award, version)?;
        let current = status(&award, &scheme, today_in_japan());
        let next = match (request, current) {
            (HolderRequest::Pause, AwardStatus::Active) => AwardDecision::Paused,
            (HolderRequest::Resume, AwardStatus::Paused) => AwardDecision::Active,
            (HolderRequest::Pause, _) => return Err(refuse_in(current, "paused")),
            (HolderRequest::Resume, _) => return Err(refuse_in(current, "resumed")),
        };
        record_decision(txn, award, next, reason).await
    })
    .await
}

#[cfg(test)]
mod tests {
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
