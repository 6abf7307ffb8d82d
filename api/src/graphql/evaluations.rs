//! SMEs' evaluations in GraphQL: the workflow from draft to publication, its revisions, and the
//! live changes. The SMEs themselves are in `smes`, the scores in `scores`.

use async_graphql::{
    Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use entity::{enums, evaluation, evaluation_revision};
use futures_util::{Stream, StreamExt};

use super::{
    connection::{Conn, connection},
    context::{caller, db, loaders, members_only},
    directory::Organization,
    ids::{self, NodeType},
    inputs::{change, fingerprint, json_of},
    loaders::{OrganizationId, RevisionsOfEvaluation, SmeId},
    scores::{EvaluationScores, EvaluationScoresInput, Rating},
    smes::Sme,
};
use crate::{
    domain::{
        evaluation::{
            criteria::Scores,
            evaluations::{self, Action, EvaluationChanges, NewEvaluation},
        },
        events::EventBus,
        profile,
    },
    error::{ApiError, ApiResult},
};

/// Where an evaluation stands in its workflow: DRAFT → SUBMITTED → UNDER_REVIEW (→ RETURNED →
/// SUBMITTED …) → RATED → PUBLISHED, or WITHDRAWN from any of them.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "enums::EvaluationStatus")]
pub enum EvaluationStatus {
    /// Being written by the institution's evaluators; only the institution (and network admins)
    /// reads it.
    Draft,
    /// Complete and handed in for review; no longer editable.
    Submitted,
    /// An org admin of the institution is reviewing it.
    UnderReview,
    /// Sent back to the evaluators with a reason; editable again, then submitted again.
    Returned,
    /// The rating is fixed.
    Rated,
    /// The rating is public, with the SME's consent: anyone reads it.
    Published,
    /// Withdrawn with a reason; final.
    Withdrawn,
}

/// Who besides the evaluating institution reads an evaluation (published ones: anyone).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(remote = "enums::Visibility")]
pub enum Visibility {
    /// The evaluating institution only.
    #[default]
    Private,
    /// Every member of the network, once submitted.
    Network,
}

// ---------------------------------------------------------------- objects

pub struct Evaluation(pub evaluation::Model);

/// An SME's evaluation by a member institution.
#[Object]
impl Evaluation {
    /// The evaluation's opaque global ID, for `node(id:)` and the workflow mutations.
    pub async fn id(&self) -> ID {
        NodeType::Evaluation.id(self.0.id)
    }
    /// The SME evaluated.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        let row = loaders(ctx)?
            .load_one(SmeId(self.0.sme_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an evaluation's SME is missing"))?;
        Ok(Sme::from(row))
    }
    /// The evaluating institution.
    async fn institution(&self, ctx: &Context<'_>) -> Result<Organization> {
        let row = loaders(ctx)?
            .load_one(OrganizationId(self.0.institution_id))
            .await
            .map_err(ApiError::from)?
            .ok_or_else(|| ApiError::corrupt("an evaluation's institution is missing"))?;
        Ok(Organization::from(row))
    }
    /// Where the evaluation stands in its workflow.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// Who besides the evaluating institution may read it.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// 1 at creation, one more with every change; edits name the version they edit, and every
    /// workflow step may name the version it expects.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Fixed when the evaluation is rated.
    async fn rating(&self) -> Option<Rating> {
        self.0.rating.map(Into::into)
    }
    /// The weighted score behind the rating, 1–5.
    async fn overall_score(&self) -> Option<f64> {
        self.0.overall_score
    }
    /// When the evaluation was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed (an edit or a move through the workflow).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Who opened the evaluation. Members only.
    #[graphql(guard = "members_only")]
    async fn evaluator(&self) -> Result<Option<&str>> {
        Ok(Some(&self.0.evaluator_subject))
    }
    /// The scores. Members only.
    #[graphql(guard = "members_only")]
    async fn scores(&self) -> Result<Option<EvaluationScores>> {
        Ok(Some(evaluations::scores_of(&self.0)?.into()))
    }
    /// Written findings. Members only.
    #[graphql(guard = "members_only")]
    async fn findings(&self) -> Result<Option<&str>> {
        Ok(self.0.findings.as_deref())
    }
    /// Every version, oldest first. Members only.
    #[graphql(guard = "members_only")]
    async fn history(&self, ctx: &Context<'_>) -> Result<Option<Vec<EvaluationRevision>>> {
        let rows = loaders(ctx)?
            .load_one(RevisionsOfEvaluation(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(EvaluationRevision).collect()))
    }
    /// One past version. Members only.
    #[graphql(guard = "members_only")]
    async fn revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version to read, from 1 to the current `version`.")] version: i32,
    ) -> Result<Option<EvaluationRevision>> {
        let rows = loaders(ctx)?
            .load_one(RevisionsOfEvaluation(self.0.id))
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .find(|r| r.version == version)
            .map(EvaluationRevision))
    }
}

