//! Licensing inquiries: a member institution asks a patent's holder, on behalf of an SME it
//! supports, whether the SME may license the patent.
//!
//! - **Who sends.** An evaluator or org admin of a member institution, for an SME the institution
//!   registered or has evaluated, about an `OPEN` patent in force held by another organisation.
//! - **Workflow.** `SENT → ACKNOWLEDGED → IN_DISCUSSION → AGREED | DECLINED`, answered by the
//!   holder's `licensing` or `org_admin`; the holder may decline at any point before an end, and
//!   the sender may withdraw (`WITHDRAWN`) at any point before an end. `AGREED` records the
//!   licence form (one the patent offers) and the date; an exclusive licence moves the patent to
//!   `LICENSED_EXCLUSIVELY`. Each move is versioned (a stale version is a `CONFLICT`), audited,
//!   idempotent with a key, and heard by both institutions' subscribers.
//! - **Who reads.** The sending institution, the holder, and network admins. For anyone else an
//!   inquiry does not exist.

use chrono::{NaiveDate, Utc};
use entity::{
    enums::{InquiryStatus, LicenceForm, PatentLicensing},
    evaluation, licensing_inquiry, patent, sme,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};

use super::{decode_forms, readable as readable_patent, require_holder, stale};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        dates,
        events::{EventBus, InquiryEvent},
        idempotency::{self, Idempotency},
        listing::{Listing, list},
        page::{Keyset, PageArgs, SortValue},
    },
    error::{ApiError, ApiResult},
};

/// A message's length, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// The inquiries `caller` may read: every list, look-up and subscription starts here.
pub fn readable_by(caller: &Caller) -> Readable<licensing_inquiry::Entity> {
    use licensing_inquiry::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => Readable::only(
            Condition::any()
                .add(Column::SenderInstitutionId.eq(p.institution_id))
                .add(Column::HolderId.eq(p.institution_id)),
        ),
        // Nothing: the listing asks anonymous callers to sign in first.
        None => Readable::only(Condition::all().add(Column::Id.lt(0))),
    }
}

