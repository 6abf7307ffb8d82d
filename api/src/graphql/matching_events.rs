//! Matching events and their meetings, what SMEs won through matching (`Sme.outcomes`), and the
//! network's figures (`matchingStatistics`), in GraphQL.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{matching_enums, matching_event, matching_meeting};

use super::{
    connection::{Conn, connection},
    context::{caller, db},
    directory::Organization,
    ids::{self, NodeType},
    matching::{BusinessNeed, Proposal, fingerprint, organization, required, sme, text, yen},
    money::Yen,
    qualifications::Date,
    smes::Sme,
    vocabulary::Country,
};
use crate::{
    domain::{
        country::CountryCode,
        idempotency::Idempotency,
        matching::{meetings, needs, outcomes, proposals, statistics},
    },
    error::{ApiError, ApiResult},
};

/// A matching event's kind.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::MatchingEventKind")]
pub enum MatchingEventKind {
    /// A business-matching fair (商談会).
    Fair,
    /// A mission abroad, such as SMEs taken to an international air show.
    OverseasMission,
}

/// What came of a meeting.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "matching_enums::MeetingOutcome")]
pub enum MeetingOutcome {
    /// A non-disclosure agreement was signed.
    Nda,
    /// The SME was asked for a quotation.
    Quotation,
    /// The buyer placed an order (with its amount).
    Order,
    /// Nothing came of it.
    None,
}

pub struct MatchingEvent(pub matching_event::Model);

/// A business-matching fair or an overseas mission, organised by a member institution, with
/// meetings booked in time slots. Members of the network read events; a meeting only its
/// organiser and the need's institution (and network admins).
#[Object]
impl MatchingEvent {
    /// The event's global ID.
    pub async fn id(&self) -> ID {
        NodeType::MatchingEvent.id(self.0.id)
    }
    /// The organising member institution.
    async fn organiser(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.organiser_id, "an event's organiser").await
    }
    /// Fair or overseas mission.
    async fn kind(&self) -> MatchingEventKind {
        self.0.kind.into()
    }
    /// The name in Japanese.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// The name in English.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Where it takes place.
    async fn place(&self) -> &str {
        &self.0.place
    }
    /// The country it takes place in.
    async fn country(&self) -> Country {
        Country(self.0.country_code.clone())
    }
    /// Its first day (in Japan).
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// Its last day (in Japan).
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
    /// The length of a meeting slot, in minutes; slots start on its multiples from midnight in
    /// Japan.
    async fn slot_minutes(&self) -> i32 {
        self.0.slot_minutes
    }
    /// The meetings booked that the caller may read, by slot.
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<MatchingMeeting>> {
        Ok(meetings::meetings_of(db(ctx)?, caller(ctx), self.0.id)
            .await?
            .into_iter()
            .map(MatchingMeeting)
            .collect())
    }
    /// The buyers taking part, from the meetings the caller may read.
    async fn buyers(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let mut ids: Vec<i64> = meetings::meetings_of(db(ctx)?, caller(ctx), self.0.id)
            .await?
            .iter()
            .map(|m| m.buyer_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            out.push(organization(ctx, id, "a buyer").await?);
        }
        Ok(out)
    }
    /// The SMEs taking part, from the meetings the caller may read.
    async fn smes(&self, ctx: &Context<'_>) -> Result<Vec<Sme>> {
        let mut ids: Vec<i64> = meetings::meetings_of(db(ctx)?, caller(ctx), self.0.id)
            .await?
            .iter()
            .map(|m| m.sme_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = Vec::new();
        for id in ids {
            out.push(sme(ctx, id).await?);
        }
        Ok(out)
    }
}

pub struct MatchingMeeting(pub matching_meeting::Model);

