//! Matching events (business-matching fairs, overseas missions) and the meetings booked at them,
//! each in one time slot between a need's buyer and an SME, with what came of it.
//!
//! No SME and no buyer is booked twice in one slot of an event: two unique indexes on
//! `(event, slot, SME)` and `(event, slot, buyer)` refuse the second booking, so that two
//! concurrent bookings cannot both pass a check and both commit, on SQLite and PostgreSQL alike.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use entity::{
    matching_enums::{MatchingEventKind, MeetingOutcome},
    matching_event, matching_meeting,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, SqlErr,
};

use super::{
    expect_version,
    needs::{self, NeedState},
    require_desk, require_desk_at,
};
use crate::{
    auth::{Caller, Role},
    domain::{
        access::Readable,
        idempotency::{self, Idempotency},
        listing::{Listing, list},
        money::Yen,
        page::{Keyset, PageArgs, SortValue},
    },
    error::{ApiError, ApiResult},
};

/// Japan's offset from UTC (no daylight saving time).
const JST_SECONDS: i32 = 9 * 3600;

/// The events `caller` may read: every one, for members of the network and network admins;
/// none for anyone else.
pub fn events_readable_by(caller: &Caller) -> Readable<matching_event::Entity> {
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) || p.member => Readable::everything(),
        _ => Readable::only(Condition::all().add(matching_event::Column::Id.lt(0))),
    }
}

/// The meetings `caller` may read: those of events its institution organises and of needs it
/// posted; everything for network admins.
pub fn meetings_readable_by(caller: &Caller) -> Readable<matching_meeting::Entity> {
    use matching_meeting::Column;
    match caller.principal() {
        Some(p) if p.has(Role::NetworkAdmin) => Readable::everything(),
        Some(p) => Readable::only(
            Condition::any()
                .add(Column::OrganiserId.eq(p.institution_id))
                .add(Column::NeedInstitutionId.eq(p.institution_id)),
        ),
        None => Readable::only(Condition::all().add(Column::Id.lt(0))),
    }
}

