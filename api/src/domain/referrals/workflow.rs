//! Referring an SME to a bank, and the bank's answers.

use chrono::{NaiveDate, Utc};
use entity::{
    enums::EvaluationStatus,
    referral,
    referral_enums::{
        ConsentScope, DeclineReason, FinancingProduct, ReferralPurpose, ReferralStatus,
    },
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use super::{
    ReferralPolicy, ReferralState, bank,
    consent::{self, Missing},
    readable,
};
use crate::{
    auth::{Caller, Role},
    domain::{
        dates::today_in_japan,
        evaluation::evaluations,
        events::{EventBus, ReferralEvent},
        idempotency::{self, Idempotency},
        money::Yen,
    },
    error::{ApiError, ApiResult},
};

#[derive(Debug, Clone)]
pub struct NewReferral {
    pub evaluation_id: i64,
    pub bank_id: i64,
    pub purpose: ReferralPurpose,
    pub amount_requested: Yen,
    pub note: Option<String>,
    /// What is shared: the consent must cover it.
    pub scope: ConsentScope,
}

/// Evaluators and org admins of the institution that evaluated the SME.
fn require_referrer(caller: &Caller, institution_id: i64) -> ApiResult<()> {
    let principal = caller.require_member()?;
    if principal.institution_id == institution_id
        && (principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin))
    {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "this needs the evaluator or org_admin role at the referring institution".into(),
        ))
    }
}

