//! The database pool, migrations, and first-start seeding; reads from a replica ([`replica`]).

pub mod limits;
pub mod replica;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::{seed, settings::DatabaseSettings};

pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(0)
        .connect_timeout(settings.acquire_timeout)
        .acquire_timeout(settings.acquire_timeout)
        .idle_timeout(Duration::from_secs(300))
        // sqlx pings a pooled connection on every checkout by default: a second round trip for
        // each statement. Only a connection that sat idle, across which a database restart or a
        // dropped link would go unseen, is checked; under load none is.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .statement_timeout(settings.statement_timeout)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|sqlite| {
            // WAL lets readers run beside the writer; the busy timeout queues writers instead of
            // failing them with "database is locked".
            sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// The PostgreSQL advisory lock that instances starting together take in turn, so that one of
/// them migrates and seeds and the others find the work done.
const PREPARE_LOCK: i64 = 0x11A_4A9A_0001;

/// What `serve` does before it listens: bring the schema up to date, and load the source
/// document's data into an empty directory. On PostgreSQL, instances starting at once do it one
/// after the other, under an advisory lock held on a connection of its own (and released by
/// closing it, whatever happens).
pub async fn prepare(db: &DatabaseConnection, seed_when_empty: bool) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return migrate_and_seed(db, seed_when_empty).await;
    }
    use sea_orm::sqlx::{Connection, Executor};
    let sqlx_err = |err: sea_orm::sqlx::Error| DbErr::Custom(format!("the start-up lock: {err}"));
    let mut lock = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_err)?
        .detach();
    // Waiting for another instance's migrations is no statement to time out.
    lock.execute("SET statement_timeout = 0")
        .await
        .map_err(sqlx_err)?;
    lock.execute(sea_orm::sqlx::query("SELECT pg_advisory_lock($1)").bind(PREPARE_LOCK))
        .await
        .map_err(sqlx_err)?;
    let prepared = migrate_and_seed(db, seed_when_empty).await;
    // Closing the session releases the lock.
    lock.close().await.map_err(sqlx_err)?;
    prepared
}

async fn migrate_and_seed(db: &DatabaseConnection, seed_when_empty: bool) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    if seed_when_empty && entity::organization::Entity::find().count(db).await? == 0 {
        let report = seed::load_source(db).await?;
        tracing::info!(
            inserted = report.inserted,
            "loaded the source document's directory"
        );
    }
    Ok(())
}
