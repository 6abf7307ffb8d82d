//! Idempotency keys are scoped to the subject that made them as well as its institution: another
//! caller's key is a different key. Existing keys keep their rows, with an empty subject (no
//! caller's), so a retry of theirs runs afresh instead of replaying someone else's answer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IdempotencyKeys::Table)
                    .add_column(string_len(IdempotencyKeys::Subject, 200).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_idempotency_keys")
                    .table(IdempotencyKeys::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys_by_subject")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::InstitutionId)
                    .col(IdempotencyKeys::Subject)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("uq_idempotency_keys_by_subject")
                    .table(IdempotencyKeys::Table)
                    .to_owned(),
            )
            .await?;
        // Several subjects' keys may now share a name within an institution: keep the first.
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM idempotency_keys WHERE id NOT IN \
                 (SELECT MIN(id) FROM idempotency_keys GROUP BY institution_id, key)",
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
        manager
            .alter_table(
                Table::alter()
                    .table(IdempotencyKeys::Table)
                    .drop_column(IdempotencyKeys::Subject)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    InstitutionId,
    Subject,
    Key,
}
