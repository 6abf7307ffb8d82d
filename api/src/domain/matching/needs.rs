//! Buyers' needs: posted by a member institution on behalf of a buyer, read as their visibility
//! says, closed by their deadline or by the institution, awarded through a proposal, or
//! cancelled.

use chrono::{DateTime, Utc};
use entity::{
    business_need,
    enums::IndustryField,
    matching_enums::{ManufacturingProcess, NeedKind, NeedStatus, NeedVisibility},
    organization, patent, proposal,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};

use super::{
    encode_ids, encode_processes, expect_version, process_pattern, require_desk, require_desk_at,
};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        directory::grants_member_rights,
        events::{EventBus, NeedEvent},
        fields,
        idempotency::{self, Idempotency},
        listing::{Listing, list},
        money::Yen,
        page::{Keyset, PageArgs, SortValue},
        search::like,
    },
    error::{ApiError, ApiResult},
};

/// A need's state as read: the stored one, or `Closed` for an open need past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedState {
    Open,
    Closed,
    Awarded,
    Cancelled,
}

impl NeedState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Closed => "CLOSED",
            Self::Awarded => "AWARDED",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// The condition on stored rows that read in this state at `now`.
    fn condition(self, now: DateTime<Utc>) -> Condition {
        use business_need::Column;
        match self {
            Self::Open => Condition::all()
                .add(Column::Status.eq(NeedStatus::Open))
                .add(Column::Deadline.gte(now)),
            Self::Closed => Condition::any()
                .add(Column::Status.eq(NeedStatus::Closed))
                .add(
                    Condition::all()
                        .add(Column::Status.eq(NeedStatus::Open))
                        .add(Column::Deadline.lt(now)),
                ),
            Self::Awarded => Condition::all().add(Column::Status.eq(NeedStatus::Awarded)),
            Self::Cancelled => Condition::all().add(Column::Status.eq(NeedStatus::Cancelled)),
        }
    }
}

/// The state `row` reads in at `now`.
pub fn state_of(row: &business_need::Model, now: DateTime<Utc>) -> NeedState {
    match row.status {
        NeedStatus::Open if row.deadline < now => NeedState::Closed,
        NeedStatus::Open => NeedState::Open,
        NeedStatus::Closed => NeedState::Closed,
        NeedStatus::Awarded => NeedState::Awarded,
        NeedStatus::Cancelled => NeedState::Cancelled,
    }
}

/// The `LIKE` pattern of an id in an `,id,id,` column.
fn id_pattern(id: i64) -> String {
    format!("%,{id},%")
}

/// The needs `caller` may read: the one rule every list, count, look-up, nested read and
/// subscription of needs starts from. Filters narrow it.
pub fn readable_by(caller: &Caller) -> Readable<business_need::Entity> {
    use business_need::Column;
    let public = Column::Visibility.eq(NeedVisibility::Public);
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) if p.member => Readable::only(
            Condition::any()
                .add(public)
                .add(Column::Visibility.eq(NeedVisibility::Network))
                .add(Column::InstitutionId.eq(p.institution_id))
                .add(
                    Condition::all()
                        .add(Column::Visibility.eq(NeedVisibility::Invited))
                        .add(like(Column::Invited, id_pattern(p.institution_id))),
                ),
        ),
        _ => Readable::only(Condition::all().add(public)),
    }
}

