//! The event outbox: every event a change publishes, written in the change's own transaction and
//! numbered, so that an instance whose listening connection dropped reads what it missed. Rows
//! older than an hour are pruned.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventOutbox::Table)
                    .col(big_pk_auto(EventOutbox::Id))
                    .col(string_len(EventOutbox::Channel, 40))
                    .col(text(EventOutbox::Payload))
                    .col(timestamp_with_time_zone(EventOutbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_event_outbox_created_at")
                    .table(EventOutbox::Table)
                    .col(EventOutbox::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventOutbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum EventOutbox {
    Table,
    Id,
    Channel,
    Payload,
    CreatedAt,
}
