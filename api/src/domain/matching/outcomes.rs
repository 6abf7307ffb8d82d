//! What an SME won through matching: accepted proposals it was part of (with the consortium's
//! partners) and meetings that ended in an order, as far as the caller may read them.

use chrono::{DateTime, Utc};
use entity::{
    matching_enums::{MeetingOutcome, ProposalStatus},
    proposal, proposal_member,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::{meetings, proposals};
use crate::{auth::Caller, error::ApiResult};

/// One order won.
#[derive(Debug, Clone)]
pub struct Won {
    pub need_id: i64,
    /// Set for an accepted proposal.
    pub proposal_id: Option<i64>,
    /// Set for a meeting that ended in an order.
    pub meeting_id: Option<i64>,
    /// The proposal's price or the order's amount, in yen, when recorded.
    pub amount: Option<i64>,
    /// The SME's share of a proposal, in percent (100 for a meeting's order).
    pub share_percent: i32,
    /// The other SMEs of the consortium.
    pub partner_ids: Vec<i64>,
    pub at: DateTime<Utc>,
}

/// The orders `sme_id` won that the caller may read, newest first.
pub async fn of_sme<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    sme_id: i64,
) -> ApiResult<Vec<Won>> {
    let mine = proposal_member::Entity::find()
        .select_only()
        .column(proposal_member::Column::ProposalId)
        .filter(proposal_member::Column::SmeId.eq(sme_id))
        .into_query();
    let accepted = proposals::readable_by(caller)
        .narrow(proposal::Column::Status.eq(ProposalStatus::Accepted))
        .narrow(proposal::Column::Id.in_subquery(mine))
        .select()
        .all(db)
        .await?;
    let ids: Vec<i64> = accepted.iter().map(|p| p.id).collect();
    let members = if ids.is_empty() {
        Vec::new()
    } else {
        proposal_member::Entity::find()
            .filter(proposal_member::Column::ProposalId.is_in(ids))
            .order_by_asc(proposal_member::Column::Id)
            .all(db)
            .await?
    };
    let mut won: Vec<Won> = accepted
        .into_iter()
        .map(|p| {
            let of: Vec<&proposal_member::Model> =
                members.iter().filter(|m| m.proposal_id == p.id).collect();
            Won {
                need_id: p.need_id,
                proposal_id: Some(p.id),
                meeting_id: None,
                amount: p.price,
                share_percent: of
                    .iter()
                    .find(|m| m.sme_id == sme_id)
                    .map_or(0, |m| m.share_percent),
                partner_ids: of
                    .iter()
                    .filter(|m| m.sme_id != sme_id)
                    .map(|m| m.sme_id)
                    .collect(),
                at: p.decided_at.unwrap_or(p.updated_at),
            }
        })
        .collect();
    for meeting in meetings::meetings_readable_by(caller)
        .narrow(entity::matching_meeting::Column::SmeId.eq(sme_id))
        .narrow(entity::matching_meeting::Column::Outcome.eq(MeetingOutcome::Order))
        .select()
        .all(db)
        .await?
    {
        won.push(Won {
            need_id: meeting.need_id,
            proposal_id: None,
            meeting_id: Some(meeting.id),
            amount: meeting.order_amount,
            share_percent: 100,
            partner_ids: Vec::new(),
            at: meeting.outcome_recorded_at.unwrap_or(meeting.created_at),
        });
    }
    won.sort_by_key(|w| std::cmp::Reverse(w.at));
    Ok(won)
}
