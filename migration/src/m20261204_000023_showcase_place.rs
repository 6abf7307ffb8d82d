//! A showcase carries its SME's prefecture and niche standing, kept equal to the SME's by the
//! domain (publishing a showcase, changing an SME), with an index on each in the list's order.
//!
//! The showcase list filters by them, and its total counts up to 1,001 showcases. Through the SME,
//! a selective filter (Aichi: 2 % of showcases) walks the showcases until it has counted 1,001
//! matches: all 50,000 at scale 10 (BENCHMARKS.md, showcases by prefecture). On the showcase
//! itself, the count reads an index's 1,001 entries at most.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmeShowcases {
    Table,
    Id,
    SmeId,
    SmePrefectureCode,
    SmeNicheStatus,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
    PrefectureCode,
    NicheStatus,
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("idx_sme_showcases_prefecture")
            .table(SmeShowcases::Table)
            .col(SmeShowcases::SmePrefectureCode)
            .col(SmeShowcases::Id)
            .to_owned(),
        Index::create()
            .name("idx_sme_showcases_niche")
            .table(SmeShowcases::Table)
            .col(SmeShowcases::SmeNicheStatus)
            .col(SmeShowcases::Id)
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Added without a value, filled from the SMEs, then (where the database can say so after
        // the fact: PostgreSQL) required. SQLite adds a NOT NULL column only with a default, and
        // a default prefecture would be a wrong one.
        for column in [
            small_integer_null(SmeShowcases::SmePrefectureCode),
            string_len_null(SmeShowcases::SmeNicheStatus, 20),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SmeShowcases::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let of_sme = |column: Smes| {
            SubQueryStatement::SelectStatement(
                Query::select()
                    .column((Smes::Table, column))
                    .from(Smes::Table)
                    .and_where(
                        Expr::col((Smes::Table, Smes::Id))
                            .equals((SmeShowcases::Table, SmeShowcases::SmeId)),
                    )
                    .to_owned(),
            )
        };
        manager
            .exec_stmt(
                Query::update()
                    .table(SmeShowcases::Table)
                    .value(
                        SmeShowcases::SmePrefectureCode,
                        Expr::SubQuery(None, Box::new(of_sme(Smes::PrefectureCode))),
                    )
                    .value(
                        SmeShowcases::SmeNicheStatus,
                        Expr::SubQuery(None, Box::new(of_sme(Smes::NicheStatus))),
                    )
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            for column in [
                SmeShowcases::SmePrefectureCode,
                SmeShowcases::SmeNicheStatus,
            ] {
                manager
                    .alter_table(
                        Table::alter()
                            .table(SmeShowcases::Table)
                            .modify_column(ColumnDef::new(column).not_null())
                            .to_owned(),
                    )
                    .await?;
            }
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes() {
            let name = index
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_owned();
            manager
                .drop_index(Index::drop().name(name).to_owned())
                .await?;
        }
        for column in [
            SmeShowcases::SmePrefectureCode,
            SmeShowcases::SmeNicheStatus,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SmeShowcases::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