pub struct EvaluationRevision(evaluation_revision::Model);

/// One version of an evaluation, as it stood after a change.
#[Object]
impl EvaluationRevision {
    /// The evaluation's version after this change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// `created`, `edited`, `submitted`, `review_started`, `returned`, `rated`, `published`,
    /// `withdrawn`.
    async fn change(&self) -> &str {
        &self.0.change
    }
    /// The fields the change touched.
    async fn changed_fields(&self) -> Vec<&str> {
        self.0
            .changed_fields
            .split(',')
            .filter(|f| !f.is_empty())
            .collect()
    }
    /// The status after the change.
    async fn status(&self) -> EvaluationStatus {
        self.0.status.into()
    }
    /// The visibility after the change.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    /// The rating after the change; null before the evaluation was rated.
    async fn rating(&self) -> Option<Rating> {
        self.0.rating.map(Into::into)
    }
    /// The scores as they stood after the change.
    async fn scores(&self) -> Result<EvaluationScores> {
        let scores: Scores =
            serde_json::from_str(&self.0.scores).map_err(|e| ApiError::corrupt(e.to_string()))?;
        Ok(scores.into())
    }
    /// The findings as they stood after the change.
    async fn findings(&self) -> Option<&str> {
        self.0.findings.as_deref()
    }
    /// Why the evaluation was returned or withdrawn.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The token subject of who made the change.
    async fn changed_by(&self) -> &str {
        &self.0.changed_by_subject
    }
    /// The institution the change was made for, by code.
    async fn changed_by_institution(&self) -> &str {
        &self.0.changed_by_institution
    }
    /// When the change was made.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

// ---------------------------------------------------------------- inputs

/// A new evaluation, opened as a DRAFT.
#[derive(InputObject)]
pub struct CreateEvaluationInput {
    /// The SME to evaluate (its global ID).
    pub sme_id: ID,
    /// `PRIVATE` unless given.
    #[graphql(default)]
    pub visibility: Visibility,
    /// The scores so far; a draft may leave any out.
    #[graphql(default)]
    pub scores: EvaluationScoresInput,
    /// Written findings, at most 10000 characters.
    pub findings: Option<String>,
}

/// Changes to an evaluation. An omitted field stays as it is.
#[derive(InputObject, Default)]
pub struct UpdateEvaluationInput {
    /// Replaces the scores.
    pub scores: Option<EvaluationScoresInput>,
    /// Written findings, at most 10000 characters; null clears them.
    pub findings: MaybeUndefined<String>,
    /// Who besides the institution may read it.
    pub visibility: Option<Visibility>,
}

fn findings(text: Option<String>) -> ApiResult<Option<String>> {
    text.map(|f| profile::text(&f, 10_000))
        .transpose()
        .map_err(|m| ApiError::bad_input("input.findings", m))
        .map(Option::flatten)
}

/// Narrows the evaluations the caller may read; the conditions given must all hold.
#[derive(InputObject, Default)]
#[graphql(name = "EvaluationFilter")]
pub struct EvaluationFilterInput {
    /// Evaluations of this SME (its global ID).
    pub sme_id: Option<ID>,
    /// The evaluating institution.
    pub institution_id: Option<ID>,
    /// Evaluations in this status.
    pub status: Option<EvaluationStatus>,
    /// Evaluations with this rating.
    pub rating: Option<Rating>,
}

// ---------------------------------------------------------------- queries

#[derive(Default)]
pub struct EvaluationQuery;

#[Object]
impl EvaluationQuery {
    /// The evaluations the caller may read, newest first: anonymous callers see published ones.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn evaluations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "At most this many items from the start, or after `after`: 0–100; 20 when neither `first` nor `last` is given. Not with `last`."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page starts after it."
        )]
        after: Option<String>,
        #[graphql(
            desc = "At most this many items from the end, or before `before`: 0–100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "The `cursor` of an edge of this listing, in the same order: the page ends before it."
        )]
        before: Option<String>,
        #[graphql(desc = "Only evaluations that match; all the caller may read unless given.")]
        filter: Option<EvaluationFilterInput>,
    ) -> Result<Conn<Evaluation>> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let domain_filter = evaluations::EvaluationFilter {
            sme_id: filter
                .sme_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Sme, "filter.smeId"))
                .transpose()?,
            institution_id: filter
                .institution_id
                .as_ref()
                .map(|id| ids::decode_as(id, NodeType::Organization, "filter.institutionId"))
                .transpose()?,
            status: filter.status.map(Into::into),
            rating: filter.rating.map(Into::into),
        };
        let page = super::connection::page_args(ctx, first, after, last, before);
        let texts =
            super::prefetch::nodes(&ctx.look_ahead()).map_or(evaluations::Texts::Leave, |nodes| {
                if nodes.field("scores").exists() || nodes.field("findings").exists() {
                    evaluations::Texts::Read
                } else {
                    evaluations::Texts::Leave
                }
            });
        let listing =
            evaluations::evaluations(db, caller(ctx), &domain_filter, &page, texts).await?;
        super::prefetch::connection(ctx, listing.rows()).await?;
        Ok(connection(db, listing, Evaluation))
    }

    /// One evaluation the caller may read; null otherwise (another institution's private
    /// evaluation does not exist for you).
    async fn evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
    ) -> Result<Option<Evaluation>> {
        let key = ids::decode_as(&id, NodeType::Evaluation, "id")?;
        Ok(evaluations::readable(db(ctx)?, caller(ctx), key)
            .await?
            .map(Evaluation))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Default)]