/// A need the caller may read, or `None`.
pub async fn readable<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<business_need::Model>> {
    Ok(readable_by(caller)
        .narrow(business_need::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// Whether a subscriber hears of `event`: the need's institution, and institutions that
/// proposed to it, while they may read it.
pub async fn heard_by<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event: &NeedEvent,
) -> ApiResult<bool> {
    let Some(p) = caller.principal() else {
        return Ok(false);
    };
    let party = p.institution_id == event.institution_id || {
        let proposed: Option<i64> = proposal::Entity::find()
            .select_only()
            .column(proposal::Column::Id)
            .filter(proposal::Column::NeedId.eq(event.need_id))
            .filter(proposal::Column::InstitutionId.eq(p.institution_id))
            .into_tuple()
            .one(db)
            .await?;
        proposed.is_some()
    };
    Ok(party && readable(db, caller, event.need_id).await?.is_some())
}

#[derive(Debug, Clone)]
pub struct NewNeed {
    pub buyer_id: i64,
    pub kind: NeedKind,
    pub patent_id: Option<i64>,
    pub title_ja: String,
    pub title_en: String,
    pub description: Option<String>,
    pub fields: Vec<IndustryField>,
    pub processes: Vec<ManufacturingProcess>,
    pub quantity: Option<i32>,
    pub budget_min: Option<Yen>,
    pub budget_max: Option<Yen>,
    pub deadline: DateTime<Utc>,
    pub delivery_place: Option<String>,
    pub visibility: NeedVisibility,
    pub invited: Vec<i64>,
}

/// Checks what a need refers to and says, naming the field at fault.
async fn check<C: ConnectionTrait>(db: &C, input: &NewNeed) -> ApiResult<()> {
    if organization::Entity::find_by_id(input.buyer_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(ApiError::bad_input("input.buyerId", "no such organisation"));
    }
    match (input.kind, input.patent_id) {
        (NeedKind::JointDevelopment, Some(id)) => {
            if patent::Entity::find_by_id(id).one(db).await?.is_none() {
                return Err(ApiError::bad_input("input.patentId", "no such patent"));
            }
        }
        (_, Some(_)) => {
            return Err(ApiError::bad_input(
                "input.patentId",
                "only a JOINT_DEVELOPMENT need names a patent",
            ));
        }
        (_, None) => {}
    }
    if let (Some(min), Some(max)) = (input.budget_min, input.budget_max)
        && min > max
    {
        return Err(ApiError::bad_input(
            "input.budgetMax",
            "the budget's maximum is below its minimum",
        ));
    }
    if input.deadline <= Utc::now() {
        return Err(ApiError::bad_input(
            "input.deadline",
            "the deadline is in the past",
        ));
    }
    if let Some(quantity) = input.quantity
        && quantity < 1
    {
        return Err(ApiError::bad_input("input.quantity", "at least 1"));
    }
    match input.visibility {
        NeedVisibility::Invited if input.invited.is_empty() => {
            return Err(ApiError::bad_input(
                "input.invitedInstitutionIds",
                "an INVITED need lists the institutions it invites",
            ));
        }
        NeedVisibility::Invited => {
            let found = organization::Entity::find()
                .filter(organization::Column::Id.is_in(input.invited.iter().copied()))
                .all(db)
                .await?;
            let members = found
                .iter()
                .filter(|o| grants_member_rights(o.membership))
                .count();
            let mut distinct = input.invited.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if members != distinct.len() {
                return Err(ApiError::bad_input(
                    "input.invitedInstitutionIds",
                    "every invited institution is a member, cooperating or supporting body of \
                     the network",
                ));
            }
        }
        _ if !input.invited.is_empty() => {
            return Err(ApiError::bad_input(
                "input.invitedInstitutionIds",
                "only an INVITED need lists institutions",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Posts a need for a buyer: a desk of a member institution, which then decides on its
/// proposals.
pub async fn post(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewNeed>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<business_need::Model> {
    let row = idempotency::once(
        db,
        caller,
        "postBusinessNeed",
        target,
        key,
        async |txn| {
            let principal = require_desk(caller)?;
            let input = input?;
            check(txn, &input).await?;
            let now = Utc::now();
            let row = business_need::ActiveModel {
                institution_id: Set(principal.institution_id),
                buyer_id: Set(input.buyer_id),
                kind: Set(input.kind),
                patent_id: Set(input.patent_id),
                title_ja: Set(input.title_ja),
                title_en: Set(input.title_en),
                description: Set(input.description),
                fields: Set(fields::encode(&input.fields)),
                processes: Set(encode_processes(&input.processes)),
                quantity: Set(input.quantity),
                budget_min: Set(input.budget_min.map(Yen::get)),
                budget_max: Set(input.budget_max.map(Yen::get)),
                deadline: Set(input.deadline),
                delivery_place: Set(input.delivery_place),
                visibility: Set(input.visibility),
                invited: Set(encode_ids(&input.invited)),
                status: Set(NeedStatus::Open),
                version: Set(1),
                posted_by_subject: Set(principal.subject.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            events
                .notify_in(txn, &NeedEvent::of(&row, "posted"))
                .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = readable(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("business need"))?;
            require_desk_at(caller, row.institution_id, "the need's institution")?;
            Ok(row)
        },
    )
    .await?;
    events.after_commit(NeedEvent::of(&row, "posted"));
    Ok(row)
}

/// A move of a need by its institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedAction {
    Close,
    Cancel,
}

impl NeedAction {
    pub fn operation(self) -> &'static str {
        match self {
            Self::Close => "closeBusinessNeed",
            Self::Cancel => "cancelBusinessNeed",
        }
    }

    pub fn change(self) -> &'static str {
        match self {
            Self::Close => "closed",
            Self::Cancel => "cancelled",
        }
    }

    /// The stored state it leads to from the state read.
    pub fn next(self, from: NeedState) -> Option<NeedStatus> {
        match (self, from) {
            (Self::Close, NeedState::Open) => Some(NeedStatus::Closed),
            (Self::Cancel, NeedState::Open | NeedState::Closed) => Some(NeedStatus::Cancelled),
            _ => None,
        }
    }
}

/// Moves `row` to `next` from `version` within `txn`, or answers a stale-version conflict.
pub(super) async fn store_move<C: ConnectionTrait>(
    txn: &C,
    row: &business_need::Model,
    next: NeedStatus,
) -> ApiResult<business_need::Model> {
    let moved = business_need::Entity::update_many()
        .set(business_need::ActiveModel {
            status: Set(next),
            version: Set(row.version + 1),
            updated_at: Set(Utc::now()),
            ..Default::default()
        })
        .filter(business_need::Column::Id.eq(row.id))
        .filter(business_need::Column::Version.eq(row.version))
        .exec(txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(ApiError::Conflict {
            field: "version".into(),
            message: "the need moved meanwhile: reload it".into(),
        });
    }
    business_need::Entity::find_by_id(row.id)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound("business need"))
}

/// Closes or cancels a need: a desk of its institution.
pub async fn transition(
    db: &DatabaseConnection,
    events: &EventBus,
    caller: &Caller,
    action: NeedAction,
    id: ApiResult<i64>,
    version: Option<i32>,
    target: String,
) -> ApiResult<business_need::Model> {
    let change = action.change();
    let row =
        crate::domain::audit::audited(db, caller, action.operation(), Some(target), async |txn| {
            caller.require_authenticated()?;
            let row = readable(txn, caller, id?)
                .await?
                .ok_or(ApiError::NotFound("business need"))?;
            require_desk_at(caller, row.institution_id, "the need's institution")?;
            let state = state_of(&row, Utc::now());
            let next = action.next(state).ok_or_else(|| ApiError::Conflict {
                field: "id".into(),
                message: format!("the need is {}: it cannot be {change}", state.name()),
            })?;
            expect_version("need", row.version, version)?;
            let row = store_move(txn, &row, next).await?;
            events.notify_in(txn, &NeedEvent::of(&row, change)).await?;
            Ok(row)
        })
        .await?;
    events.after_commit(NeedEvent::of(&row, change));
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub kind: Option<NeedKind>,
    pub state: Option<NeedState>,
    pub institution_id: Option<i64>,
    pub field: Option<IndustryField>,
    pub process: Option<ManufacturingProcess>,
}

/// The needs the caller may read, newest first.
pub async fn needs(
    db: &DatabaseConnection,
    caller: &Caller,
    filter: &NeedFilter,
    args: &PageArgs,
) -> ApiResult<Listing<business_need::Entity>> {
    use business_need::Column;
    let now = Utc::now();
    let matching = readable_by(caller)
        .narrow_if(filter.kind.map(|k| Column::Kind.eq(k)))
        .narrow_if(filter.state.map(|s| s.condition(now)))
        .narrow_if(filter.institution_id.map(|id| Column::InstitutionId.eq(id)))
        .narrow_if(
            filter
                .field
                .map(|f| like(Column::Fields, fields::like_pattern(f))),
        )
        .narrow_if(
            filter
                .process
                .map(|p| like(Column::Processes, process_pattern(p))),
        );
    let keyset = Keyset {
        name: "newest",
        column: Column::Id,
        id: Column::Id,
        descending: true,
        value_of: |m: &business_need::Model| SortValue::Int(m.id),
        id_of: |m: &business_need::Model| m.id,
    };
    list(db, matching.select(), keyset, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_past_its_deadline_reads_closed_and_takes_only_cancellation() {
        assert_eq!(
            NeedAction::Close.next(NeedState::Open),
            Some(NeedStatus::Closed)
        );
        assert_eq!(NeedAction::Close.next(NeedState::Closed), None);
        assert_eq!(
            NeedAction::Cancel.next(NeedState::Closed),
            Some(NeedStatus::Cancelled)
        );
        assert_eq!(NeedAction::Cancel.next(NeedState::Awarded), None);
        assert_eq!(NeedAction::Cancel.next(NeedState::Cancelled), None);
    }
}
