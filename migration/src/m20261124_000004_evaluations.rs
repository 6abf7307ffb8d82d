//! SMEs, their evaluations by member institutions with every revision kept, and idempotency keys
//! for retried mutations.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Smes::Table)
                    .col(big_pk_auto(Smes::Id))
                    .col(char_len_uniq(Smes::CorporateNumber, 13))
                    .col(string_len(Smes::NameJa, 200))
                    .col(string_len(Smes::NameEn, 200))
                    .col(
                        small_integer(Smes::PrefectureCode)
                            .check(Expr::col(Smes::PrefectureCode).between(1, 47)),
                    )
                    .col(string_len_null(Smes::Industry, 100))
                    .col(integer_null(Smes::Employees))
                    .col(big_integer_null(Smes::CapitalYen))
                    .col(string_len(Smes::NicheStatus, 20))
                    .col(string_len_null(Smes::ClusterType, 10))
                    .col(string_len(Smes::ClusterProjects, 400))
                    .col(boolean(Smes::PublicationConsent))
                    .col(timestamp_with_time_zone_null(Smes::ConsentRecordedAt))
                    .col(big_integer(Smes::CreatedByInstitutionId))
                    .col(timestamp_with_time_zone(Smes::CreatedAt))
                    .col(timestamp_with_time_zone(Smes::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_smes_institution")
                            .from(Smes::Table, Smes::CreatedByInstitutionId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Evaluations::Table)
                    .col(big_pk_auto(Evaluations::Id))
                    .col(big_integer(Evaluations::SmeId))
                    .col(big_integer(Evaluations::InstitutionId))
                    .col(string_len(Evaluations::EvaluatorSubject, 200))
                    .col(string_len(Evaluations::Status, 20))
                    .col(string_len(Evaluations::Visibility, 20))
                    .col(integer(Evaluations::Version))
                    .col(text(Evaluations::Scores))
                    .col(text_null(Evaluations::Findings))
                    .col(string_len_null(Evaluations::Rating, 1))
                    .col(double_null(Evaluations::OverallScore))
                    .col(timestamp_with_time_zone(Evaluations::CreatedAt))
                    .col(timestamp_with_time_zone(Evaluations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_evaluations_sme")
                            .from(Evaluations::Table, Evaluations::SmeId)
                            .to(Smes::Table, Smes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_evaluations_institution")
                            .from(Evaluations::Table, Evaluations::InstitutionId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_evaluations_sme", Evaluations::SmeId),
            ("idx_evaluations_institution", Evaluations::InstitutionId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Evaluations::Table)
                        .col(column)
                        .col(Evaluations::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EvaluationRevisions::Table)
                    .col(big_pk_auto(EvaluationRevisions::Id))
                    .col(big_integer(EvaluationRevisions::EvaluationId))
                    .col(integer(EvaluationRevisions::Version))
                    .col(string_len(EvaluationRevisions::Change, 40))
                    .col(string_len(EvaluationRevisions::ChangedFields, 200))
                    .col(string_len(EvaluationRevisions::Status, 20))
                    .col(string_len(EvaluationRevisions::Visibility, 20))
                    .col(text(EvaluationRevisions::Scores))
                    .col(text_null(EvaluationRevisions::Findings))
                    .col(string_len_null(EvaluationRevisions::Rating, 1))
                    .col(text_null(EvaluationRevisions::Reason))
                    .col(string_len(EvaluationRevisions::ChangedBySubject, 200))
                    .col(string_len(EvaluationRevisions::ChangedByInstitution, 40))
                    .col(timestamp_with_time_zone(EvaluationRevisions::ChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_revisions_evaluation")
                            .from(
                                EvaluationRevisions::Table,
                                EvaluationRevisions::EvaluationId,
                            )
                            .to(Evaluations::Table, Evaluations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_revisions_version")
                    .table(EvaluationRevisions::Table)
                    .col(EvaluationRevisions::EvaluationId)
                    .col(EvaluationRevisions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(big_pk_auto(IdempotencyKeys::Id))
                    .col(big_integer(IdempotencyKeys::InstitutionId))
                    .col(string_len(IdempotencyKeys::Key, 100))
                    .col(string_len(IdempotencyKeys::Operation, 80))
                    .col(char_len(IdempotencyKeys::RequestHash, 64))
                    .col(big_integer_null(IdempotencyKeys::ResultId))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::InstitutionId)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        // Revisions are history: the database refuses to change or delete them.
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION evaluation_revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'evaluation revisions are append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER evaluation_revisions_no_change BEFORE UPDATE OR DELETE ON evaluation_revisions \
                     FOR EACH ROW EXECUTE FUNCTION evaluation_revisions_append_only()",
                )
                .await?;
            }
            _ => {
                for event in ["UPDATE", "DELETE"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER evaluation_revisions_no_{} BEFORE {event} ON evaluation_revisions \
                         BEGIN SELECT RAISE(ABORT, 'evaluation revisions are append-only'); END",
                        event.to_lowercase()
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            EvaluationRevisions::Table.into_iden(),
            Evaluations::Table.into_iden(),
            Smes::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS evaluation_revisions_append_only()")
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
    CorporateNumber,
    NameJa,
    NameEn,
    PrefectureCode,
    Industry,
    Employees,
    CapitalYen,
    NicheStatus,
    ClusterType,
    ClusterProjects,
    PublicationConsent,
    ConsentRecordedAt,
    CreatedByInstitutionId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    Id,
    SmeId,
    InstitutionId,
    EvaluatorSubject,
    Status,
    Visibility,
    Version,
    Scores,
    Findings,
    Rating,
    OverallScore,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EvaluationRevisions {
    Table,
    Id,
    EvaluationId,
    Version,
    Change,
    ChangedFields,
    Status,
    Visibility,
    Scores,
    Findings,
    Rating,
    Reason,
    ChangedBySubject,
    ChangedByInstitution,
    ChangedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    InstitutionId,
    Key,
    Operation,
    RequestHash,
    ResultId,
    CreatedAt,
}