/// Refers the SME of a `RATED` or `PUBLISHED` evaluation, as it stands at its current revision,
/// to a bank.
#[tracing::instrument(skip_all)]
pub async fn refer(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewReferral>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<referral::Model> {
    let row = idempotency::once(
        db,
        caller,
        "referSme",
        target,
        key,
        async |txn| {
            let principal = caller.require_member()?;
            if !(principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin)) {
                return Err(ApiError::Forbidden(
                    "this needs the evaluator or org_admin role at the referring institution"
                        .into(),
                ));
            }
            let input = input?;
            let evaluation = evaluations::readable(txn, caller, input.evaluation_id)
                .await?
                .ok_or(ApiError::NotFound("evaluation"))?;
            require_referrer(caller, evaluation.institution_id)?;
            if !matches!(
                evaluation.status,
                EvaluationStatus::Rated | EvaluationStatus::Published
            ) {
                return Err(ApiError::Conflict {
                    field: "input.evaluationId".into(),
                    message: "only a RATED or PUBLISHED evaluation is referred".into(),
                });
            }
            bank(txn, input.bank_id, "input.bankId").await?;
            let consent = match consent::live(
                txn,
                evaluation.institution_id,
                evaluation.sme_id,
                input.bank_id,
                input.scope,
            )
            .await?
            {
                Ok(consent) => consent,
                Err(Missing::None) => {
                    return Err(ApiError::Conflict {
                        field: "input.bankId".into(),
                        message: "no consent of the SME to sharing its evaluation with this bank \
                                  is recorded: record it first (recordReferralConsent)"
                            .into(),
                    });
                }
                Err(Missing::Revoked) => {
                    return Err(ApiError::Conflict {
                        field: "input.bankId".into(),
                        message: "the SME revoked its consent to sharing with this bank".into(),
                    });
                }
                Err(Missing::Scope) => {
                    return Err(ApiError::Conflict {
                        field: "input.scope".into(),
                        message: "the SME's consent covers the summary only: refer with scope \
                                  SUMMARY, or record its consent to the full evaluation"
                            .into(),
                    });
                }
            };
            let now = Utc::now();
            let row = referral::ActiveModel {
                evaluation_id: Set(evaluation.id),
                evaluation_version: Set(evaluation.version),
                sme_id: Set(evaluation.sme_id),
                institution_id: Set(evaluation.institution_id),
                bank_id: Set(input.bank_id),
                consent_id: Set(consent.id),
                scope: Set(input.scope),
                purpose: Set(input.purpose),
                amount_requested: Set(input.amount_requested.get()),
                note: Set(input.note),
                status: Set(ReferralStatus::Sent),
                version: Set(1),
                rating: Set(evaluation.rating),
                financed_amount: Set(None),
                financing_product: Set(None),
                decided_on: Set(None),
                decline_reason: Set(None),
                decline_note: Set(None),
                withdrawal_reason: Set(None),
                referred_by_subject: Set(principal.subject.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                acknowledged_at: Set(None),
                decided_at: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            events
                .notify_in(txn, &ReferralEvent::of(&row, "referred"))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("referral"))?;
            require_referrer(caller, row.institution_id)?;
            Ok(row)
        },
    )
    .await?;
    events.after_commit(ReferralEvent::of(&row, "referred"));
    Ok(row)
}

/// What the bank decided to finance.
#[derive(Debug, Clone)]
pub struct Financing {
    pub amount: Yen,
    pub product: FinancingProduct,
    pub decided_on: NaiveDate,
}

/// A move of a referral.
#[derive(Debug, Clone)]
pub enum Action {
    Acknowledge,
    StartReview,
    Finance(Financing),
    Decline {
        reason: DeclineReason,
        note: Option<String>,
    },
    Withdraw {
        reason: Option<String>,
    },
}

impl Action {
    pub fn operation(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledgeReferral",
            Self::StartReview => "startReferralReview",
            Self::Finance(_) => "recordFinancing",
            Self::Decline { .. } => "declineReferral",
            Self::Withdraw { .. } => "withdrawReferral",
        }
    }

    pub fn change(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledged",
            Self::StartReview => "review_started",
            Self::Finance(_) => "financed",
            Self::Decline { .. } => "declined",
            Self::Withdraw { .. } => "withdrawn",
        }
    }

    /// The stored state it leads to from the state read, if it may be taken there.
    pub fn next(&self, from: ReferralState) -> Option<ReferralStatus> {
        use ReferralState::*;
        match (self, from) {
            (Self::Acknowledge, Sent) => Some(ReferralStatus::Acknowledged),
            (Self::StartReview, Acknowledged) => Some(ReferralStatus::UnderReview),
            (Self::Finance(_), UnderReview) => Some(ReferralStatus::Financed),
            (Self::Decline { .. }, Acknowledged | UnderReview) => Some(ReferralStatus::Declined),
            (Self::Withdraw { .. }, Sent | Acknowledged | UnderReview) => {
                Some(ReferralStatus::Withdrawn)
            }
            _ => None,
        }
    }

    /// Who may take it: the bank's loan officers, or (withdrawal) the referrer's evaluators and
    /// org admins.
    fn authorize(&self, caller: &Caller, row: &referral::Model) -> ApiResult<()> {
        match self {
            Self::Withdraw { .. } => require_referrer(caller, row.institution_id),
            _ => caller
                .require_for(row.bank_id, Role::LoanOfficer)
                .map(|_| ())
                .map_err(|_| {
                    ApiError::Forbidden(
                        "this needs the loan_officer role at the bank the referral is addressed to"
                            .into(),
                    )
                }),
        }
    }
}

/// One requested move, as the caller sent it.
pub struct Move {
    pub action: ApiResult<Action>,
    pub operation: &'static str,
    /// The referral as the caller named it (for the audit log).
    pub target: String,
    pub id: ApiResult<i64>,
    /// Must be the current version.
    pub version: i32,
    pub key: Option<ApiResult<Idempotency>>,
}

fn stale(version: i32) -> ApiError {
    ApiError::Conflict {
        field: "version".into(),
        message: format!("the referral is at version {version}: reload it and move that version"),
    }
}

