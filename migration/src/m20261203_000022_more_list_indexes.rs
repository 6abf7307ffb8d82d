//! Indexes measured missing by `bench/scale` (every list with each of its filters at scale 1 and
//! 10): coordinators in their lists' order (English name), so that a filtered page reads its rows
//! in order instead of sorting every match; and referrals by SME, which were found by reading the
//! whole table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Coordinators {
    Table,
    Id,
    NameEn,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    SmeId,
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("idx_coordinators_name_en")
            .table(Coordinators::Table)
            .col(Coordinators::NameEn)
            .col(Coordinators::Id)
            .to_owned(),
        Index::create()
            .name("idx_referrals_sme")
            .table(Referrals::Table)
            .col(Referrals::SmeId)
            .col(Referrals::Id)
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
