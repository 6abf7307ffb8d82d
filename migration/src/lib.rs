//! Schema migrations, one file per step, named by date. A landed step is never edited: change the
//! schema with a new step.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_directory;
mod m20261124_000002_access_and_audit;
mod m20261124_000003_qualifications;
mod m20261124_000004_evaluations;
mod m20261124_000005_persisted_queries;
mod m20261130_000001_idempotency_subject;
mod m20261130_000002_event_outbox;
mod m20261130_000007_qualification_rules;
mod m20261130_000010_domain_corrections;
mod m20261201_000016_patents;
mod m20261201_000017_referrals;
mod m20261201_000020_directory_search;
mod m20261201_000021_list_indexes;
mod m20261202_000018_matching;
mod m20261202_000019_people;
mod m20261203_000022_more_list_indexes;
mod m20261204_000023_showcase_filters;
mod m20261205_000024_public_patents;
mod m20261206_000025_counting_indexes;
mod m20261207_000026_covering_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        steps().into_iter().map(unbounded).collect()
    }
}

/// The steps, oldest first.
fn steps() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261124_000001_create_directory::Migration),
        Box::new(m20261124_000002_access_and_audit::Migration),
        Box::new(m20261124_000003_qualifications::Migration),
        Box::new(m20261124_000004_evaluations::Migration),
        Box::new(m20261124_000005_persisted_queries::Migration),
        Box::new(m20261130_000001_idempotency_subject::Migration),
        Box::new(m20261130_000002_event_outbox::Migration),
        Box::new(m20261130_000007_qualification_rules::Migration),
        Box::new(m20261130_000010_domain_corrections::Migration),
        Box::new(m20261201_000016_patents::Migration),
        Box::new(m20261201_000017_referrals::Migration),
        Box::new(m20261201_000020_directory_search::Migration),
        Box::new(m20261201_000021_list_indexes::Migration),
        Box::new(m20261202_000018_matching::Migration),
        Box::new(m20261202_000019_people::Migration),
        Box::new(m20261203_000022_more_list_indexes::Migration),
        Box::new(m20261204_000023_showcase_filters::Migration),
        Box::new(m20261205_000024_public_patents::Migration),
        Box::new(m20261206_000025_counting_indexes::Migration),
        Box::new(m20261207_000026_covering_indexes::Migration),
    ]
}

/// `step`, run without the serving `statement_timeout` on PostgreSQL. The pool bounds every
/// statement (`IIN_DB_STATEMENT_TIMEOUT_MS`, 5 s by default) because a request must not hold a
/// connection for long; a step that rewrites or indexes a large table takes longer (adding
/// `explanation_published` to 500,000 patents takes 33 s), and a step cancelled half-way leaves
/// the server refusing to start on every retry. Each step runs in a transaction of its own there
/// (none of ours opts out), so the setting ends with it.
pub fn unbounded(step: Box<dyn MigrationTrait>) -> Box<dyn MigrationTrait> {
    Box::new(Unbounded(step))
}

struct Unbounded(Box<dyn MigrationTrait>);

impl MigrationName for Unbounded {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Unbounded {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        unbound(manager).await?;
        self.0.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        unbound(manager).await?;
        self.0.down(manager).await
    }

    fn use_transaction(&self) -> Option<bool> {
        self.0.use_transaction()
    }
}

async fn unbound(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
        manager
            .get_connection()
            .execute_unprepared("SET LOCAL statement_timeout = 0")
            .await?;
    }
    Ok(())
}
