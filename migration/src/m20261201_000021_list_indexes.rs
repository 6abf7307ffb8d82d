//! Indexes for the list filters that had none, in each list's order, so that a filtered page reads
//! only its own rows: SMEs by English name, alone or within a prefecture or niche status;
//! evaluations newest first within a rating or a status.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
    NameEn,
    PrefectureCode,
    NicheStatus,
}

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    Id,
    Rating,
    Status,
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("idx_smes_name_en")
            .table(Smes::Table)
            .col(Smes::NameEn)
            .col(Smes::Id)
            .to_owned(),
        Index::create()
            .name("idx_smes_prefecture_name_en")
            .table(Smes::Table)
            .col(Smes::PrefectureCode)
            .col(Smes::NameEn)
            .col(Smes::Id)
            .to_owned(),
        Index::create()
            .name("idx_smes_niche_name_en")
            .table(Smes::Table)
            .col(Smes::NicheStatus)
            .col(Smes::NameEn)
            .col(Smes::Id)
            .to_owned(),
        Index::create()
            .name("idx_evaluations_rating")
            .table(Evaluations::Table)
            .col(Evaluations::Rating)
            .col(Evaluations::Id)
            .to_owned(),
        Index::create()
            .name("idx_evaluations_status")
            .table(Evaluations::Table)
            .col(Evaluations::Status)
            .col(Evaluations::Id)
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
        Ok(())
    }
}
