//! Evaluations: who may read and change them, their workflow, and their history.
//!
//! - **Workflow.** Evaluators of institution X create and submit X's evaluations; X's org admins
//!   take them into review, return them (back to editing), rate and withdraw them, and publish a
//!   rated one when the SME has consented. Any other move is a `CONFLICT` naming the current state.
//! - **Versions.** Every change makes a new immutable revision (who, when, what changed); an edit
//!   names the version it edits, and a stale one is a `CONFLICT`.
//! - **Visibility.** X's members read all of X's evaluations; other members read those shared with
//!   the network once submitted; anyone reads published ones; network admins read everything.
//!   An evaluation the caller may not read does not exist for them (`NOT_FOUND`).
//! - The evaluating institution and the evaluator come from the token, never from the input.

use chrono::Utc;
use entity::{
    enums::{EvaluationStatus, Visibility},
    evaluation, evaluation_revision, sme,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, Iterable, QueryFilter,
    QueryOrder, QuerySelect, Select, sea_query::Expr,
};

use super::criteria::{Rating, Scores};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        change::Change,
        events::{EvaluationEvent, EventBus},
        idempotency::{self, Idempotency},
        listing::{Listing, list_counted_in_order},
        page::{Keyset, PageArgs, SortValue},
        search::literal_eq,
    },
    error::{ApiError, ApiResult},
};

/// States in which an evaluation shared with the network is visible to other members.
const SHARED_STATES: [EvaluationStatus; 4] = [
    EvaluationStatus::Submitted,
    EvaluationStatus::UnderReview,
    EvaluationStatus::Rated,
    EvaluationStatus::Published,
];

/// The evaluations `caller` may read: the one rule every list, count, aggregate, look-up, nested
/// read and subscription of evaluations starts from. Filters narrow it ([`Readable::narrow`]).
pub fn readable_by(caller: &Caller) -> Readable<evaluation::Entity> {
    use evaluation::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        // Outside the network: its own institution's evaluations and published ones.
        Some(p) if !p.member => Readable::only(
            Condition::any()
                .add(Column::InstitutionId.eq(p.institution_id))
                .add(Column::Status.eq(EvaluationStatus::Published)),
        ),
        Some(p) => Readable::only(
            Condition::any()
                .add(Column::InstitutionId.eq(p.institution_id))
                .add(
                    Condition::all()
                        .add(Column::Visibility.eq(Visibility::Network))
                        .add(Column::Status.is_in(SHARED_STATES)),
                )
                .add(Column::Status.eq(EvaluationStatus::Published)),
        ),
        None => {
            Readable::only(Condition::all().add(Column::Status.eq(EvaluationStatus::Published)))
        }
    }
}

/// The rated evaluations `caller` may read: rated or published, with a rating. An SME's rating
/// summary and its patent suggestions start here.
pub fn rated_readable_by(caller: &Caller) -> Readable<evaluation::Entity> {
    use evaluation::Column;
    readable_by(caller)
        .narrow(Column::Rating.is_not_null())
        .narrow(Column::Status.is_in([EvaluationStatus::Rated, EvaluationStatus::Published]))
}

pub fn scores_of(row: &evaluation::Model) -> ApiResult<Scores> {
    serde_json::from_str(&row.scores)
        .map_err(|e| ApiError::corrupt(format!("evaluation {} scores: {e}", row.id)))
}

/// An evaluation the caller may read, or `None`.
#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<evaluation::Model>> {
    Ok(readable_by(caller)
        .narrow(evaluation::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether a subscriber hears of `event`: a change to one of the caller's institution's
/// evaluations, and one the caller may read by [`readable_by`] (checked against the row as it
/// stands, so the subscription never tells more than a read would).
#[tracing::instrument(skip_all)]
pub async fn heard_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event: &EvaluationEvent,
) -> ApiResult<bool> {
    match caller.principal() {
        Some(p) if p.institution_id == event.institution_id => {
            Ok(readable(db, caller, event.evaluation_id).await?.is_some())
        }
        _ => Ok(false),
    }
}

#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    pub sme_id: Option<i64>,
    pub institution_id: Option<i64>,
    pub status: Option<EvaluationStatus>,
    pub rating: Option<Rating>,
}

/// Whether a page's rows carry an evaluation's long texts: its scores (JSON, about 800 bytes) and
/// its findings. A feed that shows neither leaves them in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texts {
    Read,
    /// `scores` reads as an empty text and `findings` as null: no field of such a page may read
    /// them.
    Leave,
}

