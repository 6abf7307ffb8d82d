//! Proposals: a member institution answers a need on behalf of one SME, or of a consortium for a
//! joint order (a lead SME and partners, each with its processes and a share; the shares sum to
//! 100, an SME is named once). Only the need's institution decides; a proposer reads its own
//! proposals and no one else's.

use chrono::Utc;
use entity::{
    business_need,
    matching_enums::{ManufacturingProcess, NeedStatus, ProposalStatus},
    proposal, proposal_member, sme,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter,
};

use super::{
    encode_processes, expect_version,
    needs::{self, NeedState},
    require_desk, require_desk_at,
};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        events::{EventBus, NeedEvent, ProposalEvent},
        idempotency::{self, Idempotency},
        listing::{Listing, list},
        money::Yen,
        page::{Keyset, PageArgs, SortValue},
    },
    error::{ApiError, ApiResult},
};

/// The proposals `caller` may read: those of the caller's institution, as proposer or as the
/// need's institution; everything for network admins; nothing for anyone else. Every list,
/// count, look-up, nested read and subscription of proposals starts here.
pub fn readable_by(caller: &Caller) -> Readable<proposal::Entity> {
    use proposal::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => Readable::only(
            Condition::any()
                .add(Column::InstitutionId.eq(p.institution_id))
                .add(Column::NeedInstitutionId.eq(p.institution_id)),
        ),
        // Nothing: ids are never negative.
        None => Readable::only(Condition::all().add(Column::Id.lt(0))),
    }
}

/// A proposal the caller may read, or `None`.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<proposal::Model>> {
    Ok(readable_by(caller)
        .narrow(proposal::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether a subscriber hears of `event`: the proposing institution and the need's institution,
/// while they may read it.
pub async fn heard_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event: &ProposalEvent,
) -> ApiResult<bool> {
    match caller.principal() {
        Some(p)
            if p.institution_id == event.institution_id
                || p.institution_id == event.need_institution_id =>
        {
            Ok(readable(db, caller, event.proposal_id).await?.is_some())
        }
        _ => Ok(false),
    }
}

/// One SME of a proposal, as sent.
#[derive(Debug, Clone)]
pub struct Member {
    pub sme_id: i64,
    pub processes: Vec<ManufacturingProcess>,
    /// In percent.
    pub share: i32,
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub need_id: i64,
    pub summary: String,
    pub price: Option<Yen>,
    pub lead: Member,
    pub partners: Vec<Member>,
}

/// The consortium's shape: each share 1–100, the shares summing to 100, each SME once. The
/// refusal names the field at fault.
pub fn check_members(lead: &Member, partners: &[Member]) -> ApiResult<()> {
    let named = std::iter::once(("input.lead".to_owned(), lead)).chain(
        partners
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("input.partners[{i}]"), m)),
    );
    let mut seen = Vec::new();
    let mut total: i64 = 0;
    for (path, member) in named {
        if !(1..=100).contains(&member.share) {
            return Err(ApiError::bad_input(
                format!("{path}.share"),
                "a share is a whole percentage from 1 to 100",
            ));
        }
        if seen.contains(&member.sme_id) {
            return Err(ApiError::bad_input(
                format!("{path}.smeId"),
                "an SME is named once in a proposal",
            ));
        }
        seen.push(member.sme_id);
        total += i64::from(member.share);
    }
    if total != 100 {
        let field = if partners.is_empty() {
            "input.lead.share"
        } else {
            "input.partners"
        };
        return Err(ApiError::bad_input(
            field,
            format!("the shares sum to {total}, not 100"),
        ));
    }
    Ok(())
}

