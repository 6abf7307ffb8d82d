//! Events for subscribers and for every API instance's caches: evaluations that changed,
//! institutions whose membership changed (a suspension must reach every instance's cache of
//! institutions within a second), and every committed write (each instance's response cache
//! answers only from the generation after the last write it heard of: [`EventBus::generation`]).
//!
//! On PostgreSQL a change writes its event to the outbox (`event_outbox`, numbered by a sequence)
//! and sends `NOTIFY` with it, both inside its own transaction, so an event goes out exactly when
//! the change commits, and every instance's listener (one connection each, named
//! `iin-event-listener` in `pg_stat_activity`) hands it to its local subscribers. When that
//! connection drops, notifications sent meanwhile are lost to it: after reconnecting, the
//! listener reads the outbox from the last sequence it delivered (and the last minute, for
//! changes that committed out of sequence order) and delivers what it has not. Outbox rows are
//! pruned after [`RETENTION`]. On SQLite, which one process serves, events go to local
//! subscribers after the commit. Delivery is at least once: an event names the evaluation and
//! its version, so a subscriber can ignore one it has seen.

use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use entity::{
    business_need,
    enums::{EvaluationStatus, InquiryStatus, Membership},
    evaluation, licensing_inquiry, organization, proposal, referral,
};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement,
    sqlx::{self, Row, postgres::PgListener},
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::{ApiError, ApiResult};

/// The PostgreSQL channel every kind of event travels on, as a [`Numbered`] event in JSON.
pub const CHANNEL: &str = "iin_events";

/// How long the outbox keeps an event: an instance whose listener stays away longer misses it.
pub const RETENTION: Duration = Duration::from_secs(3600);

/// The listener's `application_name`, to find it in `pg_stat_activity`. Each instance has one
/// such connection, beside its pool's `IIN_DB_MAX_CONNECTIONS`.
pub const LISTENER_NAME: &str = "iin-event-listener";

/// How many delivered sequence numbers an instance remembers, not to deliver one twice.
const REMEMBERED: usize = 4096;

/// An event with its outbox sequence number, as `NOTIFY` carries it.
#[derive(Debug, Deserialize)]
struct Numbered {
    seq: i64,
    event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationEvent {
    pub evaluation_id: i64,
    pub institution_id: i64,
    pub status: String,
    pub version: i32,
    /// The revision's change: `created`, `edited`, `submitted`, …
    pub change: String,
}

impl EvaluationEvent {
    pub fn of(row: &evaluation::Model, change: &str) -> Self {
        Self {
            evaluation_id: row.id,
            institution_id: row.institution_id,
            status: sea_orm::ActiveEnum::to_value(&row.status),
            version: row.version,
            change: change.to_owned(),
        }
    }

    pub fn status(&self) -> Option<EvaluationStatus> {
        sea_orm::ActiveEnum::try_from_value(&self.status).ok()
    }
}

/// A licensing inquiry changed: heard by its two institutions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryEvent {
    pub inquiry_id: i64,
    pub sender_institution_id: i64,
    pub holder_id: i64,
    pub status: String,
    pub version: i32,
    /// `sent`, `acknowledged`, `discussion_started`, `agreed`, `declined`, `withdrawn`.
    pub change: String,
}

impl InquiryEvent {
    pub fn of(row: &licensing_inquiry::Model, change: &str) -> Self {
        Self {
            inquiry_id: row.id,
            sender_institution_id: row.sender_institution_id,
            holder_id: row.holder_id,
            status: sea_orm::ActiveEnum::to_value(&row.status),
            version: row.version,
            change: change.to_owned(),
        }
    }

    pub fn status(&self) -> Option<InquiryStatus> {
        sea_orm::ActiveEnum::try_from_value(&self.status).ok()
    }
}

/// An organisation's membership changed: every instance forgets what it knew of the institution,
/// and sockets of a suspended institution close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstitutionEvent {
    pub institution_id: i64,
    pub code: String,
    pub membership: String,
}

impl InstitutionEvent {
    pub fn of(row: &organization::Model) -> Self {
        Self {
            institution_id: row.id,
            code: row.code.clone(),
            membership: sea_orm::ActiveEnum::to_value(&row.membership),
        }
    }

    pub fn suspended(&self) -> bool {
        self.membership == sea_orm::ActiveEnum::to_value(&Membership::Suspended)
    }
}

