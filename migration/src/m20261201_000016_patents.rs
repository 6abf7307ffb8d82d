//! Patents of national research institutes, universities and companies, their plain-language
//! explanations for SMEs (every version kept), licensing inquiries, and the Japanese full-text
//! index over the patents: PostgreSQL `pg_trgm` with a GIN index (the extension is created here),
//! SQLite FTS5 with the `trigram` tokenizer (an external-content table kept in step by triggers).
//! On PostgreSQL the organisations' and SMEs' name search (`lower(column) LIKE '%…%'`) gets
//! trigram indexes on the same expressions.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns name search reads, lower-cased, by table.
const NAME_SEARCH: [(&str, &str); 6] = [
    ("organizations", "name_ja"),
    ("organizations", "name_en"),
    ("organizations", "abbreviation"),
    ("organizations", "code"),
    ("smes", "name_ja"),
    ("smes", "name_en"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Patents::Table)
                    .col(big_pk_auto(Patents::Id))
                    .col(big_integer(Patents::HolderId))
                    .col(string_len_uniq(Patents::ApplicationNumber, 11))
                    .col(string_len_null(Patents::RegistrationNumber, 7))
                    .col(string_len(Patents::TitleJa, 300))
                    .col(string_len(Patents::TitleEn, 300))
                    .col(text_null(Patents::AbstractText))
                    .col(string_len(Patents::IpcClasses, 400))
                    .col(string_len(Patents::Fields, 400))
                    .col(
                        small_integer_null(Patents::Trl)
                            .check(Expr::col(Patents::Trl).between(1, 9)),
                    )
                    .col(date(Patents::FiledOn))
                    .col(date(Patents::ExpiresOn))
                    .col(string_len(Patents::Licensing, 30))
                    .col(string_len(Patents::LicenceForms, 100))
                    .col(text(Patents::SearchText))
                    .col(integer(Patents::Version))
                    .col(timestamp_with_time_zone(Patents::CreatedAt))
                    .col(timestamp_with_time_zone(Patents::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_patents_holder")
                            .from(Patents::Table, Patents::HolderId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_patents_holder")
                    .table(Patents::Table)
                    .col(Patents::HolderId)
                    .col(Patents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_patents_registration_number")
                    .table(Patents::Table)
                    .col(Patents::RegistrationNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PatentExplanations::Table)
                    .col(big_pk_auto(PatentExplanations::Id))
                    .col(big_integer_uniq(PatentExplanations::PatentId))
                    .col(big_integer(PatentExplanations::AuthorInstitutionId))
                    .col(string_len(PatentExplanations::AuthorSubject, 200))
                    .col(string_len(PatentExplanations::Status, 20))
                    .col(integer(PatentExplanations::Version))
                    .col(integer_null(PatentExplanations::PublishedVersion))
                    .col(text(PatentExplanations::SummaryJa))
                    .col(text(PatentExplanations::SummaryEn))
                    .col(text(PatentExplanations::ApplicationsJa))
                    .col(text(PatentExplanations::ApplicationsEn))
                    .col(text(PatentExplanations::RequirementsJa))
                    .col(text(PatentExplanations::RequirementsEn))
                    .col(timestamp_with_time_zone_null(
                        PatentExplanations::PublishedAt,
                    ))
                    .col(timestamp_with_time_zone(PatentExplanations::CreatedAt))
                    .col(timestamp_with_time_zone(PatentExplanations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_explanations_patent")
                            .from(PatentExplanations::Table, PatentExplanations::PatentId)
                            .to(Patents::Table, Patents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_explanations_author")
                            .from(
                                PatentExplanations::Table,
                                PatentExplanations::AuthorInstitutionId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PatentExplanationVersions::Table)
                    .col(big_pk_auto(PatentExplanationVersions::Id))
                    .col(big_integer(PatentExplanationVersions::ExplanationId))
                    .col(integer(PatentExplanationVersions::Version))
                    .col(string_len(PatentExplanationVersions::Change, 40))
                    .col(string_len(PatentExplanationVersions::Status, 20))
                    .col(text(PatentExplanationVersions::SummaryJa))
                    .col(text(PatentExplanationVersions::SummaryEn))
                    .col(text(PatentExplanationVersions::ApplicationsJa))
                    .col(text(PatentExplanationVersions::ApplicationsEn))
                    .col(text(PatentExplanationVersions::RequirementsJa))
                    .col(text(PatentExplanationVersions::RequirementsEn))
                    .col(text_null(PatentExplanationVersions::Reason))
                    .col(string_len(PatentExplanationVersions::ChangedBySubject, 200))
                    .col(string_len(
                        PatentExplanationVersions::ChangedByInstitution,
                        40,
                    ))
                    .col(timestamp_with_time_zone(
                        PatentExplanationVersions::ChangedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_explanation_versions_explanation")
                            .from(
                                PatentExplanationVersions::Table,
                                PatentExplanationVersions::ExplanationId,
                            )
                            .to(PatentExplanations::Table, PatentExplanations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_explanation_versions_version")
                    .table(PatentExplanationVersions::Table)
                    .col(PatentExplanationVersions::ExplanationId)
                    .col(PatentExplanationVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LicensingInquiries::Table)
                    .col(big_pk_auto(LicensingInquiries::Id))
                    .col(big_integer(LicensingInquiries::PatentId))
                    .col(big_integer(LicensingInquiries::SmeId))
                    .col(big_integer(LicensingInquiries::SenderInstitutionId))
                    .col(big_integer(LicensingInquiries::HolderId))
                    .col(string_len(LicensingInquiries::SenderSubject, 200))
                    .col(text(LicensingInquiries::Message))
                    .col(string_len(LicensingInquiries::Status, 20))
                    .col(integer(LicensingInquiries::Version))
                    .col(string_len_null(LicensingInquiries::LicenceForm, 20))
                    .col(date_null(LicensingInquiries::AgreedOn))
                    .col(text_null(LicensingInquiries::Note))
                    .col(timestamp_with_time_zone(LicensingInquiries::CreatedAt))
                    .col(timestamp_with_time_zone(LicensingInquiries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_patent")
                            .from(LicensingInquiries::Table, LicensingInquiries::PatentId)
                            .to(Patents::Table, Patents::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_sme")
                            .from(LicensingInquiries::Table, LicensingInquiries::SmeId)
                            .to(Smes::Table, Smes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_sender")
                            .from(
                                LicensingInquiries::Table,
                                LicensingInquiries::SenderInstitutionId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inquiries_holder")
                            .from(LicensingInquiries::Table, LicensingInquiries::HolderId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_inquiries_patent", LicensingInquiries::PatentId),
            (
                "idx_inquiries_sender",
                LicensingInquiries::SenderInstitutionId,
            ),
            ("idx_inquiries_holder", LicensingInquiries::HolderId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LicensingInquiries::Table)
                        .col(column)
                        .col(LicensingInquiries::Id)
                        .to_owned(),
                )
                .await?;
        }

        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_patents_search_trgm ON patents \
                     USING gin (search_text gin_trgm_ops)",
                )
                .await?;
                for (table, column) in NAME_SEARCH {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX ix_{table}_{column}_trgm ON {table} \
                         USING gin (lower({column}) gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE patents_fts USING fts5(search_text, \
                     content='patents', content_rowid='id', tokenize='trigram')",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER patents_fts_insert AFTER INSERT ON patents BEGIN \
                     INSERT INTO patents_fts(rowid, search_text) VALUES (new.id, new.search_text); \
                     END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER patents_fts_delete AFTER DELETE ON patents BEGIN \
                     INSERT INTO patents_fts(patents_fts, rowid, search_text) \
                     VALUES ('delete', old.id, old.search_text); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER patents_fts_update AFTER UPDATE OF search_text ON patents BEGIN \
                     INSERT INTO patents_fts(patents_fts, rowid, search_text) \
                     VALUES ('delete', old.id, old.search_text); \
                     INSERT INTO patents_fts(rowid, search_text) VALUES (new.id, new.search_text); \
                     END",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                // The extension stays: other objects may use it.
                db.execute_unprepared("DROP INDEX IF EXISTS ix_patents_search_trgm")
                    .await?;
                for (table, column) in NAME_SEARCH {
                    db.execute_unprepared(&format!(
                        "DROP INDEX IF EXISTS ix_{table}_{column}_trgm"
                    ))
                    .await?;
                }
            }
            _ => {
                for statement in [
                    "DROP TRIGGER IF EXISTS patents_fts_insert",
                    "DROP TRIGGER IF EXISTS patents_fts_delete",
                    "DROP TRIGGER IF EXISTS patents_fts_update",
                    "DROP TABLE IF EXISTS patents_fts",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        for table in [
            LicensingInquiries::Table.into_iden(),
            PatentExplanationVersions::Table.into_iden(),
            PatentExplanations::Table.into_iden(),
            Patents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Patents {
    Table,
    Id,
    HolderId,
    ApplicationNumber,
    RegistrationNumber,
    TitleJa,
    TitleEn,
    AbstractText,
    IpcClasses,
    Fields,
    Trl,
    FiledOn,
    ExpiresOn,
    Licensing,
    LicenceForms,
    SearchText,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PatentExplanations {
    Table,
    Id,
    PatentId,
    AuthorInstitutionId,
    AuthorSubject,
    Status,
    Version,
    PublishedVersion,
    SummaryJa,
    SummaryEn,
    ApplicationsJa,
    ApplicationsEn,
    RequirementsJa,
    RequirementsEn,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PatentExplanationVersions {
    Table,
    Id,
    ExplanationId,
    Version,
    Change,
    Status,
    SummaryJa,
    SummaryEn,
    ApplicationsJa,
    ApplicationsEn,
    RequirementsJa,
    RequirementsEn,
    Reason,
    ChangedBySubject,
    ChangedByInstitution,
    ChangedAt,
}

#[derive(DeriveIden)]
enum LicensingInquiries {
    Table,
    Id,
    PatentId,
    SmeId,
    SenderInstitutionId,
    HolderId,
    SenderSubject,
    Message,
    Status,
    Version,
    LicenceForm,
    AgreedOn,
    Note,
    CreatedAt,
    UpdatedAt,
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
}
