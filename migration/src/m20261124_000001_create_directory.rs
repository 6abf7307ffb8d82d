//! The public member directory: organisations, cluster projects, who takes part in which project,
//! and the projects' tie-ups with overseas clusters.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // Keyset pagination compares the sort key in SQL; byte order ("C") makes that comparison,
        // and so every page boundary, the same on PostgreSQL as on SQLite, whatever the server's locale.
        let sortable = |mut column: ColumnDef| {
            if backend == DatabaseBackend::Postgres {
                column.extra("COLLATE \"C\"");
            }
            column
        };

        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(big_pk_auto(Organizations::Id))
                    .col(sortable(string_len_uniq(Organizations::Code, 40)))
                    .col(sortable(string_len(Organizations::NameJa, 200)))
                    .col(sortable(string_len(Organizations::NameEn, 200)))
                    .col(string_len_null(Organizations::Abbreviation, 40))
                    .col(string_len(Organizations::Kind, 40))
                    .col(string_len(Organizations::Membership, 20))
                    .col(
                        small_integer(Organizations::PrefectureCode)
                            .check(Expr::col(Organizations::PrefectureCode).between(1, 47)),
                    )
                    .col(string_len_null(Organizations::WebsiteUrl, 500))
                    .col(text_null(Organizations::DescriptionJa))
                    .col(text_null(Organizations::DescriptionEn))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .col(timestamp_with_time_zone(Organizations::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_organizations_name_en", Organizations::NameEn),
            ("idx_organizations_name_ja", Organizations::NameJa),
            (
                "idx_organizations_prefecture_code",
                Organizations::PrefectureCode,
            ),
            ("idx_organizations_kind", Organizations::Kind),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Organizations::Table)
                        .col(column)
                        .col(Organizations::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ClusterProjects::Table)
                    .col(big_pk_auto(ClusterProjects::Id))
                    .col(sortable(string_len_uniq(ClusterProjects::Code, 60)))
                    .col(sortable(string_len(ClusterProjects::NameJa, 200)))
                    .col(sortable(string_len(ClusterProjects::NameEn, 200)))
                    .col(string_len(ClusterProjects::Program, 40))
                    .col(string_len(ClusterProjects::Bureau, 20))
                    .col(string_len(ClusterProjects::Fields, 200))
                    .col(small_integer(ClusterProjects::TermStartFiscalYear))
                    .col(small_integer_null(ClusterProjects::TermEndFiscalYear))
                    .col(text_null(ClusterProjects::DescriptionEn))
                    .col(timestamp_with_time_zone(ClusterProjects::CreatedAt))
                    .col(timestamp_with_time_zone(ClusterProjects::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ClusterParticipations::Table)
                    .col(big_integer(ClusterParticipations::ProjectId))
                    .col(big_integer(ClusterParticipations::OrganizationId))
                    .col(string_len(ClusterParticipations::Role, 20))
                    .primary_key(
                        Index::create()
                            .col(ClusterParticipations::ProjectId)
                            .col(ClusterParticipations::OrganizationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cluster_participations_project")
                            .from(
                                ClusterParticipations::Table,
                                ClusterParticipations::ProjectId,
                            )
                            .to(ClusterProjects::Table, ClusterProjects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cluster_participations_organization")
                            .from(
                                ClusterParticipations::Table,
                                ClusterParticipations::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cluster_participations_organization")
                    .table(ClusterParticipations::Table)
                    .col(ClusterParticipations::OrganizationId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TieUps::Table)
                    .col(big_pk_auto(TieUps::Id))
                    .col(big_integer(TieUps::ProjectId))
                    .col(string_len(TieUps::Region, 20))
                    .col(sortable(char_len(TieUps::CountryCode, 2)))
                    .col(string_len(TieUps::JapanesePartner, 200))
                    .col(sortable(string_len(TieUps::ForeignPartner, 200)))
                    .col(string_len(TieUps::FieldLabel, 200))
                    .col(string_len(TieUps::Fields, 200))
                    .col(timestamp_with_time_zone(TieUps::CreatedAt))
                    .col(timestamp_with_time_zone(TieUps::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tie_ups_project")
                            .from(TieUps::Table, TieUps::ProjectId)
                            .to(ClusterProjects::Table, ClusterProjects::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_tie_ups_project_country_partner")
                    .table(TieUps::Table)
                    .col(TieUps::ProjectId)
                    .col(TieUps::CountryCode)
                    .col(TieUps::ForeignPartner)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tie_ups_country")
                    .table(TieUps::Table)
                    .col(TieUps::CountryCode)
                    .col(TieUps::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            TieUps::Table.into_iden(),
            ClusterParticipations::Table.into_iden(),
            ClusterProjects::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Code,
    NameJa,
    NameEn,
    Abbreviation,
    Kind,
    Membership,
    PrefectureCode,
    WebsiteUrl,
    DescriptionJa,
    DescriptionEn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClusterProjects {
    Table,
    Id,
    Code,
    NameJa,
    NameEn,
    Program,
    Bureau,
    Fields,
    TermStartFiscalYear,
    TermEndFiscalYear,
    DescriptionEn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClusterParticipations {
    Table,
    ProjectId,
    OrganizationId,
    Role,
}

#[derive(DeriveIden)]
enum TieUps {
    Table,
    Id,
    ProjectId,
    Region,
    CountryCode,
    JapanesePartner,
    ForeignPartner,
    FieldLabel,
    Fields,
    CreatedAt,
    UpdatedAt,
}
