//! Defining and changing qualification schemes: the issuer's registrars only.

use chrono::Utc;
use entity::{
    ce_requirement,
    enums::{CeUnit, HolderKind, TrainingKind},
    qualification_scheme, scheme_level, training_course,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::{
    auth::{Caller, Role},
    domain::{
        audit::audited,
        change::Change,
        idempotency::{self, Idempotency},
        profile::Code,
    },
    error::{ApiError, ApiResult},
};

use super::{scheme_by_code, scheme_by_id};

/// What a scheme may say, checked where its input is read and again where levels are added.
pub mod limits {
    use std::ops::RangeInclusive;

    /// A scheme has 1 to this many levels.
    pub const MAX_LEVELS: usize = 10;
    /// Characters of a scheme's or a level's name.
    pub const NAME_CHARS: usize = 200;
    /// An award's validity, and a renewed award's.
    pub const VALIDITY_MONTHS: RangeInclusive<i32> = 1..=120;
    /// How long before expiry renewal opens.
    pub const RENEWAL_WINDOW_MONTHS: RangeInclusive<i32> = 0..=60;
    /// How long an award counts after its expiry, and how long late renewal stays open.
    pub const GRACE_MONTHS: RangeInclusive<i32> = 0..=24;
    /// A level's prerequisite of practice, and the window it must fall in.
    pub const PRACTICE_MONTHS: RangeInclusive<i32> = 1..=240;
    /// A continuing-education requirement's amount (hours, credits or activities).
    pub const REQUIREMENT_AMOUNT: RangeInclusive<i32> = 1..=10_000;
    /// The period a continuing-education requirement is counted over.
    pub const REQUIREMENT_PERIOD_MONTHS: RangeInclusive<i32> = 1..=120;
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
#[tracing::instrument(skip_all)]
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

pub(super) async fn scheme_for_registrar<C: ConnectionTrait>(
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
#[tracing::instrument(skip_all)]
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
                if existing.len() + changes.add_levels.len() > limits::MAX_LEVELS {
                    return Err(ApiError::bad_input(
                        "input.addLevels",
                        format!("a scheme has at most {} levels", limits::MAX_LEVELS),
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
