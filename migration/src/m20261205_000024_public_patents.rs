//! A patent says whether an explanation of it has been published (`explanation_published`), kept
//! by the domain in the transaction that publishes one, so that what anyone may read of the
//! patents (offered, in force, explained) is a condition on one table, served by indexes of its
//! own: the newest public patents, and on PostgreSQL a trigram index over the public patents'
//! search text.
//!
//! Before, "explained" was `id IN (SELECT patent_id FROM patent_explanations WHERE …)`: an
//! anonymous page walked the patents and probed the explanations for each, and an anonymous
//! search read every patent the words match (31,000 for `燃料電池` at scale 10, of which 14 % are
//! public) before keeping the public ones.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patents {
    Table,
    Id,
    ExplanationPublished,
}

#[derive(DeriveIden)]
enum PatentExplanations {
    Table,
    PatentId,
    PublishedVersion,
}

/// The condition of the public patents that does not move with the date, as the domain writes
/// it (`domain::patents::public`), so that PostgreSQL and SQLite see that a query implies it.
const PUBLIC: &str = "explanation_published AND licensing = 'open'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Patents::Table)
                    .add_column(
                        ColumnDef::new(Patents::ExplanationPublished)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Patents::Table)
                    .value(Patents::ExplanationPublished, true)
                    .and_where(
                        Expr::col(Patents::Id).in_subquery(
                            Query::select()
                                .column(PatentExplanations::PatentId)
                                .from(PatentExplanations::Table)
                                .and_where(
                                    Expr::col(PatentExplanations::PublishedVersion).is_not_null(),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "CREATE INDEX idx_patents_public ON patents (id) WHERE {PUBLIC}"
        ))
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(&format!(
                "CREATE INDEX ix_patents_public_search_trgm ON patents \
                 USING gin (search_text gin_trgm_ops) WHERE {PUBLIC}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_patents_public_search_trgm")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_patents_public")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Patents::Table)
                    .drop_column(Patents::ExplanationPublished)
                    .to_owned(),
            )
            .await
    }
}
