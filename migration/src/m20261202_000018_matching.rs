//! Sales promotion and business matching (issue 18): SMEs' showcases and products, buyers' needs,
//! proposals by one SME or a consortium, matching events and the meetings booked at them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk<T1, C1, T2, C2>(name: &str, from: (T1, C1), to: (T2, C2)) -> ForeignKeyCreateStatement
where
    T1: IntoTableRef,
    C1: IdenList,
    T2: IntoTableRef,
    C2: IdenList,
{
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SmeShowcases::Table)
                    .col(big_pk_auto(SmeShowcases::Id))
                    // One showcase per SME.
                    .col(big_integer_uniq(SmeShowcases::SmeId))
                    .col(date(SmeShowcases::ConsentedOn))
                    .col(string_len_null(SmeShowcases::HeadlineJa, 200))
                    .col(string_len_null(SmeShowcases::HeadlineEn, 200))
                    .col(timestamp_with_time_zone_null(SmeShowcases::WithdrawnAt))
                    .col(string_len(SmeShowcases::RecordedBySubject, 200))
                    .col(timestamp_with_time_zone(SmeShowcases::CreatedAt))
                    .col(timestamp_with_time_zone(SmeShowcases::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_sme_showcases_sme",
                        (SmeShowcases::Table, SmeShowcases::SmeId),
                        (Smes::Table, Smes::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SmeProducts::Table)
                    .col(big_pk_auto(SmeProducts::Id))
                    .col(big_integer(SmeProducts::SmeId))
                    .col(string_len(SmeProducts::NameJa, 200))
                    .col(string_len(SmeProducts::NameEn, 200))
                    .col(text_null(SmeProducts::DescriptionJa))
                    .col(text_null(SmeProducts::DescriptionEn))
                    .col(string_len(SmeProducts::Fields, 400))
                    .col(string_len(SmeProducts::Processes, 600))
                    .col(timestamp_with_time_zone(SmeProducts::CreatedAt))
                    .col(timestamp_with_time_zone(SmeProducts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_sme_products_sme",
                        (SmeProducts::Table, SmeProducts::SmeId),
                        (Smes::Table, Smes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sme_products_sme")
                    .table(SmeProducts::Table)
                    .col(SmeProducts::SmeId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BusinessNeeds::Table)
                    .col(big_pk_auto(BusinessNeeds::Id))
                    .col(big_integer(BusinessNeeds::InstitutionId))
                    .col(big_integer(BusinessNeeds::BuyerId))
                    .col(string_len(BusinessNeeds::Kind, 30))
                    .col(big_integer_null(BusinessNeeds::PatentId))
                    .col(string_len(BusinessNeeds::TitleJa, 200))
                    .col(string_len(BusinessNeeds::TitleEn, 200))
                    .col(text_null(BusinessNeeds::Description))
                    .col(string_len(BusinessNeeds::Fields, 400))
                    .col(string_len(BusinessNeeds::Processes, 600))
                    .col(integer_null(BusinessNeeds::Quantity))
                    .col(big_integer_null(BusinessNeeds::BudgetMin))
                    .col(big_integer_null(BusinessNeeds::BudgetMax))
                    .col(timestamp_with_time_zone(BusinessNeeds::Deadline))
                    .col(string_len_null(BusinessNeeds::DeliveryPlace, 200))
                    .col(string_len(BusinessNeeds::Visibility, 20))
                    .col(text(BusinessNeeds::Invited))
                    .col(string_len(BusinessNeeds::Status, 20))
                    .col(integer(BusinessNeeds::Version))
                    .col(string_len(BusinessNeeds::PostedBySubject, 200))
                    .col(timestamp_with_time_zone(BusinessNeeds::CreatedAt))
                    .col(timestamp_with_time_zone(BusinessNeeds::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_business_needs_institution",
                        (BusinessNeeds::Table, BusinessNeeds::InstitutionId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_business_needs_buyer",
                        (BusinessNeeds::Table, BusinessNeeds::BuyerId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_business_needs_patent",
                        (BusinessNeeds::Table, BusinessNeeds::PatentId),
                        (Patents::Table, Patents::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "ix_business_needs_institution",
                BusinessNeeds::InstitutionId,
            ),
            ("ix_business_needs_created_at", BusinessNeeds::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(BusinessNeeds::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Proposals::Table)
                    .col(big_pk_auto(Proposals::Id))
                    .col(big_integer(Proposals::NeedId))
                    .col(big_integer(Proposals::NeedInstitutionId))
                    .col(big_integer(Proposals::InstitutionId))
                    .col(big_integer(Proposals::LeadSmeId))
                    .col(boolean(Proposals::Joint))
                    .col(text(Proposals::Summary))
                    .col(big_integer_null(Proposals::Price))
                    .col(string_len(Proposals::Status, 20))
                    .col(integer(Proposals::Version))
                    .col(text_null(Proposals::DecisionNote))
                    .col(string_len(Proposals::SubmittedBySubject, 200))
                    .col(timestamp_with_time_zone(Proposals::CreatedAt))
                    .col(timestamp_with_time_zone(Proposals::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Proposals::DecidedAt))
                    .foreign_key(&mut fk(
                        "fk_proposals_need",
                        (Proposals::Table, Proposals::NeedId),
                        (BusinessNeeds::Table, BusinessNeeds::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_proposals_institution",
                        (Proposals::Table, Proposals::InstitutionId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_proposals_lead_sme",
                        (Proposals::Table, Proposals::LeadSmeId),
                        (Smes::Table, Smes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_proposals_need", Proposals::NeedId),
            ("ix_proposals_institution", Proposals::InstitutionId),
            (
                "ix_proposals_need_institution",
                Proposals::NeedInstitutionId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Proposals::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ProposalMembers::Table)
                    .col(big_pk_auto(ProposalMembers::Id))
                    .col(big_integer(ProposalMembers::ProposalId))
                    .col(big_integer(ProposalMembers::SmeId))
                    .col(boolean(ProposalMembers::Lead))
                    .col(string_len(ProposalMembers::Processes, 600))
                    .col(
                        integer(ProposalMembers::SharePercent).check(
                            Expr::col(ProposalMembers::SharePercent)
                                .gte(1)
                                .and(Expr::col(ProposalMembers::SharePercent).lte(100)),
                        ),
                    )
                    .foreign_key(&mut fk(
                        "fk_proposal_members_proposal",
                        (ProposalMembers::Table, ProposalMembers::ProposalId),
                        (Proposals::Table, Proposals::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_proposal_members_sme",
                        (ProposalMembers::Table, ProposalMembers::SmeId),
                        (Smes::Table, Smes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // An SME once per proposal.
        manager
            .create_index(
                Index::create()
                    .name("ux_proposal_members_proposal_sme")
                    .table(ProposalMembers::Table)
                    .col(ProposalMembers::ProposalId)
                    .col(ProposalMembers::SmeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_proposal_members_sme")
                    .table(ProposalMembers::Table)
                    .col(ProposalMembers::SmeId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MatchingEvents::Table)
                    .col(big_pk_auto(MatchingEvents::Id))
                    .col(big_integer(MatchingEvents::OrganiserId))
                    .col(string_len(MatchingEvents::Kind, 20))
                    .col(string_len(MatchingEvents::NameJa, 200))
                    .col(string_len(MatchingEvents::NameEn, 200))
                    .col(string_len(MatchingEvents::Place, 200))
                    .col(string_len(MatchingEvents::CountryCode, 2))
                    .col(date(MatchingEvents::StartsOn))
                    .col(date(MatchingEvents::EndsOn))
                    .col(integer(MatchingEvents::SlotMinutes))
                    .col(string_len(MatchingEvents::CreatedBySubject, 200))
                    .col(timestamp_with_time_zone(MatchingEvents::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_matching_events_organiser",
                        (MatchingEvents::Table, MatchingEvents::OrganiserId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MatchingMeetings::Table)
                    .col(big_pk_auto(MatchingMeetings::Id))
                    .col(big_integer(MatchingMeetings::EventId))
                    .col(big_integer(MatchingMeetings::NeedId))
                    .col(big_integer(MatchingMeetings::BuyerId))
                    .col(big_integer(MatchingMeetings::NeedInstitutionId))
                    .col(big_integer(MatchingMeetings::OrganiserId))
                    .col(big_integer(MatchingMeetings::SmeId))
                    .col(timestamp_with_time_zone(MatchingMeetings::SlotStart))
                    .col(string_len_null(MatchingMeetings::Outcome, 20))
                    .col(big_integer_null(MatchingMeetings::OrderAmount))
                    .col(text_null(MatchingMeetings::OutcomeNote))
                    .col(integer(MatchingMeetings::Version))
                    .col(string_len(MatchingMeetings::BookedBySubject, 200))
                    .col(timestamp_with_time_zone(MatchingMeetings::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        MatchingMeetings::OutcomeRecordedAt,
                    ))
                    .foreign_key(&mut fk(
                        "fk_matching_meetings_event",
                        (MatchingMeetings::Table, MatchingMeetings::EventId),
                        (MatchingEvents::Table, MatchingEvents::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_matching_meetings_need",
                        (MatchingMeetings::Table, MatchingMeetings::NeedId),
                        (BusinessNeeds::Table, BusinessNeeds::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_matching_meetings_sme",
                        (MatchingMeetings::Table, MatchingMeetings::SmeId),
                        (Smes::Table, Smes::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // No SME and no buyer twice in one slot of an event: the database refuses the second
        // booking, whichever of two concurrent ones commits last.
        for (name, column) in [
            ("ux_matching_meetings_sme_slot", MatchingMeetings::SmeId),
            ("ux_matching_meetings_buyer_slot", MatchingMeetings::BuyerId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(MatchingMeetings::Table)
                        .col(MatchingMeetings::EventId)
                        .col(MatchingMeetings::SlotStart)
                        .col(column)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_matching_meetings_sme")
                    .table(MatchingMeetings::Table)
                    .col(MatchingMeetings::SmeId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MatchingMeetings::Table.into_iden(),
            MatchingEvents::Table.into_iden(),
            ProposalMembers::Table.into_iden(),
            Proposals::Table.into_iden(),
            BusinessNeeds::Table.into_iden(),
            SmeProducts::Table.into_iden(),
            SmeShowcases::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SmeShowcases {
    Table,
    Id,
    SmeId,
    ConsentedOn,
    HeadlineJa,
    HeadlineEn,
    WithdrawnAt,
    RecordedBySubject,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SmeProducts {
    Table,
    Id,
    SmeId,
    NameJa,
    NameEn,
    DescriptionJa,
    DescriptionEn,
    Fields,
    Processes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BusinessNeeds {
    Table,
    Id,
    InstitutionId,
    BuyerId,
    Kind,
    PatentId,
    TitleJa,
    TitleEn,
    Description,
    Fields,
    Processes,
    Quantity,
    BudgetMin,
    BudgetMax,
    Deadline,
    DeliveryPlace,
    Visibility,
    Invited,
    Status,
    Version,
    PostedBySubject,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Proposals {
    Table,
    Id,
    NeedId,
    NeedInstitutionId,
    InstitutionId,
    LeadSmeId,
    Joint,
    Summary,
    Price,
    Status,
    Version,
    DecisionNote,
    SubmittedBySubject,
    CreatedAt,
    UpdatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum ProposalMembers {
    Table,
    Id,
    ProposalId,
    SmeId,
    Lead,
    Processes,
    SharePercent,
}

#[derive(DeriveIden)]
enum MatchingEvents {
    Table,
    Id,
    OrganiserId,
    Kind,
    NameJa,
    NameEn,
    Place,
    CountryCode,
    StartsOn,
    EndsOn,
    SlotMinutes,
    CreatedBySubject,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MatchingMeetings {
    Table,
    Id,
    EventId,
    NeedId,
    BuyerId,
    NeedInstitutionId,
    OrganiserId,
    SmeId,
    SlotStart,
    Outcome,
    OrderAmount,
    OutcomeNote,
    Version,
    BookedBySubject,
    CreatedAt,
    OutcomeRecordedAt,
}

#[derive(DeriveIden)]
enum Smes {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Patents {
    Table,
    Id,
}