/// The evaluations the caller may read, newest first.
#[tracing::instrument(skip_all)]
pub async fn evaluations(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &EvaluationFilter,
    args: &PageArgs,
    texts: Texts,
) -> ApiResult<Listing<evaluation::Entity>> {
    use evaluation::Column;
    let matching = readable_by(caller)
        .narrow_if(filter.sme_id.map(|sme| Column::SmeId.eq(sme)))
        .narrow_if(filter.institution_id.map(|i| Column::InstitutionId.eq(i)))
        .narrow_if(filter.status.map(|status| Column::Status.eq(status)))
        .narrow_if(
            filter
                .rating
                .map(|r| literal_eq((evaluation::Entity, Column::Rating), r)),
        );
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &evaluation::Model| SortValue::Int(m.id),
        id_of: |m: &evaluation::Model| m.id,
    };
    let select = match texts {
        Texts::Read => matching.select(),
        Texts::Leave => without_texts(matching.select()),
    };
    // An evaluation is submitted, rated or published by an update, so those of a status gather
    // at the table's end; and a total counted in no order is a sequential scan of a large table,
    // which concurrent requests convoy on (see `page::counted`).
    list_counted_in_order(db, select, keyset, args).await
}

fn without_texts(select: Select<evaluation::Entity>) -> Select<evaluation::Entity> {
    use evaluation::Column;
    select
        .select_only()
        .columns(Column::iter().filter(|c| !matches!(c, Column::Scores | Column::Findings)))
        .column_as(Expr::cust("''"), "scores")
        .column_as(Expr::cust("NULL"), "findings")
}

/// Every revision, oldest first.
#[tracing::instrument(skip_all)]
pub async fn history<C: ConnectionTrait>(
    db: &C,
    evaluation_id: i64,
) -> ApiResult<Vec<evaluation_revision::Model>> {
    Ok(evaluation_revision::Entity::find()
        .filter(evaluation_revision::Column::EvaluationId.eq(evaluation_id))
        .order_by_asc(evaluation_revision::Column::Version)
        .all(db)
        .await?)
}

async fn record_revision(
    txn: &DatabaseTransaction,
    caller: &Caller,
    row: &evaluation::Model,
    change: &str,
    changed_fields: &[&str],
    reason: Option<String>,
) -> ApiResult<()> {
    let principal = caller.require_member()?;
    evaluation_revision::ActiveModel {
        evaluation_id: Set(row.id),
        version: Set(row.version),
        change: Set(change.to_owned()),
        changed_fields: Set(changed_fields.join(",")),
        status: Set(row.status),
        visibility: Set(row.visibility),
        scores: Set(row.scores.clone()),
        findings: Set(row.findings.clone()),
        rating: Set(row.rating),
        reason: Set(reason),
        changed_by_subject: Set(principal.subject.clone()),
        changed_by_institution: Set(principal.institution_code.clone()),
        changed_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub sme_id: i64,
    pub visibility: Visibility,
    pub scores: Scores,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EvaluationChanges {
    pub scores: Option<Scores>,
    pub findings: Change<String>,
    pub visibility: Option<Visibility>,
}

fn stored_scores(scores: &Scores) -> ApiResult<String> {
    serde_json::to_string(scores).map_err(|e| ApiError::corrupt(e.to_string()))
}

/// Evaluators of the caller's institution open an evaluation of an SME, as a draft.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    input: ApiResult<NewEvaluation>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<evaluation::Model> {
    let target = input.as_ref().ok().map(|i| i.sme_id.to_string());
    let row = idempotency::once(
        db,
        caller,
        "createEvaluation",
        target,
        key,
        async |txn| {
            let principal = caller.require_member()?;
            caller.require_for(principal.institution_id, Role::Evaluator)?;
            let input = input?;
            sme::Entity::find_by_id(input.sme_id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.smeId", "no such SME"))?;
            let now = Utc::now();
            let row = evaluation::ActiveModel {
                sme_id: Set(input.sme_id),
                institution_id: Set(principal.institution_id),
                evaluator_subject: Set(principal.subject.clone()),
                status: Set(EvaluationStatus::Draft),
                visibility: Set(input.visibility),
                version: Set(1),
                scores: Set(stored_scores(&input.scores)?),
                findings: Set(input.findings),
                rating: Set(None),
                overall_score: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            record_revision(
                txn,
                caller,
                &row,
                "created",
                &["scores", "findings", "visibility"],
                None,
            )
            .await?;
            events
                .notify_in(txn, &EvaluationEvent::of(&row, "created"))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let principal = caller.require_member()?;
            caller.require_for(principal.institution_id, Role::Evaluator)?;
            readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("evaluation"))
        },
    )
    .await?;
    events.after_commit(EvaluationEvent::of(&row, "created"));
    Ok(row)
}

/// The evaluation to change: one the caller may read (else it does not exist for them), of the
/// caller's own institution with `role` (else `FORBIDDEN`).
async fn own_evaluation<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
    role: Role,
) -> ApiResult<evaluation::Model> {
    caller.require_member()?;
    let row = readable(db, caller, id?)
        .await?
        .ok_or(ApiError::NotFound("evaluation"))?;
    caller.require_for(row.institution_id, role)?;
    Ok(row)
}

fn state_name(status: EvaluationStatus) -> &'static str {
    match status {
        EvaluationStatus::Draft => "DRAFT",
        EvaluationStatus::Submitted => "SUBMITTED",
        EvaluationStatus::UnderReview => "UNDER_REVIEW",
        EvaluationStatus::Returned => "RETURNED",
        EvaluationStatus::Rated => "RATED",
        EvaluationStatus::Published => "PUBLISHED",
        EvaluationStatus::Withdrawn => "WITHDRAWN",
    }
}

