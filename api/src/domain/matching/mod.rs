//! Sales promotion and business matching (the source's fifth activity, and the "new alliances of
//! SMEs" around a GNT hub company): SMEs' public showcases, buyers' needs posted by member
//! institutions, proposals by one SME or a consortium, candidates ranked for a need, matching
//! events with meetings in time slots, what came of them, and the network's figures.
//!
//! - **Who.** A *desk* is a person with the `evaluator` or `org_admin` role at a member
//!   institution: desks post needs for buyers (organisations of any kind, recorded in the
//!   directory), propose their SMEs, organise events and book meetings. `member` and the other
//!   roles read; network admins read everything and act for nobody.
//! - **Visibility** (one condition per table, below, that every list, count, `node(id:)`, nested
//!   field and subscription starts from):
//!   - a need: `PUBLIC` to anyone; `NETWORK` to members of the network; `INVITED` to the
//!     institutions it lists; always to its own institution and to network admins;
//!   - a proposal: to the proposing institution and the need's institution only (a proposer
//!     never sees another institution's proposals), and network admins;
//!   - a showcase: to anyone while the SME's consent stands; a product: with its SME's live
//!     showcase, and always to the SME's registering institution and network admins;
//!   - an event: to members of the network; a meeting and its outcome: to the event's organiser
//!     and the need's institution, and network admins.
//! - **Workflows.** A need is `OPEN → CLOSED | AWARDED | CANCELLED`, and reads `CLOSED` past its
//!   deadline. A proposal is `SUBMITTED → SHORTLISTED → ACCEPTED | DECLINED`, or `WITHDRAWN` by
//!   the proposer; only the need's institution decides, and accepting may award the need. Every
//!   move may name the version it moves (a stale one is a `CONFLICT`).

pub mod meetings;
pub mod needs;
pub mod outcomes;
pub mod proposals;
pub mod scoring;
pub mod showcase;
pub mod statistics;

use entity::matching_enums::ManufacturingProcess;
use sea_orm::ActiveEnum;

use crate::{
    auth::{Caller, Principal, Role},
    error::{ApiError, ApiResult},
};

/// Manufacturing processes kept as `,code,code,` (as industry fields are, [`crate::domain::fields`]).
pub fn encode_processes(processes: &[ManufacturingProcess]) -> String {
    let mut sorted = processes.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut text = String::from(",");
    for process in sorted {
        text.push_str(&process.to_value());
        text.push(',');
    }
    text
}

/// Codes this build does not know are skipped rather than failing a read.
pub fn decode_processes(text: &str) -> Vec<ManufacturingProcess> {
    text.split(',')
        .filter(|code| !code.is_empty())
        .filter_map(|code| ManufacturingProcess::try_from_value(&code.to_owned()).ok())
        .collect()
}

/// The `LIKE` pattern that matches a column holding `process` (`_` escaped).
pub fn process_pattern(process: ManufacturingProcess) -> String {
    format!("%,{},%", process.to_value().replace('_', "\\_"))
}

/// Ids kept as `,id,id,`.
pub fn encode_ids(ids: &[i64]) -> String {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut text = String::from(",");
    for id in sorted {
        text.push_str(&id.to_string());
        text.push(',');
    }
    text
}

pub fn decode_ids(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|id| id.parse().ok()).collect()
}

fn is_desk(principal: &Principal) -> bool {
    principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin)
}

/// A desk of a member institution (any): who posts needs, proposes and organises.
pub fn require_desk(caller: &Caller) -> ApiResult<&Principal> {
    let principal = caller.require_member()?;
    if is_desk(principal) {
        Ok(principal)
    } else {
        Err(ApiError::Forbidden(
            "this needs the evaluator or org_admin role at a member institution".into(),
        ))
    }
}

/// A desk of `institution_id` itself.
pub fn require_desk_at<'a>(
    caller: &'a Caller,
    institution_id: i64,
    what: &str,
) -> ApiResult<&'a Principal> {
    let principal = require_desk(caller)?;
    if principal.institution_id == institution_id {
        Ok(principal)
    } else {
        Err(ApiError::Forbidden(format!(
            "this needs the evaluator or org_admin role at {what}"
        )))
    }
}

/// A step that names the version it expects is refused on any other (`CONFLICT` naming
/// `version`); one that names none moves whatever version it finds.
pub fn expect_version(what: &str, current: i32, expected: Option<i32>) -> ApiResult<()> {
    match expected {
        Some(expected) if expected != current => Err(ApiError::Conflict {
            field: "version".into(),
            message: format!("the {what} is at version {current}, not {expected}: reload it"),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_round_trip_sorted_and_once() {
        let text = encode_processes(&[
            ManufacturingProcess::Welding,
            ManufacturingProcess::Machining,
            ManufacturingProcess::Welding,
        ]);
        assert_eq!(text, ",machining,welding,");
        assert_eq!(
            decode_processes(&text),
            [
                ManufacturingProcess::Machining,
                ManufacturingProcess::Welding
            ]
        );
        assert_eq!(
            process_pattern(ManufacturingProcess::HeatTreatment),
            "%,heat\\_treatment,%"
        );
        assert_eq!(encode_ids(&[7, 3, 7]), ",3,7,");
        assert_eq!(decode_ids(",3,7,"), [3, 7]);
    }
}
