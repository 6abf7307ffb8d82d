//! The SME's consent to an institution sharing its evaluation with one bank.
//!
//! Who records it: an `evaluator` or `org_admin` of an institution that evaluated the SME (it
//! has an evaluation of it) or registered it — the institution that deals with the SME and will
//! refer it. The consent is that institution's: another institution's referral does not rest on
//! it. Who revokes it: the same institution's evaluators and org admins, or a network admin (the
//! SME may turn to the network). Its recording institution, the addressed bank's loan officers
//! and network admins read it.

use chrono::{NaiveDate, Utc};
use entity::{
    evaluation, referral_consent,
    referral_enums::{ConsentMethod, ConsentScope},
    sme,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::bank;
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        audit,
        dates::today_in_japan,
        events::{EventBus, ReferralEvent},
        idempotency::{self, Idempotency},
    },
    error::{ApiError, ApiResult},
};

#[derive(Debug, Clone)]
pub struct NewConsent {
    pub sme_id: i64,
    pub bank_id: i64,
    pub scope: ConsentScope,
    pub obtained_on: NaiveDate,
    pub method: ConsentMethod,
    pub document_reference: String,
}

/// Whether a consent of `scope` covers sharing `wanted`.
pub fn covers(scope: ConsentScope, wanted: ConsentScope) -> bool {
    scope == ConsentScope::FullEvaluation || wanted == ConsentScope::Summary
}

/// The consents `caller` may read.
pub fn readable_by(caller: &Caller) -> Readable<referral_consent::Entity> {
    use referral_consent::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => {
            let mut either = Condition::any().add(Column::InstitutionId.eq(p.institution_id));
            if p.has(Role::LoanOfficer) {
                either = either.add(Column::BankId.eq(p.institution_id));
            }
            Readable::only(either)
        }
        None => Readable::only(Condition::all().add(Column::Id.lt(0))),
    }
}

#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<referral_consent::Model>> {
    Ok(readable_by(caller)
        .narrow(referral_consent::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The caller's institution, when the caller is one of its evaluators or org admins.
fn evaluating_desk(caller: &Caller) -> ApiResult<i64> {
    let principal = caller.require_member()?;
    if principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin) {
        Ok(principal.institution_id)
    } else {
        Err(ApiError::Forbidden(
            "this needs the evaluator or org_admin role of the institution that evaluated the SME"
                .into(),
        ))
    }
}

/// Records the SME's consent for the caller's institution.
#[tracing::instrument(skip_all)]
pub async fn record(
    db: &DatabaseConnection,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewConsent>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<referral_consent::Model> {
    idempotency::once(
        db,
        caller,
        "recordReferralConsent",
        target,
        key,
        async |txn| {
            let institution = evaluating_desk(caller)?;
            let input = input?;
            let sme = sme::Entity::find_by_id(input.sme_id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.smeId", "no such SME"))?;
            bank(txn, input.bank_id, "input.bankId").await?;
            let evaluated = evaluation::Entity::find()
                .filter(evaluation::Column::SmeId.eq(sme.id))
                .filter(evaluation::Column::InstitutionId.eq(institution))
                .count(txn)
                .await?
                > 0;
            if !(evaluated || sme.created_by_institution_id == institution) {
                return Err(ApiError::Forbidden(
                    "only an institution that evaluated or registered the SME records its consent \
                     to a referral"
                        .into(),
                ));
            }
            if input.obtained_on > today_in_japan() {
                return Err(ApiError::bad_input(
                    "input.obtainedOn",
                    "a consent is recorded once obtained: the date is in the future",
                ));
            }
            let principal = caller.require_member()?;
            let row = referral_consent::ActiveModel {
                sme_id: Set(sme.id),
                bank_id: Set(input.bank_id),
                institution_id: Set(institution),
                scope: Set(input.scope),
                obtained_on: Set(input.obtained_on),
                method: Set(input.method),
                document_reference: Set(input.document_reference),
                recorded_by_subject: Set(principal.subject.clone()),
                recorded_at: Set(Utc::now()),
                revoked_at: Set(None),
                revoked_by_subject: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            evaluating_desk(caller)?;
            readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("referral consent"))
        },
    )
    .await
}

/// Who may revoke `row`: its institution's evaluators and org admins, or network admins.
fn may_revoke(caller: &Caller, row: &referral_consent::Model) -> ApiResult<()> {
    let principal = caller.require_authenticated()?;
    let own = principal.institution_id == row.institution_id
        && (principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin));
    if own || principal.has(Role::NetworkAdmin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the institution that recorded the consent (its evaluators and org admins), or a \
             network admin, revokes it"
                .into(),
        ))
    }
}

/// Revokes a consent, at once: the bank can no longer read the content of the evaluations
/// referred under it. Both sides of each such referral hear of it.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
) -> ApiResult<referral_consent::Model> {
    let (row, touched) = audit::audited(
        db,
        caller,
        "revokeReferralConsent",
        Some(target),
        async |txn| {
            caller.require_authenticated()?;
            let row = readable(txn, caller, id?)
                .await?
                .ok_or(ApiError::NotFound("referral consent"))?;
            may_revoke(caller, &row)?;
            if row.revoked_at.is_some() {
                return Err(ApiError::Conflict {
                    field: "id".into(),
                    message: "the consent is already revoked".into(),
                });
            }
            let principal = caller.require_authenticated()?;
            let mut active = row.into_active_model();
            active.revoked_at = Set(Some(Utc::now()));
            active.revoked_by_subject = Set(Some(principal.subject.clone()));
            let row = active.update(txn).await?;
            let touched = super::under_consent(txn, row.id).await?;
            for referral in &touched {
                events
                    .notify_in(txn, &ReferralEvent::of(referral, "consent_revoked"))
                    .await?;
            }
            Ok((row, touched))
        },
    )
    .await?;
    for referral in &touched {
        events.after_commit(ReferralEvent::of(referral, "consent_revoked"));
    }
    Ok(row)
}

/// Why there is no consent for a referral, as the refusal names it.
pub enum Missing {
    /// None was ever recorded for that bank.
    None,
    /// Every one recorded is revoked.
    Revoked,
    /// Live ones exist, of a narrower scope.
    Scope,
}

/// The live consent, recorded by `institution_id`, under which `sme_id` may be referred to
/// `bank_id` sharing `scope`: the newest one.
#[tracing::instrument(skip_all)]
pub async fn live<C: ConnectionTrait>(
    db: &C,
    institution_id: i64,
    sme_id: i64,
    bank_id: i64,
    scope: ConsentScope,
) -> ApiResult<Result<referral_consent::Model, Missing>> {
    use referral_consent::Column;
    let all = referral_consent::Entity::find()
        .filter(Column::InstitutionId.eq(institution_id))
        .filter(Column::SmeId.eq(sme_id))
        .filter(Column::BankId.eq(bank_id))
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    if all.is_empty() {
        return Ok(Err(Missing::None));
    }
    let mut live = all
        .into_iter()
        .filter(|c| c.revoked_at.is_none())
        .peekable();
    if live.peek().is_none() {
        return Ok(Err(Missing::Revoked));
    }
    Ok(live.find(|c| covers(c.scope, scope)).ok_or(Missing::Scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_consent_covers_a_summary_not_the_reverse() {
        use ConsentScope::*;
        assert!(covers(FullEvaluation, FullEvaluation));
        assert!(covers(FullEvaluation, Summary));
        assert!(covers(Summary, Summary));
        assert!(!covers(Summary, FullEvaluation));
    }
}