pub struct EvaluationMutation;

#[Object]
impl EvaluationMutation {
    /// Opens an evaluation for the caller's institution, as a DRAFT: its evaluators.
    async fn create_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The SME, visibility and whatever scores are ready.")]
        input: CreateEvaluationInput,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
    ) -> Result<Evaluation> {
        let fingerprint = fingerprint(&idempotency_key, "createEvaluation", json_of(&input));
        let parsed = (|| {
            Ok(NewEvaluation {
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                visibility: input.visibility.into(),
                scores: input.scores.parse("input.scores")?,
                findings: findings(input.findings)?,
            })
        })();
        Ok(Evaluation(
            evaluations::create(db(ctx)?, events(ctx)?, caller(ctx), parsed, fingerprint).await?,
        ))
    }

    /// Edits a DRAFT or RETURNED evaluation: its institution's evaluators. `version` is the one
    /// being edited; a stale version is a CONFLICT.
    async fn update_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "The `version` being edited; CONFLICT if the evaluation has changed since."
        )]
        version: i32,
        #[graphql(desc = "The fields to change; those omitted stay as they are.")]
        input: UpdateEvaluationInput,
    ) -> Result<Evaluation> {
        let key = ids::decode_as(&id, NodeType::Evaluation, "id");
        let parsed = (|| {
            Ok(EvaluationChanges {
                scores: input.scores.map(|s| s.parse("input.scores")).transpose()?,
                findings: change(input.findings, |text| findings(Some(text)))?.flatten(),
                visibility: input.visibility.map(Into::into),
            })
        })();
        Ok(Evaluation(
            evaluations::update(
                db(ctx)?,
                events(ctx)?,
                caller(ctx),
                id.to_string(),
                key,
                version,
                parsed,
            )
            .await?,
        ))
    }

    /// DRAFT or RETURNED → SUBMITTED, once every score is given: evaluators. Every workflow step
    /// is retry-safe with `idempotencyKey`, and takes the `version` it expects: when given, a
    /// stale one is a CONFLICT naming `version`.
    async fn submit_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Submit, id, version, None, idempotency_key).await
    }

    /// SUBMITTED → UNDER_REVIEW: org admins.
    async fn start_evaluation_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::StartReview, id, version, None, idempotency_key).await
    }

    /// UNDER_REVIEW → RETURNED, back to editing, with a reason: org admins.
    async fn return_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2000 characters; kept in the evaluation's `history`.")]
        reason: String,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(
            ctx,
            Action::Return,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }

    /// UNDER_REVIEW → RATED, fixing the computed rating: org admins.
    async fn rate_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Rate, id, version, None, idempotency_key).await
    }

    /// RATED → PUBLISHED, only with the SME's recorded consent: org admins.
    async fn publish_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(ctx, Action::Publish, id, version, None, idempotency_key).await
    }

    /// Any state but WITHDRAWN → WITHDRAWN, with a reason: org admins.
    async fn withdraw_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation's global ID.")] id: ID,
        #[graphql(desc = "Why, at most 2000 characters; kept in the evaluation's `history`.")]
        reason: String,
        #[graphql(
            desc = "A key of the caller's choosing (1–100 printable ASCII characters, no spaces), new for each intended change: a retry with the same key and input returns the first answer without acting twice; the same key with other input is a CONFLICT."
        )]
        idempotency_key: String,
        #[graphql(
            desc = "The `version` the caller saw; CONFLICT if the evaluation has changed since."
        )]
        version: Option<i32>,
    ) -> Result<Evaluation> {
        act(
            ctx,
            Action::Withdraw,
            id,
            version,
            Some(reason),
            idempotency_key,
        )
        .await
    }
}