fn stale(row: &evaluation::Model) -> ApiError {
    ApiError::Conflict {
        field: "version".into(),
        message: format!(
            "the evaluation is at version {}: reload it and edit that version",
            row.version
        ),
    }
}

/// Evaluators of the institution edit a draft (or a returned evaluation), naming the version they
/// edit.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: i32,
    changes: ApiResult<EvaluationChanges>,
) -> ApiResult<evaluation::Model> {
    let row =
        crate::domain::audit::audited(db, caller, "updateEvaluation", Some(target), async |txn| {
            let row = own_evaluation(txn, caller, id, Role::Evaluator).await?;
            if !matches!(
                row.status,
                EvaluationStatus::Draft | EvaluationStatus::Returned
            ) {
                return Err(ApiError::Conflict {
                    field: "id".into(),
                    message: format!(
                        "the evaluation is {}: only DRAFT and RETURNED evaluations are edited",
                        state_name(row.status)
                    ),
                });
            }
            if row.version != version {
                return Err(stale(&row));
            }
            let changes = changes?;
            let mut touched = Vec::new();
            let next_version = row.version + 1;
            let mut active = row.into_active_model();
            if let Some(scores) = changes.scores {
                active.scores = Set(stored_scores(&scores)?);
                touched.push("scores");
            }
            if !changes.findings.is_keep() {
                changes.findings.apply(&mut active.findings, |text| text);
                touched.push("findings");
            }
            if let Some(visibility) = changes.visibility {
                active.visibility = Set(visibility);
                touched.push("visibility");
            }
            active.version = Set(next_version);
            active.updated_at = Set(Utc::now());
            let row = active.update(txn).await?;
            record_revision(txn, caller, &row, "edited", &touched, None).await?;
            events
                .notify_in(txn, &EvaluationEvent::of(&row, "edited"))
                .await?;
            Ok(row)
        })
        .await?;
    events.after_commit(EvaluationEvent::of(&row, "edited"));
    Ok(row)
}

/// A move in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    StartReview,
    Return,
    Rate,
    Publish,
    Withdraw,
}

impl Action {
    fn operation(self) -> &'static str {
        match self {
            Self::Submit => "submitEvaluation",
            Self::StartReview => "startEvaluationReview",
            Self::Return => "returnEvaluation",
            Self::Rate => "rateEvaluation",
            Self::Publish => "publishEvaluation",
            Self::Withdraw => "withdrawEvaluation",
        }
    }

    fn change(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::StartReview => "review_started",
            Self::Return => "returned",
            Self::Rate => "rated",
            Self::Publish => "published",
            Self::Withdraw => "withdrawn",
        }
    }

    /// Who may take it.
    fn role(self) -> Role {
        match self {
            Self::Submit => Role::Evaluator,
            _ => Role::OrgAdmin,
        }
    }

    /// The state it leads to from `from`, if it may be taken there.
    pub fn next(self, from: EvaluationStatus) -> Option<EvaluationStatus> {
        use EvaluationStatus::*;
        match (self, from) {
            (Self::Submit, Draft | Returned) => Some(Submitted),
            (Self::StartReview, Submitted) => Some(UnderReview),
            (Self::Return, UnderReview) => Some(Returned),
            (Self::Rate, UnderReview) => Some(Rated),
            (Self::Publish, Rated) => Some(Published),
            (Self::Withdraw, Draft | Submitted | UnderReview | Returned | Rated | Published) => {
                Some(Withdrawn)
            }
            _ => None,
        }
    }
}

/// One requested move, as the caller sent it.
pub struct Move {
    pub action: Action,
    /// The evaluation as the caller named it (for the audit log).
    pub target: String,
    pub id: ApiResult<i64>,
    /// When given, must be the current version.
    pub version: Option<i32>,
    pub reason: ApiResult<Option<String>>,
    pub key: Option<ApiResult<Idempotency>>,
}

