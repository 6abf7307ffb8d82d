//! People (issue 19): a coordinator linked to the person (the token's `sub`) it describes, with
//! the profile choices that person makes; and coordinators arranged to cluster projects and
//! member institutions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            string_len_null(Coordinators::PersonSubject, 200),
            // Profiles were public before a person could choose: they stay so until changed.
            boolean(Coordinators::PublicProfile)
                .default(true)
                .to_owned(),
            string_len_null(Coordinators::ContactPreference, 20),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Coordinators::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // A person is one coordinator at most; unlinked coordinators (NULL) are many.
        manager
            .create_index(
                Index::create()
                    .name("ux_coordinators_person_subject")
                    .table(Coordinators::Table)
                    .col(Coordinators::PersonSubject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoordinatorAssignments::Table)
                    .col(big_pk_auto(CoordinatorAssignments::Id))
                    .col(big_integer(CoordinatorAssignments::CoordinatorId))
                    .col(string_len(CoordinatorAssignments::Role, 40))
                    // Exactly one of the two: a cluster project, or a member institution.
                    .col(big_integer_null(CoordinatorAssignments::ProjectId))
                    .col(big_integer_null(CoordinatorAssignments::OrganizationId))
                    .col(date(CoordinatorAssignments::StartsOn))
                    .col(date_null(CoordinatorAssignments::EndsOn))
                    .col(integer(CoordinatorAssignments::Version).default(1))
                    .col(timestamp_with_time_zone(CoordinatorAssignments::CreatedAt))
                    .col(timestamp_with_time_zone(CoordinatorAssignments::UpdatedAt))
                    .check(Expr::cust(
                        "(project_id IS NULL) <> (organization_id IS NULL)",
                    ))
                    .check(Expr::cust("ends_on IS NULL OR ends_on >= starts_on"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coordinator_assignments_coordinator")
                            .from(
                                CoordinatorAssignments::Table,
                                CoordinatorAssignments::CoordinatorId,
                            )
                            .to(Coordinators::Table, Coordinators::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coordinator_assignments_project")
                            .from(
                                CoordinatorAssignments::Table,
                                CoordinatorAssignments::ProjectId,
                            )
                            .to(ClusterProjects::Table, ClusterProjects::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_coordinator_assignments_organization")
                            .from(
                                CoordinatorAssignments::Table,
                                CoordinatorAssignments::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "ix_coordinator_assignments_coordinator",
                CoordinatorAssignments::CoordinatorId,
            ),
            (
                "ix_coordinator_assignments_project",
                CoordinatorAssignments::ProjectId,
            ),
            (
                "ix_coordinator_assignments_organization",
                CoordinatorAssignments::OrganizationId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CoordinatorAssignments::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(CoordinatorAssignments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_coordinators_person_subject")
                    .table(Coordinators::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Coordinators::ContactPreference,
            Coordinators::PublicProfile,
            Coordinators::PersonSubject,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Coordinators::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Coordinators {
    Table,
    Id,
    PersonSubject,
    PublicProfile,
    ContactPreference,
}

#[derive(DeriveIden)]
enum CoordinatorAssignments {
    Table,
    Id,
    CoordinatorId,
    Role,
    ProjectId,
    OrganizationId,
    StartsOn,
    EndsOn,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClusterProjects {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}