/// A financing referral changed: heard by the referring institution and the addressed bank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralEvent {
    pub referral_id: i64,
    /// The referring institution.
    pub institution_id: i64,
    pub bank_id: i64,
    /// The stored state, as in the database (`sent`, `acknowledged`, …).
    pub status: String,
    pub version: i32,
    /// `referred`, `acknowledged`, `review_started`, `financed`, `declined`, `withdrawn`, or
    /// `consent_revoked`.
    pub change: String,
}

impl ReferralEvent {
    pub fn of(row: &referral::Model, change: &str) -> Self {
        Self {
            referral_id: row.id,
            institution_id: row.institution_id,
            bank_id: row.bank_id,
            status: sea_orm::ActiveEnum::to_value(&row.status),
            version: row.version,
            change: change.to_owned(),
        }
    }
}

/// A buyer's need changed: heard by its institution and the institutions that proposed to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedEvent {
    pub need_id: i64,
    /// The posting institution.
    pub institution_id: i64,
    /// The stored state (`open`, `closed`, `awarded`, `cancelled`).
    pub status: String,
    pub version: i32,
    /// `posted`, `closed`, `cancelled` or `awarded`.
    pub change: String,
}

impl NeedEvent {
    pub fn of(row: &business_need::Model, change: &str) -> Self {
        Self {
            need_id: row.id,
            institution_id: row.institution_id,
            status: sea_orm::ActiveEnum::to_value(&row.status),
            version: row.version,
            change: change.to_owned(),
        }
    }
}

/// A proposal changed: heard by the proposing institution and the need's institution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalEvent {
    pub proposal_id: i64,
    pub need_id: i64,
    /// The proposing institution.
    pub institution_id: i64,
    pub need_institution_id: i64,
    /// The stored state (`submitted`, `shortlisted`, …).
    pub status: String,
    pub version: i32,
    /// `submitted`, `shortlisted`, `accepted`, `declined` or `withdrawn`.
    pub change: String,
}

impl ProposalEvent {
    pub fn of(row: &proposal::Model, change: &str) -> Self {
        Self {
            proposal_id: row.id,
            need_id: row.need_id,
            institution_id: row.institution_id,
            need_institution_id: row.need_institution_id,
            status: sea_orm::ActiveEnum::to_value(&row.status),
            version: row.version,
            change: change.to_owned(),
        }
    }
}

/// Any event, as it travels between instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Evaluation(EvaluationEvent),
    Institution(InstitutionEvent),
    Inquiry(InquiryEvent),
    Referral(ReferralEvent),
    /// A change committed through the audited path ([`super::audit`]), whatever it changed.
    Write,
    Need(NeedEvent),
    Proposal(ProposalEvent),
}

impl Event {
    /// The outbox's `channel`.
    fn channel(&self) -> &'static str {
        match self {
            Self::Evaluation(_) => "evaluation",
            Self::Institution(_) => "institution",
            Self::Inquiry(_) => "licensing_inquiry",
            Self::Referral(_) => "referral",
            Self::Write => "write",
            Self::Need(_) => "business_need",
            Self::Proposal(_) => "proposal",
        }
    }
}

impl From<&EvaluationEvent> for Event {
    fn from(event: &EvaluationEvent) -> Self {
        Self::Evaluation(event.clone())
    }
}

impl From<EvaluationEvent> for Event {
    fn from(event: EvaluationEvent) -> Self {
        Self::Evaluation(event)
    }
}

impl From<&InstitutionEvent> for Event {
    fn from(event: &InstitutionEvent) -> Self {
        Self::Institution(event.clone())
    }
}

impl From<InstitutionEvent> for Event {
    fn from(event: InstitutionEvent) -> Self {
        Self::Institution(event)
    }
}

impl From<&InquiryEvent> for Event {
    fn from(event: &InquiryEvent) -> Self {
        Self::Inquiry(event.clone())
    }
}

impl From<InquiryEvent> for Event {
    fn from(event: InquiryEvent) -> Self {
        Self::Inquiry(event)
    }
}

impl From<&ReferralEvent> for Event {
    fn from(event: &ReferralEvent) -> Self {
        Self::Referral(event.clone())
    }
}

impl From<ReferralEvent> for Event {
    fn from(event: ReferralEvent) -> Self {
        Self::Referral(event)
    }
}

impl From<&NeedEvent> for Event {
    fn from(event: &NeedEvent) -> Self {
        Self::Need(event.clone())
    }
}

impl From<NeedEvent> for Event {
    fn from(event: NeedEvent) -> Self {
        Self::Need(event)
    }
}

