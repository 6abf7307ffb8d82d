//! Financing referrals (issue 17): an SME's consent to sharing its evaluation with one bank, and
//! referrals of a rated evaluation's revision to a bank, with what became of them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReferralConsents::Table)
                    .col(big_pk_auto(ReferralConsents::Id))
                    .col(big_integer(ReferralConsents::SmeId))
                    .col(big_integer(ReferralConsents::BankId))
                    // The institution that obtained the consent and refers under it.
                    .col(big_integer(ReferralConsents::InstitutionId))
                    .col(string_len(ReferralConsents::Scope, 20))
                    .col(date(ReferralConsents::ObtainedOn))
                    .col(string_len(ReferralConsents::Method, 20))
                    .col(string_len(ReferralConsents::DocumentReference, 200))
                    .col(string_len(ReferralConsents::RecordedBySubject, 200))
                    .col(timestamp_with_time_zone(ReferralConsents::RecordedAt))
                    .col(timestamp_with_time_zone_null(ReferralConsents::RevokedAt))
                    .col(string_len_null(ReferralConsents::RevokedBySubject, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_consents_sme")
                            .from(ReferralConsents::Table, ReferralConsents::SmeId)
                            .to(Smes::Table, Smes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_consents_bank")
                            .from(ReferralConsents::Table, ReferralConsents::BankId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referral_consents_institution")
                            .from(ReferralConsents::Table, ReferralConsents::InstitutionId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_referral_consents_sme_bank")
                    .table(ReferralConsents::Table)
                    .col(ReferralConsents::SmeId)
                    .col(ReferralConsents::BankId)
                    .col(ReferralConsents::InstitutionId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(big_pk_auto(Referrals::Id))
                    .col(big_integer(Referrals::EvaluationId))
                    // The revision referred: the bank reads exactly this version.
                    .col(integer(Referrals::EvaluationVersion))
                    .col(big_integer(Referrals::SmeId))
                    .col(big_integer(Referrals::InstitutionId))
                    .col(big_integer(Referrals::BankId))
                    .col(big_integer(Referrals::ConsentId))
                    .col(string_len(Referrals::Scope, 20))
                    .col(string_len(Referrals::Purpose, 30))
                    .col(
                        big_integer(Referrals::AmountRequested)
                            .check(Expr::col(Referrals::AmountRequested).gte(0)),
                    )
                    .col(text_null(Referrals::Note))
                    .col(string_len(Referrals::Status, 20))
                    .col(integer(Referrals::Version))
                    .col(string_len_null(Referrals::Rating, 1))
                    .col(big_integer_null(Referrals::FinancedAmount))
                    .col(string_len_null(Referrals::FinancingProduct, 20))
                    .col(date_null(Referrals::DecidedOn))
                    .col(string_len_null(Referrals::DeclineReason, 40))
                    .col(text_null(Referrals::DeclineNote))
                    .col(text_null(Referrals::WithdrawalReason))
                    .col(string_len(Referrals::ReferredBySubject, 200))
                    .col(timestamp_with_time_zone(Referrals::CreatedAt))
                    .col(timestamp_with_time_zone(Referrals::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Referrals::AcknowledgedAt))
                    .col(timestamp_with_time_zone_null(Referrals::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_evaluation")
                            .from(Referrals::Table, Referrals::EvaluationId)
                            .to(Evaluations::Table, Evaluations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_sme")
                            .from(Referrals::Table, Referrals::SmeId)
                            .to(Smes::Table, Smes::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_institution")
                            .from(Referrals::Table, Referrals::InstitutionId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_bank")
                            .from(Referrals::Table, Referrals::BankId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_referrals_consent")
                            .from(Referrals::Table, Referrals::ConsentId)
                            .to(ReferralConsents::Table, ReferralConsents::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_referrals_institution", Referrals::InstitutionId),
            ("ix_referrals_bank", Referrals::BankId),
            ("ix_referrals_created_at", Referrals::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Referrals::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Referrals::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ReferralConsents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReferralConsents {
    Table,
    Id,
    SmeId,
    BankId,
    InstitutionId,
    Scope,
    ObtainedOn,
    Method,
    DocumentReference,
    RecordedBySubject,
    RecordedAt,
    RevokedAt,
    RevokedBySubject,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    EvaluationId,
    EvaluationVersion,
    SmeId,
    InstitutionId,
    BankId,
    ConsentId,
    Scope,
    Purpose,
    AmountRequested,
    Note,
    Status,
    Version,
    Rating,
    FinancedAmount,
    FinancingProduct,
    DecidedOn,
    DeclineReason,
    DeclineNote,
    WithdrawalReason,
    ReferredBySubject,
    CreatedAt,
    UpdatedAt,
    AcknowledgedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Evaluations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}
