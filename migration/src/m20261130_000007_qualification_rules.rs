//! Qualification rules as the real schemes state them (issue 15): continuing education counted over
//! the award's own validity period, practice (実務従事) apart from courses, renewals that extend by
//! their own length and stay possible after expiry, level prerequisites of practice and a course,
//! pausing at the holder's request (休止, a decision value: no column), and a version on awards.
//!
//! Existing rows keep their data: every new column has a default or is nullable, an award's
//! current period starts on its award date, and the seeded consulting-practice activity and the SME
//! consultant's points requirement become practice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One column per statement: SQLite alters one thing at a time.
async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: ColumnDef,
) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    column: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            QualificationSchemes::Table,
            small_integer_null(QualificationSchemes::RenewalValidityMonths),
        )
        .await?;
        add(
            manager,
            QualificationSchemes::Table,
            small_integer(QualificationSchemes::LateRenewalMonths)
                .default(0)
                .to_owned(),
        )
        .await?;
        add(
            manager,
            SchemeLevels::Table,
            small_integer_null(SchemeLevels::PracticeMonths),
        )
        .await?;
        add(
            manager,
            SchemeLevels::Table,
            small_integer_null(SchemeLevels::PracticeWithinMonths),
        )
        .await?;
        add(
            manager,
            SchemeLevels::Table,
            big_integer_null(SchemeLevels::RequiredCourseId),
        )
        .await?;
        add(
            manager,
            CeRequirements::Table,
            string_len(CeRequirements::Kind, 20)
                .default("course")
                .to_owned(),
        )
        .await?;
        add(
            manager,
            TrainingCourses::Table,
            string_len(TrainingCourses::Kind, 20)
                .default("course")
                .to_owned(),
        )
        .await?;
        add(manager, Awards::Table, date_null(Awards::PeriodFrom)).await?;
        add(
            manager,
            Awards::Table,
            integer(Awards::Version).default(1).to_owned(),
        )
        .await?;

        let db = manager.get_connection();
        // Each award's current period starts on its award date. For an award already renewed
        // (the audit log's `renewAward` entries) that is earlier than its true start, so its
        // next renewal may count older trainings: the registrar can see and judge those.
        db.execute_unprepared("UPDATE awards SET period_from = awarded_on")
            .await?;
        // The seed's consulting practice (実務従事) was stored as a course, and the SME
        // consultant's points requirement counted it: both are practice.
        db.execute_unprepared(
            "UPDATE training_courses SET kind = 'practice' WHERE title_en = 'Consulting practice (5 days)'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE ce_requirements SET kind = 'practice' WHERE unit = 'points' AND scheme_id IN \
             (SELECT id FROM qualification_schemes WHERE code = 'sme-consultant')",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Pauses become suspensions, the nearest value the old schema knows.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE awards SET decision = 'suspended' WHERE decision = 'paused'",
            )
            .await?;
        drop(manager, Awards::Table, Awards::Version).await?;
        drop(manager, Awards::Table, Awards::PeriodFrom).await?;
        drop(manager, TrainingCourses::Table, TrainingCourses::Kind).await?;
        drop(manager, CeRequirements::Table, CeRequirements::Kind).await?;
        drop(manager, SchemeLevels::Table, SchemeLevels::RequiredCourseId).await?;
        drop(
            manager,
            SchemeLevels::Table,
            SchemeLevels::PracticeWithinMonths,
        )
        .await?;
        drop(manager, SchemeLevels::Table, SchemeLevels::PracticeMonths).await?;
        drop(
            manager,
            QualificationSchemes::Table,
            QualificationSchemes::LateRenewalMonths,
        )
        .await?;
        drop(
            manager,
            QualificationSchemes::Table,
            QualificationSchemes::RenewalValidityMonths,
        )
        .await
    }
}

#[derive(DeriveIden)]
enum QualificationSchemes {
    Table,
    RenewalValidityMonths,
    LateRenewalMonths,
}

#[derive(DeriveIden)]
enum SchemeLevels {
    Table,
    PracticeMonths,
    PracticeWithinMonths,
    RequiredCourseId,
}

#[derive(DeriveIden)]
enum CeRequirements {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum TrainingCourses {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    PeriodFrom,
    Version,
}
