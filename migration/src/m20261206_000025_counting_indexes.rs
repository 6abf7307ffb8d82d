//! Indexes that answer a list's bounded total (`page::count_up_to_limit`) from the index alone,
//! for the filters `bench/scale` measured growing with the data: each holds the filtered column
//! of only the rows a caller without rights reads (or carries the columns the readable condition
//! tests), so that counting up to 1,001 matches reads about 1,001 index entries and no table row.
//!
//! - Live showcases by prefecture, for the showcase lists by prefecture and by METI bureau (a
//!   bureau is its prefectures' `IN` list). Before, the bureau's count was a sequential scan of the
//!   showcases until its 1,001st match: 9,510 rows, 3.2–6.7 ms at scale 10, against 532 rows read
//!   through a bitmap at scale 1.
//! - Public coordinators by prefecture, for `findCoordinators` by prefecture and bureau (the
//!   domain states "public" as the bare flag, so that a generic plan sees that it implies the
//!   index's condition).
//! - Rated evaluations by rating, in the list's order, carrying the columns a member's readable
//!   condition tests (institution, visibility, status): before, every match's row was read to
//!   test them, 1,322 rows and 4.3 ms for the 883 A-rated ones a member reads at scale 10.
//!   It replaces `(rating, id)`, which it covers.
//! - Awards by coordinator and scheme, for the coordinator lists filtered by an award's holders
//!   (`findCoordinators` by scheme, `coordinators` by award): their count merged the public
//!   coordinators with the awards by coordinator and read each award's row for its scheme, 4,055
//!   rows and 4.7 ms to find 1,001 holders at scale 10; from this index alone, 1.1–1.4 ms.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The evaluations' rating index this step replaces, as step 21 made it.
const PLAIN_RATING: &str = "CREATE INDEX idx_evaluations_rating ON evaluations (rating, id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm-migration wraps only PostgreSQL's steps): the
    /// rating index is dropped and made anew under its name, and outside a transaction SQLite
    /// refused the new index's `CREATE` right after the `DROP` ("already exists"; each statement
    /// then goes through the pool on its own), leaving the step half applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // SQLite has no INCLUDE: there the carried columns are trailing keys, which serve alike.
        let rated = match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                "CREATE INDEX idx_evaluations_rating ON evaluations (rating, id) \
                 INCLUDE (institution_id, visibility, status) WHERE rating IS NOT NULL"
            }
            _ => {
                "CREATE INDEX idx_evaluations_rating ON evaluations \
                 (rating, id, institution_id, visibility, status) WHERE rating IS NOT NULL"
            }
        };
        for sql in [
            "CREATE INDEX idx_sme_showcases_live_prefecture ON sme_showcases \
             (sme_prefecture_code) WHERE withdrawn_at IS NULL",
            "CREATE INDEX idx_coordinators_public_prefecture ON coordinators \
             (prefecture_code) WHERE public_profile",
            "DROP INDEX idx_evaluations_rating",
            rated,
            "CREATE INDEX idx_awards_coordinator_scheme ON awards (coordinator_id, scheme_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX idx_awards_coordinator_scheme",
            "DROP INDEX idx_evaluations_rating",
            PLAIN_RATING,
            "DROP INDEX idx_coordinators_public_prefecture",
            "DROP INDEX idx_sme_showcases_live_prefecture",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