/// Submits a proposal to an `OPEN` need the caller may read: a desk of a member institution
/// other than the need's.
pub async fn submit(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewProposal>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<proposal::Model> {
    let row = idempotency::once(
        db,
        caller,
        "submitProposal",
        target,
        key,
        async |txn| {
            let principal = require_desk(caller)?;
            let input = input?;
            let need = needs::readable(txn, caller, input.need_id)
                .await?
                .ok_or(ApiError::NotFound("business need"))?;
            if need.institution_id == principal.institution_id {
                return Err(ApiError::Forbidden(
                    "the need's own institution decides on proposals; it does not propose".into(),
                ));
            }
            let state = needs::state_of(&need, Utc::now());
            if state != NeedState::Open {
                return Err(ApiError::Conflict {
                    field: "input.needId".into(),
                    message: format!("the need is {}: it takes no more proposals", state.name()),
                });
            }
            check_members(&input.lead, &input.partners)?;
            let all: Vec<(String, &Member)> =
                std::iter::once(("input.lead".to_owned(), &input.lead))
                    .chain(
                        input
                            .partners
                            .iter()
                            .enumerate()
                            .map(|(i, m)| (format!("input.partners[{i}]"), m)),
                    )
                    .collect();
            let ids: Vec<i64> = all.iter().map(|(_, m)| m.sme_id).collect();
            let known: Vec<i64> = sme::Entity::find()
                .filter(sme::Column::Id.is_in(ids))
                .all(txn)
                .await?
                .into_iter()
                .map(|s| s.id)
                .collect();
            if let Some((path, _)) = all.iter().find(|(_, m)| !known.contains(&m.sme_id)) {
                return Err(ApiError::bad_input(format!("{path}.smeId"), "no such SME"));
            }
            let now = Utc::now();
            let row = proposal::ActiveModel {
                need_id: Set(need.id),
                need_institution_id: Set(need.institution_id),
                institution_id: Set(principal.institution_id),
                lead_sme_id: Set(input.lead.sme_id),
                joint: Set(!input.partners.is_empty()),
                summary: Set(input.summary),
                price: Set(input.price.map(Yen::get)),
                status: Set(ProposalStatus::Submitted),
                version: Set(1),
                decision_note: Set(None),
                submitted_by_subject: Set(principal.subject.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                decided_at: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            for (_, member) in &all {
                proposal_member::ActiveModel {
                    proposal_id: Set(row.id),
                    sme_id: Set(member.sme_id),
                    lead: Set(member.sme_id == input.lead.sme_id),
                    processes: Set(encode_processes(&member.processes)),
                    share_percent: Set(member.share),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            events
                .notify_in(txn, &ProposalEvent::of(&row, "submitted"))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("proposal"))?;
            require_desk_at(caller, row.institution_id, "the proposing institution")?;
            Ok(row)
        },
    )
    .await?;
    events.after_commit(ProposalEvent::of(&row, "submitted"));
    Ok(row)
}

/// A move of a proposal.
#[derive(Debug, Clone)]
pub enum ProposalAction {
    Shortlist,
    /// With `award`, the need is `AWARDED` too.
    Accept {
        award: bool,
        note: Option<String>,
    },
    Decline {
        note: Option<String>,
    },
    Withdraw {
        reason: Option<String>,
    },
}

impl ProposalAction {
    pub fn operation(&self) -> &'static str {
        match self {
            Self::Shortlist => "shortlistProposal",
            Self::Accept { .. } => "acceptProposal",
            Self::Decline { .. } => "declineProposal",
            Self::Withdraw { .. } => "withdrawProposal",
        }
    }

    pub fn change(&self) -> &'static str {
        match self {
            Self::Shortlist => "shortlisted",
            Self::Accept { .. } => "accepted",
            Self::Decline { .. } => "declined",
            Self::Withdraw { .. } => "withdrawn",
        }
    }

    /// The state it leads to from `from`, if it may be taken there.
    pub fn next(&self, from: ProposalStatus) -> Option<ProposalStatus> {
        use ProposalStatus::*;
        match (self, from) {
            (Self::Shortlist, Submitted) => Some(Shortlisted),
            (Self::Accept { .. }, Shortlisted) => Some(Accepted),
            (Self::Decline { .. }, Submitted | Shortlisted) => Some(Declined),
            (Self::Withdraw { .. }, Submitted | Shortlisted) => Some(Withdrawn),
            _ => None,
        }
    }

    /// Who may take it: the proposer's desks withdraw; the need's institution's desks decide.
    fn authorize(&self, caller: &Caller, row: &proposal::Model) -> ApiResult<()> {
        match self {
            Self::Withdraw { .. } => {
                require_desk_at(caller, row.institution_id, "the proposing institution")
            }
            _ => require_desk_at(caller, row.need_institution_id, "the need's institution"),
        }
        .map(|_| ())
    }
}

pub fn status_name(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Submitted => "SUBMITTED",
        ProposalStatus::Shortlisted => "SHORTLISTED",
        ProposalStatus::Accepted => "ACCEPTED",
        ProposalStatus::Declined => "DECLINED",
        ProposalStatus::Withdrawn => "WITHDRAWN",
    }
}

/// One requested move of a proposal, as the caller sent it.
pub struct Move {
    pub action: ApiResult<ProposalAction>,
    pub operation: &'static str,
    pub id: ApiResult<i64>,
    /// When given, must be the current version.
    pub version: Option<i32>,
    /// The proposal as the caller named it (for the audit log).
    pub target: String,
}

/// Moves a proposal through its workflow; accepting with `award` awards the need in the same
/// transaction.
pub async fn transition(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    request: Move,
) -> ApiResult<proposal::Model> {
    let Move {
        action,
        operation,
        id,
        version,
        target,
    } = request;
    let change = action
        .as_ref()
        .map(ProposalAction::change)
        .unwrap_or("moved");
    let (row, awarded) =
        crate::domain::audit::audited(db, caller, operation, Some(target), async |txn| {
            caller.require_authenticated()?;
            let row = readable(txn, caller, id?)
                .await?
                .ok_or(ApiError::NotFound("proposal"))?;
            let action = action?;
            action.authorize(caller, &row)?;
            let next = action.next(row.status).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "the proposal is {}: it cannot be {}",
                    status_name(row.status),
                    action.change()
                ),
            })?;
            expect_version("proposal", row.version, version)?;
            let need = business_need::Entity::find_by_id(row.need_id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::corrupt("a proposal's need is missing"))?;
            let need_state = needs::state_of(&need, Utc::now());
            let deciding = matches!(
                action,
                ProposalAction::Shortlist | ProposalAction::Accept { .. }
            );
            if deciding && matches!(need_state, NeedState::Awarded | NeedState::Cancelled) {
                return Err(ApiError::Conflict {
                    field: "id".into(),
                    message: format!(
                        "the need is {}: its proposals are settled",
                        need_state.name()
                    ),
                });
            }
            let now = Utc::now();
            let mut active = proposal::ActiveModel {
                status: Set(next),
                version: Set(row.version + 1),
                updated_at: Set(now),
                ..Default::default()
            };
            let mut award = false;
            match action {
                ProposalAction::Shortlist => {}
                ProposalAction::Accept { award: a, note } => {
                    award = a;
                    active.decision_note = Set(note);
                    active.decided_at = Set(Some(now));
                }
                ProposalAction::Decline { note } => {
                    active.decision_note = Set(note);
                    active.decided_at = Set(Some(now));
                }
                ProposalAction::Withdraw { reason } => active.decision_note = Set(reason),
            }
            let moved = proposal::Entity::update_many()
                .set(active)
                .filter(proposal::Column::Id.eq(row.id))
                .filter(proposal::Column::Version.eq(row.version))
                .exec(txn)
                .await?;
            if moved.rows_affected != 1 {
                return Err(ApiError::Conflict {
                    field: "version".into(),
                    message: "the proposal moved meanwhile: reload it".into(),
                });
            }
            let row = proposal::Entity::find_by_id(row.id)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("proposal"))?;
            events
                .notify_in(txn, &ProposalEvent::of(&row, change))
                .await?;
            let awarded = if award {
                let need = needs::store_move(txn, &need, NeedStatus::Awarded).await?;
                events
                    .notify_in(txn, &NeedEvent::of(&need, "awarded"))
                    .await?;
                Some(need)
            } else {
                None
            };
            Ok((row, awarded))
        })
        .await?;
    events.after_commit(ProposalEvent::of(&row, change));
    if let Some(need) = awarded {
        events.after_commit(NeedEvent::of(&need, "awarded"));
    }
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct ProposalFilter {
    pub need_id: Option<i64>,
    pub status: Option<ProposalStatus>,
    /// The proposing institution.
    pub institution_id: Option<i64>,
}