/// A meeting at an event, in one slot, between a need's buyer and an SME. No SME and no buyer
/// has two meetings in one slot.
#[Object]
impl MatchingMeeting {
    /// The meeting's global ID.
    pub async fn id(&self) -> ID {
        NodeType::MatchingMeeting.id(self.0.id)
    }
    /// The event, when the caller may read it.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<MatchingEvent>> {
        Ok(meetings::event(db(ctx)?, caller(ctx), self.0.event_id)
            .await?
            .map(MatchingEvent))
    }
    /// The need met about, when the caller may read it.
    async fn need(&self, ctx: &Context<'_>) -> Result<Option<BusinessNeed>> {
        Ok(needs::readable(db(ctx)?, caller(ctx), self.0.need_id)
            .await?
            .map(BusinessNeed))
    }
    /// The need's buyer.
    async fn buyer(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.buyer_id, "a meeting's buyer").await
    }
    /// The SME.
    async fn sme(&self, ctx: &Context<'_>) -> Result<Sme> {
        sme(ctx, self.0.sme_id).await
    }
    /// When the slot starts.
    async fn slot_start(&self) -> DateTime<Utc> {
        self.0.slot_start
    }
    /// What came of it; null until recorded.
    async fn outcome(&self) -> Option<MeetingOutcome> {
        self.0.outcome.map(Into::into)
    }
    /// The order's amount, with an `ORDER` outcome.
    async fn order_amount(&self) -> Result<Option<Yen>> {
        Ok(self
            .0
            .order_amount
            .map(|v| yen(v, "order amount"))
            .transpose()?)
    }
    /// A note on the outcome.
    async fn outcome_note(&self) -> Option<&str> {
        self.0.outcome_note.as_deref()
    }
    /// 1 when booked, one more with every outcome recorded.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct SmeOutcome {
    won: outcomes::Won,
}

/// An order an SME won through business matching: an accepted proposal it was part of, or a
/// meeting that ended in an order.
#[Object]
impl SmeOutcome {
    /// The need the order answers, when the caller may read it.
    async fn need(&self, ctx: &Context<'_>) -> Result<Option<BusinessNeed>> {
        Ok(needs::readable(db(ctx)?, caller(ctx), self.won.need_id)
            .await?
            .map(BusinessNeed))
    }
    /// The accepted proposal, when the order came from one.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        let Some(id) = self.won.proposal_id else {
            return Ok(None);
        };
        Ok(proposals::readable(db(ctx)?, caller(ctx), id)
            .await?
            .map(Proposal))
    }
    /// The meeting, when the order came from one.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<MatchingMeeting>> {
        let Some(id) = self.won.meeting_id else {
            return Ok(None);
        };
        Ok(meetings::meeting(db(ctx)?, caller(ctx), id)
            .await?
            .map(MatchingMeeting))
    }
    /// The proposal's price or the order's amount, when recorded (the whole order: the SME's
    /// part is `sharePercent` of it).
    async fn amount(&self) -> Result<Option<Yen>> {
        Ok(self.won.amount.map(|v| yen(v, "amount")).transpose()?)
    }
    /// The SME's share of the order, in percent.
    async fn share_percent(&self) -> i32 {
        self.won.share_percent
    }
    /// The other SMEs of a joint order.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Sme>> {
        let mut out = Vec::new();
        for id in &self.won.partner_ids {
            out.push(sme(ctx, *id).await?);
        }
        Ok(out)
    }
    /// When the order was won (the acceptance, or the outcome's recording).
    async fn won_at(&self) -> DateTime<Utc> {
        self.won.at
    }
}

/// The orders an SME won that the caller may read: called from `Sme.outcomes`.
pub async fn outcomes_of(ctx: &Context<'_>, sme_id: i64) -> Result<Vec<SmeOutcome>> {
    Ok(outcomes::of_sme(db(ctx)?, caller(ctx), sme_id)
        .await?
        .into_iter()
        .map(|won| SmeOutcome { won })
        .collect())
}

/// One bureau's figures in `matchingStatistics`.
#[derive(SimpleObject)]
pub struct MatchingStatisticsGroup {
    /// The METI bureau of the need's posting institution (`kanto`), `unknown`, or `other` for
    /// the small groups folded together for callers outside the network.
    key: String,
    /// Needs posted in the fiscal year.
    needs: u64,
    /// Proposals submitted in the fiscal year.
    proposals: u64,
    /// Proposals of a consortium accepted in the fiscal year.
    joint_orders: u64,
    /// Orders won in the fiscal year: accepted proposals and meetings that ended in an order.
    orders_won: u64,
    /// Their value: the accepted proposals' prices and the orders' amounts.
    order_value: Yen,
}