impl From<&ProposalEvent> for Event {
    fn from(event: &ProposalEvent) -> Self {
        Self::Proposal(event.clone())
    }
}

impl From<ProposalEvent> for Event {
    fn from(event: ProposalEvent) -> Self {
        Self::Proposal(event)
    }
}

/// Local subscribers of each kind of event, and the generation of writes.
#[derive(Clone)]
struct Senders {
    evaluations: broadcast::Sender<EvaluationEvent>,
    institutions: broadcast::Sender<InstitutionEvent>,
    inquiries: broadcast::Sender<InquiryEvent>,
    referrals: broadcast::Sender<ReferralEvent>,
    generation: Arc<AtomicU64>,
    needs: broadcast::Sender<NeedEvent>,
    proposals: broadcast::Sender<ProposalEvent>,
}

impl Senders {
    fn deliver(&self, event: Event) {
        // Every event follows a committed change.
        self.generation.fetch_add(1, Ordering::SeqCst);
        // No subscriber is not an error.
        match event {
            Event::Write => {}
            Event::Evaluation(event) => {
                let _ = self.evaluations.send(event);
            }
            Event::Institution(event) => {
                let _ = self.institutions.send(event);
            }
            Event::Inquiry(event) => {
                let _ = self.inquiries.send(event);
            }
            Event::Referral(event) => {
                let _ = self.referrals.send(event);
            }
            Event::Need(event) => {
                let _ = self.needs.send(event);
            }
            Event::Proposal(event) => {
                let _ = self.proposals.send(event);
            }
        }
    }
}

