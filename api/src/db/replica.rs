//! Reads from a streaming replica (`DATABASE_REPLICA_URL`), when the network outgrows one
//! PostgreSQL server.
//!
//! Who reads where is decided once per request, where its database is put in the GraphQL
//! context (`http::admission`, read back by `graphql::context::db`):
//! - a query of an anonymous caller, or of a caller whose only role is `member`, reads the
//!   replica while it is in use; except an anonymous query the response cache would keep
//!   (cached answers are computed on the primary, so that none is older than the generation of
//!   writes it is kept under);
//! - a mutation, its reply and the rest of its request (a batch's later operations) read the
//!   primary; so do the queries of callers who write (evaluators, admins, registrars …: they read
//!   what they have just written);
//! - subscriptions read the primary: an event names a change that has just committed there, and
//!   the replica may not have it yet.
//!
//! A background check ([`CHECK_EVERY`]) decides whether the replica is in use: it must answer,
//! be a standby, and be within `IIN_REPLICA_MAX_LAG_MS` of the primary. The lag is measured by
//! WAL positions, not by the replay timestamp (which grows on an idle primary though nothing is
//! missing): each check notes the primary's current position and when it was seen; the lag is
//! the age of the oldest position noted that the replica has not replayed yet (zero when it has
//! replayed them all). A replica that is down or behind is skipped until a check finds it back.

use std::{
    collections::VecDeque,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::{
    auth::{Caller, Role},
    settings::DatabaseSettings,
};

/// How often the replica's health and lag are checked.
pub const CHECK_EVERY: Duration = Duration::from_millis(250);

/// The most WAL positions remembered while the replica is behind.
const REMEMBERED: usize = 1024;

/// The replica's `application_name`, to find its connections in its `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "iin-api-replica-reads";

#[derive(Clone)]
pub struct Replica {
    db: DatabaseConnection,
    in_use: Arc<AtomicBool>,
}

impl Replica {
    /// Connects lazily (a replica that is down at start is simply not in use) and starts the
    /// background check against `primary`; `gauge` shows whether the replica is in use, and
    /// `observe` counts the replica's statements.
    pub fn start(
        settings: &DatabaseSettings,
        url: &str,
        primary: &DatabaseConnection,
        gauge: prometheus::IntGauge,
        observe: impl FnOnce(&mut DatabaseConnection),
    ) -> Result<Self, DbErr> {
        let pool = sea_orm::sqlx::postgres::PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .min_connections(0)
            .acquire_timeout(settings.acquire_timeout)
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy_with(
                url.parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
                    .map_err(|e| DbErr::Custom(format!("DATABASE_REPLICA_URL: {e}")))?
                    .application_name(APPLICATION_NAME)
                    .options([(
                        "statement_timeout",
                        settings.statement_timeout.as_millis().to_string(),
                    )]),
            );
        let mut db = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
        // Its statements count in /metrics as the primary's do.
        observe(&mut db);
        let replica = Self {
            db,
            in_use: Arc::new(AtomicBool::new(false)),
        };
        replica.spawn_check(primary.clone(), settings.replica_max_lag, gauge);
        Ok(replica)
    }

    /// The replica, while it is in use.
    pub fn reads(&self) -> Option<&DatabaseConnection> {
        self.in_use.load(Ordering::Acquire).then_some(&self.db)
    }

    fn spawn_check(
        &self,
        primary: DatabaseConnection,
        max_lag: Duration,
        gauge: prometheus::IntGauge,
    ) {
        let replica = self.db.clone();
        let in_use = self.in_use.clone();
        tokio::spawn(async move {
            let mut behind = Behind::default();
            let mut every = tokio::time::interval(CHECK_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let checked =
                    tokio::time::timeout(Duration::from_secs(2), behind.check(&primary, &replica))
                        .await
                        .unwrap_or_else(|_| Err(DbErr::Custom("the check timed out".into())));
                let usable = match checked {
                    Ok(lag) => lag <= max_lag,
                    Err(err) => {
                        tracing::debug!(error = %err, "the read replica is not usable");
                        false
                    }
                };
                if in_use.swap(usable, Ordering::AcqRel) != usable {
                    tracing::warn!(in_use = usable, "the read replica changed state");
                }
                gauge.set(i64::from(usable));
            }
        });
    }
}

/// The primary's WAL positions the replica had not replayed when last checked, with when each
/// was seen.
#[derive(Default)]
struct Behind(VecDeque<(Instant, i64)>);

impl Behind {
    /// Notes the primary's position, asks the replica what it has replayed, and answers the lag.
    async fn check(
        &mut self,
        primary: &DatabaseConnection,
        replica: &DatabaseConnection,
    ) -> Result<Duration, DbErr> {
        let position = |sql: &str| Statement::from_string(DatabaseBackend::Postgres, sql);
        let current: i64 = primary
            .query_one_raw(position(
                "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::int8 AS at",
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("no WAL position".into()))?
            .try_get("", "at")?;
        let seen = Instant::now();
        if self.0.len() < REMEMBERED {
            self.0.push_back((seen, current));
        }
        // NULL when the server is not a standby (a promoted replica is not one any more).
        let replayed: Option<i64> = replica
            .query_one_raw(position(
                "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8 AS at",
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("no replay position".into()))?
            .try_get("", "at")?;
        let replayed = replayed.ok_or_else(|| DbErr::Custom("not a standby".into()))?;
        while self.0.front().is_some_and(|(_, at)| *at <= replayed) {
            self.0.pop_front();
        }
        Ok(self
            .0
            .front()
            .map_or(Duration::ZERO, |(seen, _)| seen.elapsed()))
    }
}

/// Whether a caller's queries may read the replica: anonymous callers, and members who hold no
/// role that writes (who writes, reads what was written, from the primary).
pub fn may_read_replica(caller: &Caller) -> bool {
    caller
        .principal()
        .is_none_or(|p| p.roles.iter().all(|role| *role == Role::Member))
}