/// The network's business-matching figures for a fiscal year.
#[derive(SimpleObject)]
pub struct MatchingStatistics {
    /// The fiscal year: April of this year to March of the next.
    fiscal_year: i32,
    /// Per bureau; for callers outside the network only bureaus with at least 3 needs posted,
    /// the rest folded into `other`.
    groups: Vec<MatchingStatisticsGroup>,
}

/// A matching event.
#[derive(InputObject)]
pub struct CreateMatchingEventInput {
    /// Fair or overseas mission.
    pub kind: MatchingEventKind,
    /// The name in Japanese, 1–200 characters.
    pub name_ja: String,
    /// The name in English, 1–200 characters.
    pub name_en: String,
    /// Where, 1–200 characters.
    pub place: String,
    /// The country, ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The first day (in Japan).
    pub starts_on: Date,
    /// The last day (in Japan); at most 31 days after the first.
    pub ends_on: Date,
    /// The length of a slot in minutes, 5–240, dividing a day.
    #[graphql(default = 30)]
    pub slot_minutes: i32,
}

/// A meeting to book.
#[derive(InputObject)]
pub struct BookMeetingInput {
    /// The event (organised by the caller's institution).
    pub event_id: ID,
    /// The need whose buyer meets.
    pub need_id: ID,
    /// The SME that meets.
    pub sme_id: ID,
    /// When the slot starts: on one of the event's days, on a multiple of its slot length from
    /// midnight in Japan.
    pub slot_start: DateTime<Utc>,
}

/// What came of a meeting.
#[derive(InputObject)]
pub struct RecordMeetingOutcomeInput {
    /// The outcome.
    pub outcome: MeetingOutcome,
    /// The order's amount: required with `ORDER`, refused otherwise.
    pub amount: Option<Yen>,
    /// A note, up to 2000 characters.
    pub note: Option<String>,
}

#[derive(Default)]
pub struct MatchingEventQuery;

