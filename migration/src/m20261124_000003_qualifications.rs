//! Coordinators, qualification schemes with their levels and continuing-education requirements,
//! awards (certificates), and training courses and completion records.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Coordinators::Table)
                    .col(big_pk_auto(Coordinators::Id))
                    .col(big_integer(Coordinators::OrganizationId))
                    .col(string_len(Coordinators::NameJa, 200))
                    .col(string_len(Coordinators::NameEn, 200))
                    .col(
                        small_integer(Coordinators::PrefectureCode)
                            .check(Expr::col(Coordinators::PrefectureCode).between(1, 47)),
                    )
                    .col(string_len(Coordinators::Expertise, 200))
                    .col(text_null(Coordinators::ProfileEn))
                    .col(string_len_null(Coordinators::ContactEmail, 254))
                    .col(string_len_null(Coordinators::ContactPhone, 40))
                    .col(timestamp_with_time_zone(Coordinators::CreatedAt))
                    .col(timestamp_with_time_zone(Coordinators::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_coordinators_organization",
                        (Coordinators::Table, Coordinators::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coordinators_organization")
                    .table(Coordinators::Table)
                    .col(Coordinators::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coordinators_prefecture")
                    .table(Coordinators::Table)
                    .col(Coordinators::PrefectureCode)
                    .col(Coordinators::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QualificationSchemes::Table)
                    .col(big_pk_auto(QualificationSchemes::Id))
                    .col(string_len_uniq(QualificationSchemes::Code, 60))
                    .col(big_integer(QualificationSchemes::IssuerId))
                    .col(string_len(QualificationSchemes::NameJa, 200))
                    .col(string_len(QualificationSchemes::NameEn, 200))
                    .col(string_len(QualificationSchemes::HolderKind, 20))
                    .col(small_integer_null(QualificationSchemes::ValidityMonths))
                    .col(small_integer(QualificationSchemes::RenewalWindowMonths))
                    .col(small_integer(QualificationSchemes::GraceMonths))
                    .col(timestamp_with_time_zone(QualificationSchemes::CreatedAt))
                    .col(timestamp_with_time_zone(QualificationSchemes::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_schemes_issuer",
                        (QualificationSchemes::Table, QualificationSchemes::IssuerId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SchemeLevels::Table)
                    .col(big_pk_auto(SchemeLevels::Id))
                    .col(big_integer(SchemeLevels::SchemeId))
                    .col(small_integer(SchemeLevels::Rank))
                    .col(string_len(SchemeLevels::Code, 40))
                    .col(string_len(SchemeLevels::NameJa, 200))
                    .col(string_len(SchemeLevels::NameEn, 200))
                    .col(boolean(SchemeLevels::RequiresPrevious))
                    .foreign_key(&mut fk(
                        "fk_levels_scheme",
                        (SchemeLevels::Table, SchemeLevels::SchemeId),
                        (QualificationSchemes::Table, QualificationSchemes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("uq_levels_scheme_rank", SchemeLevels::Rank),
            ("uq_levels_scheme_code", SchemeLevels::Code),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SchemeLevels::Table)
                        .col(SchemeLevels::SchemeId)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CeRequirements::Table)
                    .col(big_pk_auto(CeRequirements::Id))
                    .col(big_integer(CeRequirements::SchemeId))
                    .col(string_len(CeRequirements::Unit, 20))
                    .col(integer(CeRequirements::Amount))
                    .col(small_integer(CeRequirements::PeriodMonths))
                    .foreign_key(&mut fk(
                        "fk_ce_scheme",
                        (CeRequirements::Table, CeRequirements::SchemeId),
                        (QualificationSchemes::Table, QualificationSchemes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ce_scheme")
                    .table(CeRequirements::Table)
                    .col(CeRequirements::SchemeId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingCourses::Table)
                    .col(big_pk_auto(TrainingCourses::Id))
                    .col(big_integer(TrainingCourses::ProviderId))
                    .col(string_len(TrainingCourses::TitleJa, 200))
                    .col(string_len(TrainingCourses::TitleEn, 200))
                    .col(string_len(TrainingCourses::Unit, 20))
                    .col(integer(TrainingCourses::Amount))
                    .col(timestamp_with_time_zone(TrainingCourses::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_courses_provider",
                        (TrainingCourses::Table, TrainingCourses::ProviderId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TrainingRecords::Table)
                    .col(big_pk_auto(TrainingRecords::Id))
                    .col(big_integer(TrainingRecords::CoordinatorId))
                    .col(big_integer(TrainingRecords::CourseId))
                    .col(date(TrainingRecords::CompletedOn))
                    .col(timestamp_with_time_zone(TrainingRecords::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_records_coordinator",
                        (TrainingRecords::Table, TrainingRecords::CoordinatorId),
                        (Coordinators::Table, Coordinators::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_records_course",
                        (TrainingRecords::Table, TrainingRecords::CourseId),
                        (TrainingCourses::Table, TrainingCourses::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // A retried "record this training" never counts the same completion twice.
        manager
            .create_index(
                Index::create()
                    .name("uq_records_completion")
                    .table(TrainingRecords::Table)
                    .col(TrainingRecords::CoordinatorId)
                    .col(TrainingRecords::CourseId)
                    .col(TrainingRecords::CompletedOn)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Awards::Table)
                    .col(big_pk_auto(Awards::Id))
                    .col(big_integer(Awards::SchemeId))
                    .col(big_integer(Awards::LevelId))
                    .col(big_integer_null(Awards::CoordinatorId))
                    .col(big_integer_null(Awards::HolderOrganizationId))
                    .col(string_len_uniq(Awards::CertificateNumber, 40))
                    .col(date(Awards::AwardedOn))
                    .col(date_null(Awards::ExpiresOn))
                    .col(string_len(Awards::Decision, 20))
                    .col(text_null(Awards::DecisionReason))
                    .col(timestamp_with_time_zone_null(Awards::DecidedAt))
                    .col(timestamp_with_time_zone(Awards::CreatedAt))
                    .col(timestamp_with_time_zone(Awards::UpdatedAt))
                    .check(
                        Expr::col(Awards::CoordinatorId)
                            .is_null()
                            .ne(Expr::col(Awards::HolderOrganizationId).is_null()),
                    )
                    .foreign_key(&mut fk(
                        "fk_awards_scheme",
                        (Awards::Table, Awards::SchemeId),
                        (QualificationSchemes::Table, QualificationSchemes::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_level",
                        (Awards::Table, Awards::LevelId),
                        (SchemeLevels::Table, SchemeLevels::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_coordinator",
                        (Awards::Table, Awards::CoordinatorId),
                        (Coordinators::Table, Coordinators::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_organization",
                        (Awards::Table, Awards::HolderOrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_awards_coordinator", Awards::CoordinatorId),
            ("idx_awards_organization", Awards::HolderOrganizationId),
            ("idx_awards_scheme", Awards::SchemeId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Awards::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Awards::Table.into_iden(),
            TrainingRecords::Table.into_iden(),
            TrainingCourses::Table.into_iden(),
            CeRequirements::Table.into_iden(),
            SchemeLevels::Table.into_iden(),
            QualificationSchemes::Table.into_iden(),
            Coordinators::Table.into_iden(),
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
}

#[derive(DeriveIden)]
enum Coordinators {
    Table,
    Id,
    OrganizationId,
    NameJa,
    NameEn,
    PrefectureCode,
    Expertise,
    ProfileEn,
    ContactEmail,
    ContactPhone,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum QualificationSchemes {
    Table,
    Id,
    Code,
    IssuerId,
    NameJa,
    NameEn,
    HolderKind,
    ValidityMonths,
    RenewalWindowMonths,
    GraceMonths,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SchemeLevels {
    Table,
    Id,
    SchemeId,
    Rank,
    Code,
    NameJa,
    NameEn,
    RequiresPrevious,
}

#[derive(DeriveIden)]
enum CeRequirements {
    Table,
    Id,
    SchemeId,
    Unit,
    Amount,
    PeriodMonths,
}

#[derive(DeriveIden)]
enum TrainingCourses {
    Table,
    Id,
    ProviderId,
    TitleJa,
    TitleEn,
    Unit,
    Amount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingRecords {
    Table,
    Id,
    CoordinatorId,
    CourseId,
    CompletedOn,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    SchemeId,
    LevelId,
    CoordinatorId,
    HolderOrganizationId,
    CertificateNumber,
    AwardedOn,
    ExpiresOn,
    Decision,
    DecisionReason,
    DecidedAt,
    CreatedAt,
    UpdatedAt,
}
