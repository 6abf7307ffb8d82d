//! Events for subscribers and for every API instance's caches: evaluations that changed, and
//! institutions whose membership changed (a suspension must reach every instance's cache of
//! institutions within a second).
//!
//! On PostgreSQL a change sends `NOTIFY` inside its own transaction, so an event goes out exactly
//! when the change commits, and every instance's listener (one connection each) hands it to its
//! local subscribers. On SQLite, which one process serves, events go to local subscribers after
//! the commit. Delivery is at least once: an event names the evaluation and its version, so a
//! subscriber can ignore one it has seen.

use std::time::Duration;

use entity::{
    enums::{EvaluationStatus, Membership},
    evaluation, organization,
};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement,
    sqlx::postgres::PgListener,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::{ApiError, ApiResult};

/// The PostgreSQL channel every kind of event travels on, as an [`Event`] in JSON.
pub const CHANNEL: &str = "iin_events";

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

/// Any event, as it travels between instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Evaluation(EvaluationEvent),
    Institution(InstitutionEvent),
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

/// Local subscribers of each kind of event.
#[derive(Clone)]
struct Senders {
    evaluations: broadcast::Sender<EvaluationEvent>,
    institutions: broadcast::Sender<InstitutionEvent>,
}

impl Senders {
    fn deliver(&self, event: Event) {
        // No subscriber is not an error.
        match event {
            Event::Evaluation(event) => {
                let _ = self.evaluations.send(event);
            }
            Event::Institution(event) => {
                let _ = self.institutions.send(event);
            }
        }
    }
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
            },
            backend,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EvaluationEvent> {
        self.senders.evaluations.subscribe()
    }

    /// Membership changes, from every instance.
    pub fn subscribe_institutions(&self) -> broadcast::Receiver<InstitutionEvent> {
        self.senders.institutions.subscribe()
    }

    /// Within the change's transaction.
    pub async fn notify_in(
        &self,
        txn: &DatabaseTransaction,
        event: impl Into<Event>,
    ) -> ApiResult<()> {
        if self.backend == DatabaseBackend::Postgres {
            let payload = serde_json::to_string(&event.into())
                .map_err(|e| ApiError::corrupt(e.to_string()))?;
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// After the change committed.
    pub fn after_commit(&self, event: impl Into<Event>) {
        if self.backend != DatabaseBackend::Postgres {
            self.senders.deliver(event.into());
        }
    }

    /// On PostgreSQL, listens for every instance's events for as long as the process runs,
    /// reconnecting after a lost connection.
    pub fn spawn_listener(&self, db: &DatabaseConnection) {
        if self.backend != DatabaseBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let senders = self.senders.clone();
        tokio::spawn(async move {
            loop {
                let listening = async {
                    let mut listener = PgListener::connect_with(&pool).await?;
                    listener.listen(CHANNEL).await?;
                    loop {
                        let notification = listener.recv().await?;
                        match serde_json::from_str::<Event>(notification.payload()) {
                            Ok(event) => senders.deliver(event),
                            Err(err) => tracing::warn!(error = %err, "unreadable event"),
                        }
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sea_orm::sqlx::Error>(())
                };
                if let Err(err) = listening.await {
                    tracing::warn!(error = %err, "event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}