#[tracing::instrument(skip_all)]
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<licensing_inquiry::Model>> {
    Ok(readable_by(caller)
        .narrow(licensing_inquiry::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether a subscriber hears of `event`: one side of the inquiry, who may read it as it stands.
#[tracing::instrument(skip_all)]
pub async fn heard_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event: &InquiryEvent,
) -> ApiResult<bool> {
    match caller.principal() {
        Some(p)
            if p.institution_id == event.sender_institution_id
                || p.institution_id == event.holder_id =>
        {
            Ok(readable(db, caller, event.inquiry_id).await?.is_some())
        }
        _ => Ok(false),
    }
}

#[derive(Debug, Clone, Default)]
pub struct InquiryFilter {
    pub patent_id: Option<i64>,
    pub sme_id: Option<i64>,
    pub status: Option<InquiryStatus>,
}

/// The inquiries the caller may read, newest first. Signed-in callers only.
#[tracing::instrument(skip_all)]
pub async fn inquiries(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &InquiryFilter,
    args: &PageArgs,
) -> ApiResult<Listing<licensing_inquiry::Entity>> {
    use licensing_inquiry::Column;
    caller.require_authenticated()?;
    let matching = readable_by(caller)
        .narrow_if(filter.patent_id.map(|id| Column::PatentId.eq(id)))
        .narrow_if(filter.sme_id.map(|id| Column::SmeId.eq(id)))
        .narrow_if(filter.status.map(|s| Column::Status.eq(s)));
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &licensing_inquiry::Model| SortValue::Int(m.id),
        id_of: |m: &licensing_inquiry::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

#[derive(Debug, Clone)]
pub struct NewInquiry {
    pub patent_id: i64,
    pub sme_id: i64,
    pub message: String,
}

/// Whether the caller's institution supports the SME: registered it, or evaluated it.
async fn supports<C: ConnectionTrait>(
    db: &C,
    institution_id: i64,
    sme: &sme::Model,
) -> ApiResult<bool> {
    if sme.created_by_institution_id == institution_id {
        return Ok(true);
    }
    let evaluations = evaluation::Entity::find()
        .filter(evaluation::Column::SmeId.eq(sme.id))
        .filter(evaluation::Column::InstitutionId.eq(institution_id))
        .count(db)
        .await?;
    Ok(evaluations > 0)
}

fn sender_role(caller: &Caller) -> ApiResult<&crate::auth::Principal> {
    let principal = caller.require_member()?;
    if principal.has(Role::Evaluator) || principal.has(Role::OrgAdmin) {
        Ok(principal)
    } else {
        Err(ApiError::Forbidden(
            "inquiries are sent by a member institution's evaluator or org_admin".into(),
        ))
    }
}

/// A member institution sends an inquiry on behalf of an SME it supports.
#[tracing::instrument(skip_all)]
pub async fn send(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    input: ApiResult<NewInquiry>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<licensing_inquiry::Model> {
    let target = input.as_ref().ok().map(|i| i.patent_id.to_string());
    let row = idempotency::once(
        db,
        caller,
        "sendLicensingInquiry",
        target,
        key,
        async |txn| {
            let principal = sender_role(caller)?;
            let input = input?;
            let sme = sme::Entity::find_by_id(input.sme_id)
                .one(txn)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.smeId", "no such SME"))?;
            if !supports(txn, principal.institution_id, &sme).await? {
                return Err(ApiError::Forbidden(
                    "an institution sends inquiries for SMEs it registered or evaluated".into(),
                ));
            }
            let patent = readable_patent(txn, caller, input.patent_id)
                .await?
                .ok_or_else(|| ApiError::bad_input("input.patentId", "no such patent"))?;
            if patent.holder_id == principal.institution_id {
                return Err(ApiError::bad_input(
                    "input.patentId",
                    "your institution holds this patent",
                ));
            }
            if patent.licensing != PatentLicensing::Open
                || patent.expires_on < dates::today_in_japan()
            {
                return Err(ApiError::Conflict {
                    field: "input.patentId".into(),
                    message: "the patent is not offered for licensing".into(),
                });
            }
            let now = Utc::now();
            let row = licensing_inquiry::ActiveModel {
                patent_id: Set(patent.id),
                sme_id: Set(sme.id),
                sender_institution_id: Set(principal.institution_id),
                holder_id: Set(patent.holder_id),
                sender_subject: Set(principal.subject.clone()),
                message: Set(input.message),
                status: Set(InquiryStatus::Sent),
                version: Set(1),
                licence_form: Set(None),
                agreed_on: Set(None),
                note: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            events
                .notify_in(txn, &InquiryEvent::of(&row, "sent"))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            sender_role(caller)?;
            readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("licensing inquiry"))
        },
    )
    .await?;
    events.after_commit(InquiryEvent::of(&row, "sent"));
    Ok(row)
}

/// A move in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    StartDiscussion,
    Agree {
        form: LicenceForm,
        on: Option<NaiveDate>,
    },
    Decline,
    Withdraw,
}

impl Action {
    pub fn operation(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledgeLicensingInquiry",
            Self::StartDiscussion => "startLicensingDiscussion",
            Self::Agree { .. } => "agreeLicensingInquiry",
            Self::Decline => "declineLicensingInquiry",
            Self::Withdraw => "withdrawLicensingInquiry",
        }
    }

    fn change(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledged",
            Self::StartDiscussion => "discussion_started",
            Self::Agree { .. } => "agreed",
            Self::Decline => "declined",
            Self::Withdraw => "withdrawn",
        }
    }

    /// The state it leads to from `from`, if it may be taken there.
    pub fn next(self, from: InquiryStatus) -> Option<InquiryStatus> {
        use InquiryStatus::*;
        match (self, from) {
            (Self::Acknowledge, Sent) => Some(Acknowledged),
            (Self::StartDiscussion, Acknowledged) => Some(InDiscussion),
            (Self::Agree { .. }, InDiscussion) => Some(Agreed),
            (Self::Decline, Sent | Acknowledged | InDiscussion) => Some(Declined),
            (Self::Withdraw, Sent | Acknowledged | InDiscussion) => Some(Withdrawn),
            _ => None,
        }
    }

    /// Whether the sender takes it (else the holder).
    fn by_sender(self) -> bool {
        matches!(self, Self::Withdraw)
    }
}

fn state_name(status: InquiryStatus) -> &'static str {
    match status {
        InquiryStatus::Sent => "SENT",
        InquiryStatus::Acknowledged => "ACKNOWLEDGED",
        InquiryStatus::InDiscussion => "IN_DISCUSSION",
        InquiryStatus::Agreed => "AGREED",
        InquiryStatus::Declined => "DECLINED",
        InquiryStatus::Withdrawn => "WITHDRAWN",
    }
}