/// Moves an evaluation through its workflow.
#[tracing::instrument(skip_all)]
pub async fn transition(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    request: Move,
) -> ApiResult<evaluation::Model> {
    let Move {
        action,
        target,
        id,
        version,
        reason,
        key,
    } = request;
    let replay_id = id.as_ref().ok().copied();
    let row = idempotency::once(
        db,
        caller,
        action.operation(),
        Some(target),
        key,
        async |txn| {
            let row = own_evaluation(txn, caller, id, action.role()).await?;
            let reason = reason?;
            let next = action.next(row.status).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "the evaluation is {}: it cannot be {}",
                    state_name(row.status),
                    action.change()
                ),
            })?;
            if version.is_some_and(|v| v != row.version) {
                return Err(stale(&row));
            }
            let scores = scores_of(&row)?;
            let mut rated = None;
            match action {
                Action::Submit => {
                    let missing = scores.missing();
                    if !missing.is_empty() {
                        return Err(ApiError::bad_input(
                            "scores",
                            format!(
                                "complete the scores before submitting; missing: {}",
                                missing.join(", ")
                            ),
                        ));
                    }
                }
                Action::Rate => rated = scores.rating(),
                Action::Publish => {
                    let sme = sme::Entity::find_by_id(row.sme_id)
                        .one(txn)
                        .await?
                        .ok_or_else(|| ApiError::corrupt("an evaluation's SME is missing"))?;
                    if !sme.publication_consent {
                        return Err(ApiError::Conflict {
                            field: "consent".into(),
                            message: "the SME has not consented to publishing its rating".into(),
                        });
                    }
                }
                Action::Return | Action::Withdraw if reason.is_none() => {
                    return Err(ApiError::bad_input("reason", "say why"));
                }
                _ => {}
            }
            let next_version = row.version + 1;
            let mut active = row.into_active_model();
            active.status = Set(next);
            if let Some((score, rating)) = rated {
                active.rating = Set(Some(rating));
                active.overall_score = Set(Some(score));
            }
            active.version = Set(next_version);
            active.updated_at = Set(Utc::now());
            let row = active.update(txn).await?;
            let fields: &[&str] = if rated.is_some() {
                &["status", "rating"]
            } else {
                &["status"]
            };
            record_revision(txn, caller, &row, action.change(), fields, reason).await?;
            events
                .notify_in(txn, &EvaluationEvent::of(&row, action.change()))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        // The same rights as the move itself.
        async |id| own_evaluation(db, caller, Ok(replay_id.unwrap_or(id)), action.role()).await,
    )
    .await?;
    events.after_commit(EvaluationEvent::of(&row, action.change()));
    Ok(row)
}

/// An SME's ratings as the caller may see them: the latest per institution, and their mean.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingSummary {
    pub latest: Vec<evaluation::Model>,
    pub mean_score: Option<f64>,
}

/// Summarises rows read through [`rated_readable_by`].
pub fn summarize(mut rated: Vec<evaluation::Model>) -> RatingSummary {
    rated.sort_by_key(|e| std::cmp::Reverse((e.updated_at, e.id)));
    let mut latest: Vec<evaluation::Model> = Vec::new();
    for evaluation in rated {
        if !latest
            .iter()
            .any(|e| e.institution_id == evaluation.institution_id)
        {
            latest.push(evaluation);
        }
    }
    let scores: Vec<f64> = latest.iter().filter_map(|e| e.overall_score).collect();
    let mean_score = (!scores.is_empty())
        .then(|| (scores.iter().sum::<f64>() / scores.len() as f64 * 100.0).round() / 100.0);
    RatingSummary { latest, mean_score }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_exactly_its_moves() {
        use EvaluationStatus::*;
        let all = [
            Draft,
            Submitted,
            UnderReview,
            Returned,
            Rated,
            Published,
            Withdrawn,
        ];
        let allowed = |action: Action| {
            all.iter()
                .filter(|s| action.next(**s).is_some())
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Action::Submit), [Draft, Returned]);
        assert_eq!(allowed(Action::StartReview), [Submitted]);
        assert_eq!(allowed(Action::Return), [UnderReview]);
        assert_eq!(allowed(Action::Rate), [UnderReview]);
        assert_eq!(allowed(Action::Publish), [Rated]);
        assert_eq!(
            allowed(Action::Withdraw),
            [Draft, Submitted, UnderReview, Returned, Rated, Published]
        );
        assert_eq!(Action::Return.next(UnderReview), Some(Returned));
    }
}
