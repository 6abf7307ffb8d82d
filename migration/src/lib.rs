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

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
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
        ]
    }
}