#[Object]
impl MatchingEventQuery {
    /// The matching events, newest first: for members of the network; none for anyone else.
    #[graphql(complexity = "super::connection::cost(first, last, child_complexity)")]
    async fn matching_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Returns the first n events.")] first: Option<i32>,
        #[graphql(desc = "Returns the events after this cursor.")] after: Option<String>,
        #[graphql(desc = "Returns the last n events.")] last: Option<i32>,
        #[graphql(desc = "Returns the events before this cursor.")] before: Option<String>,
    ) -> Result<Conn<MatchingEvent>> {
        let db = db(ctx)?;
        let page = super::connection::page_args(ctx, first, after, last, before);
        let listing = meetings::events(db, caller(ctx), &page).await?;
        Ok(connection(db, listing, MatchingEvent))
    }

    /// One event the caller may read; null otherwise.
    async fn matching_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's global ID.")] id: ID,
    ) -> Result<Option<MatchingEvent>> {
        let key = ids::decode_as(&id, NodeType::MatchingEvent, "id")?;
        Ok(meetings::event(db(ctx)?, caller(ctx), key)
            .await?
            .map(MatchingEvent))
    }

    /// The network's business-matching figures for a fiscal year, per METI bureau. Members of
    /// the network see every bureau; other callers only bureaus with at least 3 needs posted,
    /// the rest folded into `other` (the rule of `referralStatistics`).
    async fn matching_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fiscal year: April of this year to March of the next.")]
        fiscal_year: i32,
    ) -> Result<MatchingStatistics> {
        let groups = statistics::statistics(db(ctx)?, caller(ctx), fiscal_year).await?;
        let groups = groups
            .into_iter()
            .map(|g| {
                Ok(MatchingStatisticsGroup {
                    key: g.key,
                    needs: g.needs,
                    proposals: g.proposals,
                    joint_orders: g.joint_orders,
                    orders_won: g.orders_won,
                    order_value: yen(
                        g.order_value.min(crate::domain::money::Yen::MAX),
                        "order value",
                    )?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(MatchingStatistics {
            fiscal_year,
            groups,
        })
    }
}

#[derive(Default)]
pub struct MatchingEventMutation;

#[Object]
impl MatchingEventMutation {
    /// Creates a matching event organised by the caller's institution: its evaluators and org
    /// admins, at a member institution. Retry-safe with `idempotencyKey`.
    async fn create_matching_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateMatchingEventInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<MatchingEvent> {
        let key = fingerprint(&idempotency_key, "createMatchingEvent", &input);
        let target = Some(input.name_en.clone());
        let parsed = (|| {
            Ok(meetings::NewEvent {
                kind: input.kind.into(),
                name_ja: required(&input.name_ja, "input.nameJa", 200)?,
                name_en: required(&input.name_en, "input.nameEn", 200)?,
                place: required(&input.place, "input.place", 200)?,
                country_code: CountryCode::parse(&input.country_code)
                    .map_err(|e| ApiError::bad_input("input.countryCode", e.to_string()))?
                    .as_str()
                    .to_owned(),
                starts_on: input.starts_on.0,
                ends_on: input.ends_on.0,
                slot_minutes: input.slot_minutes,
            })
        })();
        let row = meetings::create_event(db(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(MatchingEvent(row))
    }

    /// Books a meeting at an event between a need's buyer and an SME in one slot: evaluators
    /// and org admins of the organising institution. An SME or a buyer already booked in that
    /// slot is a CONFLICT naming `input.smeId` or `input.needId`, also when two bookings race.
    /// Retry-safe with `idempotencyKey`.
    async fn book_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] input: BookMeetingInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<MatchingMeeting> {
        let key = fingerprint(&idempotency_key, "bookMeeting", &input);
        let target = Some(input.event_id.to_string());
        let parsed = (|| {
            Ok(meetings::NewMeeting {
                event_id: ids::decode_as(
                    &input.event_id,
                    NodeType::MatchingEvent,
                    "input.eventId",
                )?,
                need_id: ids::decode_as(&input.need_id, NodeType::BusinessNeed, "input.needId")?,
                sme_id: ids::decode_as(&input.sme_id, NodeType::Sme, "input.smeId")?,
                slot_start: input.slot_start,
            })
        })();
        let row = meetings::book(db(ctx)?, caller(ctx), target, parsed, key).await?;
        Ok(MatchingMeeting(row))
    }

    /// Records (or corrects) what came of a meeting: evaluators and org admins of the organiser
    /// or of the need's institution. Retry-safe with `idempotencyKey`.
    async fn record_meeting_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's global ID.")] id: ID,
        #[graphql(
            desc = "The version being changed; a stale one is a CONFLICT. Any when omitted."
        )]
        version: Option<i32>,
        #[graphql(desc = "The outcome.")] input: RecordMeetingOutcomeInput,
        #[graphql(desc = "A key that makes a retry return the first answer.")]
        idempotency_key: String,
    ) -> Result<MatchingMeeting> {
        let request = serde_json::json!({
            "id": id.as_str(),
            "version": version,
            "input": async_graphql::InputType::to_value(&input).into_json().unwrap_or_default(),
        });
        let idempotency = Some(Idempotency::parse(
            &idempotency_key,
            "recordMeetingOutcome",
            &request,
        ));
        let key = ids::decode_as(&id, NodeType::MatchingMeeting, "id");
        let outcome = text(input.note, "input.note", 2000).map(|note| meetings::Outcome {
            outcome: input.outcome.into(),
            amount: input.amount.map(|y| y.0),
            note,
        });
        let row = meetings::record_outcome(
            db(ctx)?,
            caller(ctx),
            id.to_string(),
            key,
            version,
            outcome,
            idempotency,
        )
        .await?;
        Ok(MatchingMeeting(row))
    }
}