/// The inquiry to move: one the caller may read (else it does not exist for them), on the side
/// that takes `action` (else `FORBIDDEN`).
async fn to_move<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: ApiResult<i64>,
    action: Action,
) -> ApiResult<licensing_inquiry::Model> {
    caller.require_authenticated()?;
    let row = readable(db, caller, id?)
        .await?
        .ok_or(ApiError::NotFound("licensing inquiry"))?;
    if action.by_sender() {
        let p = caller.require_authenticated()?;
        if !(p.acts_for(row.sender_institution_id, Role::Evaluator)
            || p.acts_for(row.sender_institution_id, Role::OrgAdmin))
        {
            return Err(ApiError::Forbidden(
                "the sending institution's evaluator or org_admin withdraws an inquiry".into(),
            ));
        }
    } else {
        require_holder(caller, row.holder_id)?;
    }
    Ok(row)
}

pub struct Move {
    pub action: Action,
    pub target: String,
    pub id: ApiResult<i64>,
    pub version: Option<i32>,
    pub note: ApiResult<Option<String>>,
    pub key: Option<ApiResult<Idempotency>>,
}

/// Moves an inquiry through its workflow.
#[tracing::instrument(skip_all)]
pub async fn transition(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    request: Move,
) -> ApiResult<licensing_inquiry::Model> {
    let Move {
        action,
        target,
        id,
        version,
        note,
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
            let row = to_move(txn, caller, id, action).await?;
            let note = note?;
            let next = action.next(row.status).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!(
                    "the inquiry is {}: it cannot be {}",
                    state_name(row.status),
                    action.change()
                ),
            })?;
            if version.is_some_and(|v| v != row.version) {
                return Err(stale("inquiry", row.version));
            }
            let next_version = row.version + 1;
            let patent_id = row.patent_id;
            let mut active = row.into_active_model();
            if let Action::Agree { form, on } = action {
                let patent = patent::Entity::find_by_id(patent_id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| ApiError::corrupt("an inquiry's patent is missing"))?;
                if !decode_forms(&patent.licence_forms).contains(&form) {
                    return Err(ApiError::bad_input(
                        "licenceForm",
                        "the holder does not offer this licence form for the patent",
                    ));
                }
                let today = dates::today_in_japan();
                let on = on.unwrap_or(today);
                if on > today {
                    return Err(ApiError::bad_input(
                        "agreedOn",
                        "an agreement is recorded once made: not a future date",
                    ));
                }
                active.licence_form = Set(Some(form));
                active.agreed_on = Set(Some(on));
                if form == LicenceForm::Exclusive {
                    let next_patent_version = patent.version + 1;
                    let mut patent = patent.into_active_model();
                    patent.licensing = Set(PatentLicensing::LicensedExclusively);
                    patent.version = Set(next_patent_version);
                    patent.updated_at = Set(Utc::now());
                    patent.update(txn).await?;
                }
            }
            if note.is_some() {
                active.note = Set(note);
            }
            active.status = Set(next);
            active.version = Set(next_version);
            active.updated_at = Set(Utc::now());
            let row = active.update(txn).await?;
            events
                .notify_in(txn, &InquiryEvent::of(&row, action.change()))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| to_move(db, caller, Ok(replay_id.unwrap_or(id)), action).await,
    )
    .await?;
    events.after_commit(InquiryEvent::of(&row, action.change()));
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_exactly_its_moves() {
        use InquiryStatus::*;
        let all = [
            Sent,
            Acknowledged,
            InDiscussion,
            Agreed,
            Declined,
            Withdrawn,
        ];
        let allowed = |action: Action| {
            all.iter()
                .filter(|s| action.next(**s).is_some())
                .copied()
                .collect::<Vec<_>>()
        };
        let agree = Action::Agree {
            form: LicenceForm::Exclusive,
            on: None,
        };
        assert_eq!(allowed(Action::Acknowledge), [Sent]);
        assert_eq!(allowed(Action::StartDiscussion), [Acknowledged]);
        assert_eq!(allowed(agree), [InDiscussion]);
        assert_eq!(allowed(Action::Decline), [Sent, Acknowledged, InDiscussion]);
        assert_eq!(
            allowed(Action::Withdraw),
            [Sent, Acknowledged, InDiscussion]
        );
    }
}