pub async fn event<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<matching_event::Model>> {
    Ok(events_readable_by(caller)
        .narrow(matching_event::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

pub async fn meeting<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    id: i64,
) -> ApiResult<Option<matching_meeting::Model>> {
    Ok(meetings_readable_by(caller)
        .narrow(matching_meeting::Column::Id.eq(id))
        .select()
        .one(db)
        .await?)
}

/// The meetings of an event that the caller may read, by slot.
pub async fn meetings_of<C: ConnectionTrait>(
    db: &C,
    caller: &Caller,
    event_id: i64,
) -> ApiResult<Vec<matching_meeting::Model>> {
    Ok(meetings_readable_by(caller)
        .narrow(matching_meeting::Column::EventId.eq(event_id))
        .select()
        .order_by_asc(matching_meeting::Column::SlotStart)
        .order_by_asc(matching_meeting::Column::Id)
        .all(db)
        .await?)
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: MatchingEventKind,
    pub name_ja: String,
    pub name_en: String,
    pub place: String,
    pub country_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub slot_minutes: i32,
}

/// Creates an event organised by the caller's institution: its desks.
pub async fn create_event(
    db: &DatabaseConnection,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewEvent>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<matching_event::Model> {
    idempotency::once(
        db,
        caller,
        "createMatchingEvent",
        target,
        key,
        async |txn| {
            let principal = require_desk(caller)?;
            let input = input?;
            if input.ends_on < input.starts_on {
                return Err(ApiError::bad_input(
                    "input.endsOn",
                    "the event ends before it starts",
                ));
            }
            if (input.ends_on - input.starts_on).num_days() > 31 {
                return Err(ApiError::bad_input(
                    "input.endsOn",
                    "an event lasts at most 32 days",
                ));
            }
            if !(5..=240).contains(&input.slot_minutes) || 1440 % input.slot_minutes != 0 {
                return Err(ApiError::bad_input(
                    "input.slotMinutes",
                    "a slot is 5 to 240 minutes and divides a day (15, 20, 30, 60 …)",
                ));
            }
            let row = matching_event::ActiveModel {
                organiser_id: Set(principal.institution_id),
                kind: Set(input.kind),
                name_ja: Set(input.name_ja),
                name_en: Set(input.name_en),
                place: Set(input.place),
                country_code: Set(input.country_code),
                starts_on: Set(input.starts_on),
                ends_on: Set(input.ends_on),
                slot_minutes: Set(input.slot_minutes),
                created_by_subject: Set(principal.subject.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = event(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("matching event"))?;
            require_desk_at(caller, row.organiser_id, "the organising institution")?;
            Ok(row)
        },
    )
    .await
}

/// Whether `slot` starts a slot of `event`: on a multiple of its length from midnight in Japan,
/// on one of its days.
pub fn check_slot(event: &matching_event::Model, slot: DateTime<Utc>) -> Result<(), String> {
    let offset = chrono::FixedOffset::east_opt(JST_SECONDS).ok_or("no offset")?;
    let local = slot.with_timezone(&offset);
    let day = local.date_naive();
    if day < event.starts_on || day > event.ends_on {
        return Err(format!(
            "the slot is not on a day of the event ({} to {}, in Japan)",
            event.starts_on, event.ends_on
        ));
    }
    let minutes = local.hour() * 60 + local.minute();
    if local.second() != 0
        || local.nanosecond() != 0
        || !minutes.is_multiple_of(u32::try_from(event.slot_minutes).unwrap_or(60))
    {
        return Err(format!(
            "slots start every {} minutes from midnight in Japan",
            event.slot_minutes
        ));
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub event_id: i64,
    pub need_id: i64,
    pub sme_id: i64,
    pub slot_start: DateTime<Utc>,
}

/// A unique violation on a booking: the SME or the buyer is already booked in that slot.
fn double_booking(err: sea_orm::DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) if message.contains("buyer") => {
            ApiError::Conflict {
                field: "input.needId".into(),
                message: "the need's buyer already has a meeting in this slot".into(),
            }
        }
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict {
            field: "input.smeId".into(),
            message: "the SME already has a meeting in this slot".into(),
        },
        _ => err.into(),
    }
}

/// Books a meeting at an event between a need's buyer and an SME: desks of the organising
/// institution, for a need they may read that is not cancelled.
pub async fn book(
    db: &DatabaseConnection,
    caller: &Caller,
    target: Option<String>,
    input: ApiResult<NewMeeting>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<matching_meeting::Model> {
    idempotency::once(
        db,
        caller,
        "bookMeeting",
        target,
        key,
        async |txn| {
            require_desk(caller)?;
            let input = input?;
            let event = event(txn, caller, input.event_id)
                .await?
                .ok_or(ApiError::NotFound("matching event"))?;
            let principal =
                require_desk_at(caller, event.organiser_id, "the organising institution")?;
            let need = needs::readable(txn, caller, input.need_id)
                .await?
                .ok_or(ApiError::NotFound("business need"))?;
            if needs::state_of(&need, Utc::now()) == NeedState::Cancelled {
                return Err(ApiError::Conflict {
                    field: "input.needId".into(),
                    message: "the need is CANCELLED".into(),
                });
            }
            if crate::domain::evaluation::smes::sme_by_id(txn, caller, input.sme_id)
                .await?
                .is_none()
            {
                return Err(ApiError::bad_input("input.smeId", "no such SME"));
            }
            check_slot(&event, input.slot_start)
                .map_err(|m| ApiError::bad_input("input.slotStart", m))?;
            let row = matching_meeting::ActiveModel {
                event_id: Set(event.id),
                need_id: Set(need.id),
                buyer_id: Set(need.buyer_id),
                need_institution_id: Set(need.institution_id),
                organiser_id: Set(event.organiser_id),
                sme_id: Set(input.sme_id),
                slot_start: Set(input.slot_start),
                outcome: Set(None),
                order_amount: Set(None),
                outcome_note: Set(None),
                version: Set(1),
                booked_by_subject: Set(principal.subject.clone()),
                created_at: Set(Utc::now()),
                outcome_recorded_at: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await
            .map_err(double_booking)?;
            let id = row.id;
            Ok((row, id))
        },
        async |id| {
            let row = meeting(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("meeting"))?;
            require_desk_at(caller, row.organiser_id, "the organising institution")?;
            Ok(row)
        },
    )
    .await
}

/// What came of a meeting, as recorded.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub outcome: MeetingOutcome,
    /// Required with `ORDER`, refused otherwise.
    pub amount: Option<Yen>,
    pub note: Option<String>,
}

/// The organiser's and the need's institution's desks record a meeting's outcome.
fn require_outcome_desk(caller: &Caller, row: &matching_meeting::Model) -> ApiResult<()> {
    let principal = require_desk(caller)?;
    if principal.institution_id == row.organiser_id
        || principal.institution_id == row.need_institution_id
    {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "this needs the evaluator or org_admin role at the organiser or the need's \
             institution"
                .into(),
        ))
    }
}

/// Records (or corrects) a meeting's outcome: desks of the organiser or of the need's
/// institution. Retry-safe with an idempotency key.
pub async fn record_outcome(
    db: &DatabaseConnection,
    caller: &Caller,
    target: String,
    id: ApiResult<i64>,
    version: Option<i32>,
    outcome: ApiResult<Outcome>,
    key: Option<ApiResult<Idempotency>>,
) -> ApiResult<matching_meeting::Model> {
    idempotency::once(
        db,
        caller,
        "recordMeetingOutcome",
        Some(target),
        key,
        async |txn| {
            caller.require_authenticated()?;
            let id = id?;
            let row = meeting(txn, caller, id)
                .await?
                .ok_or(ApiError::NotFound("meeting"))?;
            require_outcome_desk(caller, &row)?;
            let outcome = outcome?;
            match (outcome.outcome, outcome.amount) {
                (MeetingOutcome::Order, None) => {
                    return Err(ApiError::bad_input(
                        "input.amount",
                        "an ORDER is recorded with its amount",
                    ));
                }
                (MeetingOutcome::Order, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    return Err(ApiError::bad_input(
                        "input.amount",
                        "only an ORDER has an amount",
                    ));
                }
            }
            expect_version("meeting", row.version, version)?;
            let now = Utc::now();
            let current = row.version;
            let mut active = row.into_active_model();
            active.outcome = Set(Some(outcome.outcome));
            active.order_amount = Set(outcome.amount.map(Yen::get));
            active.outcome_note = Set(outcome.note);
            active.outcome_recorded_at = Set(Some(now));
            active.version = Set(current + 1);
            let moved = matching_meeting::Entity::update_many()
                .set(active)
                .filter(matching_meeting::Column::Id.eq(id))
                .filter(matching_meeting::Column::Version.eq(current))
                .exec(txn)
                .await?;
            if moved.rows_affected != 1 {
                return Err(ApiError::Conflict {
                    field: "version".into(),
                    message: "the meeting changed meanwhile: reload it".into(),
                });
            }
            let row = matching_meeting::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ApiError::NotFound("meeting"))?;
            Ok((row, id))
        },
        async |id| {
            let row = meeting(db, caller, id)
                .await?
                .ok_or(ApiError::NotFound("meeting"))?;
            require_outcome_desk(caller, &row)?;
            Ok(row)
        },
    )
    .await
}

/// The events the caller may read, newest first (none for callers outside the network).
pub async fn events(
    db: &DatabaseConnection,
    caller: &Caller,
    args: &PageArgs,
) -> ApiResult<Listing<matching_event::Entity>> {
    let keyset = Keyset {
        name: "newest",
        column: matching_event::Column::Id,
        id: matching_event::Column::Id,
        descending: true,
        value_of: |m: &matching_event::Model| SortValue::Int(m.id),
        id_of: |m: &matching_event::Model| m.id,
    };
    list(db, events_readable_by(caller).select(), keyset, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_start_on_multiples_of_their_length_in_japan() {
        let event = matching_event::Model {
            id: 1,
            organiser_id: 1,
            kind: MatchingEventKind::Fair,
            name_ja: "商談会".into(),
            name_en: "Fair".into(),
            place: "Nagoya".into(),
            country_code: "JP".into(),
            starts_on: NaiveDate::from_ymd_opt(2027, 5, 10).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2027, 5, 11).unwrap(),
            slot_minutes: 30,
            created_by_subject: "u".into(),
            created_at: Utc::now(),
        };
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(check_slot(&event, at("2027-05-10T10:30:00+09:00")).is_ok());
        assert!(check_slot(&event, at("2027-05-11T01:00:00Z")).is_ok());
        assert!(check_slot(&event, at("2027-05-10T10:15:00+09:00")).is_err());
        assert!(check_slot(&event, at("2027-05-12T10:00:00+09:00")).is_err());
        // 23:30 on the 9th in UTC is the 10th in Japan.
        assert!(check_slot(&event, at("2027-05-09T23:30:00Z")).is_ok());
    }
}