/// Moves a referral through its workflow.
#[tracing::instrument(skip_all)]
pub async fn transition(
    db: &DatabaseConnection,
    events: &EventBus,
    policy: &ReferralPolicy,
    caller: &Caller,
    request: Move,
) -> ApiResult<referral::Model> {
    let Move {
        action,
        operation,
        target,
        id,
        version,
        key,
    } = request;
    let replay_id = id.as_ref().ok().copied();
    let change = action.as_ref().map(Action::change).unwrap_or("moved");
    let row = idempotency::once(
        db,
        caller,
        operation,
        Some(target),
        key,
        async |txn| {
            caller.require_authenticated()?;
            let row = readable(txn, caller, id?)
                .await?
                .ok_or(ApiError::NotFound("referral"))?;
            let action = action?;
            action.authorize(caller, &row)?;
            let now = Utc::now();
            let state = policy.state_of(&row, now);
            let next = action.next(state).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "the referral is {}: it cannot be {}",
                    state.name(),
                    action.change()
                ),
            })?;
            if row.version != version {
                return Err(stale(row.version));
            }
            let mut active = referral::ActiveModel {
                status: Set(next),
                version: Set(row.version + 1),
                updated_at: Set(now),
                ..Default::default()
            };
            match action {
                Action::Acknowledge => active.acknowledged_at = Set(Some(now)),
                Action::StartReview => {}
                Action::Finance(financing) => {
                    if financing.decided_on > today_in_japan() {
                        return Err(ApiError::bad_input(
                            "input.decidedOn",
                            "the decision is recorded once made: the date is in the future",
                        ));
                    }
                    active.financed_amount = Set(Some(financing.amount.get()));
                    active.financing_product = Set(Some(financing.product));
                    active.decided_on = Set(Some(financing.decided_on));
                    active.decided_at = Set(Some(now));
                }
                Action::Decline { reason, note } => {
                    active.decline_reason = Set(Some(reason));
                    active.decline_note = Set(note);
                    active.decided_on = Set(Some(today_in_japan()));
                    active.decided_at = Set(Some(now));
                }
                Action::Withdraw { reason } => active.withdrawal_reason = Set(reason),
            }
            // Only from the version read: a concurrent move that committed first leaves this one
            // nothing to update, and a stale version is a conflict.
            let moved = referral::Entity::update_many()
                .set(active)
                .filter(referral::Column::Id.eq(row.id))
                .filter(referral::Column::Version.eq(version))
                .exec(txn)
                .await?;
            if moved.rows_affected != 1 {
                return Err(stale(version + 1));
            }
            let row = referral::Entity::find_by_id(row.id)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("referral"))?;
            events
                .notify_in(txn, &ReferralEvent::of(&row, change))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = readable(db, caller, replay_id.unwrap_or(id))
                .await?
                .ok_or(ApiError::NotFound("referral"))?;
            // The same rights as the move itself.
            match change {
                "withdrawn" => require_referrer(caller, row.institution_id)?,
                _ => {
                    caller.require_for(row.bank_id, Role::LoanOfficer)?;
                }
            }
            Ok(row)
        },
    )
    .await?;
    events.after_commit(ReferralEvent::of(&row, change));
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_exactly_its_moves() {
        use ReferralState::*;
        let all = [
            Sent,
            Acknowledged,
            UnderReview,
            Financed,
            Declined,
            Withdrawn,
            Expired,
        ];
        let allowed = |action: Action| {
            all.iter()
                .filter(|s| action.next(**s).is_some())
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Action::Acknowledge), [Sent]);
        assert_eq!(allowed(Action::StartReview), [Acknowledged]);
        let financing = Financing {
            amount: Yen::new(1).unwrap(),
            product: FinancingProduct::Loan,
            decided_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        };
        assert_eq!(allowed(Action::Finance(financing)), [UnderReview]);
        assert_eq!(
            allowed(Action::Decline {
                reason: DeclineReason::Other,
                note: None
            }),
            [Acknowledged, UnderReview]
        );
        assert_eq!(
            allowed(Action::Withdraw { reason: None }),
            [Sent, Acknowledged, UnderReview]
        );
    }
}