/// The proposals the caller may read, newest first.
pub async fn proposals(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &ProposalFilter,
    args: &PageArgs,
) -> ApiResult<Listing<proposal::Entity>> {
    use proposal::Column;
    let matching = readable_by(caller)
        .narrow_if(filter.need_id.map(|id| Column::NeedId.eq(id)))
        .narrow_if(filter.status.map(|s| Column::Status.eq(s)))
        .narrow_if(filter.institution_id.map(|id| Column::InstitutionId.eq(id)));
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &proposal::Model| SortValue::Int(m.id),
        id_of: |m: &proposal::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(sme_id: i64, share: i32) -> Member {
        Member {
            sme_id,
            processes: vec![],
            share,
        }
    }

    fn field_of(result: ApiResult<()>) -> String {
        match result {
            Err(ApiError::BadUserInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shares_sum_to_100_and_an_sme_comes_once() {
        assert!(check_members(&member(1, 100), &[]).is_ok());
        assert!(check_members(&member(1, 60), &[member(2, 30), member(3, 10)]).is_ok());
        assert_eq!(
            field_of(check_members(&member(1, 90), &[])),
            "input.lead.share"
        );
        assert_eq!(
            field_of(check_members(&member(1, 60), &[member(2, 30)])),
            "input.partners"
        );
        assert_eq!(
            field_of(check_members(&member(1, 50), &[member(1, 50)])),
            "input.partners[0].smeId"
        );
        assert_eq!(
            field_of(check_members(&member(1, 100), &[member(2, 0)])),
            "input.partners[0].share"
        );
        assert_eq!(
            field_of(check_members(&member(1, 101), &[])),
            "input.lead.share"
        );
    }

    #[test]
    fn the_workflow_allows_exactly_its_moves() {
        use ProposalStatus::*;
        let all = [Submitted, Shortlisted, Accepted, Declined, Withdrawn];
        let allowed = |action: ProposalAction| {
            all.iter()
                .filter(|s| action.next(**s).is_some())
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(ProposalAction::Shortlist), [Submitted]);
        assert_eq!(
            allowed(ProposalAction::Accept {
                award: true,
                note: None
            }),
            [Shortlisted]
        );
        assert_eq!(
            allowed(ProposalAction::Decline { note: None }),
            [Submitted, Shortlisted]
        );
        assert_eq!(
            allowed(ProposalAction::Withdraw { reason: None }),
            [Submitted, Shortlisted]
        );
    }
}