async fn act(
    ctx: &Context<'_>,
    action: Action,
    id: ID,
    version: Option<i32>,
    reason: Option<String>,
    idempotency_key: String,
) -> Result<Evaluation> {
    let operation = format!("{action:?}");
    let fingerprint = fingerprint(
        &idempotency_key,
        &operation,
        serde_json::json!({ "id": id.as_str(), "version": version, "reason": reason }),
    );
    let key_id = ids::decode_as(&id, NodeType::Evaluation, "id");
    let reason = reason
        .map(|r| profile::text(&r, 2000).map_err(|m| ApiError::bad_input("reason", m)))
        .transpose()
        .map(Option::flatten);
    let request = evaluations::Move {
        action,
        target: id.to_string(),
        id: key_id,
        version,
        reason,
        key: fingerprint,
    };
    let row = evaluations::transition(db(ctx)?, events(ctx)?, caller(ctx), request).await?;
    Ok(Evaluation(row))
}

fn events<'a>(ctx: &Context<'a>) -> Result<&'a EventBus> {
    ctx.data::<EventBus>()
}

// ---------------------------------------------------------------- subscriptions

/// A change to one of the caller's institution's evaluations.
#[derive(SimpleObject)]
pub struct EvaluationChange {
    /// The evaluation's global ID; read it with `evaluation(id:)` or `node(id:)`.
    evaluation_id: ID,
    /// Its status after the change.
    status: EvaluationStatus,
    /// The evaluation's version after the change: a subscriber may ignore a version it has seen.
    version: i32,
    /// `created`, `edited`, `submitted`, `review_started`, `returned`, `rated`, `published`,
    /// `withdrawn`.
    change: String,
}

#[derive(Default)]
pub struct EvaluationSubscription;

#[Subscription]
impl EvaluationSubscription {
    /// The caller's institution's evaluations as they change: created, edited, and every move
    /// through the workflow, made through any API instance. Members of the network.
    async fn evaluation_changed(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = EvaluationChange> + use<>> {
        let caller = caller(ctx).clone();
        caller.require_member()?;
        let db = db(ctx)?.clone();
        let receiver = events(ctx)?.subscribe();
        let changes = crate::domain::events::received(receiver);
        Ok(changes.filter_map(move |event| {
            let (db, caller) = (db.clone(), caller.clone());
            async move {
                let status = event.status()?;
                // The same rule as every read: a change the caller may not read is never heard.
                match evaluations::heard_by(&db, &caller, &event).await {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(err) => {
                        tracing::warn!(error = ?err, "could not check who hears an evaluation event");
                        return None;
                    }
                }
                Some(EvaluationChange {
                    evaluation_id: NodeType::Evaluation.id(event.evaluation_id),
                    status: status.into(),
                    version: event.version,
                    change: event.change,
                })
            }
        }))
    }
}
