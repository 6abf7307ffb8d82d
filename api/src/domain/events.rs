//! Evaluation events for subscribers, across every API instance.
//!
//! On PostgreSQL a change sends `NOTIFY` inside its own transaction, so an event goes out exactly
//! when the change commits, and every instance's listener (one connection each) hands it to its
//! local subscribers. On SQLite, which one process serves, events go to local subscribers after
//! the commit. Delivery is at least once: an event names the evaluation and its version, so a
//! subscriber can ignore one it has seen.

use std::time::Duration;

use entity::{enums::EvaluationStatus, evaluation};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement,
    sqlx::postgres::PgListener,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::error::{ApiError, ApiResult};

pub const CHANNEL: &str = "iin_evaluation_events";

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

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<EvaluationEvent>,
    backend: DatabaseBackend,
}

impl EventBus {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            sender: broadcast::channel(1024).0,
            backend,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EvaluationEvent> {
        self.sender.subscribe()
    }

    /// Within the change's transaction.
    pub async fn notify_in(
        &self,
        txn: &DatabaseTransaction,
        event: &EvaluationEvent,
    ) -> ApiResult<()> {
        if self.backend == DatabaseBackend::Postgres {
            let payload =
                serde_json::to_string(event).map_err(|e| ApiError::corrupt(e.to_string()))?;
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
    pub fn after_commit(&self, event: EvaluationEvent) {
        if self.backend != DatabaseBackend::Postgres {
            // No subscriber is not an error.
            let _ = self.sender.send(event);
        }
    }

    /// On PostgreSQL, listens for every instance's events for as long as the process runs,
    /// reconnecting after a lost connection.
    pub fn spawn_listener(&self, db: &DatabaseConnection) {
        if self.backend != DatabaseBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let sender = self.sender.clone();
        tokio::spawn(async move {
            loop {
                let listening = async {
                    let mut listener = PgListener::connect_with(&pool).await?;
                    listener.listen(CHANNEL).await?;
                    loop {
                        let notification = listener.recv().await?;
                        match serde_json::from_str::<EvaluationEvent>(notification.payload()) {
                            Ok(event) => {
                                let _ = sender.send(event);
                            }
                            Err(err) => tracing::warn!(error = %err, "unreadable evaluation event"),
                        }
                    }
                    #[allow(unreachable_code)]
                    Ok::<(), sea_orm::sqlx::Error>(())
                };
                if let Err(err) = listening.await {
                    tracing::warn!(error = %err, "evaluation event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}
