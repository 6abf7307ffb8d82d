//! Financing referrals (the source's fourth activity): an evaluating institution refers an SME,
//! from one revision of a rated evaluation, to a bank, with the SME's consent; the bank answers.
//!
//! - **Who.** Banks are member organisations of kind `FINANCIAL_INSTITUTION`; their
//!   `loan_officer`s read the referrals addressed to them and answer them. The referring
//!   institution is the one that evaluated the SME: its `evaluator`s and `org_admin`s record the
//!   SME's consent, refer, and withdraw.
//! - **Visibility.** A referral is readable by anyone acting for the referring institution, by
//!   the addressed bank's loan officers, and by network admins; to everyone else it does not
//!   exist (`NOT_FOUND`, no row in any list or count).
//! - **Consent** ([`consent`]): sharing needs a live consent of the SME to that institution
//!   sharing with that bank, of a scope covering what is shared. A revocation hides the
//!   evaluation's content from the bank at once; the referral's existence and status stay.
//! - **Workflow** ([`workflow`]): `SENT → ACKNOWLEDGED → UNDER_REVIEW → FINANCED | DECLINED`,
//!   or `WITHDRAWN` by the referrer; a referral still `SENT` after `IIN_REFERRAL_EXPIRY_DAYS`
//!   reads as `EXPIRED` and takes no more moves. Every move names the version it moves.
//! - **Statistics** ([`statistics`]): the network's figures per bank, bureau or rating.

pub mod consent;
pub mod statistics;
pub mod workflow;

use chrono::{DateTime, Duration, Utc};
use entity::{enums::OrganizationKind, organization, referral, referral_enums::ReferralStatus};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

use crate::{
    auth::{Caller, Principal, Role},
    domain::{
        access::Readable,
        directory::grants_member_rights,
        events::ReferralEvent,
        listing::{Listing, list},
        page::{Keyset, PageArgs, SortValue},
    },
    error::{ApiError, ApiResult},
};

/// How long a bank has to acknowledge a referral (`IIN_REFERRAL_EXPIRY_DAYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralPolicy {
    expiry_days: u32,
}

impl ReferralPolicy {
    pub fn new(expiry_days: u32) -> Self {
        Self {
            expiry_days: expiry_days.max(1),
        }
    }

    /// How long a bank has to acknowledge.
    pub fn expiry(&self) -> Duration {
        Duration::days(i64::from(self.expiry_days))
    }

    /// Referrals sent before this instant and still unanswered read as expired.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.expiry()
    }

    /// The state a caller reads.
    pub fn state_of(&self, row: &referral::Model, now: DateTime<Utc>) -> ReferralState {
        match row.status {
            ReferralStatus::Sent if row.created_at < self.cutoff(now) => ReferralState::Expired,
            ReferralStatus::Sent => ReferralState::Sent,
            ReferralStatus::Acknowledged => ReferralState::Acknowledged,
            ReferralStatus::UnderReview => ReferralState::UnderReview,
            ReferralStatus::Financed => ReferralState::Financed,
            ReferralStatus::Declined => ReferralState::Declined,
            ReferralStatus::Withdrawn => ReferralState::Withdrawn,
        }
    }
}

/// A referral's state as read: the stored state, or `Expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralState {
    Sent,
    Acknowledged,
    UnderReview,
    Financed,
    Declined,
    Withdrawn,
    Expired,
}

impl ReferralState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sent => "SENT",
            Self::Acknowledged => "ACKNOWLEDGED",
            Self::UnderReview => "UNDER_REVIEW",
            Self::Financed => "FINANCED",
            Self::Declined => "DECLINED",
            Self::Withdrawn => "WITHDRAWN",
            Self::Expired => "EXPIRED",
        }
    }

    /// The condition on stored rows that read in this state at `cutoff`.
    fn condition(self, cutoff: DateTime<Utc>) -> Condition {
        use referral::Column;
        let stored = |status: ReferralStatus| Condition::all().add(Column::Status.eq(status));
        match self {
            Self::Sent => stored(ReferralStatus::Sent).add(Column::CreatedAt.gte(cutoff)),
            Self::Expired => stored(ReferralStatus::Sent).add(Column::CreatedAt.lt(cutoff)),
            Self::Acknowledged => stored(ReferralStatus::Acknowledged),
            Self::UnderReview => stored(ReferralStatus::UnderReview),
            Self::Financed => stored(ReferralStatus::Financed),
            Self::Declined => stored(ReferralStatus::Declined),
            Self::Withdrawn => stored(ReferralStatus::Withdrawn),
        }
    }
}

/// Whether `principal` reads referrals addressed to `bank_id` as that bank.
fn is_bank_officer(principal: &Principal, bank_id: i64) -> bool {
    principal.acts_for(bank_id, Role::LoanOfficer)
}

