//! The database pool, migrations, and first-start seeding.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
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

/// What `serve` does before it listens: bring the schema up to date, and load the source
/// document's data into an empty directory.
pub async fn prepare(db: &DatabaseConnection, seed_when_empty: bool) -> Result<(), DbErr> {
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
