//! Issuing, renewing and deciding on awards: the scheme issuer's registrars, and holders'
//! requests.

use chrono::{NaiveDate, Utc};
use entity::{
    award, ce_requirement, coordinator,
    enums::{AwardDecision, HolderKind},
    organization, qualification_scheme, scheme_level, training_course, training_record,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, SqlErr,
};

use crate::{
    auth::{Caller, Role},
    domain::{
        audit::audited,
        certificate,
        dates::{self, today_in_japan},
        idempotency::{self, Idempotency},
    },
    error::{ApiError, ApiResult},
};

use super::{
    AwardStatus, award_ce_progress, completions, level_by_code, months, renewal_window,
    scheme_by_id, scheme_for_registrar, status,
};

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
#[tracing::instrument(skip_all)]
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
        let level = level_by_code(txn, scheme.id, &input.level)
            .await?
            .ok_or_else(|| {
                ApiError::bad_input(
                    "input.level",
                    format!("{} has no level {:?}", scheme.code, input.level),
                )
            })?;
        check_holder(txn, &scheme, input.holder).await?;
        if let Holder::Coordinator(id) = input.holder {
            refuse_own_award(txn, caller, Some(id)).await?;
        }
        let today = today_in_japan();
        if input.awarded_on > today {
            return Err(ApiError::bad_input(
                "input.awardedOn",
                "an award cannot be dated in the future",
            ));
        }
        check_ladder(txn, &scheme, &level, input.holder, today).await?;
        check_level_prerequisites(txn, &level, &input).await?;
        let award = insert_award(txn, &scheme, &level, &input).await?;
        let id = award.id;
        Ok((award, id))
    };
    let replay = async |id| Ok(award_for_registrar(db, caller, Ok(id)).await?.0);
    idempotency::once(db, caller, "issueAward", Some(target), key, issue, replay).await
}

/// The holder exists and is of the kind the scheme is held by.
async fn check_holder<C: ConnectionTrait>(
    db: &C,
    scheme: &qualification_scheme::Model,
    holder: Holder,
) -> ApiResult<()> {
    match (scheme.holder_kind, holder) {
        (HolderKind::Person, Holder::Coordinator(id)) => {
            coordinator::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.coordinatorId", "no such coordinator"))?;
        }
        (HolderKind::Organization, Holder::Organization(id)) => {
            organization::Entity::find_by_id(id)
                .one(db)
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
    Ok(())
}

/// The holder does not already hold the level (active, suspended or paused), and holds the
/// level below actively when the level requires it.
async fn check_ladder<C: ConnectionTrait>(
    db: &C,
    scheme: &qualification_scheme::Model,
    level: &scheme_level::Model,
    holder: Holder,
    today: NaiveDate,
) -> ApiResult<()> {
    let held = holder_awards(db, scheme.id, holder).await?;
    let levels = scheme_level::Entity::find()
        .filter(scheme_level::Column::SchemeId.eq(scheme.id))
        .all(db)
        .await?;
    let rank_of = |level_id: i64| levels.iter().find(|l| l.id == level_id).map(|l| l.rank);
    let holds_active = |rank: i16| {
        held.iter().any(|a| {
            rank_of(a.level_id) == Some(rank) && status(a, scheme, today) == AwardStatus::Active
        })
    };
    if held.iter().any(|a| {
        a.level_id == level.id
            && matches!(
                status(a, scheme, today),
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
    Ok(())
}

/// Inserts the award with a fresh certificate number, expiring after the scheme's validity.
async fn insert_award(
    txn: &DatabaseTransaction,
    scheme: &qualification_scheme::Model,
    level: &scheme_level::Model,
    input: &NewAward,
) -> ApiResult<award::Model> {
    let expires_on = match scheme.validity_months {
        Some(validity) => Some(
            dates::period_end(input.awarded_on, months(validity))
                .ok_or_else(|| ApiError::bad_input("input.awardedOn", "out of range"))?,
        ),
        None => None,
    };
    let (coordinator_id, holder_organization_id) = match input.holder {
        Holder::Coordinator(id) => (Some(id), None),
        Holder::Organization(id) => (None, Some(id)),
    };
    let now = Utc::now();
    // Numbers are random; on the rare collision, draw again.
    for _ in 0..3 {
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
            Ok(award) => return Ok(award),
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::corrupt(
        "could not draw an unused certificate number",
    ))
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
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
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
#[tracing::instrument(skip_all)]
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