/// A subscriber's events as a stream, ending when the bus does. A slow subscriber misses the
/// events it lagged behind on rather than holding everyone up.
pub fn received<T: Clone + Send + 'static>(
    receiver: broadcast::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(event) => return Some((event, receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

#[derive(Clone)]
pub struct EventBus {
    senders: Senders,
    backend: DatabaseBackend,
}

impl EventBus {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            senders: Senders {
                evaluations: broadcast::channel(1024).0,
                institutions: broadcast::channel(256).0,
                inquiries: broadcast::channel(1024).0,
                referrals: broadcast::channel(1024).0,
                generation: Arc::new(AtomicU64::new(0)),
                needs: broadcast::channel(1024).0,
                proposals: broadcast::channel(1024).0,
            },
            backend,
        }
    }

    /// The generation of writes this instance knows of: it grows after every committed write
    /// heard of, from this instance or (through the channel) from any other, and whenever the
    /// listener reconnects (it may have missed some). An answer computed in one generation is
    /// current only while the generation stays the same.
    pub fn generation(&self) -> u64 {
        self.senders.generation.load(Ordering::SeqCst)
    }

    /// Ends the current generation: this instance has just committed a write (its own listener
    /// hears of it a little later; a caller who saw the write's reply must not read past it).
    pub fn written(&self) {
        self.senders.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EvaluationEvent> {
        self.senders.evaluations.subscribe()
    }

    /// Licensing inquiries' changes, from every instance.
    pub fn subscribe_inquiries(&self) -> broadcast::Receiver<InquiryEvent> {
        self.senders.inquiries.subscribe()
    }

    /// Referral changes, from every instance.
    pub fn subscribe_referrals(&self) -> broadcast::Receiver<ReferralEvent> {
        self.senders.referrals.subscribe()
    }

    /// Buyers' needs' changes, from every instance.
    pub fn subscribe_needs(&self) -> broadcast::Receiver<NeedEvent> {
        self.senders.needs.subscribe()
    }

    /// Proposals' changes, from every instance.
    pub fn subscribe_proposals(&self) -> broadcast::Receiver<ProposalEvent> {
        self.senders.proposals.subscribe()
    }

    /// Membership changes, from every instance.
    pub fn subscribe_institutions(&self) -> broadcast::Receiver<InstitutionEvent> {
        self.senders.institutions.subscribe()
    }

    /// Within the change's transaction: into the outbox, and `NOTIFY` with its number.
    pub async fn notify_in(
        &self,
        txn: &DatabaseTransaction,
        event: impl Into<Event>,
    ) -> ApiResult<()> {
        notify(txn, event.into()).await
    }

    /// After the change committed.
    pub fn after_commit(&self, event: impl Into<Event>) {
        if self.backend != DatabaseBackend::Postgres {
            self.senders.deliver(event.into());
        }
    }

    /// On PostgreSQL, listens for every instance's events for as long as the process runs,
    /// reconnecting after a lost connection and catching up from the outbox; prunes the outbox.
    pub fn spawn_listener(&self, db: &DatabaseConnection) {
        if self.backend != DatabaseBackend::Postgres {
            return;
        }
        // A pool of its own, of one connection named for `pg_stat_activity`: the listening
        // connection never goes back to the application's pool (dead, or still listening), and
        // takes none of its connections.
        let options = (*db.get_postgres_connection_pool().connect_options())
            .clone()
            .application_name(LISTENER_NAME);
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .connect_lazy_with(options);
        let mut relay = Relay {
            senders: self.senders.clone(),
            last: None,
            delivered: BTreeSet::new(),
        };
        tokio::spawn(async move {
            loop {
                if let Err(err) = relay.listen(&pool).await {
                    tracing::warn!(error = %err, "event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        let pool = db.get_postgres_connection_pool().clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(300));
            loop {
                every.tick().await;
                let pruned = sqlx::query(
                    "DELETE FROM event_outbox WHERE created_at < now() - make_interval(secs => $1)",
                )
                .bind(RETENTION.as_secs_f64())
                .execute(&pool)
                .await;
                if let Err(err) = pruned {
                    tracing::warn!(error = %err, "could not prune the event outbox");
                }
            }
        });
    }
}

/// Within the change's transaction, on PostgreSQL: into the outbox, and `NOTIFY` with its
/// number. (On SQLite, which one process serves, nothing travels.)
async fn notify(txn: &DatabaseTransaction, event: Event) -> ApiResult<()> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let payload = serde_json::to_string(&event).map_err(|e| ApiError::corrupt(e.to_string()))?;
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "WITH entry AS (INSERT INTO event_outbox (channel, payload, created_at) \
         VALUES ($1, $2, now()) RETURNING id) \
         SELECT pg_notify($3, '{\"seq\":' || id || ',\"event\":' || $2 || '}') FROM entry",
        [event.channel().into(), payload.into(), CHANNEL.into()],
    ))
    .await?;
    Ok(())
}

/// Within a change's transaction (the audited path, for every change): tells every instance
/// that a write committed, when it does, so that their response caches forget what it may
/// have changed.
pub async fn write_in(txn: &DatabaseTransaction) -> ApiResult<()> {
    notify(txn, Event::Write).await
}

/// One instance's listener: what it delivered, to resume after it.
struct Relay {
    senders: Senders,
    /// The highest sequence number delivered; `None` before the first connection.
    last: Option<i64>,
    /// The latest sequence numbers delivered (at most [`REMEMBERED`]).
    delivered: BTreeSet<i64>,
}

impl Relay {
    fn deliver(&mut self, seq: i64, event: Event) {
        if !self.delivered.insert(seq) {
            return;
        }
        if self.delivered.len() > REMEMBERED {
            self.delivered.pop_first();
        }
        self.last = Some(self.last.map_or(seq, |last| last.max(seq)));
        self.senders.deliver(event);
    }

    /// Connects, listens, catches up, then relays until the connection drops.
    async fn listen(&mut self, pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        // A lost connection ends this call; the next one reconnects and catches up.
        listener.eager_reconnect(false);
        listener.listen(CHANNEL).await?;
        // Writes may have committed while no one listened: what was cached before is suspect.
        self.senders.generation.fetch_add(1, Ordering::SeqCst);
        match self.last {
            None => {
                // From now on: an instance does not replay what happened before it started.
                let last: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM event_outbox")
                    .fetch_one(&mut listener)
                    .await?
                    .try_get(0)?;
                self.last = Some(last);
            }
            Some(last) => {
                let missed = sqlx::query(
                    "SELECT id, payload FROM event_outbox \
                     WHERE id > $1 OR created_at > now() - interval '1 minute' ORDER BY id",
                )
                .bind(last)
                .fetch_all(&mut listener)
                .await?;
                for row in missed {
                    let (seq, payload): (i64, String) = (row.try_get(0)?, row.try_get(1)?);
                    match serde_json::from_str::<Event>(&payload) {
                        Ok(event) => self.deliver(seq, event),
                        Err(err) => tracing::warn!(error = %err, seq, "unreadable event"),
                    }
                }
            }
        }
        loop {
            let Some(notification) = listener.try_recv().await? else {
                return Err(sqlx::Error::Protocol(
                    "the listening connection closed".into(),
                ));
            };
            match serde_json::from_str::<Numbered>(notification.payload()) {
                Ok(numbered) => self.deliver(numbered.seq, numbered.event),
                Err(err) => tracing::warn!(error = %err, "unreadable event"),
            }
        }
    }
}
