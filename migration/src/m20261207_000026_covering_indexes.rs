//! Two indexes that carry what a list's condition tests, so that its bounded total
//! (`page::count_up_to_limit`) reads index entries and no table row. Each replaces the indexes it
//! extends.
//!
//! - Awards by holder, `(coordinator_id, scheme_id)` carrying the decision, the expiry and the
//!   level: whether a coordinator holds an award that counts today. It replaces step 25's
//!   `(coordinator_id, scheme_id)` and step 3's `(coordinator_id)`, both prefixes of it. The
//!   coordinator lists by an award that counts (`findCoordinators` with `activeAwardOnly`,
//!   `coordinators` with `holdsActiveAward`) count by merging the public coordinators with the
//!   awards in coordinator order, and read each award's row for its decision, expiry and level:
//!   at scale 10, 2,218 awards in 2,466 buffers for the first 1,001 active holders, 4.0–4.5 ms.
//!   From this index alone, 18 buffers and 1.2–1.3 ms; the scheme's count (step 25's case) stays
//!   index-only at 1.2 ms.
//! - Evaluations by status, `(status, id)` carrying the institution and the visibility that a
//!   member's readable condition tests. It replaces step 21's `(status, id)`. A member's count of
//!   one status walked the evaluations newest first and read each row: about 5,900 rows and 4.0 ms
//!   for 1,001 published ones a member reads, at scale 1 as at 10; from this index, 0.4 ms.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too, as step 25: the evaluations' status index is dropped and
    /// made anew under its name.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // SQLite has no INCLUDE: there the carried columns are trailing keys, which serve alike.
        let (holders, status) = match manager.get_database_backend() {
            DatabaseBackend::Postgres => (
                "CREATE INDEX idx_awards_holders ON awards (coordinator_id, scheme_id) \
                 INCLUDE (decision, expires_on, level_id)",
                "CREATE INDEX idx_evaluations_status ON evaluations (status, id) \
                 INCLUDE (institution_id, visibility)",
            ),
            _ => (
                "CREATE INDEX idx_awards_holders ON awards \
                 (coordinator_id, scheme_id, decision, expires_on, level_id)",
                "CREATE INDEX idx_evaluations_status ON evaluations \
                 (status, id, institution_id, visibility)",
            ),
        };
        for sql in [
            holders,
            "DROP INDEX idx_awards_coordinator_scheme",
            "DROP INDEX idx_awards_coordinator",
            "DROP INDEX idx_evaluations_status",
            status,
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_evaluations_status",
            "CREATE INDEX idx_evaluations_status ON evaluations (status, id)",
            "CREATE INDEX idx_awards_coordinator ON awards (coordinator_id)",
            "CREATE INDEX idx_awards_coordinator_scheme ON awards (coordinator_id, scheme_id)",
            "DROP INDEX idx_awards_holders",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