/// The referrals `caller` may read: the one rule every list, count, look-up, nested read and
/// subscription of referrals starts from. Filters narrow it ([`Readable::narrow`]).
pub fn readable_by(caller: &Caller) -> Readable<referral::Entity> {
    use referral::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => {
            let mut either = Condition::any().add(Column::InstitutionId.eq(p.institution_id));
            if p.has(Role::LoanOfficer) {
                either = either.add(Column::BankId.eq(p.institution_id));
            }
            Readable::only(either)
        }
        // Nothing: ids are never negative.
        None => Readable::only(Condition::all().add(Column::Id.lt(0))),
    }
}

/// A referral the caller may read, or `None`.
#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<referral::Model>> {
    Ok(readable_by(caller)
        .narrow(referral::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether the caller reads `row` only as the addressed bank (not as the referrer, nor as a
/// network admin): the evaluation's content then depends on the consent.
pub fn reads_as_bank(caller: &Caller, row: &referral::Model) -> bool {
    match caller.principal() {
        Some(p) => {
            !p.has(Role::NetworkAdmin)
                && p.institution_id != row.institution_id
                && is_bank_officer(p, row.bank_id)
        }
        None => false,
    }
}

/// Whether a subscriber hears of `event`: a change to a referral of the caller's institution, as
/// referrer or as the addressed bank, that the caller may read now.
#[tracing::instrument(skip_all)]
pub async fn heard_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event: &ReferralEvent,
) -> ApiResult<bool> {
    match caller.principal() {
        Some(p)
            if p.institution_id == event.institution_id || p.institution_id == event.bank_id =>
        {
            Ok(readable(db, caller, event.referral_id).await?.is_some())
        }
        _ => Ok(false),
    }
}

/// A bank that may be addressed: an organisation of kind `FINANCIAL_INSTITUTION` whose
/// membership gives members' rights. `field` names the argument in the refusal.
#[tracing::instrument(skip_all)]
pub async fn bank<C: ConnectionTrait>(
    db: &C,
    id: i64,
    field: &str,
) -> ApiResult<organization::Model> {
    let row = organization::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no such organisation"))?;
    if row.kind != OrganizationKind::FinancialInstitution {
        return Err(ApiError::bad_input(
            field,
            "not a bank: referrals go to organisations of kind FINANCIAL_INSTITUTION",
        ));
    }
    if !grants_member_rights(row.membership) {
        return Err(ApiError::bad_input(
            field,
            "the bank is not a member, cooperating or supporting body of the network",
        ));
    }
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub sme_id: Option<i64>,
    /// The referring institution.
    pub institution_id: Option<i64>,
    pub bank_id: Option<i64>,
    pub state: Option<ReferralState>,
    pub purpose: Option<entity::referral_enums::ReferralPurpose>,
}

/// The referrals the caller may read, newest first.
#[tracing::instrument(skip_all)]
pub async fn referrals(
    db: &DatabaseConnection,
    policy: &ReferralPolicy,
    caller: &Caller,
    filter: &ReferralFilter,
    args: &PageArgs,
) -> ApiResult<Listing<referral::Entity>> {
    use referral::Column;
    let cutoff = policy.cutoff(Utc::now());
    let matching = readable_by(caller)
        .narrow_if(filter.sme_id.map(|id| Column::SmeId.eq(id)))
        .narrow_if(filter.institution_id.map(|id| Column::InstitutionId.eq(id)))
        .narrow_if(filter.bank_id.map(|id| Column::BankId.eq(id)))
        .narrow_if(filter.state.map(|state| state.condition(cutoff)))
        .narrow_if(filter.purpose.map(|p| Column::Purpose.eq(p)));
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &referral::Model| SortValue::Int(m.id),
        id_of: |m: &referral::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

/// Referrals under a consent, for events when it is revoked.
pub(crate) async fn under_consent<C: ConnectionTrait>(
    db: &C,
    consent_id: i64,
) -> ApiResult<Vec<referral::Model>> {
    Ok(referral::Entity::find()
        .filter(referral::Column::ConsentId.eq(consent_id))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unanswered_referral_expires() {
        let policy = ReferralPolicy::new(60);
        let now = Utc::now();
        let row = |status, days_ago: i64| referral::Model {
            id: 1,
            evaluation_id: 1,
            evaluation_version: 1,
            sme_id: 1,
            institution_id: 1,
            bank_id: 2,
            consent_id: 1,
            scope: entity::referral_enums::ConsentScope::Summary,
            purpose: entity::referral_enums::ReferralPurpose::Equipment,
            amount_requested: 1,
            note: None,
            status,
            version: 1,
            rating: None,
            financed_amount: None,
            financing_product: None,
            decided_on: None,
            decline_reason: None,
            decline_note: None,
            withdrawal_reason: None,
            referred_by_subject: "u".into(),
            created_at: now - Duration::days(days_ago),
            updated_at: now,
            acknowledged_at: None,
            decided_at: None,
        };
        assert_eq!(
            policy.state_of(&row(ReferralStatus::Sent, 59), now),
            ReferralState::Sent
        );
        assert_eq!(
            policy.state_of(&row(ReferralStatus::Sent, 61), now),
            ReferralState::Expired
        );
        assert_eq!(
            policy.state_of(&row(ReferralStatus::Acknowledged, 400), now),
            ReferralState::Acknowledged
        );
    }
}
